/**
 * The message view: day separators, senders grouped, infinite scroll up for history (the
 * position kept while a page is added above), down for newer pages after a jump, and it
 * follows new messages while the reader is at the bottom.
 */
import { useEffect, useLayoutEffect, useRef } from "preact/hooks";
import { t } from "../i18n/mod.ts";
import { dayKey, dayLabel } from "../lib/time.ts";
import type { ChatState } from "../state/chat.ts";
import type { MessagesState } from "../state/messages.ts";
import { MessageItem } from "./MessageItem.tsx";

const GROUP_MS = 5 * 60_000;

export function MessageList(
  { ms, chat, canModerate }: { ms: MessagesState; chat: ChatState; canModerate: boolean },
) {
  const box = useRef<HTMLDivElement>(null);
  const top = useRef<HTMLDivElement>(null);
  const bottom = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const before = useRef<{ height: number; first: number | null; scrollTop: number } | null>(null);
  const items = ms.items.value;

  // Before the DOM changes, remember where we were; after, restore or follow.
  const firstId = items.find((m) => m.id !== null)?.id ?? null;
  if (box.current) {
    before.current = {
      height: box.current.scrollHeight,
      first: before.current?.first ?? null,
      scrollTop: box.current.scrollTop,
    };
  }
  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    const b = before.current;
    if (b && b.first !== null && firstId !== null && firstId < b.first) {
      // A page arrived above: keep the same messages under the reader's eyes.
      el.scrollTop = b.scrollTop + (el.scrollHeight - b.height);
    } else if (atBottom.current && !ms.hasNewer.value) {
      el.scrollTop = el.scrollHeight;
    }
    before.current = { height: el.scrollHeight, first: firstId, scrollTop: el.scrollTop };
  }, [items]);

  // Jump target: into view.
  const hl = ms.highlight.value;
  useEffect(() => {
    if (hl === null) return;
    const el = document.getElementById(`msg-${hl}`);
    if (el) {
      atBottom.current = false;
      el.scrollIntoView({ block: "center" });
      el.focus?.();
    }
    const timer = setTimeout(() => (ms.highlight.value = null), 4000);
    return () => clearTimeout(timer);
  }, [hl, items.length]);

  // Infinite scroll both ways.
  useEffect(() => {
    const io = new IntersectionObserver((entries) => {
      for (const e of entries) {
        if (!e.isIntersecting) continue;
        if (e.target === top.current && ms.hasOlder.value && !ms.loading.value) ms.loadOlder();
        if (e.target === bottom.current && ms.hasNewer.value) ms.loadNewer();
      }
    }, { root: box.current, rootMargin: "300px 0px" });
    if (top.current) io.observe(top.current);
    if (bottom.current) io.observe(bottom.current);
    return () => io.disconnect();
  }, [ms]);

  const onScroll = () => {
    const el = box.current;
    if (!el) return;
    atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
    if (atBottom.current) ms.markRead();
  };

  const rows = [];
  let prevDay = "";
  let prev: (typeof items)[number] | null = null;
  for (const m of items) {
    const day = dayKey(m.created_at);
    if (day !== prevDay) {
      rows.push(
        <li class="day" key={`day-${day}`} role="separator">
          <span>{dayLabel(m.created_at)}</span>
        </li>,
      );
      prevDay = day;
      prev = null;
    }
    const compact = !!prev && prev.sender_id === m.sender_id && !m.reply_to &&
      new Date(m.created_at).getTime() - new Date(prev.created_at).getTime() < GROUP_MS &&
      !prev.deleted_at;
    rows.push(
      <MessageItem
        key={m.id ?? m.client_id}
        m={m}
        ms={ms}
        chat={chat}
        compact={compact}
        canModerate={canModerate}
      />,
    );
    prev = m;
  }

  return (
    <div class="messages" ref={box} onScroll={onScroll}>
      <div ref={top} class="sentinel" />
      {ms.loadingOlder.value && <p class="muted center">{t("messages.loading_older")}</p>}
      {!ms.hasOlder.value && !ms.loading.value && (
        <p class="muted center start">{t("messages.start")}</p>
      )}
      {ms.loading.value && !items.length && <p class="muted center">{t("app.loading")}</p>}
      <ol class="message-list" aria-label={t("messages.label")} aria-live="polite">
        {rows}
      </ol>
      <div ref={bottom} class="sentinel" />
      {ms.hasNewer.value && (
        <button
          type="button"
          class="btn jump-latest"
          onClick={() => {
            atBottom.current = true;
            ms.open();
          }}
        >
          {t("messages.jump_latest")}
        </button>
      )}
    </div>
  );
}
