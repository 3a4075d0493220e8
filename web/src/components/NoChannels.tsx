/**
 * The empty state of someone in no conversation yet (a new user where no default channel is
 * set, or who left it): what this place is for and the way to start, drawn with the app's own
 * icons rather than a character the system's fonts may not have.
 */
import { useId } from "preact/hooks";
import { t } from "../i18n/mod.ts";
import type { ChatState } from "../state/chat.ts";
import { Icon } from "./Icon.tsx";

export function NoChannels({ chat }: { chat: ChatState }) {
  const title = useId();
  return (
    <section class="no-channels" aria-labelledby={title}>
      <span class="no-channels-icon">
        <Icon name="users" size={32} />
      </span>
      <h2 id={title}>{t("empty.title")}</h2>
      <p class="muted">{t("empty.body")}</p>
      <button
        type="button"
        class="btn primary"
        onClick={() => (chat.panel.value = "new-channel")}
      >
        <Icon name="plus" size={16} /> {t("empty.start")}
      </button>
    </section>
  );
}
