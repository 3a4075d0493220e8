/**
 * My channels, newest activity first, each with its last message and unread count. The list
 * is read from `GET /channels` on the first load, after `channel.added` and after a reconnect;
 * between those it changes only by events (a message created, edited or deleted, a member
 * change, my own reading), never by reading the list again. Unread messages that mention me
 * are counted apart (`mention_count`, from the list and then from each message's `mentions`),
 * so that the list can show them with a badge of their own.
 */
import { computed, signal } from "@preact/signals";
import { t } from "../i18n/mod.ts";
import type { Channel, MemberChanged, Message, MessageDeleted } from "../types.ts";

/** Longest preview the list holds (as `my_channels()` cuts it). */
const PREVIEW = 200;

/** A channel as `my_channels()` lists it, with the count of unread messages mentioning me. */
export type ListedChannel = Channel & { mention_count?: number };

/** Unread messages in `c` that mention me (0 from a server that does not count them). */
export const mentionsOf = (c: Channel | null | undefined): number =>
  Number((c as ListedChannel | null | undefined)?.mention_count ?? 0);

export function channelTitle(c: Channel | null | undefined): string {
  if (!c) return "";
  if (c.kind === "direct") {
    const u = c.other_user;
    return u ? (u.deactivated ? t("user.deactivated") : u.display_name || u.username) : "?";
  }
  return c.name ?? "";
}

const lastId = (c: Channel) => c.last_message?.id ?? 0;

/** Newest message first; channels without messages by creation, newest first. */
export function byActivity(a: Channel, b: Channel): number {
  return lastId(b) - lastId(a) || (b.created_at ?? "").localeCompare(a.created_at ?? "");
}

export function createChannelList({ myId }: { myId: string }) {
  const channels = signal<Channel[]>([]);
  const loaded = signal(false);
  const totalUnread = computed(() =>
    channels.value.reduce((n, c) => n + (c.muted ? 0 : Number(c.unread_count)), 0)
  );
  /** Unread mentions of me, muted channels included (a mention is meant for me). */
  const totalMentions = computed(() => channels.value.reduce((n, c) => n + mentionsOf(c), 0));
  /** Per channel: unread ids that came by events since the list was read, and its newest id then. */
  const arrived = new Map<string, Set<number>>();
  /** The same for those of them that mention me. */
  const arrivedMentions = new Map<string, Set<number>>();
  const baseline = new Map<string, number>();
  const mentionsMe = (m: Message) => !!m.mentions?.includes(myId);
  const idsOf = (map: Map<string, Set<number>>, id: string) => {
    let ids = map.get(id);
    if (!ids) map.set(id, ids = new Set());
    return ids;
  };

  const find = (id: string | null) => channels.value.find((c) => c.id === id) ?? null;

  function update(id: string, fn: (c: Channel) => Channel | null, resort = false) {
    let hit = false;
    const next: Channel[] = [];
    for (const c of channels.value) {
      if (c.id !== id) next.push(c);
      else {
        hit = true;
        const u = fn(c);
        if (u) next.push(u);
      }
    }
    if (hit) channels.value = resort ? next.sort(byActivity) : next;
    return hit;
  }

  /**
   * The list as `GET /channels` answers it. `reading` is a channel whose newest messages the
   * reader sees (its count stays 0). `since`: `mark()` as the read began; a channel with a
   * member event after it keeps the member count and role the event gave. Returns the
   * channels whose last message is newer than the one held before (what arrived while the
   * socket was away, for notifications).
   */
  function replace(
    list: ListedChannel[],
    reading: string | null = null,
    since = Infinity,
  ): Channel[] {
    const held = new Map(channels.value.map((c) => [c.id, c]));
    const before = new Map(channels.value.map((c) => [c.id, lastId(c)]));
    // Unread messages that came by events after the answer's own newest one: its counts do
    // not hold them, so they stay counted (and stay "came by events" for `read`).
    const newer = (map: Map<string, Set<number>>, c: ListedChannel) =>
      new Set([...map.get(c.id) ?? []].filter((id) => id > lastId(c)));
    const kept = new Map(list.map((c) => [c.id, newer(arrived, c)]));
    const keptMentions = new Map(list.map((c) => [c.id, newer(arrivedMentions, c)]));
    arrived.clear();
    arrivedMentions.clear();
    baseline.clear();
    for (const c of list) {
      baseline.set(c.id, lastId(c));
      if (kept.get(c.id)!.size) arrived.set(c.id, kept.get(c.id)!);
      if (keptMentions.get(c.id)!.size) arrivedMentions.set(c.id, keptMentions.get(c.id)!);
    }
    channels.value = list.map((c) => {
      // A list read before a message (an event, or my own send) arrived must not take the
      // newer message back, nor the unread count it added: later edits of it would no longer
      // find it as the last one, and the badge would stay short until the next read.
      const h = held.get(c.id);
      let x = h && lastId(h) > lastId(c)
        ? {
          ...c,
          last_message: h.last_message,
          unread_count: Number(c.unread_count) + kept.get(c.id)!.size,
          mention_count: mentionsOf(c) + keptMentions.get(c.id)!.size,
        }
        : c;
      // Nor may it take back a member event that came after the read began (`since`).
      if (h && (memberEventAt.get(c.id) ?? 0) > since) {
        x = { ...x, member_count: h.member_count, my_role: h.my_role };
      }
      return x.id === reading ? { ...x, unread_count: 0, mention_count: 0 } : x;
    })
      .sort(byActivity);
    const first = !loaded.value;
    loaded.value = true;
    if (first) return [];
    return list.filter((c) => before.has(c.id) && lastId(c) > before.get(c.id)!);
  }

  /**
   * A message came (`message.created`). `seen`: the reader has its channel open at the newest
   * messages (it does not count as unread). Returns false when the list had it already.
   */
  function messageCreated(m: Message, seen: boolean): boolean {
    const c = find(m.channel_id);
    if (!c || m.id <= lastId(c)) return false;
    const counts = m.sender_id !== myId && !seen && !m.deleted_at &&
      m.id > c.last_read_message_id;
    const mention = counts && mentionsMe(m);
    if (counts) idsOf(arrived, c.id).add(m.id);
    if (mention) idsOf(arrivedMentions, c.id).add(m.id);
    update(c.id, (x) => ({
      ...x,
      unread_count: counts ? Number(x.unread_count) + 1 : x.unread_count,
      ...(mention ? { mention_count: mentionsOf(x) + 1 } : {}),
      last_message: {
        id: m.id,
        sender_id: m.sender_id,
        kind: m.kind,
        content: m.content.slice(0, PREVIEW),
        created_at: m.created_at,
        deleted: !!m.deleted_at,
      },
    }), true);
    return true;
  }

  /**
   * An edit (or moderation) of the last message shows in its preview; an edit that adds or
   * takes away a mention of me in an unread message that came by events counts it or stops.
   */
  function messageUpdated(m: Message) {
    const c = find(m.channel_id);
    if (!c) return;
    const mentions = idsOf(arrivedMentions, c.id);
    const unread = arrived.get(c.id)?.has(m.id) ?? false;
    const delta = unread && mentionsMe(m) && !mentions.has(m.id)
      ? 1
      : mentions.has(m.id) && !mentionsMe(m)
      ? -1
      : 0;
    if (delta > 0) mentions.add(m.id);
    if (delta < 0) mentions.delete(m.id);
    const isLast = c.last_message?.id === m.id;
    if (!isLast && !delta) return;
    update(c.id, (x) => ({
      ...x,
      ...(delta ? { mention_count: Math.max(0, mentionsOf(x) + delta) } : {}),
      last_message: isLast
        ? { ...x.last_message!, content: m.content.slice(0, PREVIEW), deleted: !!m.deleted_at }
        : x.last_message,
    }));
  }

  /** A deleted message stops counting as unread; the last one shows as deleted. */
  function messageDeleted(p: MessageDeleted) {
    const ids = arrived.get(p.channel_id);
    const wasUnread = !!ids?.delete(p.id);
    const wasMention = !!arrivedMentions.get(p.channel_id)?.delete(p.id);
    update(p.channel_id, (x) => ({
      ...x,
      unread_count: wasUnread ? Math.max(0, Number(x.unread_count) - 1) : x.unread_count,
      ...(wasMention ? { mention_count: Math.max(0, mentionsOf(x) - 1) } : {}),
      last_message: x.last_message?.id === p.id
        ? { ...x.last_message, content: "", deleted: true }
        : x.last_message,
    }));
  }

  /** Member events so far, and each channel's latest (see `replace`'s `since`). */
  let memberEvents = 0;
  const memberEventAt = new Map<string, number>();
  /** Where the member events stand: a list read notes it as it begins. */
  const mark = () => memberEvents;

  /** Member counts follow; my own removal takes the channel off the list. */
  function memberChanged(p: MemberChanged) {
    memberEventAt.set(p.channel_id, ++memberEvents);
    update(p.channel_id, (x) => {
      if (p.user_id === myId && p.action === "removed") return null;
      return {
        ...x,
        member_count: p.member_count,
        ...(p.user_id === myId && p.role ? { my_role: p.role } : {}),
      };
    });
  }

  /** I have read up to `upTo`: what is left unread is what came after. */
  function read(channelId: string, upTo: number) {
    const c = find(channelId);
    if (!c) return;
    // What is left of a count: the ids that came by events after `upTo`, or (read only up to
    // a message older than the list's answer) at least the count less what was read of them.
    const left = (ids: Set<number>, count: number) => {
      let removed = 0;
      for (const id of ids) if (id <= upTo && ids.delete(id)) removed++;
      return upTo >= lastId(c)
        ? 0
        : upTo >= (baseline.get(channelId) ?? 0)
        ? ids.size
        : Math.max(ids.size, count - removed);
    };
    const unread = left(idsOf(arrived, channelId), Number(c.unread_count));
    const mentions = left(idsOf(arrivedMentions, channelId), mentionsOf(c));
    if (
      unread === Number(c.unread_count) && mentions === mentionsOf(c) &&
      upTo <= c.last_read_message_id
    ) return;
    update(channelId, (x) => ({
      ...x,
      unread_count: unread,
      mention_count: mentions,
      last_read_message_id: Math.max(x.last_read_message_id, upTo),
    }));
  }

  /** My own send, edit or delete as the API answered it: shown at once (its event may be late). */
  function mine(m: Message, how: "created" | "updated" | "deleted") {
    if (how === "created") messageCreated(m, true);
    else if (how === "updated") messageUpdated(m);
    else {
      messageDeleted({
        id: m.id,
        channel_id: m.channel_id,
        deleted_at: m.deleted_at ?? new Date().toISOString(),
      });
    }
  }

  function patch(channelId: string, fields: Partial<Channel>) {
    update(channelId, (x) => ({ ...x, ...fields }));
  }

  function remove(channelId: string) {
    update(channelId, () => null);
  }

  return {
    channels,
    loaded,
    totalUnread,
    totalMentions,
    find,
    replace,
    messageCreated,
    messageUpdated,
    messageDeleted,
    memberChanged,
    mark,
    read,
    mine,
    patch,
    remove,
  };
}

export type ChannelList = ReturnType<typeof createChannelList>;
