/**
 * One message: sender, time in the viewer's locale, the text with its formatting (MessageText:
 * elements, never HTML), the quoted reply, attachments, reactions, ticks, and its actions.
 *
 * Keyboard (WAI-ARIA's roving tabindex, as Slack's and Element's message lists): the list is
 * one tab stop, the message `roverOf(ms)` holds; ↑/↓, PageUp/PageDown, Home/End move between
 * messages; Enter (or Tab) goes into the message's actions, Esc comes back out. Every other
 * message's controls are out of the tab order.
 *
 * The toolbar opens for one message at a time: the hovered one with a mouse, else the focused
 * one. On a touch screen a tap selects a message and opens its toolbar below the text (never
 * over it), and the tap that opened it never presses one of its buttons.
 */
import { useComputed } from "@preact/signals";
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { t } from "../i18n/mod.ts";
import { codeMessage, translated } from "../i18n/errors.ts";
import { rove, roverOf, rowId, rowKeyDown } from "../lib/roving.ts";
import { dateTimeOf, timeOf } from "../lib/time.ts";
import { QUICK_REACTIONS } from "../lib/emoji.ts";
import type { ChatState } from "../state/chat.ts";
import type { MessagesState } from "../state/messages.ts";
import type { Shown } from "../types.ts";
import { Avatar } from "./Avatar.tsx";
import { AttachmentView } from "./AttachmentView.tsx";
import { EmojiPicker } from "./EmojiPicker.tsx";
import { ReportDialog } from "./ReportDialog.tsx";
import { Icon } from "./Icon.tsx";
import { MessageText } from "./MessageText.tsx";
import { useAction } from "../lib/use_action.ts";
import { PinSaveActions, PinSaveMarks } from "./PinSaveActions.tsx";
import { openThread, ThreadIcon, ThreadSummary } from "./ThreadSummary.tsx";
import { LinkPreview } from "./LinkPreview.tsx";
import type { Message } from "../types.ts";

/**
 * Sending "…", failed "!", sent ✓, delivered ✓✓, read ✓✓ on a filled badge: read differs
 * from delivered in shape, not only in colour, and each is named ("Delivered", "Read").
 */
function Ticks({ m, ms, group }: { m: Shown; ms: MessagesState; group: boolean }) {
  const { tick, readBy, others } = ms.tickOf(m);
  const label = t(`tick.${tick}`);
  const marks = tick === "sending" ? "…" : tick === "failed" ? "!" : tick === "sent" ? "✓" : "✓✓";
  return (
    <span class={`ticks ${tick}`} data-tick={tick}>
      <span class="marks" role="img" aria-label={label} title={label}>{marks}</span>
      {group && m.id !== null && readBy > 0 && (
        <span class="read-by">{t("tick.read_by", { count: readBy, total: others })}</span>
      )}
    </span>
  );
}

export function MessageItem(
  { m, ms, chat, compact, canModerate }: {
    m: Shown;
    ms: MessagesState;
    chat: ChatState;
    compact: boolean;
    canModerate: boolean;
  },
) {
  const mine = m.sender_id === chat.myId;
  const id = rowId(m);
  const rover = roverOf(ms);
  const isCurrent = useComputed(() => rover.current.value === id).value;
  const row = useRef<HTMLLIElement>(null);
  /** A touch that began while the toolbar was closed: its click opens it, and presses nothing. */
  const openingTouch = useRef(false);
  useLayoutEffect(() => {
    if (row.current) rove(row.current, isCurrent);
  });
  const [picker, setPicker] = useState(false);
  const [reporting, setReporting] = useState(false);
  const [err, act] = useAction();
  const editing = ms.editing.value === m.id && m.id !== null;
  // What was typed in the edit box; until then the box shows the message's text, from its very
  // first frame (a box that opened empty and filled a frame later would lose the first keys).
  const [typed, setTyped] = useState<string | null>(null);
  useEffect(() => {
    if (!editing) setTyped(null);
  }, [editing]);
  const draft = typed ?? m.content;
  const editBox = useRef<HTMLTextAreaElement>(null);
  // Preact does not honour autofocus on elements added later: focus the edit box by hand, in
  // the same frame it appears (keys pressed right after ↑ go into it).
  useLayoutEffect(() => {
    if (!editing) return;
    const el = editBox.current;
    el?.focus();
    el?.setSelectionRange(el.value.length, el.value.length);
  }, [editing]);
  const deleted = !!m.deleted_at;
  const name = m.sender?.deactivated
    ? t("user.deactivated")
    : m.sender?.display_name || m.sender?.username || t("user.unknown");
  const myName = chat.users.value.get(chat.myId)?.username;
  const group = chat.active.value?.kind === "group";
  const whoReacted = (ids: string[]) =>
    ids.map((id) =>
      id === chat.myId ? t("reaction.you") : chat.users.value.get(id)?.display_name ||
        chat.users.value.get(id)?.username || "?"
    ).join(", ");

  return (
    <li
      ref={row}
      tabIndex={isCurrent ? 0 : -1}
      id={id}
      class={[
        "message",
        mine ? "mine" : "",
        compact ? "compact" : "",
        deleted ? "deleted" : "",
        isCurrent ? "current" : "",
        // Mentions of me, as the server resolved them (not only as the text reads).
        !mine && m.mentions?.includes(chat.myId) ? "mentions-me" : "",
        m.id !== null && ms.highlight.value === m.id ? "highlight" : "",
        m.state !== "sent" ? m.state : "",
      ].join(" ")}
      data-id={m.id ?? undefined}
      onFocusIn={() => {
        if (rover.chosen.value !== id) rover.chosen.value = id;
      }}
      onPointerDown={(e) => {
        openingTouch.current = e.pointerType !== "mouse" &&
          !e.currentTarget.contains(document.activeElement);
      }}
      onClickCapture={(e) => {
        const inToolbar = (e.target as Element).closest(".actions");
        if (openingTouch.current && inToolbar) {
          e.preventDefault();
          e.stopPropagation();
        }
        openingTouch.current = false;
      }}
      onKeyDown={(e) => rowKeyDown(e, rover, picker)}
    >
      {!compact && <Avatar name={name} path={m.sender?.avatar_path} />}
      <div class="body">
        {!compact && (
          <div class="meta">
            <span class="sender">{name}</span>
            <time dateTime={m.created_at} title={dateTimeOf(m.created_at)}>
              {timeOf(m.created_at)}
            </time>
            <PinSaveMarks m={m} chat={chat} />
          </div>
        )}
        {m.reply_to && !deleted && (
          <button
            type="button"
            class="quote"
            onClick={() => ms.jumpTo(m.reply_to!.id)}
            aria-label={t("message.quote_jump")}
          >
            <span class="quote-who">
              {chat.users.value.get(m.reply_to.sender_id)?.display_name ||
                chat.users.value.get(m.reply_to.sender_id)?.username || ""}
            </span>
            <span class="quote-text">
              {m.reply_to.deleted ? t("message.deleted") : m.reply_to.content}
            </span>
          </button>
        )}
        {deleted ? <p class="content tombstone">{t("message.deleted")}</p> : editing
          ? (
            <form
              class="edit"
              onSubmit={(e) => {
                e.preventDefault();
                act(() => translated(ms.edit(m.id!, draft.trim())));
              }}
            >
              <textarea
                ref={editBox}
                aria-label={t("message.edit_label")}
                value={draft}
                onInput={(e) => setTyped(e.currentTarget.value)}
                onKeyDown={(e) => {
                  if (e.key === "Escape") {
                    e.stopPropagation();
                    ms.editing.value = null;
                    row.current?.focus();
                  }
                  if (e.key === "Enter" && !e.shiftKey) {
                    e.preventDefault();
                    act(() => translated(ms.edit(m.id!, draft.trim())));
                  }
                }}
              />
              <button type="submit" class="btn primary">{t("common.save")}</button>
              <button type="button" class="btn" onClick={() => (ms.editing.value = null)}>
                {t("common.cancel")}
              </button>
            </form>
          )
          : (
            <MessageText class="content" text={m.content} myName={myName}>
              {m.edited_at && <span class="edited">{t("message.edited")}</span>}
              {compact && (
                <time class="compact-time" dateTime={m.created_at} title={dateTimeOf(m.created_at)}>
                  {timeOf(m.created_at)}
                </time>
              )}
              {compact && <PinSaveMarks m={m} chat={chat} />}
            </MessageText>
          )}
        {!deleted && m.attachments.length > 0 && (
          <div class="attachments">
            {m.attachments.map((a) => <AttachmentView key={a.id} a={a} />)}
          </div>
        )}
        {m.id !== null && !deleted && !editing && (
          <LinkPreview m={m as Message} chat={chat} canHide={mine || canModerate} act={act} />
        )}
        {!deleted && m.reactions.length > 0 && (
          <div class="reactions" role="group" aria-label={t("reaction.group")}>
            {m.reactions.map((r) => (
              <button
                type="button"
                key={r.emoji}
                class={`reaction${r.mine ? " mine" : ""}`}
                aria-pressed={r.mine}
                title={whoReacted(r.user_ids)}
                aria-label={t("reaction.label", { emoji: r.emoji, count: r.count })}
                onClick={() =>
                  act(() => translated(ms.toggleReaction(m.id!, r.emoji)))}
              >
                {r.emoji} <span class="count">{r.count}</span>
              </button>
            ))}
          </div>
        )}
        {m.id !== null && !deleted && <ThreadSummary m={m as Message} chat={chat} />}
        {m.state === "failed" && (
          <p class="send-error" role="alert">
            {m.error === "offline"
              ? t("message.offline")
              : codeMessage(m.error ?? "internal_error")} {!m.refused && (
              <button
                type="button"
                class="link"
                onClick={() => ms.retry(m.client_id!)}
              >
                {t("message.retry")}
              </button>
            )}{" "}
            <button type="button" class="link" onClick={() => ms.discard(m.client_id!)}>
              {t("message.discard")}
            </button>
          </p>
        )}
        {err && <p class="error" role="alert">{err}</p>}
        {mine && !deleted && <Ticks m={m} ms={ms} group={group} />}
      </div>
      {m.id !== null && !deleted && !editing && (
        <div class="actions" role="toolbar" aria-label={t("message.actions")}>
          {QUICK_REACTIONS.slice(0, 3).map((e) => (
            <button
              type="button"
              key={e}
              class="icon"
              aria-label={t("reaction.add_emoji", { emoji: e })}
              onClick={() =>
                act(() => translated(ms.toggleReaction(m.id!, e)))}
            >
              {e}
            </button>
          ))}
          <button
            type="button"
            class="icon"
            aria-label={t("reaction.add")}
            aria-expanded={picker}
            onClick={() =>
              setPicker(!picker)}
          >
            <Icon name="smile" size={16} />
          </button>
          <button
            type="button"
            class="icon"
            aria-label={t("message.reply")}
            onClick={() => (ms.replyTo.value = m)}
          >
            <Icon name="reply" size={16} />
          </button>
          <PinSaveActions m={m} chat={chat} act={act} />
          <button
            type="button"
            class="icon"
            aria-label={t("thread.open")}
            onClick={() =>
              openThread(chat, m as Message)}
          >
            <ThreadIcon size={16} />
          </button>
          {mine && (
            <button
              type="button"
              class="icon"
              aria-label={t("message.edit")}
              onClick={() => {
                setTyped(null);
                ms.editing.value = m.id;
              }}
            >
              <Icon name="edit" size={16} />
            </button>
          )}
          {(mine || canModerate) && (
            <button
              type="button"
              class="icon"
              aria-label={t("message.delete")}
              onClick={() => {
                if (confirm(t("message.delete_confirm"))) {
                  act(() => translated(ms.remove(m.id!)));
                }
              }}
            >
              <Icon name="trash" size={16} />
            </button>
          )}
          {!mine && (
            <button
              type="button"
              class="icon"
              aria-label={t("message.report")}
              onClick={() => setReporting(true)}
            >
              <Icon name="flag" size={16} />
            </button>
          )}
          {picker && (
            <EmojiPicker
              label={t("reaction.add")}
              onClose={() => setPicker(false)}
              onPick={(e) => {
                setPicker(false);
                act(() => translated(ms.toggleReaction(m.id!, e)));
              }}
            />
          )}
        </div>
      )}
      {reporting && (
        <ReportDialog
          onClose={() => setReporting(false)}
          onSubmit={async (reason) => {
            await translated(chat.api.post("/reports", { message_id: m.id, reason }));
          }}
        />
      )}
    </li>
  );
}
