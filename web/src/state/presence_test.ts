import assert from "node:assert/strict";
import { BOB, CAROL, ME } from "./_fixtures.ts";
import { fakeEnv, fakeRealtime } from "./_fake_env.ts";
import { createConnection } from "./connection.ts";
import { createPresence } from "./presence.ts";

Deno.test("presence tracks me once joined and reports who left, and when", () => {
  const f = fakeEnv();
  const rt = fakeRealtime();
  const left: unknown[] = [];
  const p = createPresence({
    realtime: rt.realtime,
    connection: createConnection({ env: f.env }),
    myId: ME,
    now: f.env.now,
    onLeft: (ids, at) => left.push([ids, at]),
  });
  const topic = rt.topic("online")!;
  assert.equal(topic.opts.presenceKey, ME);
  topic.status("SUBSCRIBED");
  assert.equal(topic.tracked.length, 1);
  topic.presence = [ME, BOB, CAROL];
  topic.opts.onPresenceSync!();
  assert.deepEqual([...p.online.value], [ME, BOB, CAROL]);
  topic.presence = [ME, CAROL];
  topic.opts.onPresenceSync!();
  assert.deepEqual(left, [[[BOB], new Date(f.env.now()).toISOString()]]);
  p.unknown();
  assert.equal(p.online.value.size, 0);
  p.dispose();
  assert.deepEqual(rt.live(), []);
});
