import assert from "node:assert/strict";
import { BOB, CAROL, ME } from "./_fixtures.ts";
import { fakeEnv, fakeRealtime } from "./_fake_env.ts";
import { createConnection } from "./connection.ts";
import { createPresence, latestOf } from "./presence.ts";

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
  assert.deepEqual([...p.left.value], [[BOB, new Date(f.env.now()).toISOString()]]);
  p.unknown();
  assert.equal(p.online.value.size, 0);
  p.dispose();
  assert.deepEqual(rt.live(), []);
});

Deno.test("the time someone left is kept to the second, and moves when they leave again", async () => {
  const f = fakeEnv();
  const rt = fakeRealtime();
  const p = createPresence({
    realtime: rt.realtime,
    connection: createConnection({ env: f.env }),
    myId: ME,
    now: f.env.now,
  });
  const topic = rt.topic("online")!;
  topic.status("SUBSCRIBED");
  const sync = (ids: string[]) => {
    topic.presence = ids;
    topic.opts.onPresenceSync!();
  };
  sync([ME, BOB]);
  assert.equal(p.left.value.get(BOB), undefined, "online: not 'last seen'");
  await f.advance(3000);
  sync([ME]);
  const first = p.left.value.get(BOB);
  assert.equal(first, new Date(f.env.now()).toISOString());
  await f.advance(60_000);
  sync([ME, BOB]);
  await f.advance(7000);
  sync([ME]);
  assert.equal(p.left.value.get(BOB), new Date(f.env.now()).toISOString());
  assert.notEqual(p.left.value.get(BOB), first);
  p.dispose();
});

Deno.test("latestOf compares times in the API's two forms, skipping the missing", () => {
  assert.equal(latestOf([]), null);
  assert.equal(latestOf([null, undefined]), null);
  assert.equal(
    latestOf(["2025-01-01T10:00:00.000Z", "2025-01-01T11:00:00.5+01:00", null]),
    "2025-01-01T11:00:00.5+01:00",
    "10:00:00.5 UTC is after 10:00:00.0 UTC",
  );
  assert.equal(
    latestOf(["2025-01-01T10:00:01.000Z", "2025-01-01T10:00:00.123456+00:00"]),
    "2025-01-01T10:00:01.000Z",
  );
});
