import assert from "node:assert/strict";
import { ApiError } from "../api.ts";
import type { Channel } from "../types.ts";
import { channel } from "./_fixtures.ts";
import { fakeEnv, settle } from "./_fake_env.ts";
import { createListReload, LIST_RETRY_MAX_MS } from "./list_reload.ts";

const A = "00000000-0000-4000-8000-00000000000a";
const B = "00000000-0000-4000-8000-00000000000b";

/** A `GET /channels` whose answers the test hands out one by one, in any order. */
function server() {
  const waiting: { resolve: (v: unknown) => void; reject: (e: unknown) => void }[] = [];
  return {
    api: {
      get: <T>(_path: string) =>
        new Promise<T>((resolve, reject) =>
          waiting.push({ resolve: resolve as (v: unknown) => void, reject })
        ),
    },
    waiting,
    answer(i: number, channels: Channel[]) {
      waiting[i]!.resolve({ channels });
    },
    fail(i: number, status = 503) {
      waiting[i]!.reject(new ApiError(status, "dependency_down", "The database is unavailable"));
    },
  };
}

function setup() {
  const clock = fakeEnv();
  const s = server();
  const shown: string[][] = [];
  const errors: (string | null)[] = [];
  const reload = createListReload({
    api: s.api,
    clock: clock.env,
    apply: (cs) => shown.push(cs.map((c) => c.id)),
    onError: (m) => errors.push(m),
  });
  return { clock, s, shown, errors, reload };
}

Deno.test("a burst of asks is one read", async () => {
  const { clock, s, reload } = setup();
  for (let i = 0; i < 5; i++) reload.schedule(0);
  await clock.advance(1);
  assert.equal(s.waiting.length, 1);
});

Deno.test("a failed read is tried again, 1 s then doubling up to 30 s, until one succeeds", async () => {
  const { clock, s, shown, errors, reload } = setup();
  void reload.run();
  const gaps: number[] = [];
  for (let i = 0; i < 8; i++) {
    s.fail(i);
    await settle();
    let waited = 0;
    while (s.waiting.length === i + 1) {
      await clock.advance(500);
      waited += 500;
    }
    gaps.push(waited);
  }
  assert.deepEqual(gaps, [1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  assert.equal(errors.at(-1), "The database is unavailable", "the failure shows meanwhile");
  assert.equal(gaps.at(-1), LIST_RETRY_MAX_MS);
  s.answer(8, [channel(A)]);
  await settle();
  assert.deepEqual(shown, [[A]]);
  assert.equal(errors.at(-1), null, "a success clears it");
  await clock.advance(60_000);
  assert.equal(s.waiting.length, 9, "no retry after a success");
});

Deno.test("a failure of an older read while a newer one is out does not schedule another", async () => {
  const { clock, s, shown, reload } = setup();
  void reload.run();
  void reload.run();
  s.fail(0);
  s.answer(1, [channel(A)]);
  await clock.advance(5_000);
  assert.equal(s.waiting.length, 2);
  assert.deepEqual(shown, [[A]]);
});

Deno.test("an answer older than the one shown is dropped", async () => {
  const { clock, s, shown, reload } = setup();
  void reload.run();
  void reload.run();
  s.answer(1, [channel(A), channel(B)]);
  await settle();
  s.answer(0, [channel(A)]);
  await clock.advance(1_000);
  assert.deepEqual(shown, [[A, B]]);
});

Deno.test("a read begun before a channel was left is asked again", async () => {
  const { clock, s, shown, reload } = setup();
  void reload.run();
  reload.removed();
  s.answer(0, [channel(A), channel(B)]);
  await clock.advance(1);
  assert.deepEqual(shown, []);
  assert.equal(s.waiting.length, 2);
  s.answer(1, [channel(A)]);
  await settle();
  assert.deepEqual(shown, [[A]]);
});

Deno.test("nothing is read or retried once disposed", async () => {
  const { clock, s, reload } = setup();
  void reload.run();
  reload.dispose();
  s.fail(0);
  reload.schedule(0);
  await clock.advance(60_000);
  assert.equal(s.waiting.length, 1);
});

Deno.test("an answer comes with where the events stood as its read began", async () => {
  const clock = fakeEnv();
  const s = server();
  let events = 1;
  const got: number[] = [];
  const reload = createListReload({
    api: s.api,
    clock: clock.env,
    mark: () => events,
    apply: (_cs, since) => got.push(since),
    onError: () => {},
  });
  const done = reload.run();
  events = 2; // an event while the read is on its way
  s.answer(0, [channel(A)]);
  await done;
  assert.deepEqual(got, [1]);
});
