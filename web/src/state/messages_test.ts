/**
 * The open channel against an in-memory API with the real API's paging rules: events merge
 * without requests, gaps and reconnects read what is missing (once each, no duplicates),
 * windows replaced meanwhile drop their answers, sends from the past, the outbox.
 */
import assert from "node:assert/strict";
import { signal } from "@preact/signals";
import type { Shown } from "../types.ts";
import { BOB, CAROL, CH, ME, member } from "./_fixtures.ts";
import { fakeApi } from "./_fake_api.ts";
import { fakeEnv, fakeRealtime, settle } from "./_fake_env.ts";
import { createMessagesState, type MessagesDeps } from "./messages.ts";

function setup(count: number, extra: Partial<MessagesDeps> = {}) {
  const srv = fakeApi({ members: [member(ME), member(BOB)] });
  for (let i = 1; i <= count; i++) srv.add({ content: `m${i}` });
  const f = fakeEnv();
  const rt = fakeRealtime();
  const seen: number[] = [];
  const make = (more: Partial<MessagesDeps> = {}) =>
    createMessagesState({
      api: srv.api,
      env: f.env,
      realtime: rt.realtime,
      channelId: CH,
      me: () => null,
      myId: ME,
      onSeen: (upTo) => seen.push(upTo),
      ...extra,
      ...more,
    });
  return { srv, f, rt, seen, ms: make(), make };
}

const ids = (items: Shown[]) => items.map((m) => m.id);

Deno.test("opening reads the last page and the members; events then merge with no request", async () => {
  const { srv, ms, seen } = setup(60);
  await ms.open();
  assert.deepEqual(ids(ms.items.value), Array.from({ length: 50 }, (_, i) => i + 11));
  assert.equal(ms.hasOlder.value, true);
  assert.equal(ms.members.value.length, 2);
  const before = srv.log.length;
  for (let i = 0; i < 40; i++) {
    const e = srv.add({ content: `live ${i}` });
    ms.created(e.message, e.prev_id);
  }
  assert.equal(srv.log.length, before, "no request for 40 messages");
  assert.equal(ms.items.value.at(-1)?.content, "live 39");
  assert.equal(seen.at(-1), 100, "the reader sees the newest");
  ms.dispose();
});

Deno.test("a gap reads what is missing, once, and the window stays in order without duplicates", async () => {
  const { srv, ms } = setup(10);
  await ms.open();
  srv.add({ content: "missed 1" });
  srv.add({ content: "missed 2" });
  const e = srv.add({ content: "seen" });
  ms.created(e.message, e.prev_id);
  const again = srv.add({ content: "next" });
  ms.created(again.message, again.prev_id);
  await settle();
  const got = ids(ms.items.value);
  assert.deepEqual(got, Array.from({ length: 14 }, (_, i) => i + 1));
  assert.equal(srv.reads().filter((r) => r.path.includes("after=")).length, 1);
  ms.dispose();
});

Deno.test("after a reconnect every missed message is read, page after page, once each", async () => {
  const { srv, ms } = setup(60);
  await ms.open();
  for (let i = 0; i < 250; i++) srv.add({ content: `missed ${i}` });
  await ms.rejoined();
  const got = ids(ms.items.value);
  assert.equal(got.length, 50 + 250);
  assert.deepEqual(got, [...new Set(got)].sort((a, b) => a! - b!), "no duplicates, in order");
  assert.equal(got.at(-1), 310);
  ms.dispose();
});

Deno.test("events that come while the channel opens wait for the page, then apply", async () => {
  const { srv, ms } = setup(10);
  const release = srv.hold();
  const opening = ms.open(); // its page is read before the next message is written
  const e = srv.add({ content: "written while opening" });
  ms.created(e.message, e.prev_id);
  release();
  await opening;
  assert.equal(ms.items.value.at(-1)?.content, "written while opening");
  assert.equal(srv.reads().filter((r) => r.path.includes("after=")).length, 0, "no gap to read");
  ms.dispose();
});

Deno.test("a member event heard while the members are read stands over their older answer", async () => {
  const { srv } = setup(3);
  // The members' answer is written before the invite and arrives after its event.
  let answer!: (v: unknown) => void;
  const stale = srv.api.get(`/channels/${CH}`);
  const api = {
    ...srv.api,
    get: <T>(path: string) =>
      path === `/channels/${CH}`
        ? new Promise<T>((r) => (answer = r as (v: unknown) => void))
        : srv.api.get<T>(path),
  };
  const counts: number[] = [];
  const { ms } = setup(3, { api, onMemberCount: (n) => counts.push(n) });
  const opening = ms.open();
  await settle();
  const carol = member(CAROL);
  ms.memberChanged({
    channel_id: CH,
    user_id: CAROL,
    action: "added",
    role: "member",
    member_count: 3,
    member: carol,
  });
  answer(await stale);
  await opening;
  assert.equal(ms.memberCount.value, 3);
  assert.deepEqual(ms.members.value.map((m) => m.user_id), [ME, BOB, CAROL]);
  assert.deepEqual(counts, [3], "the channel list hears the newest count");
  ms.dispose();
});

Deno.test("edits, deletes and reactions from events change only what is held", async () => {
  const { srv, ms } = setup(3);
  await ms.open();
  const before = srv.log.length;
  ms.updated({ ...srv.rows[0]!, content: "edited", edited_at: "2025-01-01T00:00:00Z" });
  ms.deleted({ id: 2, channel_id: CH, deleted_at: "2025-01-01T00:00:00Z" });
  ms.reactionsChanged({
    message_id: 3,
    channel_id: CH,
    reactions: [{ emoji: "👍", count: 1, user_ids: [ME] }],
  });
  ms.updated({ ...srv.rows[0]!, id: 999 });
  const [a, b, c] = ms.items.value;
  assert.equal(a!.content, "edited");
  assert.equal(b!.deleted_at, "2025-01-01T00:00:00Z");
  assert.equal(c!.reactions[0]!.mine, true);
  assert.equal(ms.items.value.length, 3);
  assert.equal(srv.log.length, before);
  ms.dispose();
});

Deno.test("an answer for a window that was replaced meanwhile is dropped", async () => {
  const { ms } = setup(300);
  await ms.open();
  const older = ms.loadOlder(); // in flight while the reader jumps far back
  await ms.jumpTo(20);
  await older;
  const got = ids(ms.items.value) as number[];
  assert.ok(got.includes(20));
  assert.ok(Math.max(...got) < 100, `only the jump's window (${got[0]}…${got.at(-1)})`);
  assert.equal(ms.hasNewer.value, true);
  assert.equal(ms.highlight.value, 20);
  ms.dispose();
});

Deno.test("sending while reading the past goes back to now first: no gap before the new message", async () => {
  const { ms } = setup(300);
  await ms.open();
  await ms.jumpTo(20);
  await ms.send("hello from the past");
  const got = ids(ms.items.value) as number[];
  assert.equal(ms.hasNewer.value, false);
  assert.equal(got.at(-1), 301);
  assert.deepEqual(got.slice(-51), Array.from({ length: 51 }, (_, i) => 251 + i), "contiguous");
  ms.dispose();
});

Deno.test("a send that fails offline waits in the outbox, survives the view, and goes once", async () => {
  const outbox = signal<Shown[]>([]);
  const { srv, ms, make } = setup(3, { outbox });
  await ms.open();
  srv.setOffline(true);
  await ms.send("written offline");
  assert.equal(outbox.value[0]!.state, "failed");
  assert.equal(ms.items.value.at(-1)!.content, "written offline");
  ms.dispose();
  srv.setOffline(false);
  const again = make();
  await again.open();
  await Promise.all([again.retry(), again.retry()]);
  assert.equal(srv.rows.filter((m) => m.content === "written offline").length, 1);
  assert.equal(outbox.value.length, 0);
  assert.equal(again.items.value.filter((m) => m.content === "written offline").length, 1);
  again.dispose();
});

Deno.test("what is seen is reported only while the tab is visible and the reader at the bottom", async () => {
  const { srv, ms, seen, f } = setup(5);
  await ms.open();
  ms.markRead();
  assert.deepEqual(seen, [5]);
  f.state.visible = false;
  const e = srv.add();
  ms.created(e.message, e.prev_id);
  assert.deepEqual(seen, [5], "hidden: not read");
  f.state.visible = true;
  ms.atBottom.value = false;
  ms.markRead();
  assert.deepEqual(seen, [5], "scrolled up: not read");
  ms.atBottom.value = true;
  ms.markRead();
  assert.deepEqual(seen, [5, 6]);
  ms.dispose();
});

Deno.test("typing joins the channel's typing topic, shows members only, and leaves with the view", async () => {
  const { ms, rt } = setup(1);
  await ms.open();
  const topic = rt.topic(`typing:${CH}`)!;
  topic.deliver("typing", { user_id: BOB, typing: true });
  topic.deliver("typing", { user_id: "not-a-member", typing: true });
  assert.deepEqual(Object.keys(ms.typing.value), [BOB]);
  ms.sendTyping(true);
  assert.deepEqual(topic.sent, [{ event: "typing", payload: { user_id: ME, typing: true } }]);
  ms.dispose();
  assert.equal(rt.topic(`typing:${CH}`), undefined);
});

Deno.test("receipt events turn my message's ticks without reading the members again", async () => {
  const { srv, ms } = setup(0);
  await ms.open();
  await ms.send("tick me");
  const mine = ms.items.value.at(-1)!;
  assert.equal(ms.tickOf(mine).tick, "sent");
  const before = srv.log.length;
  ms.receipt({
    channel_id: CH,
    user_id: BOB,
    last_delivered_message_id: mine.id!,
    last_read_message_id: mine.id!,
  });
  assert.equal(ms.tickOf(mine).tick, "read");
  assert.equal(srv.log.length, before);
  ms.dispose();
});

Deno.test("back online, a message sent from the outbox does not hide what came while away", async () => {
  const outbox = signal<Shown[]>([]);
  const { srv, ms } = setup(5, { outbox });
  await ms.open();
  srv.setOffline(true);
  await ms.send("written offline");
  srv.setOffline(false);
  for (let i = 1; i <= 3; i++) srv.add({ content: `while you were away ${i}` });
  await ms.retry(); // answered before the rejoin reads what was missed
  await ms.rejoined();
  const contents = ms.items.value.map((m) => m.content);
  assert.deepEqual(contents.slice(-4), [
    "while you were away 1",
    "while you were away 2",
    "while you were away 3",
    "written offline",
  ]);
  assert.equal(new Set(ids(ms.items.value)).size, ms.items.value.length, "no duplicates");
  ms.dispose();
});
