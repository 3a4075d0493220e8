/**
 * The open channel: its message window (`message_store.ts`, read by `message_pages.ts`), its
 * members and ticks (`members.ts`), who is typing (`typing.ts`), the composer's reply and edit,
 * and marking what the reader has seen. Realtime events for the channel come in through
 * `created`, `updated`, … and merge without a request; a gap is the only event that reads.
 * Events that come while the window loads wait for it, then apply in order.
 * The "new messages" line is `unread_line.ts`; `jumpToUnread` brings it into view, loading the
 * page from the watermark when more came than the window holds.
 */
import { computed, type Signal, signal } from "@preact/signals";
import type { Api } from "../api.ts";
import { uuid } from "../lib/uuid.ts";
import type {
  Attachment,
  Member,
  MemberChanged,
  Message,
  MessageDeleted,
  Profile,
  ReactionChanged,
  ReceiptSummary,
  ReceiptUpdated,
  Shown,
  UserRef,
} from "../types.ts";
import type { BrowserEnv } from "./env.ts";
import { createMembers, userOf } from "./members.ts";
import { createMessagePages } from "./message_pages.ts";
import { createMessageStore } from "./message_store.ts";
import { postFromOutbox } from "./outbox.ts";
import type { Realtime } from "./realtime.ts";
import { createTyping } from "./typing.ts";
import { createUnreadLine } from "./unread_line.ts";

export { PAGE } from "./message_pages.ts";
export type { Tick } from "./members.ts";

export interface MessagesDeps {
  api: Api;
  env: Pick<
    BrowserEnv,
    "visible" | "now" | "setTimeout" | "clearTimeout" | "setInterval" | "clearInterval"
  >;
  realtime: Realtime;
  channelId: string;
  me: () => Profile | null;
  myId: string;
  /** This channel's unsent messages (kept by the chat: they outlive this view). */
  outbox?: Signal<Shown[]>;
  /** The reader has seen the channel up to this message (read receipt, unread count). */
  onSeen?: (upTo: number) => void;
  /** People seen in this channel (members and senders), for names elsewhere. */
  onUsers?: (users: UserRef[]) => void;
  /** Messages a catch-up found (missed while away), for notifications and the list. */
  onArrived?: (messages: Message[]) => void;
  /** My read watermark in this channel when it opened (null: not known yet, see `knowRead`). */
  lastRead?: number | null;
  /** My own send, edit or delete as the server answered it (the list shows it at once). */
  onMine?: (m: Message, how: "created" | "updated" | "deleted") => void;
  /** How many members the channel has, as read with its members. */
  onMemberCount?: (count: number) => void;
}

export type { Unread } from "./unread_line.ts";

const kindOf = (attachments: Attachment[]) => {
  const mime = attachments[0]?.mime_type;
  if (!mime) return "text";
  return mime.startsWith("image/") ? "image" : mime.startsWith("audio/") ? "audio" : "file";
};

export function createMessagesState(deps: MessagesDeps) {
  const { api, env, channelId, me, myId, onSeen, onUsers, onArrived, onMine, onMemberCount } = deps;
  const outbox = deps.outbox ?? signal<Shown[]>([]);
  const store = createMessageStore({ myId, outbox });
  const error = signal<string | null>(null);
  const fail = (e: unknown) => {
    if (!disposed) error.value = e instanceof Error ? e.message : String(e);
  };
  const pages = createMessagePages({
    api,
    channelId,
    store,
    onError: fail,
    onArrived: (msgs) => {
      onUsers?.(msgs.flatMap((m) => m.sender ? [m.sender] : []));
      onArrived?.(msgs);
      if (msgs.some((m) => m.sender_id !== myId)) line.came();
      markRead();
    },
  });
  const members = createMembers({ myId });
  const typing = createTyping({
    realtime: deps.realtime,
    clock: env,
    channelId,
    myId,
    isMember: members.isMember,
  });
  const highlight = signal<number | null>(null);
  /** Counts jumps, so that a jump to the message already highlighted scrolls to it again. */
  const jumps = signal(0);
  const replyTo = signal<Shown | null>(null);
  const editing = signal<number | null>(null);
  /** Whether the reader sees the newest messages (the list reports it as they scroll). */
  const atBottom = signal(true);
  const line = createUnreadLine({
    store,
    myId,
    lastRead: deps.lastRead ?? null,
    seesNewest: () => seesNewest(),
  });
  let disposed = false;
  /** Events that came while the window was loading or catching up, applied once it is in. */
  let waiting: (() => void)[] = [];

  const whenLoaded = (apply: () => void) => {
    if (pages.loading.value || pages.catchingUp()) waiting.push(apply);
    else apply();
  };
  const afterLoad = <T>(p: Promise<T>) =>
    p.then((v) => {
      const run = waiting;
      waiting = [];
      for (const apply of run) apply();
      return v;
    });

  /** Per members read on its way: the member events heard meanwhile, in order. */
  const memberReads = new Set<MemberChanged[]>();

  async function loadMembers() {
    const heard: MemberChanged[] = [];
    memberReads.add(heard);
    try {
      const r = await api.get<{ members: Member[] }>(`/channels/${channelId}`);
      if (disposed) return;
      members.set(r.members);
      // The answer may be older than an event heard while it came (an invite as the channel
      // opens): the events go again on top of it, so the newest word stands.
      for (const p of heard) members.changed(p);
      onMemberCount?.(members.memberCount.value);
      onUsers?.(r.members.map(userOf));
    } catch (e) {
      fail(e);
    } finally {
      memberReads.delete(heard);
    }
  }

  /** The latest page and the members (opening the channel, or back from the past). */
  function open(): Promise<void> {
    error.value = null;
    return afterLoad(Promise.all([pages.open(), loadMembers()]).then(() => {}));
  }

  /**
   * Shows message `id` in its context (from a search hit or a quoted reply). Marked before the
   * window around it loads, so that the view places that window by the message.
   */
  async function jumpTo(id: number): Promise<void> {
    highlight.value = id;
    jumps.value++;
    if (!store.has(id)) {
      atBottom.value = false;
      await afterLoad(pages.around(id));
      if (!store.has(id) && highlight.value === id) highlight.value = null;
    }
  }

  /**
   * Brings the "new messages" line into view: at once when its message is in the window, else
   * after loading the page that starts at the read watermark.
   */
  async function jumpToUnread(): Promise<void> {
    const after = line.after.value;
    if (after === null) return;
    atBottom.value = false;
    if (line.unread.value.beyond) await afterLoad(pages.after(after));
    line.jumps.value++;
  }

  /** After a reconnect: what was missed, and the members' receipts. */
  function rejoined() {
    return Promise.all([afterLoad(pages.catchUp()), loadMembers()]).then(() => markRead());
  }

  // ---- events --------------------------------------------------------------------------------
  function created(m: Message, prevId: number | null) {
    whenLoaded(() => {
      if (disposed) return;
      typing.stopped(m.sender_id);
      if (m.sender) onUsers?.([m.sender]);
      if (store.created(m, prevId) === "gap") afterLoad(pages.catchUp());
      if (m.sender_id !== myId) line.came();
      markRead();
    });
  }
  const updated = (m: Message) => whenLoaded(() => store.updated(m));
  const deleted = (p: MessageDeleted) => whenLoaded(() => store.deleted(p.id, p.deleted_at));
  const reactionsChanged = (p: ReactionChanged) => whenLoaded(() => store.reactions(p));
  function memberChanged(p: MemberChanged) {
    for (const heard of memberReads) heard.push(p);
    members.changed(p);
    if (p.member) onUsers?.([userOf(p.member)]);
  }
  const receipt = (p: ReceiptUpdated) => members.receipt(p);
  const summary = (p: ReceiptSummary) => members.summarized(p);

  // ---- reading -------------------------------------------------------------------------------
  /** The reader has the newest messages in front of them. */
  const seesNewest = () =>
    !pages.loading.value && env.visible() && !store.hasNewer.value && atBottom.value;

  let seenUpTo = 0;
  /** Reports the newest message the reader sees (the receipt itself is coalesced elsewhere). */
  function markRead() {
    const newest = store.newestId.value;
    if (newest === null || disposed || !seesNewest()) return;
    line.seen(newest);
    if (newest <= seenUpTo) return;
    seenUpTo = newest;
    onSeen?.(newest);
  }

  // ---- writing -------------------------------------------------------------------------------
  async function post(m: Shown) {
    const message = await postFromOutbox(api, channelId, outbox, m);
    if (message && !disposed) {
      store.merge([message]);
      onMine?.(message, "created");
      markRead();
    }
  }

  async function send(content: string, attachments: Attachment[] = []) {
    const reply = replyTo.value;
    const m: Shown = {
      id: null,
      channel_id: channelId,
      sender_id: myId,
      kind: kindOf(attachments),
      content,
      reply_to_id: reply?.id ?? null,
      client_id: uuid(),
      created_at: new Date(env.now()).toISOString(),
      edited_at: null,
      deleted_at: null,
      moderation: "ok",
      sender: me(),
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
    line.answered(store.newestId.value);
    // Writing while reading the past: back to now first, so the new message joins no gap.
    if (store.hasNewer.value) await open();
    return post(m);
  }

  /** Sends again what failed (same client_id: the server keeps one copy whatever happened). */
  function retry(clientId?: string) {
    const failed = outbox.value.filter((m) =>
      m.state === "failed" && !m.refused && (clientId ? m.client_id === clientId : true)
    );
    return Promise.all(failed.map(post));
  }

  function discard(clientId: string) {
    outbox.value = outbox.value.filter((m) => m.client_id !== clientId);
  }

  async function edit(id: number, content: string) {
    const { message } = await api.patch<{ message: Message }>(`/messages/${id}`, { content });
    store.merge([message]);
    if (!disposed) onMine?.(message, "updated");
    editing.value = null;
  }

  async function remove(id: number) {
    const { message } = await api.del<{ message: Message }>(`/messages/${id}`);
    store.merge([message]);
    if (!disposed) onMine?.(message, "deleted");
  }

  async function toggleReaction(id: number, emoji: string) {
    const mine = store.find(id)?.reactions.find((r) => r.emoji === emoji)?.mine;
    const path = `/messages/${id}/reactions/${encodeURIComponent(emoji)}`;
    const { message } = mine
      ? await api.del<{ message: Message }>(path)
      : await api.put<{ message: Message }>(path);
    store.merge([message]);
  }

  function dispose() {
    disposed = true;
    waiting = [];
    pages.dispose();
    typing.dispose();
  }

  return {
    channelId,
    items: store.items,
    hasOlder: store.hasOlder,
    hasNewer: store.hasNewer,
    newestId: computed(() => store.newestId.value),
    loading: pages.loading,
    loadingOlder: pages.loadingOlder,
    loadingNewer: pages.loadingNewer,
    error,
    highlight,
    jumps,
    unread: line.unread,
    unreadJumps: line.jumps,
    jumpToUnread,
    knowRead: line.knowRead,
    members: members.members,
    memberCount: members.memberCount,
    typing: typing.who,
    replyTo,
    editing,
    atBottom,
    open,
    loadOlder: pages.loadOlder,
    loadNewer: pages.loadNewer,
    catchUp: () => afterLoad(pages.catchUp()),
    refresh: pages.refresh,
    rejoined,
    jumpTo,
    loadMembers,
    send,
    retry,
    discard,
    edit,
    remove,
    toggleReaction,
    markRead,
    seesNewest,
    sendTyping: typing.send,
    tickOf: members.tickOf,
    created,
    updated,
    deleted,
    reactionsChanged,
    memberChanged,
    receipt,
    summary,
    dispose,
  };
}

export type MessagesState = ReturnType<typeof createMessagesState>;
