/**
 * The whole signed-in state, put together, against the in-memory API and realtime: what a
 * received message costs in requests, what a reconnect reads, and where events land.
 */
import assert from "node:assert/strict";
import { RECEIPT_FLUSH_MS } from "../../../functions/_shared/limits.ts";
import { BOB, CH, CH2, channel, ME, member } from "./_fixtures.ts";
import { fakeApi } from "./_fake_api.ts";
import { fakeEnv, fakeRealtime } from "./_fake_env.ts";
import { createChat } from "./chat.ts";

async function setup() {
  const srv = fakeApi({
    channels: [channel(CH), channel(CH2, { name: "other" })],
    members: [member(ME), member(BOB)],
  });
  const f = fakeEnv();
  const rt = fakeRealtime();
  const chat = createChat({
    api: srv.api,
    myId: ME,
    me: () => null,
    env: f.env,
    realtime: rt.realtime,
  });
  await f.advance(0);
  for (const t of rt.topics) t.status("SUBSCRIBED");
  await f.advance(1000); // the list read once more after its topics joined
  return { srv, f, rt, chat };
}

const emit = (
  rt: ReturnType<typeof fakeRealtime>,
  e: { message: { channel_id: string }; prev_id: number | null },
) => rt.topic(`channel:${e.message.channel_id}`)!.deliver("message.created", e);

Deno.test("a watched channel's messages cost no reads and at most one receipt per flush interval", async () => {
  const { srv, f, rt, chat } = await setup();
  chat.select(CH);
  await f.advance(1000);
  assert.equal(chat.connection.value, "online");
  assert.deepEqual(
    rt.live().sort(),
    ["online", `channel:${CH}`, `channel:${CH2}`, `typing:${CH}`, `user:${ME}`].sort(),
  );
  const before = srv.log.length;
  for (let i = 0; i < 40; i++) {
    emit(rt, srv.add({ content: `live ${i}`, sender_id: BOB }));
    await f.advance(250);
  }
  await f.advance(RECEIPT_FLUSH_MS);
  const during = srv.log.slice(before);
  const receipts = during.filter((r) => r.path.endsWith("/receipts"));
  const other = during.filter((r) => !r.path.endsWith("/receipts") && r.path !== "/me/seen");
  console.log(`40 messages: ${during.length} requests (${receipts.length} receipts)`);
  assert.deepEqual(other, [], "no reads");
  assert.ok(during.length / 40 <= 0.25, `${during.length} requests for 40 messages`);
  assert.deepEqual(receipts.at(-1)!.body, { delivered_up_to: 40, read_up_to: 40 });
  assert.equal(chat.messages.value!.items.value.length, 40);
  assert.equal(chat.channels.value[0]!.id, CH);
  assert.equal(chat.channels.value[0]!.unread_count, 0, "read as it came");
  chat.dispose();
});

Deno.test("messages in other channels raise their unread count and delivered receipts, without reads", async () => {
  const { srv, f, rt, chat } = await setup();
  chat.select(CH);
  await f.advance(1000);
  const before = srv.log.length;
  for (let i = 0; i < 5; i++) emit(rt, srv.add({ channel_id: CH2, sender_id: BOB }));
  await f.advance(RECEIPT_FLUSH_MS * 2);
  const during = srv.log.slice(before);
  assert.deepEqual(during.map((r) => [r.method, r.path, r.body]), [
    ["POST", `/channels/${CH2}/receipts`, { delivered_up_to: 5 }],
  ]);
  assert.equal(chat.channels.value[0]!.id, CH2);
  assert.equal(chat.channels.value[0]!.unread_count, 5);
  assert.equal(chat.totalUnread.value, 5);
  chat.dispose();
});

Deno.test("a reconnect reads the list once and what the open channel missed", async () => {
  const { srv, f, rt, chat } = await setup();
  chat.select(CH);
  await f.advance(1000);
  emit(rt, srv.add({ sender_id: BOB }));
  f.setOnline(false);
  assert.equal(chat.connection.value, "offline");
  srv.add({ content: "missed", sender_id: BOB });
  srv.add({ content: "missed", channel_id: CH2, sender_id: BOB });
  const before = srv.log.length;
  f.setOnline(true);
  for (const t of rt.topics.filter((t) => !t.left)) t.status("SUBSCRIBED");
  await f.advance(1000);
  const reads = srv.log.slice(before).filter((r) => r.method === "GET");
  assert.deepEqual(reads.map((r) => r.path).sort(), [
    "/channels",
    `/channels/${CH}`,
    `/channels/${CH}/messages?after=1&limit=100`,
  ]);
  assert.equal(chat.messages.value!.items.value.at(-1)?.content, "missed");
  assert.equal(chat.connection.value, "online");
  chat.dispose();
});

Deno.test("channel.added reads the list; my removal closes the channel; nothing is sent on data topics", async () => {
  const { srv, f, rt, chat } = await setup();
  chat.select(CH2);
  await f.advance(1000);
  const before = srv.reads().length;
  rt.topic(`user:${ME}`)!.deliver("channel.added", { channel: { id: CH }, role: "member" });
  await f.advance(500);
  assert.deepEqual(srv.reads().slice(before).map((r) => r.path), ["/channels"]);
  rt.topic(`channel:${CH2}`)!.deliver("member.changed", {
    channel_id: CH2,
    user_id: ME,
    action: "removed",
    role: null,
    member_count: 1,
    member: null,
  });
  assert.equal(chat.activeId.value, null);
  assert.deepEqual(chat.channels.value.map((c) => c.id), [CH]);
  assert.equal(rt.topic(`channel:${CH2}`), undefined, "its topic is left");
  chat.sendTyping(true);
  for (const t of rt.topics.filter((t) => t.name.startsWith("channel:"))) {
    assert.deepEqual(t.sent, []);
  }
  chat.dispose();
});

Deno.test("while the tab is hidden a message notifies and counts; seen again, it is read", async () => {
  const { srv, f, rt, chat } = await setup();
  chat.select(CH);
  await f.advance(1000);
  f.setVisible(false);
  emit(rt, srv.add({ content: "psst", sender_id: BOB, mentions: [ME] }));
  assert.deepEqual(f.shown.map((s) => [s.title, s.body]), [[
    "You were mentioned in group 3333",
    "psst",
  ]]);
  assert.equal(chat.totalUnread.value, 1);
  assert.equal(f.state.title, "(1) Chat");
  f.setVisible(true);
  assert.equal(chat.totalUnread.value, 0);
  await f.advance(RECEIPT_FLUSH_MS);
  assert.ok(srv.log.some((r) => (r.body as { read_up_to?: number })?.read_up_to === 1));
  chat.dispose();
  assert.deepEqual(rt.live(), []);
});
