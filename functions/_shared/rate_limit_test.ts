/** One suite, both backends: the Deno KV limiter and the Postgres one behave the same. */
import assert from "node:assert/strict";
import { kvRateLimiter, pgRateLimiter, type RateLimiter } from "./rate_limit.ts";
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

for (const [name, open] of backends) {
  Deno.test(`${name} rate limiter: a bucket allows its capacity, then refuses with the time to wait`, async () => {
    const { limiter, close } = await open();
    try {
      const t0 = Date.UTC(2026, 0, 1);
      const rule = { capacity: 3, refillPerSec: 0.5 };
      const got = [];
      for (let i = 0; i < 4; i++) got.push(await limiter.take("send:u1", rule, t0));
      assert.deepEqual(got.map((d) => d.allowed), [true, true, true, false]);
      assert.deepEqual(got.map((d) => d.remaining), [2, 1, 0, 0]);
      assert.equal(got[3]!.retryAfterMs, 2000, "one token comes back after 2 s at 0.5/s");
      assert.equal((await limiter.take("send:u2", rule, t0)).allowed, true, "buckets are per key");
      assert.equal((await limiter.take("send:u1", rule, t0 + 1999)).allowed, false);
      assert.equal(
        (await limiter.take("send:u1", rule, t0 + 4000)).allowed,
        true,
        "tokens refill over time",
      );
    } finally {
      await close();
    }
  });

  Deno.test(`${name} rate limiter: concurrent requests never exceed the budget`, async () => {
    const { limiter, close } = await open();
    try {
      const t0 = Date.UTC(2026, 0, 1);
      const results = await Promise.all(
        Array.from(
          { length: 20 },
          () => limiter.take("search:ip:1", { capacity: 5, refillPerSec: 0.001 }, t0),
        ),
      );
      assert.equal(results.filter((d) => d.allowed).length, 5);
    } finally {
      await close();
    }
  });
}
