import assert from "node:assert/strict";
import type { Api } from "../api.ts";
import type { Message } from "../types.ts";
import { BOB, CH, ME, message } from "./_fixtures.ts";
import { createThreadState, threadFields } from "./thread.ts";

/** An in-memory thread API: one root (1) with replies, watermarks that only move forward. */
function threadApi(replies: Message[], lastRead: number | null) {
  const log: { method: string; path: string; body?: unknown }[] = [];
  let watermark = lastRead;
  const root = message(1, { sender_id: ME });
  const api = {
    get<T>(path: string): Promise<T> {
      log.push({ method: "GET", path });
      return Promise.resolve({ root, messages: replies, last_read_id: watermark } as T);
    },
    post<T>(path: string, body: Record<string, unknown>): Promise<T> {
      log.push({ method: "POST", path, body });
      if (path.endsWith("/thread/read")) {
        watermark = Math.max(watermark ?? 0, Number(body.read_up_to));
        return Promise.resolve({ last_read_id: watermark } as T);
      }
      const m = message(100 + log.length, {
        sender_id: ME,
        content: String(body.content),
        ...{ thread_root_id: body.thread_root_id, also_in_channel: body.also_in_channel },
      });
      return Promise.resolve({ message: m } as T);
    },
  } as unknown as Api;
  return { api, log, root };
}

const reply = (id: number, sender = BOB) =>
  message(id, { sender_id: sender, ...{ thread_root_id: 1 } } as Partial<Message>);

Deno.test("opening a thread reads it once, places the new-replies line after my watermark and marks it read", async () => {
  const { api, log } = threadApi([reply(2, ME), reply(3), reply(4)], 2);
  const t = createThreadState({ api, myId: ME });
  await t.open(message(1, { sender_id: ME }));
  assert.deepEqual(t.replies.value.map((m) => m.id), [2, 3, 4]);
  assert.equal(t.firstNew.value, 3, "the line goes above the first reply after my watermark");
  assert.deepEqual(log.map((l) => `${l.method} ${l.path}`), [
    "GET /messages/1/thread",
    "POST /messages/1/thread/read",
  ]);
  assert.deepEqual(log[1]!.body, { read_up_to: 4 });
  await t.markRead();
  assert.equal(log.length, 2, "nothing more to mark");
});

Deno.test("a thread I take no part in has no new-replies line and writes no watermark", async () => {
  const { api, log } = threadApi([reply(2), reply(3)], null);
  const t = createThreadState({ api, myId: ME });
  await t.open(message(1));
  assert.equal(t.firstNew.value, null);
  assert.equal(log.length, 1);
});

Deno.test("events merge into the open thread: replies (once), the root's summary, deletes", async () => {
  const { api } = threadApi([reply(2)], 2);
  const t = createThreadState({ api, myId: ME });
  await t.open(message(1, { sender_id: ME }));
  t.channelEvent(CH, "thread.reply", { message: reply(5), root_id: 1, prev_id: 2 });
  t.channelEvent(CH, "thread.reply", { message: reply(5), root_id: 1, prev_id: 2 });
  t.channelEvent(CH, "message.created", { message: reply(6), prev_id: 1 });
  t.channelEvent(CH, "message.created", { message: message(7), prev_id: 6 });
  assert.deepEqual(t.replies.value.map((m) => m.id), [2, 5, 6], "a main-flow message is not one");
  const summary = { reply_count: 3, last_reply_id: 6, last_reply_at: null, repliers: [BOB] };
  t.channelEvent(CH, "message.updated", { message: { ...message(1), thread: summary } });
  assert.equal(threadFields(t.root.value!).thread?.reply_count, 3);
  t.channelEvent(CH, "message.deleted", { id: 5, channel_id: CH, deleted_at: "2025-01-01" });
  assert.equal(t.replies.value.find((m) => m.id === 5)?.content, "");
  t.channelEvent("other", "thread.reply", { message: { ...reply(8), channel_id: "other" } });
  assert.equal(t.replies.value.length, 3, "another channel's events are not this thread's");
});

Deno.test("replies in other threads I take part in mark them unread until I open them", () => {
  const { api } = threadApi([reply(12)], 0);
  const t = createThreadState({ api, myId: ME });
  const root = message(11, { sender_id: ME });
  assert.equal(t.hasUnread(root), false);
  t.userEvent("thread.reply", { channel_id: CH, root_id: 11, message_id: 12, sender_id: BOB });
  assert.equal(t.hasUnread(root), true);
  const fromRow = {
    ...message(20),
    thread: { reply_count: 1, last_reply_id: 21, last_reply_at: null, repliers: [BOB] },
    thread_last_read_id: 0,
  };
  assert.equal(t.hasUnread(fromRow), true, "a row's watermark behind its last reply is unread");
  assert.equal(
    t.hasUnread({ ...fromRow, id: 30, ...{ thread_last_read_id: null } }),
    false,
    "unless I take no part",
  );
  assert.equal(
    t.hasUnread({ ...fromRow, ...{ thread_last_read_id: null } }),
    true,
    "an event (no watermark) keeps the one the row brought",
  );
});

Deno.test("a reply I send goes to the root's channel with the thread and the also-in-channel choice", async () => {
  const { api, log } = threadApi([], null);
  const t = createThreadState({ api, myId: ME });
  await t.open(message(1, { sender_id: ME }));
  await t.send("hello", true);
  const sent = log.at(-1)!;
  assert.equal(sent.path, `/channels/${CH}/messages`);
  assert.equal((sent.body as Record<string, unknown>).thread_root_id, 1);
  assert.equal((sent.body as Record<string, unknown>).also_in_channel, true);
  assert.deepEqual(t.replies.value.map((m) => m.content), ["hello"]);
});
