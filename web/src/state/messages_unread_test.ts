/**
 * The "new messages" line of the open channel: where it goes, when it stays, when a new one
 * appears, and the jump to it when more came than a page holds; and what the channel reports
 * to the list (my own changes as the server answered them, its member count).
 */
import assert from "node:assert/strict";
import type { Message } from "../types.ts";
import { BOB, CH, ME, member } from "./_fixtures.ts";
import { fakeApi } from "./_fake_api.ts";
import { fakeEnv, fakeRealtime } from "./_fake_env.ts";
import { createMessagesState, type MessagesDeps } from "./messages.ts";

function setup(
  count: number,
  deps: Partial<MessagesDeps> = {},
  senders: Record<number, string> = {},
) {
  const srv = fakeApi({ members: [member(ME), member(BOB)] });
  for (let i = 1; i <= count; i++) srv.add({ content: `m${i}`, sender_id: senders[i] ?? BOB });
  const f = fakeEnv();
  const ms = createMessagesState({
    api: srv.api,
    env: f.env,
    realtime: fakeRealtime().realtime,
    channelId: CH,
    me: () => null,
    myId: ME,
    ...deps,
  });
  return { srv, f, ms };
}

Deno.test("the line sits above the first unread message and stays there once read", async () => {
  const { ms } = setup(20, { lastRead: 15 });
  await ms.open();
  assert.deepEqual(ms.unread.value, { firstId: 16, count: 5, beyond: false });
  ms.markRead(); // the reader is at the bottom: all read, the line stays while the channel is open
  assert.equal(ms.unread.value.firstId, 16);
  ms.dispose();
});

Deno.test("my own messages after the watermark are not unread", async () => {
  const { ms } = setup(20, { lastRead: 17 }, { 18: ME, 19: ME });
  await ms.open();
  assert.deepEqual(ms.unread.value, { firstId: 20, count: 1, beyond: false });
  ms.dispose();
});

Deno.test("nothing unread: no line; what comes while seen adds none; what comes while away does", async () => {
  const { srv, ms, f } = setup(20, { lastRead: 20 });
  await ms.open();
  ms.markRead();
  assert.equal(ms.unread.value.firstId, null);
  const seen = srv.add({ content: "seen as it came" });
  ms.created(seen.message, seen.prev_id);
  assert.equal(ms.unread.value.firstId, null, "the reader was looking");
  ms.atBottom.value = false; // scrolled up to read history
  const away = srv.add({ content: "while away" });
  ms.created(away.message, away.prev_id);
  assert.deepEqual(ms.unread.value, { firstId: away.message.id, count: 1, beyond: false });
  ms.atBottom.value = true;
  f.state.visible = false; // another tab
  const hidden = srv.add({ content: "while hidden" });
  ms.created(hidden.message, hidden.prev_id);
  assert.equal(ms.unread.value.firstId, away.message.id, "the line stays at the first");
  assert.equal(ms.unread.value.count, 2);
  ms.dispose();
});

Deno.test("more unread than a page: the jump loads the page from the watermark, with the line", async () => {
  const { srv, ms } = setup(120, { lastRead: 30 });
  await ms.open();
  assert.deepEqual(ms.unread.value, { firstId: null, count: 50, beyond: true });
  assert.equal(ms.unreadJumps.value, 0);
  await ms.jumpToUnread();
  assert.ok(srv.log.at(-1)!.path.includes("after=29"), srv.log.at(-1)!.path);
  assert.equal(ms.items.value[0]!.id, 30, "the page starts with the last message read");
  assert.deepEqual(ms.unread.value, { firstId: 31, count: 49, beyond: false });
  assert.equal(ms.unreadJumps.value, 1, "the view scrolls the line into view");
  assert.equal(ms.hasOlder.value, true);
  assert.equal(ms.hasNewer.value, true, "the newest are a scroll (or a click) away");
  assert.equal(ms.atBottom.value, false);
  ms.dispose();
});

Deno.test("a watermark not known at opening draws no line until the list tells it", async () => {
  const { ms } = setup(20);
  await ms.open();
  ms.markRead();
  assert.equal(ms.unread.value.firstId, null);
  ms.knowRead(12);
  assert.equal(ms.unread.value.firstId, 13);
  ms.knowRead(3);
  assert.equal(ms.unread.value.firstId, 13, "only the first answer counts");
  ms.dispose();
});

Deno.test("answering takes the line away", async () => {
  const { ms } = setup(20, { lastRead: 15 });
  await ms.open();
  await ms.send("my answer");
  assert.equal(ms.unread.value.firstId, null);
  ms.dispose();
});

Deno.test("my send, edit and delete are reported as answered, and the member count as read", async () => {
  const mine: [number, string, string][] = [];
  const counts: number[] = [];
  const { ms } = setup(3, {
    onMine: (m: Message, how) => mine.push([m.id, how, m.content]),
    onMemberCount: (n) => counts.push(n),
  });
  await ms.open();
  assert.deepEqual(counts, [2]);
  await ms.send("hello");
  await ms.edit(4, "hello again");
  await ms.remove(4);
  assert.deepEqual(mine, [[4, "created", "hello"], [4, "updated", "hello again"], [
    4,
    "deleted",
    "",
  ]]);
  ms.dispose();
});
