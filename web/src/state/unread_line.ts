/**
 * The open channel's "new messages" line: it sits above the first message from someone else
 * after the read watermark the channel opened with (`lastRead`; null until the channel list
 * tells it, see `knowRead`), and stays put while the channel is open. When there was nothing
 * unread as the reader first looked, what they see is read and the line follows it, so that a
 * line appears only above messages that come while they look elsewhere (scrolled up, another
 * tab). Answering takes the line away.
 */
import { computed, type ReadonlySignal, signal } from "@preact/signals";
import type { MessageStore } from "./message_store.ts";

/** Where the "new messages" line goes, and how many came after it. */
export interface Unread {
  /** The first unread message in the window (the line goes above it); null for no line. */
  firstId: number | null;
  /** Unread messages from others in the window. */
  count: number;
  /** The first unread is older than the window (more came than a page holds). */
  beyond: boolean;
}

const NONE: Unread = { firstId: null, count: 0, beyond: false };

export interface UnreadLineDeps {
  store: Pick<MessageStore, "server" | "hasOlder" | "oldestId">;
  myId: string;
  lastRead: number | null;
  /** Whether the reader has the newest messages in front of them. */
  seesNewest: () => boolean;
}

export function createUnreadLine({ store, myId, lastRead, seesNewest }: UnreadLineDeps) {
  /** The line goes after this id (null: the watermark is not known yet). */
  const after = signal<number | null>(lastRead);
  /** Counts jumps to the line (the view scrolls it into view on each). */
  const jumps = signal(0);
  /** The line stays where it is; null until the reader first looks. */
  let held: boolean | null = null;

  const unread: ReadonlySignal<Unread> = computed(() => {
    const from = after.value;
    if (from === null) return NONE;
    let first: number | null = null;
    let count = 0;
    for (const m of store.server.value) {
      if (m.id! <= from || m.sender_id === myId || m.deleted_at) continue;
      first ??= m.id;
      count++;
    }
    if (first === null) return NONE;
    // The line is drawn only where the message before the first unread is in the window too
    // (or the window starts at the channel's beginning).
    const seenBefore = !store.hasOlder.value || (store.oldestId() ?? Infinity) <= from;
    return { firstId: seenBefore ? first : null, count, beyond: !seenBefore };
  });

  /** A message from someone else came: while the reader looks elsewhere, the line holds. */
  function came() {
    if (after.value !== null && !seesNewest()) held = true;
  }

  /** The reader sees the channel up to `newest`: unless the line holds, that is read. */
  function seen(newest: number) {
    const from = after.value;
    if (from === null) return;
    if (held === null) held = unread.value.firstId !== null || unread.value.beyond;
    if (!held && newest > from) after.value = newest;
  }

  /** I wrote in the channel: the line above what I answer has done its work. */
  function answered(newest: number | null) {
    if (newest === null || after.value === null) return;
    after.value = Math.max(after.value, newest);
    held = false;
  }

  /** The watermark, once the channel list knows it (only the first one counts). */
  function knowRead(id: number) {
    if (after.value === null) after.value = id;
  }

  return { after, unread, jumps, came, seen, answered, knowRead };
}

export type UnreadLine = ReturnType<typeof createUnreadLine>;
