/**
 * One channel's messages as the client holds them: a window of server messages (ascending by
 * id, merged by id so a message seen twice is kept once, in its latest form) followed by the
 * outbox's unsent ones, matched to what the server stored by `client_id`. Events merge in
 * here; `created` tells a gap (an event whose `prev_id` is past what the window holds without
 * a hole) from a message that simply follows.
 *
 * `contiguousId` is the newest id up to which the window is known to miss nothing: pages and
 * catch-ups move it, and so does an event whose `prev_id` it reaches. A message merged from
 * elsewhere (my own send's answer, an event after a gap) does not, so a catch-up starts
 * there and fetches what is in between.
 */
import { computed, type Signal, signal } from "@preact/signals";
import type { Message, Reaction, ReactionChanged, Shown } from "../types.ts";

/** `reactions[].mine` from `user_ids` (events do not carry it; the API's answer may be stale). */
export function withMine(m: Message, myId: string): Message {
  return { ...m, reactions: mineOf(m.reactions, myId) };
}

function mineOf(list: readonly Omit<Reaction, "mine">[], myId: string): Reaction[] {
  return list.map((r) => ({ ...r, mine: r.user_ids.includes(myId) }));
}

export type Arrival = "merged" | "gap" | "ignored";

export function createMessageStore(
  { myId, outbox = signal([]) }: { myId: string; outbox?: Signal<Shown[]> },
) {
  /** Messages the server has, ascending by id. */
  const server = signal<Shown[]>([]);
  const items = computed<Shown[]>(() => {
    const stored = new Set(
      server.value.filter((m) => m.sender_id === myId && m.client_id).map((m) => m.client_id),
    );
    return [...server.value, ...outbox.value.filter((m) => !stored.has(m.client_id))];
  });
  /** Older messages exist before the window; newer ones after it (the reader is in the past). */
  const hasOlder = signal(false);
  const hasNewer = signal(false);
  const newestId = computed(() => server.value.at(-1)?.id ?? null);
  let contiguous = 0;
  const contiguousId = () => contiguous;
  const oldestId = () => server.value[0]?.id ?? null;
  const has = (id: number) => server.value.some((m) => m.id === id);
  const find = (id: number) => server.value.find((m) => m.id === id) ?? null;

  /**
   * Messages in by id (`replace`: they become the whole window; `onlyKnown`: edits only;
   * `contiguous`: a page that follows the window without a hole, up to its newest).
   */
  function merge(
    msgs: readonly Message[],
    opts: { onlyKnown?: boolean; replace?: boolean; contiguous?: boolean } = {},
  ) {
    if (opts.replace) contiguous = 0;
    if (opts.contiguous) contiguous = Math.max(contiguous, 0, ...msgs.map((m) => m.id));
    const byId = new Map<number, Shown>();
    if (!opts.replace) { for (const m of server.value) byId.set(m.id!, m); }
    let changed = !!opts.replace;
    for (const m of msgs) {
      if (opts.onlyKnown && !byId.has(m.id)) continue;
      byId.set(m.id, { ...withMine(m, myId), state: "sent" });
      changed = true;
    }
    if (changed) server.value = [...byId.values()].sort((a, b) => a.id! - b.id!);
    const stored = new Set(msgs.filter((m) => m.sender_id === myId).map((m) => m.client_id));
    if (outbox.value.some((m) => stored.has(m.client_id))) {
      outbox.value = outbox.value.filter((m) => !stored.has(m.client_id));
    }
  }

  /**
   * A `message.created`. It follows the window when its `prev_id` is within what the window
   * holds without a hole (null: the channel's first message); otherwise it is merged too, and
   * answered "gap" so the caller fetches what is in between. Ignored while the window is in
   * the past (newer pages come on scrolling, from the server).
   */
  function created(m: Message, prevId: number | null): Arrival {
    if (hasNewer.value && !has(m.id)) return "ignored";
    const follows = prevId === null || prevId <= contiguous;
    merge([m]);
    if (!follows) return "gap";
    contiguous = Math.max(contiguous, m.id);
    return "merged";
  }

  function updated(m: Message) {
    merge([m], { onlyKnown: true });
  }

  /** A tombstone: the text and the rest are gone, as the API shows a deleted message. */
  function deleted(id: number, deletedAt: string) {
    const m = find(id);
    if (!m || m.deleted_at) return;
    server.value = server.value.map((x) =>
      x.id === id ? { ...x, deleted_at: deletedAt, content: "", reactions: [], attachments: [] } : x
    );
  }

  function reactions(p: ReactionChanged) {
    if (!has(p.message_id)) return;
    server.value = server.value.map((x) =>
      x.id === p.message_id ? { ...x, reactions: mineOf(p.reactions, myId) } : x
    );
  }

  /**
   * Holds at most `cap` messages, so that a long scroll keeps the list small: `keep` is the
   * side that just grew (a page older or newer); messages at the far side go, and that side's
   * flag says there is more there again (read again when the reader scrolls back).
   */
  function trim(cap: number, keep: "older" | "newer") {
    const all = server.value;
    if (all.length <= cap) return;
    if (keep === "older") {
      server.value = all.slice(0, cap);
      hasNewer.value = true;
      contiguous = Math.min(contiguous, server.value[cap - 1]!.id!);
    } else {
      server.value = all.slice(all.length - cap);
      hasOlder.value = true;
    }
  }

  return {
    server,
    items,
    outbox,
    hasOlder,
    hasNewer,
    newestId,
    oldestId,
    contiguousId,
    has,
    find,
    merge,
    created,
    updated,
    deleted,
    reactions,
    trim,
  };
}

export type MessageStore = ReturnType<typeof createMessageStore>;
