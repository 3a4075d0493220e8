/**
 * The conversation header's pinned-messages button, with the count (kept live by
 * `pin.changed`). Opening a conversation, or coming back online, reads its pins again (events
 * may have been missed while its topic was not joined), and the first one reads which messages
 * I saved.
 */
import { useEffect, useRef } from "preact/hooks";
import { t } from "../i18n/mod.ts";
import type { ChatState } from "../state/chat.ts";
import { PinIcon } from "./PinIcon.tsx";

export function PinnedButton({ chat, channelId }: { chat: ChatState; channelId: string }) {
  useEffect(() => {
    chat.pins.load(channelId);
    chat.saved.ensure();
  }, [channelId]);
  // Read again after a reconnect: `pin.changed` events sent meanwhile were missed.
  const online = chat.connection.value === "online";
  const was = useRef({ online, ever: online });
  useEffect(() => {
    if (online && !was.current.online && was.current.ever) chat.pins.load(channelId);
    was.current = { online, ever: was.current.ever || online };
  }, [online]);
  const count = chat.pins.count(channelId);
  return (
    <button
      type="button"
      class="icon pins-button"
      aria-label={t("pins.open", { count })}
      aria-pressed={chat.panel.value === "pins"}
      onClick={() => (chat.panel.value = chat.panel.value === "pins" ? "none" : "pins")}
    >
      <PinIcon name="pin" size={18} />
      {count > 0 && <span class="pin-count" aria-hidden="true">{count}</span>}
    </button>
  );
}
