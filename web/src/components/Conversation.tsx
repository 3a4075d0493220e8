/**
 * The open channel: its header (presence or topic), the messages, typing line, composer (a
 * note instead for guests).
 */
import { useApp } from "../context.ts";
import { t } from "../i18n/mod.ts";
import { ago } from "../lib/time.ts";
import { channelTitle, type ChatState } from "../state/chat.ts";
import type { MessagesState } from "../state/messages.ts";
import { Avatar } from "./Avatar.tsx";
import { Composer } from "./Composer.tsx";
import { GuestNote } from "./GuestNote.tsx";
import { MessageList } from "./MessageList.tsx";
import { Icon } from "./Icon.tsx";
import { PinnedButton } from "./PinnedButton.tsx";

function TypingLine({ ms, chat }: { ms: MessagesState; chat: ChatState }) {
  const names = Object.keys(ms.typing.value).map((id) => {
    const m = ms.members.value.find((x) => x.user_id === id);
    return m?.display_name || m?.username || chat.users.value.get(id)?.username || "?";
  });
  return (
    <p class="typing" aria-live="polite">
      {names.length === 0
        ? ""
        : names.length === 1
        ? t("typing.one", { name: names[0]! })
        : names.length === 2
        ? t("typing.two", { a: names[0]!, b: names[1]! })
        : t("typing.many", { count: names.length })}
    </p>
  );
}

export function Conversation({ chat }: { chat: ChatState }) {
  const { session } = useApp();
  const c = chat.active.value;
  const ms = chat.messages.value;
  if (!c || !ms) return null;
  const title = channelTitle(c);
  const other = c.other_user;
  const isOnline = !!other && chat.online.value.has(other.id);
  // A DM's "last seen" follows presence and the clock (chat.now ticks), not the list's snapshot.
  const seen = other ? chat.lastSeen(other.id) : null;
  const sub = c.kind === "direct"
    ? other?.deactivated
      ? t("user.deactivated")
      : isOnline
      ? t("presence.online")
      : seen
      ? t("presence.last_seen", { when: ago(seen, Math.max(chat.now.value, Date.now())) })
      : t("presence.offline")
    : c.topic || t("channel.members_count", { count: Number(c.member_count) });
  const canModerate = session.role.value !== "user";
  return (
    <section class="conversation" aria-label={title}>
      <header class="conv-header">
        <button
          type="button"
          class="icon back"
          aria-label={t("channel.back")}
          onClick={() => chat.select(null)}
        >
          <Icon name="back" />
        </button>
        {c.kind === "direct"
          ? <Avatar name={title} path={other?.avatar_path} online={isOnline} />
          : (
            <span class="hash big">
              <Icon name={c.is_private ? "lock" : "hash"} />
            </span>
          )}
        <div class="conv-title">
          <h2>{title}</h2>
          <p class="muted">{sub}</p>
          {c.kind === "direct" && other?.status_text && (
            <p class="muted status-text">{other.status_text}</p>
          )}
        </div>
        <button
          type="button"
          class="icon"
          aria-label={t("search.open")}
          aria-pressed={chat.panel.value === "search"}
          onClick={() => (chat.panel.value = chat.panel.value === "search" ? "none" : "search")}
        >
          <Icon name="search" />
        </button>
        <PinnedButton chat={chat} channelId={c.id} />
        <button
          type="button"
          class="icon"
          aria-label={t("members.open")}
          aria-pressed={chat.panel.value === "members"}
          onClick={() => (chat.panel.value = chat.panel.value === "members" ? "none" : "members")}
        >
          <Icon name="users" />
        </button>
      </header>
      {ms.error.value && <p class="error pad" role="alert">{ms.error.value}</p>}
      <MessageList key={c.id} ms={ms} chat={chat} canModerate={canModerate} />
      <TypingLine ms={ms} chat={chat} />
      {session.session.value?.user.is_anonymous
        ? <GuestNote />
        : <Composer key={c.id} ms={ms} chat={chat} />}
    </section>
  );
}
