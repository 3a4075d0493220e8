/**
 * Token-bucket rate limiting behind one interface, with two backends: Deno KV (one atomic
 * commit checked against the versionstamps read) where the runtime has it, and Postgres (one
 * locking SQL function) on Supabase's hosted edge runtime, which has no Deno.openKv. Chosen at
 * start-up.
 *
 * A request is charged to several buckets at once (its user's and its address's): it takes one
 * token from each, or none from any, so that a refusal by one bucket spends nothing from the
 * others. Otherwise one user's burst drains the shared address bucket for a neighbour behind the
 * same NAT, and a busy address drains its users' own buckets.
 */
import type { Sql } from "./db.ts";
import type { RateAction, RateRule } from "./limits.ts";

export type Rule = RateRule;

export interface Bucket {
  key: string;
  rule: Rule;
}

/** The verdict on one request, as seen by its tightest bucket. */
export interface Decision {
  allowed: boolean;
  /** Whole tokens left after this request, in the bucket with fewest left. */
  remaining: number;
  /** When refused: how long until every bucket has a token again. */
  retryAfterMs: number;
  /** Capacity of the bucket that decided (the refusing one, or the one with fewest left). */
  limit: number;
}

export interface RateLimiter {
  readonly backend: "kv" | "postgres" | "off";
  /** The per-action rules to enforce (API_RATE_LIMITS); `RATE_LIMITS` when absent. */
  readonly rules?: Readonly<Record<RateAction, Rule>>;
  /** Takes one token from every bucket if each has one, and otherwise from none. */
  take(buckets: readonly Bucket[], now?: number): Promise<Decision>;
}

/**
 * The decision from each bucket's tokens before the take (refilled up to `now`).
 *
 * @example
 * decide([{ key: "a", rule: { capacity: 5, refillPerSec: 1 } }], [0.5]);
 * // { allowed: false, remaining: 0, retryAfterMs: 500, limit: 5 }
 */
export function decide(buckets: readonly Bucket[], avails: readonly number[]): Decision {
  const allowed = avails.every((a) => a >= 1);
  let speaker = 0;
  let retryAfterMs = 0;
  let remaining = Infinity;
  buckets.forEach((b, i) => {
    const avail = avails[i]!;
    const left = Math.floor(allowed ? avail - 1 : avail);
    if (!allowed && avail < 1) {
      const wait = Math.ceil((1 - avail) / b.rule.refillPerSec * 1000);
      if (wait > retryAfterMs) [retryAfterMs, speaker] = [wait, i];
    } else if (allowed && left < remaining) speaker = i;
    remaining = Math.min(remaining, left);
  });
  return {
    allowed,
    remaining: Number.isFinite(remaining) ? Math.max(0, remaining) : 0,
    retryAfterMs,
    limit: buckets[speaker]?.rule.capacity ?? 0,
  };
}

interface State {
  tokens: number;
  ts: number;
}

const refilled = (st: State | null, rule: Rule, now: number) =>
  st
    ? Math.min(rule.capacity, st.tokens + Math.max(0, now - st.ts) / 1000 * rule.refillPerSec)
    : rule.capacity;

/**
 * @example
 * const limiter = kvRateLimiter(await Deno.openKv(":memory:"));
 * const rule = { capacity: 10, refillPerSec: 1 };
 * const d = await limiter.take([{ key: "send:user:42", rule }, { key: "send:ip:1.2.3.4", rule }]);
 */
export function kvRateLimiter(kv: Deno.Kv): RateLimiter {
  return {
    backend: "kv",
    async take(buckets, now = Date.now()) {
      const keys = buckets.map((b) => ["rate_limit", b.key]);
      // Optimistic: on a lost race read again. With n concurrent takers each round has a winner,
      // so n rounds always suffice; a little jitter keeps the losers from colliding again.
      for (let attempt = 0; attempt < 1000; attempt++) {
        if (attempt > 0) {
          await new Promise((r) => setTimeout(r, Math.random() * Math.min(attempt, 10)));
        }
        const cur = await kv.getMany<State[]>(keys);
        const avails = buckets.map((b, i) => refilled(cur[i]!.value, b.rule, now));
        const d = decide(buckets, avails);
        // A refusal writes nothing: no bucket pays for a request that was not served.
        if (!d.allowed) return d;
        let op = kv.atomic();
        buckets.forEach((b, i) => {
          const expireIn = Math.ceil((b.rule.capacity / b.rule.refillPerSec) * 1000) + 60_000;
          const ts = Math.max(cur[i]!.value?.ts ?? now, now);
          op = op.check(cur[i]!).set(keys[i]!, { tokens: avails[i]! - 1, ts }, { expireIn });
        });
        if ((await op.commit()).ok) return d;
      }
      // Extreme contention on one bucket: refuse rather than let requests through unchecked.
      return {
        allowed: false,
        remaining: 0,
        retryAfterMs: 1000,
        limit: buckets[0]?.rule.capacity ?? 0,
      };
    },
  };
}

/** The same on Postgres: `private.rate_limit_take_all` locks the rows and decides in one call. */
export function pgRateLimiter(sql: Sql): RateLimiter {
  return {
    backend: "postgres",
    async take(buckets, now = Date.now()) {
      const [r] = await sql<{ avails: number[] }[]>`
        select private.rate_limit_take_all(
          ${buckets.map((b) => b.key)}::text[],
          ${buckets.map((b) => b.rule.capacity)}::double precision[],
          ${buckets.map((b) => b.rule.refillPerSec)}::double precision[],
          ${new Date(now)}
        ) as avails`;
      return decide(buckets, r!.avails.map(Number));
    },
  };
}

/** API_RATE_LIMITS=off: every request passes (benchmarks, fuzzers; never in production). */
export const unlimited: RateLimiter = {
  backend: "off",
  take: () => Promise.resolve({ allowed: true, remaining: 0, retryAfterMs: 0, limit: 0 }),
};

/** The same backend, enforcing other per-action rules (API_RATE_LIMITS). */
export const withRules = (
  limiter: RateLimiter,
  rules: Readonly<Record<RateAction, Rule>>,
): RateLimiter => ({ backend: limiter.backend, rules, take: (b, now) => limiter.take(b, now) });
