import assert from "node:assert/strict";
import { BOB, CAROL, CH, ME } from "./_fixtures.ts";
import { fakeEnv, fakeRealtime } from "./_fake_env.ts";
import { createTyping, TYPING_SEND_MS, TYPING_SHOW_MS } from "./typing.ts";

function setup() {
  const f = fakeEnv();
  const rt = fakeRealtime();
  const typing = createTyping({
    realtime: rt.realtime,
    clock: f.env,
    channelId: CH,
    myId: ME,
    isMember: (id) => id === BOB || id === ME,
  });
  return { f, rt, typing, topic: rt.topic(`typing:${CH}`)! };
}

Deno.test("typing goes on the channel's private typing topic, at most every 2 s", async () => {
  const { f, typing, topic, rt } = setup();
  assert.deepEqual(rt.live(), [`typing:${CH}`]);
  typing.send(false);
  assert.equal(topic.sent.length, 0, "no 'stopped' before any 'typing'");
  typing.send(true);
  typing.send(true);
  await f.advance(TYPING_SEND_MS - 1);
  typing.send(true);
  assert.equal(topic.sent.length, 1);
  await f.advance(1);
  typing.send(true);
  typing.send(false);
  typing.send(false);
  assert.deepEqual(topic.sent.map((s) => s.payload), [
    { user_id: ME, typing: true },
    { user_id: ME, typing: true },
    { user_id: ME, typing: false },
  ]);
  typing.dispose();
  assert.deepEqual(rt.live(), [], "left with the channel");
});

Deno.test("members typing show, and fade; me and strangers are ignored", async () => {
  const { f, typing, topic } = setup();
  topic.deliver("typing", { user_id: BOB, typing: true });
  topic.deliver("typing", { user_id: ME, typing: true });
  topic.deliver("typing", { user_id: CAROL, typing: true });
  topic.deliver("typing", { user_id: 42, typing: true });
  topic.deliver("message.created", { user_id: BOB });
  assert.deepEqual(Object.keys(typing.who.value), [BOB]);
  await f.advance(TYPING_SHOW_MS + 1000);
  assert.deepEqual(typing.who.value, {});
  assert.equal(f.pending(), 0, "the sweep stops when nobody types");
  topic.deliver("typing", { user_id: BOB, typing: true });
  topic.deliver("typing", { user_id: BOB, typing: false });
  assert.deepEqual(typing.who.value, {});
  topic.deliver("typing", { user_id: BOB, typing: true });
  typing.stopped(BOB);
  assert.deepEqual(typing.who.value, {}, "their message came");
  typing.dispose();
});
