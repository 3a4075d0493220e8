/**
 * The message view: day separators, senders grouped, infinite scroll up for history (the
 * position kept while a page is added above), down for newer pages after a jump; it follows
 * new messages (and images that finish loading) while the reader is at the bottom, and tells
 * screen readers about new messages from others in a live region of its own. On a phone a panel
 * hides the conversation (`display: none`), which loses the scroll position: it is put back
 * when the list shows again, instead of starting at the top and loading older pages there.
 *
 * A "new messages" line sits above the first unread message (`ms.unread`), with a control
 * that jumps to it while it is above what the reader sees. Messages that mention the reader
 * are marked (`.message-list li.message:has(.mention-me)` in the CSS: the row holds a mention
 * of the reader's own name).
 *
 * The list stays small however far the reader scrolls (issue 14): the messages state holds a
 * bounded window (`WINDOW` in `state/message_pages.ts`; a page that comes on one side lets the
 * far side go, read again on scrolling back), and the rows are that window. As pages come and
 * go, the message at the top of the view stays where it was (`lib/scroll_place.ts`); the arrow
 * keys move past the window's edge by reading the next page first (`lib/roving.ts`).
 *
 * Following the bottom: only a scroll up leaves it. Content that grows below (an image that
 * loaded, a preview) while the reader was at the bottom is followed, even when the browser
 * reports a scroll before it reports the resize.
 */
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { t } from "../i18n/mod.ts";
import { keepPlace, type Place, placeOf } from "../lib/scroll_place.ts";
import { dayKey, dayLabel } from "../lib/time.ts";
import type { ChatState } from "../state/chat.ts";
import type { MessagesState } from "../state/messages.ts";
import { MessageItem } from "./MessageItem.tsx";

const GROUP_MS = 5 * 60_000;
const NEAR = 300;
/** How long a jump target stays highlighted. */
const HIGHLIGHT_MS = 4000;

export function MessageList(
  { ms, chat, canModerate }: { ms: MessagesState; chat: ChatState; canModerate: boolean },
) {
  const box = useRef<HTMLDivElement>(null);
  const list = useRef<HTMLOListElement>(null);
  const top = useRef<HTMLDivElement>(null);
  const bottom = useRef<HTMLDivElement>(null);
  const before = useRef<Place | null>(null);
  /** The last jump (`ms.jumps`) scrolled to. */
  const jumped = useRef(0);
  /** The list was hidden and has not been put back where it was yet. */
  const hidden = useRef(false);
  /** Bumped when the list shows again, so that a jump made while hidden happens then. */
  const [shownAgain, setShownAgain] = useState(0);
  const announced = useRef<number | null>(null);
  const [announcement, setAnnouncement] = useState("");
  /** Messages from others that arrived while the reader was scrolled up. */
  const [unseen, setUnseen] = useState(0);
  /** The scroll position last measured: a smaller one is the reader scrolling up. */
  const lastTop = useRef(0);
  /** The "new messages" line is above what the reader sees (and they have not seen it yet). */
  const [unreadAbove, setUnreadAbove] = useState(false);
  /** The line (by its message) that has been in view: its jump control is done. */
  const unreadSeen = useRef<number | null>(null);
  /** The last jump to the first unread (`ms.unreadJumps`) scrolled to. */
  const unreadJumped = useRef(ms.unreadJumps.value);
  const items = ms.items.value;
  const unread = ms.unread.value;

  const firstId = items.find((m) => m.id !== null)?.id ?? null;
  const firstIdRef = useRef(firstId);
  firstIdRef.current = firstId;
  /** Laid out and seen: not hidden by a panel (on a phone) or on its way back from that. */
  const shown = () => (box.current?.clientHeight ?? 0) > 0 && !hidden.current;
  const remember = (el: HTMLDivElement) => {
    before.current = placeOf(el, list.current, firstIdRef.current);
  };
  const pin = () => {
    const el = box.current;
    if (el && ms.atBottom.value && !ms.hasNewer.value) el.scrollTop = el.scrollHeight;
  };
  /**
   * At the bottom is a fact of geometry (a list that fits is seen whole), not only of scrolling;
   * but only a scroll up leaves it: from the bottom, content that grew below is followed.
   */
  const measure = () => {
    const el = box.current;
    if (!el) return;
    const gap = () => el.scrollHeight - el.scrollTop - el.clientHeight;
    const movedUp = el.scrollTop < lastTop.current - 1;
    if (ms.atBottom.value && !ms.hasNewer.value && !movedUp && gap() >= 40) pin();
    lastTop.current = el.scrollTop;
    const atEnd = gap() < 40 && !ms.hasNewer.value;
    if (ms.atBottom.value !== atEnd) ms.atBottom.value = atEnd;
    if (atEnd) {
      setUnseen(0);
      ms.markRead();
    }
    placeUnread(el);
  };
  /** Whether the "new messages" line is above the view (and so its jump control shows). */
  const placeUnread = (el: HTMLDivElement) => {
    const line = el.querySelector<HTMLElement>(".unread-divider");
    const first = ms.unread.value.firstId;
    let above = false;
    if (line && first !== null && unreadSeen.current !== first) {
      const box = el.getBoundingClientRect();
      const r = line.getBoundingClientRect();
      above = r.bottom <= box.top + 1;
      if (!above && r.top < box.bottom) unreadSeen.current = first;
    }
    setUnreadAbove(above);
  };

  /**
   * Near an edge with more beyond it: the next page that way (a no-op while one is loading).
   * `toward` limits it to the edge the reader is scrolling to.
   */
  const loadNear = (el: HTMLDivElement, toward?: "older" | "newer") => {
    const nearEnd = el.scrollHeight - el.scrollTop - el.clientHeight < NEAR;
    if (toward !== "older" && ms.hasNewer.value && nearEnd) ms.loadNewer();
    else if (toward !== "newer" && ms.hasOlder.value && el.scrollTop < NEAR && !ms.loading.value) {
      ms.loadOlder();
    }
  };
  /** A jump whose target has not been scrolled to yet (it, not the window it replaced, decides). */
  const jumpPending = () =>
    (ms.highlight.value !== null && jumped.current !== ms.jumps.value) ||
    unreadJumped.current !== ms.unreadJumps.value;

  // After the DOM changed: keep the reader's place when a page arrived above, else follow.
  useLayoutEffect(() => {
    const el = box.current;
    if (!el || !shown()) return;
    // A jump is under way: its target decides the place (below), not the window it replaced.
    if (jumpPending()) {
      remember(el);
      return;
    }
    // The window holds a bounded number of messages: a page that came on one side may have
    // taken some from the other. The message that was at the top of the view stays put.
    const b = before.current;
    const grew = !!b && b.first !== null && firstId !== null && firstId < b.first;
    const following = ms.atBottom.value && !ms.hasNewer.value;
    const kept = !!b && (grew || !following) && keepPlace(el, b, grew);
    if (!kept) pin();
    remember(el);
    measure();
    // A short page leaves the sentinels in view, where the observer will not fire again.
    loadNear(el);
  }, [items]);

  /** Back where the reader was before the list was hidden (at the bottom if they were there). */
  const restore = (el: HTMLDivElement) => {
    const b = before.current;
    if (ms.atBottom.value && !ms.hasNewer.value) el.scrollTop = el.scrollHeight;
    else if (b) {
      const first = firstIdRef.current;
      const above = b.first !== null && first !== null && first < b.first;
      el.scrollTop = b.scrollTop + (above ? el.scrollHeight - b.height : 0);
    }
  };

  // Images and previews load after layout: stay at the bottom while they do. Hidden (size 0)
  // and shown again: put the scroll position back.
  useEffect(() => {
    const ro = new ResizeObserver(() => {
      const el = box.current;
      if (!el) return;
      if (!el.clientHeight) {
        hidden.current = true;
        return;
      }
      if (hidden.current) {
        hidden.current = false;
        restore(el);
        setShownAgain((n) => n + 1);
      } else pin();
      measure();
      remember(el);
    });
    if (list.current) ro.observe(list.current);
    if (box.current) ro.observe(box.current);
    return () => ro.disconnect();
  }, []);

  // New messages from others, announced once each (not history pages, not reactions).
  useEffect(() => {
    const newest = [...items].reverse().find((m) => m.id !== null);
    if (!newest || ms.loading.value) return;
    if (announced.current === null) {
      announced.current = newest.id;
      return;
    }
    if (newest.id! > announced.current) {
      announced.current = newest.id;
      if (newest.sender_id !== chat.myId && !newest.deleted_at) {
        if (!ms.atBottom.value) setUnseen((n) => n + 1);
        const who = newest.sender?.display_name || newest.sender?.username || t("user.unknown");
        setAnnouncement(t("messages.new_from", { name: who, text: newest.content.slice(0, 200) }));
      }
    }
  }, [items]);

  // A jump target: into view and focused, once per jump (when the list can be seen).
  const hl = ms.highlight.value;
  const jump = ms.jumps.value;
  const unlight = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => {
    if (hl === null || jumped.current === jump || !shown()) return;
    const el = document.getElementById(`msg-${hl}`);
    if (!el) return;
    jumped.current = jump;
    el.scrollIntoView({ block: "center" });
    el.focus({ preventScroll: true });
    const b = box.current;
    if (b) remember(b);
    measure();
    // Highlighted for a while from the jump, whatever loads meanwhile.
    clearTimeout(unlight.current);
    unlight.current = setTimeout(() => {
      if (ms.highlight.value === hl) ms.highlight.value = null;
    }, HIGHLIGHT_MS);
  }, [hl, jump, items, shownAgain]);
  useEffect(() => () => clearTimeout(unlight.current), []);

  // A jump to the first unread: the line to the top of the view, once per jump.
  const unreadJump = ms.unreadJumps.value;
  useLayoutEffect(() => {
    const el = box.current;
    if (unreadJumped.current === unreadJump || !el || !shown()) return;
    // Set even without a line (nothing unread any more), so that following goes on.
    unreadJumped.current = unreadJump;
    const line = el.querySelector<HTMLElement>(".unread-divider");
    if (!line) return;
    // A little of what was read above it stays in view, for context.
    el.scrollTop += line.getBoundingClientRect().top - el.getBoundingClientRect().top - 24;
    lastTop.current = el.scrollTop;
    remember(el);
    measure();
  }, [unreadJump, items, shownAgain]);

  // Infinite scroll both ways.
  useEffect(() => {
    const io = new IntersectionObserver((entries) => {
      for (const e of entries) {
        if (!e.isIntersecting || !shown()) continue;
        if (e.target === top.current && ms.hasOlder.value && !ms.loading.value) ms.loadOlder();
        if (e.target === bottom.current && ms.hasNewer.value) ms.loadNewer();
      }
    }, { root: box.current, rootMargin: `${NEAR}px 0px` });
    if (top.current) io.observe(top.current);
    if (bottom.current) io.observe(bottom.current);
    return () => io.disconnect();
  }, [ms]);

  const onScroll = () => {
    const el = box.current;
    if (!el || !shown()) return;
    const moved = el.scrollTop - lastTop.current;
    remember(el);
    measure();
    // The observer fires when a sentinel comes into view, as seen at a frame: scrolled away and
    // back between two frames (a page kept the place, then the reader went up again at once),
    // it saw no change and loads nothing. So a scroll toward an edge asks too; not the scrolls
    // of a jump on its way to its target (the page around it is all it loads).
    if (!jumpPending() && Math.abs(moved) > 1) loadNear(el, moved < 0 ? "older" : "newer");
  };

  const rows = [];
  let prevDay = "";
  let prev: (typeof items)[number] | null = null;
  for (const m of items) {
    if (m.id !== null && m.id === unread.firstId) {
      rows.push(
        <li class="unread-divider" key="unread" role="separator" id="unread-line">
          <span>{t("messages.new_divider")}</span>
        </li>,
      );
      prev = null; // the line starts a new group
    }
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
      {(unreadAbove || unread.beyond) && unread.count > 0 && (
        <div class="jump-unread-bar">
          <button type="button" class="btn jump-unread" onClick={() => ms.jumpToUnread()}>
            {t(unread.beyond ? "messages.jump_unread_more" : "messages.jump_unread", {
              count: unread.count,
            })}
          </button>
        </div>
      )}
      <div ref={top} class="sentinel" />
      {ms.loadingOlder.value && (
        // Over the rows, taking no room: the rows do not move as it comes and goes.
        <p class="muted center loading-older" role="status">
          <span>{t("messages.loading_older")}</span>
        </p>
      )}
      {!ms.hasOlder.value && !ms.loading.value && (
        <p class="muted center start">{t("messages.start")}</p>
      )}
      {ms.loading.value && !items.length && <p class="muted center">{t("app.loading")}</p>}
      <ol class="message-list" ref={list} aria-label={t("messages.label")}>
        {rows}
      </ol>
      <div ref={bottom} class="sentinel" />
      <p class="visually-hidden" aria-live="polite" aria-atomic="true">{announcement}</p>
      {(ms.hasNewer.value || unseen > 0) && (
        <button
          type="button"
          class="btn jump-latest"
          onClick={() => {
            ms.atBottom.value = true;
            setUnseen(0);
            if (ms.hasNewer.value) ms.open();
            else pin();
          }}
        >
          {ms.hasNewer.value ? t("messages.jump_latest") : t("messages.unseen", { count: unseen })}
        </button>
      )}
    </div>
  );
}
