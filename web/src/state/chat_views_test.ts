/**
 * What the signed-in state keeps current for the screens without a reload: my own edits in the
 * list's preview, the header's member count, the "new messages" line's watermark, and when
 * people were last seen.
 */
import assert from "node:assert/strict";
import { BOB, CAROL, CH, CH2, channel, ME, member } from "./_fixtures.ts";
import { fakeApi } from "./_fake_api.ts";
import { fakeEnv, fakeRealtime } from "./_fake_env.ts";
import { createChat, SEEN_EVERY_MS } from "./chat.ts";
import type { Channel } from "../types.ts";

async function setup(
  channels: Channel[] = [channel(CH), channel(CH2, { name: "other" })],
  opts: { hash?: string; members?: ReturnType<typeof member>[]; rows?: number } = {},
) {
  const srv = fakeApi({ channels, members: opts.members ?? [member(ME), member(BOB)] });
  for (let i = 0; i < (opts.rows ?? 0); i++) srv.add({ sender_id: BOB });
  const f = fakeEnv();
  if (opts.hash) f.state.hash = opts.hash;
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
  await f.advance(1000);
  return { srv, f, rt, chat };
}

Deno.test("my own send and edit show in the list's preview with no event at all", async () => {
  const { f, chat } = await setup();
  chat.select(CH2);
  await f.advance(1000);
  const ms = chat.messages.value!;
  await ms.send("first draft");
  assert.equal(chat.channels.value[0]!.id, CH2);
  assert.equal(chat.channels.value[0]!.last_message?.content, "first draft");
  const id = ms.items.value.at(-1)!.id!;
  await ms.edit(id, "second draft");
  assert.equal(chat.channels.value[0]!.last_message?.content, "second draft");
  await ms.remove(id);
  assert.equal(chat.channels.value[0]!.last_message?.deleted, true);
  chat.dispose();
});

Deno.test("the header's member count follows the members read with the channel", async () => {
  const { f, chat } = await setup([channel(CH, { member_count: 1 })], {
    members: [member(ME), member(BOB), member(CAROL)],
  });
  assert.equal(chat.channels.value[0]!.member_count, 1);
  chat.select(CH);
  await f.advance(1000);
  assert.equal(chat.active.value!.member_count, 3);
  chat.dispose();
});

Deno.test("the line starts from the list's watermark, also when the channel opened before the list", async () => {
  for (const early of [false, true]) {
    const { f, chat } = await setup(
      [channel(CH, { last_read_message_id: 2, unread_count: 3 })],
      early ? { hash: `#/c/${CH}`, rows: 5 } : { rows: 5 },
    );
    if (!early) chat.select(CH);
    await f.advance(1000);
    const ms = chat.messages.value!;
    assert.equal(ms.channelId, CH);
    assert.deepEqual(ms.unread.value, { firstId: 3, count: 3, beyond: false }, `early: ${early}`);
    ms.knowRead(4);
    assert.equal(ms.unread.value.firstId, 3, "only the first watermark counts");
    assert.equal(chat.channels.value[0]!.unread_count, 0, "and the channel is read");
    chat.dispose();
  }
});

Deno.test("'last seen' goes to the server when the tab goes out of sight, and every 31 s", async () => {
  const { srv, f, chat } = await setup();
  const seen = () => srv.log.filter((r) => r.path === "/me/seen").length;
  const first = seen();
  assert.equal(first, 1, "once at the start");
  f.setVisible(false);
  assert.equal(seen(), 2, "out of sight: now");
  await f.advance(SEEN_EVERY_MS);
  assert.equal(seen(), 3);
  assert.ok(SEEN_EVERY_MS > 30_000, "each one lands: the server writes at most every 30 s");
  chat.dispose();
});

Deno.test("last seen: the moment someone left while watched, else the server's, and never when online", async () => {
  const { f, rt, chat } = await setup([
    channel(CH, {
      kind: "direct",
      other_user: {
        id: BOB,
        username: "bob",
        display_name: null,
        avatar_path: null,
        last_seen_at: "2023-11-14T22:00:00.000000+00:00",
      },
    }),
  ]);
  assert.equal(chat.lastSeen(BOB), "2023-11-14T22:00:00.000000+00:00");
  const online = rt.topic("online")!;
  online.presence = [ME, BOB];
  online.opts.onPresenceSync!();
  assert.equal(chat.lastSeen(BOB), null, "online now");
  await f.advance(4000);
  online.presence = [ME];
  online.opts.onPresenceSync!();
  assert.equal(chat.lastSeen(BOB), new Date(f.env.now()).toISOString());
  assert.equal(chat.lastSeen(CAROL), null, "never seen");
  const tick = chat.now.value;
  await f.advance(5000);
  assert.equal(chat.now.value, tick + 5000, "relative times move every few seconds");
  chat.dispose();
});
