/** One suite, both backends: the Deno KV limiter and the Postgres one behave the same. */
import assert from "node:assert/strict";
import { decide, kvRateLimiter, pgRateLimiter, type RateLimiter, type Rule } from "./rate_limit.ts";
import { testDatabase } from "../../tests/_helpers/db.ts";

const backends: [string, () => Promise<{ limiter: RateLimiter; close: () => Promise<void> }>][] = [
  ["kv", async () => {
    const kv = await Deno.openKv(":memory:");
    return { limiter: kvRateLimiter(kv), close: () => Promise.resolve(kv.close()) };
  }],
  ["postgres", async () => {
    const db = await testDatabase();
    return { limiter: pgRateLimiter(db.sql), close: async () => await db[Symbol.asyncDispose]() };
  }],
];

const t0 = Date.UTC(2026, 0, 1);
/** Takes `n` times from the same buckets, sequentially; the allowed flags in order. */
async function burst(limiter: RateLimiter, n: number, buckets: [string, Rule][], now = t0) {
  const out: boolean[] = [];
  for (let i = 0; i < n; i++) {
    out.push((await limiter.take(buckets.map(([key, rule]) => ({ key, rule })), now)).allowed);
  }
  return out;
}

for (const [name, open] of backends) {
  Deno.test(`${name} rate limiter: a bucket allows its capacity, then refuses with the time to wait`, async () => {
    const { limiter, close } = await open();
    try {
      const rule = { capacity: 3, refillPerSec: 0.5 };
      const one = (key: string, now = t0) => limiter.take([{ key, rule }], now);
      const got = [];
      for (let i = 0; i < 4; i++) got.push(await one("send:u1"));
      assert.deepEqual(got.map((d) => d.allowed), [true, true, true, false]);
      assert.deepEqual(got.map((d) => d.remaining), [2, 1, 0, 0]);
      assert.equal(got[3]!.retryAfterMs, 2000, "one token comes back after 2 s at 0.5/s");
      assert.equal((await one("send:u2")).allowed, true, "buckets are per key");
      assert.equal((await one("send:u1", t0 + 1999)).allowed, false);
      assert.equal((await one("send:u1", t0 + 4000)).allowed, true, "tokens refill over time");
    } finally {
      await close();
    }
  });

  Deno.test(`${name} rate limiter: concurrent requests never exceed the budget`, async () => {
    const { limiter, close } = await open();
    try {
      const rule = { capacity: 5, refillPerSec: 0.001 };
      const ipRule = { capacity: 8, refillPerSec: 0.001 };
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          limiter.take([
            { key: `search:user:${i % 2}`, rule },
            { key: "search:ip:1", rule: ipRule },
          ], t0)),
      );
      assert.equal(results.filter((d) => d.allowed).length, 8, "the shared address caps both");
    } finally {
      await close();
    }
  });

  Deno.test(`${name} rate limiter: a refusal by the user's bucket spends nothing from the address's`, async () => {
    const { limiter, close } = await open();
    try {
      const user = { capacity: 2, refillPerSec: 0.001 };
      const ip = { capacity: 10, refillPerSec: 0.001 };
      // u1 sends 6: 2 pass, 4 are refused by u1's own bucket.
      assert.deepEqual(await burst(limiter, 6, [["user:u1", user], ["ip:A", ip]]), [
        true,
        true,
        false,
        false,
        false,
        false,
      ]);
      // The address spent 2, not 6: its other users still have 8 between them.
      const others = [];
      for (let u = 2; u <= 6; u++) {
        others.push(...await burst(limiter, 2, [[`user:u${u}`, user], ["ip:A", ip]]));
      }
      assert.deepEqual(others, [...Array(8).fill(true), false, false]);
    } finally {
      await close();
    }
  });

  Deno.test(`${name} rate limiter: a refusal by the address's bucket spends nothing from the user's`, async () => {
    const { limiter, close } = await open();
    try {
      const user = { capacity: 5, refillPerSec: 0.001 };
      const ip = { capacity: 3, refillPerSec: 0.001 };
      assert.deepEqual(
        await burst(limiter, 6, [["user:u1", user], ["ip:A", ip]]),
        [true, true, true, false, false, false],
      );
      // The same user from another address: 2 tokens left (5 - 3), not 0.
      assert.deepEqual(
        await burst(limiter, 3, [["user:u1", user], ["ip:B", ip]]),
        [true, true, false],
      );
    } finally {
      await close();
    }
  });
}

Deno.test("decide speaks for the tightest bucket: the refusing one, or the one with fewest left", () => {
  const user = { key: "u", rule: { capacity: 20, refillPerSec: 1 } };
  const ip = { key: "i", rule: { capacity: 100, refillPerSec: 5 } };
  assert.deepEqual(decide([user, ip], [20, 100]), {
    allowed: true,
    remaining: 19,
    retryAfterMs: 0,
    limit: 20,
  });
  assert.deepEqual(decide([user, ip], [20, 3]), {
    allowed: true,
    remaining: 2,
    retryAfterMs: 0,
    limit: 100,
  });
  assert.deepEqual(decide([user, ip], [0.5, 0]), {
    allowed: false,
    remaining: 0,
    retryAfterMs: 500,
    limit: 20,
  }, "both empty: wait for the slower (0.5 s for the user's, 0.2 s for the address's)");
});
