/**
 * Under a message of the main flow (issue 14): a root's thread summary (reply count, the last
 * repliers' avatars, "New" while a thread I take part in has replies I have not read), or, for a
 * reply also sent to the channel, a link to its thread. Either opens the thread panel.
 */
import { t } from "../i18n/mod.ts";
import type { ChatState } from "../state/chat.ts";
import { threadFields } from "../state/thread.ts";
import type { Message } from "../types.ts";
import { Avatar } from "./Avatar.tsx";

/** A speech bubble (Feather's message-square), as the icons of Icon.tsx. */
export function ThreadIcon({ size = 16 }: { size?: number }) {
  return (
    <svg
      class="i"
      width={size}
      height={size}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      stroke-width="2"
      stroke-linecap="round"
      stroke-linejoin="round"
      aria-hidden="true"
      focusable="false"
    >
      <path d="M21 15a2 2 0 0 1-2 2H7l-4 4V5a2 2 0 0 1 2-2h14a2 2 0 0 1 2 2z" />
    </svg>
  );
}

/** Opens the thread of `m` in the side panel. */
export function openThread(chat: ChatState, m: Message) {
  chat.panel.value = "thread";
  void chat.thread.open(m);
}

export function ThreadSummary({ m, chat }: { m: Message; chat: ChatState }) {
  const f = threadFields(m);
  if (f.thread_root_id != null) {
    return (
      <button type="button" class="link thread-link" onClick={() => openThread(chat, m)}>
        {t("thread.in_thread")}
      </button>
    );
  }
  const s = f.thread;
  if (!s || s.reply_count < 1) return null;
  const people = s.repliers.map((id) => {
    const u = chat.users.value.get(id);
    return { id, name: u?.display_name || u?.username || "?", path: u?.avatar_path };
  });
  const unread = chat.thread.hasUnread(m);
  return (
    <button
      type="button"
      class={`thread-summary${unread ? " unread" : ""}`}
      data-replies={s.reply_count}
      onClick={() => openThread(chat, m)}
    >
      <span
        class="thread-repliers"
        title={t("thread.repliers", { names: people.map((p) => p.name).join(", ") })}
      >
        {people.map((p) => <Avatar key={p.id} name={p.name} path={p.path} size={20} />)}
      </span>
      <span class="thread-replies-count">{t("thread.replies", { count: s.reply_count })}</span>
      {unread && <span class="thread-unread">{t("thread.unread")}</span>}
    </button>
  );
}
