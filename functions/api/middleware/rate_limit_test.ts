/**
 * The rate-limit middleware through a Hono app: users behind one address (NAT) share its
 * bucket without one user's refused burst spending it for the others.
 */
import assert from "node:assert/strict";
import { Hono } from "hono";
import { AppError, ERROR_CODES } from "../../_shared/errors.ts";
import { RATE_LIMITS } from "../../_shared/limits.ts";
import { kvRateLimiter, unlimited, withRules } from "../../_shared/rate_limit.ts";
import type { AuthEnv } from "./auth.ts";
import { rateLimit } from "./rate_limit.ts";

function appWith(limiter: Parameters<typeof rateLimit>[0]) {
  const app = new Hono<AuthEnv>();
  app.use("*", async (c, next) => {
    c.set("userId", c.req.header("x-user") ?? undefined);
    await next();
  });
  app.post("/send", rateLimit(limiter, "send"), (c) => c.text("sent"));
  app.onError((err, c) => {
    if (!(err instanceof AppError)) throw err;
    for (const [k, v] of Object.entries(err.headers)) c.header(k, v);
    return c.json({ error: { code: err.code } }, ERROR_CODES[err.code]);
  });
  const send = (user: string, ip: string) =>
    app.request("/send", { method: "POST", headers: { "x-user": user, "x-forwarded-for": ip } });
  return { send };
}

async function statuses(send: () => Response | Promise<Response>, n: number) {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await send()).status);
  return out;
}

// Hardly any refill while the test runs, so the counts are exact.
const rules = { ...RATE_LIMITS, send: { capacity: 4, refillPerSec: 0.0001 } };

Deno.test("rateLimit: one user's burst does not block a neighbour behind the same address", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const { send } = appWith(withRules(kvRateLimiter(kv), rules));
    // The address's bucket holds 5 × 4 = 20. Alice fires 50: 4 pass, 46 are hers to lose.
    const alice = await statuses(() => send("alice", "203.0.113.7"), 50);
    assert.equal(alice.filter((s) => s === 200).length, 4);
    assert.equal(alice.filter((s) => s === 429).length, 46);
    // Bob behind the same NAT still has his whole bucket: the address spent only 4.
    const bob = await statuses(() => send("bob", "203.0.113.7"), 5);
    assert.deepEqual(bob, [200, 200, 200, 200, 429]);
  } finally {
    kv.close();
  }
});

Deno.test("rateLimit: the address's bucket still caps everyone behind it at its own capacity", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const { send } = appWith(withRules(kvRateLimiter(kv), rules));
    let passed = 0;
    for (let u = 0; u < 8; u++) {
      passed += (await statuses(() => send(`user${u}`, "203.0.113.8"), 4))
        .filter((s) => s === 200).length;
    }
    assert.equal(passed, 20, "8 users × 4 tokens, capped by the address's 20");
    const refused = await send("user9", "203.0.113.8");
    assert.equal(refused.status, 429);
    assert.ok(Number(refused.headers.get("retry-after")) >= 1);
    assert.equal(refused.headers.get("ratelimit-limit"), "20", "the address's bucket refused");
    // user9 was refused by the address alone: its own bucket is whole, as another address shows.
    assert.deepEqual(await statuses(() => send("user9", "198.51.100.1"), 5), [
      200,
      200,
      200,
      200,
      429,
    ]);
  } finally {
    kv.close();
  }
});

Deno.test("rateLimit: the limiter's own rules apply, and API_RATE_LIMITS=off lets everything through", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const strict = appWith(
      withRules(kvRateLimiter(kv), { ...rules, send: { capacity: 1, refillPerSec: 0.0001 } }),
    );
    assert.deepEqual(await statuses(() => strict.send("carol", "192.0.2.1"), 2), [200, 429]);
    const off = appWith(unlimited);
    const all = await statuses(() => off.send("carol", "192.0.2.1"), 200);
    assert.ok(all.every((s) => s === 200));
  } finally {
    kv.close();
  }
});
