/**
 * Token-bucket rate limiting behind one interface, with two backends: Deno KV (atomic
 * check-and-set on a versionstamp) where the runtime has it, and Postgres (one locking SQL
 * function) on Supabase's hosted edge runtime, which has no Deno.openKv. Chosen at start-up.
 */
import type { Sql } from "./db.ts";

export interface Rule {
  /** Burst size. */
  capacity: number;
  /** Tokens added per second. */
  refillPerSec: number;
}

export interface Decision {
  allowed: boolean;
  /** Whole tokens left after this request. */
  remaining: number;
  /** When refused: how long until one token is back. */
  retryAfterMs: number;
  limit: number;
}

export interface RateLimiter {
  readonly backend: "kv" | "postgres";
  take(key: string, rule: Rule, now?: number): Promise<Decision>;
}

/**
 * @example
 * const limiter = kvRateLimiter(await Deno.openKv(":memory:"));
 * const d = await limiter.take("send:user:42", { capacity: 10, refillPerSec: 1 });
 */
export function kvRateLimiter(kv: Deno.Kv): RateLimiter {
  return {
    backend: "kv",
    async take(key, rule, now = Date.now()) {
      const k = ["rate_limit", key];
      // Optimistic: on a lost race read again. With n concurrent takers each round has a winner,
      // so n rounds always suffice; a little jitter keeps the losers from colliding again.
      for (let attempt = 0; attempt < 1000; attempt++) {
        if (attempt > 0) {
          await new Promise((r) => setTimeout(r, Math.random() * Math.min(attempt, 10)));
        }
        const cur = await kv.get<{ tokens: number; ts: number }>(k);
        const st = cur.value ?? { tokens: rule.capacity, ts: now };
        const avail = Math.min(
          rule.capacity,
          st.tokens + Math.max(0, now - st.ts) / 1000 * rule.refillPerSec,
        );
        const allowed = avail >= 1;
        const next = { tokens: allowed ? avail - 1 : avail, ts: Math.max(st.ts, now) };
        const expireIn = Math.ceil((rule.capacity / rule.refillPerSec) * 1000) + 60_000;
        const res = await kv.atomic().check(cur).set(k, next, { expireIn }).commit();
        if (!res.ok) continue; // someone else took a token meanwhile: read again
        return {
          allowed,
          remaining: Math.floor(next.tokens),
          retryAfterMs: allowed ? 0 : Math.ceil((1 - avail) / rule.refillPerSec * 1000),
          limit: rule.capacity,
        };
      }
      // Extreme contention on one bucket: refuse rather than let requests through unchecked.
      return { allowed: false, remaining: 0, retryAfterMs: 1000, limit: rule.capacity };
    },
  };
}

export function pgRateLimiter(sql: Sql): RateLimiter {
  return {
    backend: "postgres",
    async take(key, rule, now = Date.now()) {
      const [r] = await sql<{ allowed: boolean; remaining: number; retry_after_ms: number }[]>`
        select * from private.rate_limit_take(${key}, ${rule.capacity}, ${rule.refillPerSec}, ${new Date(
        now,
      )})`;
      return {
        allowed: r!.allowed,
        remaining: Math.floor(r!.remaining),
        retryAfterMs: r!.retry_after_ms,
        limit: rule.capacity,
      };
    },
  };
}
