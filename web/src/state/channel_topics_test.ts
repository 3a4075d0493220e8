import assert from "node:assert/strict";
import { CH, CH2 } from "./_fixtures.ts";
import { fakeEnv, fakeRealtime } from "./_fake_env.ts";
import { createConnection } from "./connection.ts";
import { createChannelTopics } from "./channel_topics.ts";

Deno.test("channel topics follow the wanted set, pass events on and report rejoins", () => {
  const f = fakeEnv();
  const rt = fakeRealtime();
  const connection = createConnection({ env: f.env });
  const events: unknown[] = [];
  const joins: unknown[] = [];
  const topics = createChannelTopics({
    realtime: rt.realtime,
    connection,
    onEvent: (id, event, payload) => events.push([id, event, payload]),
    onJoined: (id, j) => joins.push([id, j]),
  });
  topics.sync([CH, CH2]);
  assert.deepEqual(rt.live(), [`channel:${CH}`, `channel:${CH2}`]);
  assert.equal(rt.topic(`channel:${CH}`)!.opts.presenceKey, undefined, "no presence there");
  rt.topic(`channel:${CH}`)!.status("SUBSCRIBED");
  rt.topic(`channel:${CH}`)!.status("CLOSED");
  rt.topic(`channel:${CH}`)!.status("SUBSCRIBED");
  assert.deepEqual(joins, [[CH, "first"], [CH, "again"]]);
  rt.topic(`channel:${CH2}`)!.deliver("message.deleted", { id: 1 });
  assert.deepEqual(events, [[CH2, "message.deleted", { id: 1 }]]);
  topics.sync([CH2]);
  assert.deepEqual(rt.live(), [`channel:${CH2}`]);
  rt.topic(`channel:${CH2}`)!.status("SUBSCRIBED");
  assert.equal(connection.connection.value, "online", "the left topic no longer counts");
  topics.dispose();
  assert.deepEqual(rt.live(), []);
});
