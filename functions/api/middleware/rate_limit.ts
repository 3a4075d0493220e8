/**
 * Per-action rate limits on every write and on search: one token bucket per user and one per
 * IP; either refusing answers 429 with `Retry-After` and the `RateLimit-*` headers.
 */
import type { Context, MiddlewareHandler } from "hono";
import { AppError } from "../../_shared/errors.ts";
import type { RateLimiter, Rule } from "../../_shared/rate_limit.ts";
import type { AuthEnv } from "./auth.ts";

export type Action =
  | "send"
  | "edit"
  | "react"
  | "search"
  | "upload"
  | "report"
  | "receipt"
  | "write";

export const RULES: Record<Action, Rule> = {
  send: { capacity: 20, refillPerSec: 1 },
  edit: { capacity: 20, refillPerSec: 0.5 },
  react: { capacity: 30, refillPerSec: 1 },
  search: { capacity: 10, refillPerSec: 0.5 },
  upload: { capacity: 10, refillPerSec: 0.2 },
  report: { capacity: 5, refillPerSec: 0.05 },
  // A reader in a busy channel moves its watermarks often (clients coalesce to about 1/s).
  receipt: { capacity: 60, refillPerSec: 2 },
  write: { capacity: 30, refillPerSec: 1 },
};

/** Several users can share an address (NAT): the per-IP bucket is five times larger. */
const perIp = (r: Rule): Rule => ({ capacity: r.capacity * 5, refillPerSec: r.refillPerSec * 5 });

export function clientIp(c: Context): string {
  const fwd = c.req.header("x-forwarded-for")?.split(",")[0]?.trim();
  // deno-lint-ignore no-explicit-any
  return fwd || ((c.env as any)?.remoteAddr?.hostname as string | undefined) || "unknown";
}

export function rateLimit(
  limiter: RateLimiter,
  action: Action,
  rules: Record<Action, Rule> = RULES,
) {
  const rule = rules[action];
  return async function rateLimitMiddleware(c, next) {
    const [byUser, byIp] = await Promise.all([
      limiter.take(`${action}:user:${c.get("userId") ?? "anonymous"}`, rule),
      limiter.take(`${action}:ip:${clientIp(c)}`, perIp(rule)),
    ]);
    const refused = [byUser, byIp].find((d) => !d.allowed);
    const headers = {
      "RateLimit-Limit": String(byUser.limit),
      "RateLimit-Remaining": String(Math.min(byUser.remaining, byIp.remaining)),
      "RateLimit-Reset": String(Math.ceil((refused?.retryAfterMs ?? 0) / 1000)),
    };
    if (refused) {
      throw new AppError("rate_limited", `Too many ${action} requests; try again later`, {
        headers: {
          ...headers,
          "Retry-After": String(Math.max(1, Math.ceil(refused.retryAfterMs / 1000))),
        },
      });
    }
    for (const [k, v] of Object.entries(headers)) c.header(k, v);
    await next();
  } satisfies MiddlewareHandler<AuthEnv>;
}
