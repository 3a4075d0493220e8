/**
 * The thread side panel (issue 14): the root message, its replies oldest first with a "New
 * replies" line above the first one I had not read (threads I take part in), and a composer
 * whose reply stays in the thread unless "Also send to the channel" is ticked. On a phone the
 * panel takes the whole screen (its close button goes back to the conversation).
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { t } from "../i18n/mod.ts";
import { translated } from "../i18n/errors.ts";
import { dateTimeOf, timeOf } from "../lib/time.ts";
import { useAction } from "../lib/use_action.ts";
import type { ChatState } from "../state/chat.ts";
import { threadFields } from "../state/thread.ts";
import type { Message } from "../types.ts";
import { Avatar } from "./Avatar.tsx";
import { MessageText } from "./MessageText.tsx";

function ThreadMessage({ m, chat }: { m: Message; chat: ChatState }) {
  const name = m.sender?.deactivated
    ? t("user.deactivated")
    : m.sender?.display_name || m.sender?.username || t("user.unknown");
  const myName = chat.users.value.get(chat.myId)?.username;
  return (
    <li class="thread-message" data-id={m.id}>
      <Avatar name={name} path={m.sender?.avatar_path} size={28} />
      <div class="body">
        <div class="meta">
          <span class="sender">{name}</span>
          <time dateTime={m.created_at} title={dateTimeOf(m.created_at)}>
            {timeOf(m.created_at)}
          </time>
        </div>
        {m.deleted_at
          ? <p class="content tombstone">{t("message.deleted")}</p>
          : <MessageText class="content" text={m.content} myName={myName} />}
      </div>
    </li>
  );
}

export function ThreadPanel({ chat }: { chat: ChatState }) {
  const th = chat.thread;
  const root = th.root.value;
  const [text, setText] = useState("");
  const [also, setAlso] = useState(false);
  const [err, act] = useAction();
  const list = useRef<HTMLOListElement>(null);
  const box = useRef<HTMLTextAreaElement>(null);
  // Closing the panel closes the thread (events stop merging into it).
  useEffect(() => () => th.close(), []);
  useEffect(() => {
    box.current?.focus();
  }, [th.rootId.value]);
  const count = th.replies.value.length;
  useEffect(() => {
    const el = list.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [count]);

  const send = () => {
    const content = text.trim();
    if (!content) return;
    act(async () => {
      await translated(th.send(content, also));
      setText("");
    });
  };

  return (
    <div class="thread-panel">
      <h2>{t("panel.thread")}</h2>
      {th.error.value && <p class="error" role="alert">{th.error.value}</p>}
      {root && (
        <ol class="thread-root">
          <ThreadMessage m={root} chat={chat} />
        </ol>
      )}
      <p class="thread-count">
        {count ? t("thread.replies", { count }) : th.loading.value ? "" : t("thread.empty")}
      </p>
      <ol class="thread-replies" ref={list} aria-label={t("panel.thread")}>
        {th.replies.value.flatMap((m) => [
          ...(m.id === th.firstNew.value
            ? [
              <li class="unread-divider thread-new" key="new" role="separator">
                <span>{t("thread.new")}</span>
              </li>,
            ]
            : []),
          <ThreadMessage key={m.id} m={m} chat={chat} />,
        ])}
      </ol>
      {root && !root.deleted_at && threadFields(root).thread_root_id == null && (
        <form
          class="thread-composer"
          onSubmit={(e) => {
            e.preventDefault();
            send();
          }}
        >
          <textarea
            ref={box}
            rows={2}
            aria-label={t("thread.composer")}
            value={text}
            onInput={(e) => setText(e.currentTarget.value)}
            onKeyDown={(e) => {
              if (e.key === "Enter" && !e.shiftKey) {
                e.preventDefault();
                send();
              }
            }}
          />
          <label class="thread-also">
            <input
              type="checkbox"
              checked={also}
              onChange={(e) => setAlso(e.currentTarget.checked)}
            />
            {t("thread.also_channel")}
          </label>
          {err && <p class="error" role="alert">{err}</p>}
          <button type="submit" class="btn primary" disabled={!text.trim()}>
            {t("thread.send")}
          </button>
        </form>
      )}
    </div>
  );
}
