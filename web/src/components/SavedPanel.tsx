/**
 * My saved messages, newest first, in pages; each opens its conversation at the message, and
 * can be unsaved from here. Read when the panel opens (another tab's saves arrive live).
 */
import { useEffect } from "preact/hooks";
import { t } from "../i18n/mod.ts";
import { translated } from "../i18n/errors.ts";
import type { ChatState } from "../state/chat.ts";
import { useAction } from "../lib/use_action.ts";
import { MessagePreview } from "./MessagePreview.tsx";
import { PinIcon } from "./PinIcon.tsx";

export function SavedPanel({ chat }: { chat: ChatState }) {
  const [err, act] = useAction();
  const saved = chat.saved;
  useEffect(() => {
    saved.load();
  }, []);
  const items = saved.items.value;
  return (
    <div class="saved-panel">
      <h2>{t("panel.saved")}</h2>
      {(err || saved.error.value) && <p class="error" role="alert">{err || saved.error.value}</p>}
      {items && items.length === 0 && <p class="muted" role="status">{t("saved.empty")}</p>}
      <ol class="hits" aria-label={t("panel.saved")} aria-busy={saved.loading.value}>
        {(items ?? []).map((s) => (
          <MessagePreview
            key={s.message_id}
            chat={chat}
            channelId={s.channel_id}
            messageId={s.message_id}
            m={s.message}
          >
            <button
              type="button"
              class="icon"
              aria-label={t("saved.unsave")}
              onClick={() => act(() => translated(saved.unsave(s.message_id)))}
            >
              <PinIcon name="bookmark" filled />
            </button>
          </MessagePreview>
        ))}
      </ol>
      {saved.next.value && (
        <button
          type="button"
          class="btn"
          disabled={saved.loading.value}
          onClick={() => saved.load(true)}
        >
          {t("saved.more")}
        </button>
      )}
    </div>
  );
}

/** The sidebar header's way to the Saved panel. */
export function SavedButton({ chat, onClick }: { chat: ChatState; onClick: () => void }) {
  return (
    <button
      type="button"
      class="icon"
      aria-label={t("saved.open")}
      aria-pressed={chat.panel.value === "saved"}
      onClick={onClick}
    >
      <PinIcon name="bookmark" size={18} />
    </button>
  );
}
