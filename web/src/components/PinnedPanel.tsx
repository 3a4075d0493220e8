/**
 * The open conversation's pinned messages, newest pin first (kept live by `pin.changed`); each
 * opens the conversation at its message, and can be unpinned from here.
 */
import { t } from "../i18n/mod.ts";
import { translated } from "../i18n/errors.ts";
import { channelTitle, type ChatState } from "../state/chat.ts";
import { useAction } from "../lib/use_action.ts";
import { MessagePreview } from "./MessagePreview.tsx";
import { PinIcon } from "./PinIcon.tsx";

export function PinnedPanel({ chat }: { chat: ChatState }) {
  const [err, act] = useAction();
  const c = chat.active.value;
  if (!c) return null;
  const pins = chat.pins.of(c.id);
  const loadError = chat.pins.errors.value.get(c.id);
  return (
    <div class="pins-panel">
      <h2>{t("panel.pins")}</h2>
      <p class="muted">{channelTitle(c)}</p>
      {(err || loadError) && <p class="error" role="alert">{err || loadError}</p>}
      {pins.length === 0 && <p class="muted" role="status">{t("pins.empty")}</p>}
      <ol class="hits" aria-label={t("panel.pins")}>
        {pins.map((p) => (
          <MessagePreview
            key={p.message_id}
            chat={chat}
            channelId={p.channel_id}
            messageId={p.message_id}
            m={p.message}
            {...(p.pinned_by_name ? { note: t("pins.pinned_by", { name: p.pinned_by_name }) } : {})}
          >
            <button
              type="button"
              class="icon"
              aria-label={t("pins.unpin")}
              onClick={() => act(() => translated(chat.pins.unpin(p.channel_id, p.message_id)))}
            >
              <PinIcon name="pin" filled />
            </button>
          </MessagePreview>
        ))}
      </ol>
    </div>
  );
}
