/**
 * Threads (issue 14): the open thread of the side panel (its root, replies and where I had read
 * up to when it opened, for a "New replies" line), sending a reply (kept in the thread, or also
 * sent to the channel), and which threads I take part in have replies I have not read.
 *
 * Events (README "Realtime events") are merged without a request: `thread.reply` and a
 * `message.created` with `thread_root_id` add a reply to the open thread; `message.updated` of
 * its root brings the new summary; `thread.reply` on my own topic marks a thread unread.
 */
import { computed, signal } from "@preact/signals";
import type { Api } from "../api.ts";
import { uuid } from "../lib/uuid.ts";
import type { Message } from "../types.ts";
import type { Notable } from "./notifications.ts";

/** What a root shows under it: how many replies, the last one, the last (≤3) repliers. */
export interface ThreadSummary {
  reply_count: number;
  last_reply_id: number | null;
  last_reply_at: string | null;
  repliers: string[];
}

/** The thread fields of a message row (`message_view`'s last columns). */
export interface ThreadFields {
  thread_root_id?: number | null;
  also_in_channel?: boolean;
  thread?: ThreadSummary | null;
  /** My watermark in the thread (null: I take no part, or unknown: always null in events). */
  thread_last_read_id?: number | null;
}

export const threadFields = (m: object): ThreadFields => m as ThreadFields;

type Payload = Record<string, unknown>;
const isId = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
const isMessage = (v: unknown): v is Message =>
  typeof v === "object" && v !== null && isId((v as Payload).id) &&
  typeof (v as Payload).content === "string";

export interface ThreadDeps {
  api: Api;
  myId: string;
  /** A reply in a thread I take part in (a browser notification while the tab is hidden). */
  notify?: (n: Notable) => void;
}

export function createThreadState({ api, myId, notify }: ThreadDeps) {
  const root = signal<Message | null>(null);
  const replies = signal<Message[]>([]);
  /** My watermark when the thread opened: replies after it (not mine) are new. */
  const readAtOpen = signal<number | null>(null);
  const loading = signal(false);
  const error = signal<string | null>(null);
  /** Threads I take part in with replies I have not read, by root id. */
  const unread = signal<ReadonlyMap<number, number>>(new Map());
  /** How far I have read threads since their rows were loaded, by root id. */
  const reads = signal<ReadonlyMap<number, number>>(new Map());
  const rootId = computed(() => root.value?.id ?? null);
  /** The first reply of someone else after my watermark: the "New replies" line goes above. */
  const firstNew = computed(() => {
    const w = readAtOpen.value;
    if (w === null) return null;
    return replies.value.find((m) => m.id > w && m.sender_id !== myId)?.id ?? null;
  });
  let seq = 0;
  /** Watermarks page rows brought, by root id. */
  const rowMarks = new Map<number, number>();

  const setIn = (s: typeof unread, id: number, v: number | null) => {
    const next = new Map(s.value);
    if (v === null) next.delete(id);
    else next.set(id, v);
    s.value = next;
  };

  function addReply(m: Message) {
    if (replies.value.some((x) => x.id === m.id)) {
      replies.value = replies.value.map((x) => x.id === m.id ? { ...x, ...m } : x);
      return;
    }
    replies.value = [...replies.value, m].sort((a, b) => a.id - b.id);
  }

  /** Opens the thread of `m` (a root, or a reply: its root), reading it from the server. */
  async function open(m: Message) {
    const id = threadFields(m).thread_root_id ?? m.id;
    const mySeq = ++seq;
    root.value = id === m.id ? m : null;
    replies.value = [];
    readAtOpen.value = null;
    error.value = null;
    loading.value = true;
    try {
      const r = await api.get<{ root: Message; messages: Message[]; last_read_id: number | null }>(
        `/messages/${id}/thread`,
      );
      if (mySeq !== seq) return;
      root.value = r.root;
      for (const x of r.messages) addReply(x);
      readAtOpen.value = r.last_read_id;
      await markRead();
    } catch (e) {
      if (mySeq === seq) error.value = e instanceof Error ? e.message : String(e);
    } finally {
      if (mySeq === seq) loading.value = false;
    }
  }

  function close() {
    seq++;
    root.value = null;
    replies.value = [];
    readAtOpen.value = null;
    error.value = null;
  }

  /** Moves my watermark to the last reply (only when I take part, and only forward). */
  async function markRead() {
    const id = rootId.value;
    const last = replies.value.at(-1)?.id;
    if (id === null) return;
    setIn(unread, id, null);
    if (last === undefined || readAtOpen.value === null) return;
    if ((reads.value.get(id) ?? readAtOpen.value) >= last) return;
    setIn(reads, id, last);
    try {
      await api.post(`/messages/${id}/thread/read`, { read_up_to: last });
    } catch {
      // best effort: the next open marks it again
    }
  }

  /** Sends a reply to the open thread (`alsoInChannel`: shown in the channel too). */
  async function send(content: string, alsoInChannel: boolean) {
    const r = root.value;
    if (!r) return;
    const res = await api.post<{ message: Message }>(`/channels/${r.channel_id}/messages`, {
      content,
      client_id: uuid(),
      thread_root_id: r.id,
      also_in_channel: alsoInChannel,
    });
    if (rootId.value === r.id) addReply(res.message);
  }

  /** A `channel:<id>` event, before the main flow sees it. */
  function channelEvent(channelId: string, event: string, p: Payload) {
    const r = root.value;
    if (!r || r.channel_id !== channelId) return;
    const m = p.message;
    if (event === "thread.reply" || event === "message.created") {
      if (isMessage(m) && threadFields(m).thread_root_id === r.id) {
        addReply(m);
        if (m.sender_id !== myId) void markRead();
      }
    } else if (event === "message.updated" && isMessage(m)) {
      if (m.id === r.id) root.value = { ...r, ...m };
      else if (replies.value.some((x) => x.id === m.id)) addReply(m);
    } else if (event === "message.deleted" && isId(p.id)) {
      const id = p.id;
      const at = typeof p.deleted_at === "string" ? p.deleted_at : new Date().toISOString();
      if (id === r.id) root.value = { ...r, deleted_at: at, content: "" };
      replies.value = replies.value.map((x) =>
        x.id === id ? { ...x, deleted_at: at, content: "", reactions: [], attachments: [] } : x
      );
    }
  }

  /** A `user:<me>` event: a reply in a thread I take part in (or a mention in one). */
  function userEvent(event: string, p: Payload) {
    const id = p.root_id ?? p.thread_root_id;
    if ((event !== "thread.reply" && event !== "mention") || !isId(id)) return;
    if (event === "thread.reply" && isId(p.message_id) && typeof p.channel_id === "string") {
      notify?.({
        id: p.message_id,
        channel_id: p.channel_id,
        sender_id: typeof p.sender_id === "string" ? p.sender_id : null,
        content: typeof p.content === "string" ? p.content : "",
      });
    }
    if (id === rootId.value) return; // open: read as it arrives
    setIn(unread, id, (unread.value.get(id) ?? 0) + 1);
  }

  /** Whether the thread under root `m` has replies I have not read (threads I take part in). */
  function hasUnread(m: Message): boolean {
    if (unread.value.has(m.id)) return true;
    const f = threadFields(m);
    const last = f.thread?.last_reply_id;
    // Events carry no watermark (null): the one a page row brought stands.
    if (isId(f.thread_last_read_id)) rowMarks.set(m.id, f.thread_last_read_id);
    const mark = reads.value.get(m.id) ?? rowMarks.get(m.id);
    return isId(last) && isId(mark) && last > mark && m.id !== rootId.value;
  }

  return {
    root,
    rootId,
    replies,
    readAtOpen,
    firstNew,
    loading,
    error,
    unread,
    open,
    close,
    markRead,
    send,
    channelEvent,
    userEvent,
    hasUnread,
  };
}

export type ThreadState = ReturnType<typeof createThreadState>;
