/**
 * One open channel: its messages (the last 50, older pages on scroll, newer pages after a
 * jump), optimistic sends reconciled by `client_id`, catching up after a reconnect (pages
 * after the newest message held: no gaps, and merging by id: no duplicates), members with
 * their receipt watermarks (ticks), typing, and the read receipt.
 *
 * Realtime events are hints only: the data always comes from the API, so a forged broadcast
 * cannot put words in anyone's mouth. Unsent messages live in the channel's outbox, which the
 * chat state keeps across channel switches, so a send that fails later is never lost.
 */
import { computed, type Signal, signal } from "@preact/signals";
import { type Api, ApiError, qs } from "../api.ts";
import { uuid } from "../lib/uuid.ts";
import type { Attachment, Member, Message, Profile, Shown, UserRef } from "../types.ts";

export const PAGE = 50;
const TYPING_MS = 6000;

export interface MessagesDeps {
  api: Api;
  channelId: string;
  me: () => Profile | null;
  myId: string;
  /** This channel's unsent messages (owned by the chat state: they outlive this view). */
  outbox?: Signal<Shown[]>;
  /** The read watermark moved (the channel list clears its unread count). */
  onRead?: (upTo: number) => void;
  /** People seen in this channel (members and senders), for names elsewhere. */
  onUsers?: (users: UserRef[]) => void;
  /** Messages that arrived live (newer than anything held before), for notifications. */
  onArrived?: (messages: Message[]) => void;
}

export type Tick = "sending" | "failed" | "sent" | "delivered" | "read";

/**
 * Sends one outbox message (again): the same `client_id` every time, so the server keeps one
 * copy whatever happened to earlier attempts. Returns the stored message, or null on failure
 * (the outbox entry then says why).
 */
export async function postFromOutbox(
  api: Api,
  channelId: string,
  outbox: Signal<Shown[]>,
  m: Shown,
): Promise<Message | null> {
  const mark = (patch: Partial<Shown>) => {
    outbox.value = outbox.value.map((x) => {
      if (x.client_id !== m.client_id) return x;
      const { error: _old, ...rest } = x;
      return { ...rest, ...patch } as Shown;
    });
  };
  mark({ state: "sending" });
  try {
    const { message } = await api.post<{ message: Message }>(`/channels/${channelId}/messages`, {
      content: m.content,
      client_id: m.client_id,
      ...(m.retry?.reply_to_id ? { reply_to_id: m.retry.reply_to_id } : {}),
      ...(m.retry?.attachment_ids.length ? { attachment_ids: m.retry.attachment_ids } : {}),
    });
    outbox.value = outbox.value.filter((x) => x.client_id !== m.client_id);
    return message;
  } catch (e) {
    const err = e instanceof ApiError ? e : new ApiError(0, "network", String(e));
    mark({ state: "failed", error: err.status === 0 ? "offline" : err.message });
    return null;
  }
}

export function createMessagesState(
  { api, channelId, me, myId, outbox = signal([]), onRead, onUsers, onArrived }: MessagesDeps,
) {
  /** Messages the server has, ascending by id. */
  const server = signal<Shown[]>([]);
  const items = computed<Shown[]>(() => {
    const arrived = new Set(
      server.value.filter((m) => m.sender_id === myId && m.client_id).map((m) => m.client_id),
    );
    return [...server.value, ...outbox.value.filter((m) => !arrived.has(m.client_id))];
  });
  const hasOlder = signal(false);
  const hasNewer = signal(false);
  const loading = signal(true);
  const loadingOlder = signal(false);
  const loadingNewer = signal(false);
  const error = signal<string | null>(null);
  const highlight = signal<number | null>(null);
  const members = signal<Member[]>([]);
  const typing = signal<Record<string, number>>({});
  const replyTo = signal<Shown | null>(null);
  const editing = signal<number | null>(null);
  /** Whether the reader sees the newest messages (the list reports it as they scroll). */
  const atBottom = signal(true);
  let disposed = false;
  /** Bumped whenever the window is replaced (open, jump): answers for an older one are dropped. */
  let epoch = 0;
  let readSent = 0;
  let readTimer: ReturnType<typeof setTimeout> | undefined;
  let typingTimer: ReturnType<typeof setInterval> | undefined;

  const page = (q: { before?: number; after?: number; limit?: number }) =>
    api.get<{ messages: Message[] }>(`/channels/${channelId}/messages${qs(q)}`)
      .then((r) => r.messages);

  const newestId = computed(() => server.value.at(-1)?.id ?? null);
  const oldestId = () => server.value[0]?.id ?? null;

  /** Server messages in by id: a message seen twice is kept once, in its latest form. */
  function merge(msgs: Message[], opts: { onlyKnown?: boolean; replace?: boolean } = {}) {
    if (disposed) return;
    const byId = new Map<number, Shown>();
    if (!opts.replace) { for (const m of server.value) byId.set(m.id!, m); }
    for (const m of msgs) {
      if (opts.onlyKnown && !byId.has(m.id)) continue;
      byId.set(m.id, { ...m, state: "sent" });
    }
    onUsers?.(msgs.flatMap((m) => m.sender ? [m.sender] : []));
    server.value = [...byId.values()].sort((a, b) => a.id! - b.id!);
    const arrived = new Set(msgs.filter((m) => m.sender_id === myId).map((m) => m.client_id));
    if (outbox.value.some((m) => arrived.has(m.client_id))) {
      outbox.value = outbox.value.filter((m) => !arrived.has(m.client_id));
    }
  }

  function fail(e: unknown) {
    if (!disposed) error.value = e instanceof Error ? e.message : String(e);
  }

  /** The latest page (opening the channel, or back from the past). */
  /** The window being (re)loaded, if any: a catch-up waits for it, then fetches what is newer. */
  let windowLoad: Promise<void> | null = null;
  function open(): Promise<void> {
    const p = openWindow();
    windowLoad = p;
    return p;
  }
  async function openWindow() {
    const my = ++epoch;
    loading.value = true;
    error.value = null;
    try {
      const [msgs] = await Promise.all([page({ limit: PAGE }), loadMembers()]);
      if (my !== epoch) return;
      // Anything a catch-up fetched meanwhile that is newer than this page stays.
      const top = msgs[0]?.id ?? 0;
      const newer = server.value.filter((m) => m.id! > top && !hasNewer.value);
      merge(msgs, { replace: true });
      if (newer.length) server.value = [...server.value, ...newer];
      hasOlder.value = msgs.length === PAGE;
      hasNewer.value = false;
    } catch (e) {
      fail(e);
    } finally {
      if (my === epoch) loading.value = false;
    }
  }

  /** The next page away from the window's edge: older (scrolling up) or newer (after a jump). */
  async function loadPage(dir: "older" | "newer") {
    const edge = dir === "older" ? oldestId() : newestId.value;
    const more = dir === "older" ? hasOlder : hasNewer;
    const busy = dir === "older" ? loadingOlder : loadingNewer;
    if (!more.value || busy.value || edge === null) return;
    const my = epoch;
    busy.value = true;
    try {
      const got = await page(
        dir === "older" ? { before: edge, limit: PAGE } : { after: edge, limit: PAGE },
      );
      if (my !== epoch) return;
      merge(got);
      more.value = got.length === PAGE;
    } catch (e) {
      fail(e);
    } finally {
      busy.value = false;
    }
  }
  const loadOlder = () => loadPage("older");
  const loadNewer = () => loadPage("newer");

  let catching: Promise<void> | null = null;
  let again = false;
  /** Everything after the newest message held, page by page; calls made meanwhile coalesce. */
  function catchUp(): Promise<void> {
    if (catching) {
      again = true;
      return catching;
    }
    catching = (async () => {
      do {
        again = false;
        // A window still loading may have been read before the newest messages were written:
        // wait for it, then fetch what is newer.
        if (loading.value && windowLoad) await windowLoad.catch(() => {});
        // The reader is in the past: newer pages load on scroll.
        if (hasNewer.value || disposed) return;
        const my = epoch;
        let after = newestId.value;
        if (after === null) {
          const msgs = await page({ limit: PAGE });
          if (my !== epoch) return;
          merge(msgs);
          hasOlder.value = msgs.length === PAGE;
          continue;
        }
        for (;;) {
          const batch = await page({ after, limit: 100 });
          if (my !== epoch) return;
          const before = newestId.value ?? 0;
          merge(batch);
          const fresh = batch.filter((m) => m.id > before);
          if (fresh.length) onArrived?.(fresh);
          if (batch.length < 100) break;
          after = Math.max(after, ...batch.map((m) => m.id));
        }
      } while (again && !disposed);
    })().catch(fail).finally(() => {
      catching = null;
    });
    return catching;
  }

  /** One message again (edited, deleted, reacted to), if it is on screen. */
  async function refresh(id: number) {
    if (!server.value.some((m) => m.id === id)) return;
    try {
      const [m] = await page({ after: id - 1, limit: 1 });
      if (m && m.id === id) merge([m], { onlyKnown: true });
    } catch (e) {
      fail(e);
    }
  }

  /** Shows message `id` in its context (from a search hit or a quoted reply). */
  function jumpTo(id: number): Promise<void> {
    if (server.value.some((m) => m.id === id)) {
      highlight.value = id;
      return Promise.resolve();
    }
    const p = jumpWindow(id);
    windowLoad = p;
    return p;
  }
  async function jumpWindow(id: number) {
    const my = ++epoch;
    loading.value = true;
    try {
      const [before, after] = await Promise.all([
        page({ before: id + 1, limit: 25 }),
        page({ after: id, limit: 25 }),
      ]);
      if (my !== epoch) return;
      merge([...before, ...after], { replace: true });
      hasOlder.value = before.length === 25;
      hasNewer.value = after.length === 25;
      atBottom.value = false;
      highlight.value = id;
    } catch (e) {
      fail(e);
    } finally {
      if (my === epoch) loading.value = false;
    }
  }

  async function loadMembers() {
    try {
      const r = await api.get<{ members: Member[] }>(`/channels/${channelId}`);
      if (disposed) return;
      members.value = r.members;
      onUsers?.(r.members.map((m) => ({
        id: m.user_id,
        username: m.username,
        display_name: m.display_name,
        avatar_path: m.avatar_path,
      })));
    } catch (e) {
      fail(e);
    }
  }

  async function post(m: Shown) {
    const message = await postFromOutbox(api, channelId, outbox, m);
    if (message && !disposed) {
      merge([message]);
      markRead();
    }
  }

  async function send(content: string, attachments: Attachment[] = []) {
    const me_ = me();
    const reply = replyTo.value;
    const m: Shown = {
      id: null,
      channel_id: channelId,
      sender_id: myId,
      kind: attachments[0]
        ? attachments[0].mime_type.startsWith("image/")
          ? "image"
          : attachments[0].mime_type.startsWith("audio/")
          ? "audio"
          : "file"
        : "text",
      content,
      reply_to_id: reply?.id ?? null,
      client_id: uuid(),
      created_at: new Date().toISOString(),
      edited_at: null,
      deleted_at: null,
      moderation: "ok",
      sender: me_,
      reply_to: reply?.id
        ? {
          id: reply.id,
          sender_id: reply.sender_id ?? "",
          content: reply.content.slice(0, 200),
          deleted: false,
        }
        : null,
      reactions: [],
      attachments,
      state: "sending",
      retry: {
        attachment_ids: attachments.map((a) => a.id),
        ...(reply?.id ? { reply_to_id: reply.id } : {}),
      },
    };
    replyTo.value = null;
    outbox.value = [...outbox.value, m];
    atBottom.value = true;
    // Writing while reading the past: back to now first, so the new message joins no gap.
    if (hasNewer.value) await open();
    return post(m);
  }

  /** Sends again what failed (same client_id: the server keeps one copy whatever happened). */
  function retry(clientId?: string) {
    const failed = outbox.value.filter((m) =>
      m.state === "failed" && (clientId ? m.client_id === clientId : true)
    );
    return Promise.all(failed.map(post));
  }

  function discard(clientId: string) {
    outbox.value = outbox.value.filter((m) => m.client_id !== clientId);
  }

  async function edit(id: number, content: string) {
    const { message } = await api.patch<{ message: Message }>(`/messages/${id}`, { content });
    merge([message]);
    editing.value = null;
  }

  async function remove(id: number) {
    const { message } = await api.del<{ message: Message }>(`/messages/${id}`);
    merge([message]);
  }

  async function toggleReaction(id: number, emoji: string) {
    const m = server.value.find((x) => x.id === id);
    const mine = m?.reactions.find((r) => r.emoji === emoji)?.mine;
    const path = `/messages/${id}/reactions/${encodeURIComponent(emoji)}`;
    const { message } = mine
      ? await api.del<{ message: Message }>(path)
      : await api.put<{ message: Message }>(path);
    merge([message]);
  }

  /**
   * Moves the read watermark to the newest message the reader has seen (tab visible, at the
   * bottom, not in the past) — what was seen, not what arrives before the request goes: at
   * most one request a second (later calls fold into it); after a refusal, not before
   * Retry-After, backing off; a refusal that is not about rate or availability stops it.
   */
  let seenUpTo = 0;
  let readPending = false;
  let readNotBefore = 0;
  let readBackoff = 1000;
  let readStopped = false;
  function markRead() {
    const newest = newestId.value;
    if (newest === null || hasNewer.value || disposed || readStopped) return;
    if (document.visibilityState !== "visible" || !atBottom.value) return;
    seenUpTo = Math.max(seenUpTo, newest);
    scheduleRead();
  }

  function scheduleRead() {
    if (seenUpTo <= readSent || readPending || disposed || readStopped) return;
    readPending = true;
    readTimer = setTimeout(sendRead, Math.max(300, readNotBefore - Date.now()));
  }

  async function sendRead() {
    const upTo = seenUpTo;
    try {
      if (upTo <= readSent || disposed) return;
      await api.post(`/channels/${channelId}/receipts`, { read_up_to: upTo });
      readSent = Math.max(readSent, upTo);
      readBackoff = 1000;
      readNotBefore = Date.now() + 1000;
      onRead?.(upTo);
    } catch (e) {
      const status = e instanceof ApiError ? e.status : 0;
      if (status >= 400 && status < 500 && status !== 429) {
        readStopped = true;
        return;
      }
      const hinted = e instanceof ApiError && e.retryAfterSec ? e.retryAfterSec * 1000 : 0;
      readBackoff = Math.min(readBackoff * 2, 60_000);
      readNotBefore = Date.now() + Math.max(hinted, readBackoff);
    } finally {
      readPending = false;
      // What was seen meanwhile (or failed) goes in the next one.
      scheduleRead();
    }
  }

  function onTyping(p: { user_id?: unknown; typing?: unknown }) {
    if (typeof p.user_id !== "string" || p.user_id === myId) return;
    if (!members.value.some((m) => m.user_id === p.user_id)) return;
    const next = { ...typing.value };
    if (p.typing) next[p.user_id] = Date.now() + TYPING_MS;
    else delete next[p.user_id];
    typing.value = next;
    typingTimer ??= setInterval(() => {
      const now = Date.now();
      const live = Object.fromEntries(Object.entries(typing.value).filter(([, t]) => t > now));
      if (Object.keys(live).length !== Object.keys(typing.value).length) typing.value = live;
      if (!Object.keys(live).length) {
        clearInterval(typingTimer);
        typingTimer = undefined;
      }
    }, 1000);
  }

  /** A message's ticks: seen by every other member → read; reached them all → delivered. */
  function tickOf(m: Shown): { tick: Tick; readBy: number; others: number } {
    if (m.id === null) {
      return { tick: m.state === "failed" ? "failed" : "sending", readBy: 0, others: 0 };
    }
    const others = members.value.filter((x) => x.user_id !== myId && !x.deactivated);
    const readBy = others.filter((o) => o.last_read_message_id >= m.id!).length;
    const delivered = others.filter((o) => o.last_delivered_message_id >= m.id!).length;
    const tick: Tick = others.length && readBy === others.length
      ? "read"
      : others.length && delivered === others.length
      ? "delivered"
      : "sent";
    return { tick, readBy, others: others.length };
  }

  function dispose() {
    disposed = true;
    epoch++;
    clearTimeout(readTimer);
    clearInterval(typingTimer);
  }

  return {
    channelId,
    items,
    hasOlder,
    hasNewer,
    loading,
    loadingOlder,
    loadingNewer,
    error,
    highlight,
    members,
    typing,
    replyTo,
    editing,
    atBottom,
    newestId,
    open,
    loadOlder,
    loadNewer,
    catchUp,
    refresh,
    jumpTo,
    loadMembers,
    send,
    retry,
    discard,
    edit,
    remove,
    toggleReaction,
    markRead,
    onTyping,
    tickOf,
    dispose,
  };
}

export type MessagesState = ReturnType<typeof createMessagesState>;
