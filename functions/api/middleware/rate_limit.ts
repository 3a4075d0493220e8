/**
 * Per-action rate limits on every write and on search: one token bucket per user and one per
 * IP, taken together: a request takes a token from both or from neither, so one refusing
 * spends nothing from the other. A refusal answers 429 with `Retry-After` and the
 * `RateLimit-*` headers. The rules come from the limiter (API_RATE_LIMITS), else the defaults
 * in `limits.ts`.
 */
import type { Context, MiddlewareHandler } from "hono";
import { AppError } from "../../_shared/errors.ts";
import { PER_IP_FACTOR, RATE_LIMITS, type RateAction } from "../../_shared/limits.ts";
import type { RateLimiter, Rule } from "../../_shared/rate_limit.ts";
import type { AuthEnv } from "./auth.ts";

export type Action = RateAction;

const perIp = (r: Rule): Rule => ({
  capacity: r.capacity * PER_IP_FACTOR,
  refillPerSec: r.refillPerSec * PER_IP_FACTOR,
});

export function clientIp(c: Context): string {
  const fwd = c.req.header("x-forwarded-for")?.split(",")[0]?.trim();
  // deno-lint-ignore no-explicit-any
  return fwd || ((c.env as any)?.remoteAddr?.hostname as string | undefined) || "unknown";
}

export function rateLimit(
  limiter: RateLimiter,
  action: Action,
  rules: Readonly<Record<Action, Rule>> = limiter.rules ?? RATE_LIMITS,
) {
  const rule = rules[action];
  const ipRule = perIp(rule);
  return async function rateLimitMiddleware(c, next) {
    const d = await limiter.take([
      { key: `${action}:user:${c.get("userId") ?? "anonymous"}`, rule },
      { key: `${action}:ip:${clientIp(c)}`, rule: ipRule },
    ]);
    const headers = {
      "RateLimit-Limit": String(d.limit),
      "RateLimit-Remaining": String(d.remaining),
      "RateLimit-Reset": String(Math.ceil(d.retryAfterMs / 1000)),
    };
    if (!d.allowed) {
      throw new AppError("rate_limited", `Too many ${action} requests; try again later`, {
        headers: {
          ...headers,
          "Retry-After": String(Math.max(1, Math.ceil(d.retryAfterMs / 1000))),
        },
      });
    }
    if (limiter.backend !== "off") { for (const [k, v] of Object.entries(headers)) c.header(k, v); }
    await next();
  } satisfies MiddlewareHandler<AuthEnv>;
}
