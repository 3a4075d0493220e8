/**
 * Guests (Supabase anonymous sign-ins: `is_anonymous` in the token) read, they do not write.
 * Every request that changes something is refused with 403 `forbidden` and a sentence saying
 * why, except the few that only concern the guest: joining and leaving public groups, read
 * receipts and thread read marks, and "last seen". The database refuses the same writes by
 * RLS (migration 20251124006400_anonymous_read_only.sql); this answers first, and clearly.
 */
import type { MiddlewareHandler } from "hono";
import { AppError, GUEST_READ_ONLY_MESSAGE } from "../../_shared/errors.ts";
import type { AuthEnv } from "./auth.ts";

/** Writes a guest may make: `METHOD path` below `/api`. */
const GUEST_WRITES = [
  /^POST \/channels\/[^/]+\/join$/,
  /^POST \/channels\/[^/]+\/leave$/,
  /^POST \/channels\/[^/]+\/receipts$/,
  /^POST \/messages\/[^/]+\/thread\/read$/,
  /^POST \/me\/seen$/,
];

const READS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * @example
 * app.use("*", requireUser(opts));
 * app.use("*", guestsReadOnly());
 */
export function guestsReadOnly(): MiddlewareHandler<AuthEnv> {
  return async function guestsReadOnlyMiddleware(c, next) {
    const claims = c.get("claims") as { is_anonymous?: unknown } | undefined;
    if (claims?.is_anonymous === true && !READS.has(c.req.method)) {
      const path = c.req.path.replace(/^\/api(?=\/)/, "");
      if (!GUEST_WRITES.some((re) => re.test(`${c.req.method} ${path}`))) {
        throw new AppError("forbidden", GUEST_READ_ONLY_MESSAGE);
      }
    }
    await next();
  };
}
