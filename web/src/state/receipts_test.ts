import assert from "node:assert/strict";
import { ApiError } from "../api.ts";
import { CH, CH2 } from "./_fixtures.ts";
import { fakeEnv } from "./_fake_env.ts";
import { createReceipts } from "./receipts.ts";
import { RECEIPT_FLUSH_MS } from "../../../functions/_shared/limits.ts";

function recordingApi(answer: (path: string, body: unknown) => unknown = () => ({})) {
  const posts: { path: string; body: Record<string, number>; at: number }[] = [];
  let now = () => 0;
  return {
    posts,
    setClock: (fn: () => number) => (now = fn),
    api: {
      post<T>(path: string, body: unknown): Promise<T> {
        posts.push({ path, body: body as Record<string, number>, at: now() });
        try {
          return Promise.resolve(answer(path, body) as T);
        } catch (e) {
          return Promise.reject(e);
        }
      },
    },
  };
}

Deno.test("a stream of messages costs one receipt request per channel per flush interval, with the highest ids", async () => {
  const f = fakeEnv();
  const rec = recordingApi();
  rec.setClock(f.env.now);
  const receipts = createReceipts({ api: rec.api, clock: f.env });
  const start = f.env.now();
  // 40 messages over 10 s in one channel, the reader seeing each one as it comes.
  for (let i = 1; i <= 40; i++) {
    receipts.delivered(CH, i);
    receipts.read(CH, i);
    await f.advance(250);
  }
  await f.advance(RECEIPT_FLUSH_MS);
  const mine = rec.posts.filter((p) => p.path === `/channels/${CH}/receipts`);
  assert.ok(mine.length <= Math.ceil(10_000 / RECEIPT_FLUSH_MS) + 1, `${mine.length} requests`);
  for (let i = 1; i < mine.length; i++) {
    assert.ok(mine[i]!.at - mine[i - 1]!.at >= RECEIPT_FLUSH_MS, "spaced by the flush interval");
  }
  assert.deepEqual(mine.at(-1)!.body, { delivered_up_to: 40, read_up_to: 40 });
  assert.ok(mine[0]!.at - start < 1000, "the first one goes soon");
  assert.equal(f.pending(), 0, "nothing left waiting");
});

Deno.test("channels flush on their own; nothing goes for what the server already holds", async () => {
  const f = fakeEnv();
  const rec = recordingApi();
  const receipts = createReceipts({ api: rec.api, clock: f.env });
  receipts.known(CH2, { delivered: 10, read: 8 });
  receipts.delivered(CH, 3);
  receipts.delivered(CH2, 9);
  receipts.read(CH2, 8);
  await f.advance(1000);
  assert.deepEqual(rec.posts.map((p) => [p.path, p.body]), [
    [`/channels/${CH}/receipts`, { delivered_up_to: 3 }],
  ]);
});

Deno.test("after a 429 nothing goes before Retry-After; another refusal stops the channel", async () => {
  const f = fakeEnv();
  let refuse: ApiError | null = new ApiError(429, "rate_limited", "slow down", 20);
  const rec = recordingApi(() => {
    if (refuse) throw refuse;
    return {};
  });
  rec.setClock(f.env.now);
  const receipts = createReceipts({ api: rec.api, clock: f.env });
  receipts.read(CH, 5);
  await f.advance(1000);
  assert.equal(rec.posts.length, 1);
  refuse = null;
  await f.advance(15_000);
  assert.equal(rec.posts.length, 1, "still paused");
  await f.advance(6_000);
  assert.equal(rec.posts.length, 2);
  assert.deepEqual(rec.posts[1]!.body, { delivered_up_to: 5, read_up_to: 5 });

  refuse = new ApiError(404, "not_found", "You are not in this channel");
  receipts.read(CH, 6);
  await f.advance(5_000);
  receipts.read(CH, 7);
  await f.advance(10_000);
  assert.equal(rec.posts.length, 3, "stopped after the refusal");
});

Deno.test("a network failure is tried again later, with what came meanwhile", async () => {
  const f = fakeEnv();
  let down = true;
  const rec = recordingApi(() => {
    if (down) throw new ApiError(0, "network", "offline");
    return {};
  });
  const receipts = createReceipts({ api: rec.api, clock: f.env });
  receipts.delivered(CH, 1);
  await f.advance(1000);
  down = false;
  receipts.delivered(CH, 2);
  await f.advance(10_000);
  assert.equal(rec.posts.length, 2);
  assert.deepEqual(rec.posts[1]!.body, { delivered_up_to: 2 });
  receipts.dispose();
});

Deno.test("a large channel's first receipt waits a random part of the interval; a small one's does not", async () => {
  const f = fakeEnv();
  const rec = recordingApi();
  rec.setClock(f.env.now);
  const start = f.env.now();
  const receipts = createReceipts({
    api: rec.api,
    clock: f.env,
    spreadMs: (id) => (id === CH ? RECEIPT_FLUSH_MS : 0),
    random: () => 0.5,
  });
  receipts.delivered(CH, 10);
  receipts.delivered(CH2, 10);
  await f.advance(400);
  assert.deepEqual(rec.posts.map((p) => p.path), [`/channels/${CH2}/receipts`]);
  await f.advance(RECEIPT_FLUSH_MS);
  assert.deepEqual(rec.posts.map((p) => p.path), [
    `/channels/${CH2}/receipts`,
    `/channels/${CH}/receipts`,
  ]);
  assert.equal(rec.posts[1]!.at - start, 300 + RECEIPT_FLUSH_MS / 2);
  receipts.dispose();
});
