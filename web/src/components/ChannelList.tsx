/** My channels: DMs with presence dots, groups, last message, unread badges. */
import { t } from "../i18n/mod.ts";
import { timeOf } from "../lib/time.ts";
import { channelTitle, type ChatState, mentionsOf } from "../state/chat.ts";
import { Avatar } from "./Avatar.tsx";
import { Icon } from "./Icon.tsx";
import { NoChannels } from "./NoChannels.tsx";

export function ChannelList({ chat }: { chat: ChatState }) {
  const list = chat.channels.value;
  if (!chat.loaded.value) return <p class="muted pad">{t("app.loading")}</p>;
  if (!list.length) return <NoChannels chat={chat} />;
  return (
    <nav aria-label={t("channels.label")}>
      <ul class="channel-list">
        {list.map((c) => {
          const title = channelTitle(c);
          const last = c.last_message;
          const unread = Number(c.unread_count);
          const preview = !last
            ? t("channels.no_messages")
            : last.deleted
            ? t("message.deleted")
            : last.sender_id === chat.myId
            ? t("channels.you", { text: last.content })
            : last.content;
          return (
            <li key={c.id}>
              <button
                type="button"
                class={`channel${c.id === chat.activeId.value ? " active" : ""}${
                  unread ? " unread" : ""
                }`}
                aria-current={c.id === chat.activeId.value ? "page" : undefined}
                onClick={() => chat.select(c.id)}
                data-channel={c.id}
              >
                {c.kind === "direct"
                  ? (
                    <Avatar
                      name={title}
                      path={c.other_user?.avatar_path}
                      online={!!c.other_user && chat.online.value.has(c.other_user.id)}
                    />
                  )
                  : (
                    <span class="hash">
                      <Icon name={c.is_private ? "lock" : "hash"} />
                    </span>
                  )}
                <span class="channel-text">
                  <span class="channel-name">{title}</span>
                  <span class="channel-last">{preview}</span>
                </span>
                <span class="channel-side">
                  {last && <time dateTime={last.created_at}>{timeOf(last.created_at)}</time>}
                  {chat.unsent(c.id) > 0 && (
                    <span class="unsent" title={t("channels.unsent")}>
                      <span aria-hidden="true">!</span>
                      <span class="visually-hidden">{t("channels.unsent")}</span>
                    </span>
                  )}
                  {chat.notifyPrefs.levelFor(c.id, c.muted) !== "all" && (
                    <span
                      class="notify-level"
                      title={t(`notify.level.${chat.notifyPrefs.levelFor(c.id, c.muted)}`)}
                    >
                      <Icon name="bell" />
                      <span class="visually-hidden">
                        {t(`notify.level.${chat.notifyPrefs.levelFor(c.id, c.muted)}`)}
                      </span>
                    </span>
                  )}
                  {mentionsOf(c) > 0 && (
                    <span class="badge mention-badge">
                      <span aria-hidden="true">@</span>
                      <span class="visually-hidden">
                        {t("channels.mentions", { count: mentionsOf(c) })}
                      </span>
                    </span>
                  )}
                  {unread > 0 && (
                    <span class="badge">
                      <span aria-hidden="true">{unread > 999 ? "999+" : unread}</span>
                      <span class="visually-hidden">{t("channels.unread", { count: unread })}</span>
                    </span>
                  )}
                </span>
              </button>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
