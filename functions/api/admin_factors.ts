/**
 * Recovery of two-factor authentication through an admin: someone who lost their
 * authenticator asks an admin, who removes their factors (they sign in with the password and
 * may enrol again). The database decides who may (`private.reset_mfa`: admins, at aal2 once
 * they have a factor themselves) and does what Auth's admin API does when it deletes a factor.
 */
import { Hono } from "hono";
import type { Sql } from "../_shared/db.ts";
import type { RateLimiter } from "../_shared/rate_limit.ts";
import type { AuthEnv } from "./middleware/auth.ts";
import { callerRunner } from "./caller.ts";
import { rateLimit } from "./middleware/rate_limit.ts";
import { doc } from "./docs.ts";
import { parse, uuid } from "./validate.ts";

export function adminFactorRoutes({ sql, limiter }: { sql: Sql; limiter: RateLimiter }) {
  const app = new Hono<AuthEnv>();
  const run = callerRunner(sql);

  app.post(
    "/admin/users/:id/mfa/reset",
    doc("Remove a user's two-factor authentication factors (admins at aal2)"),
    rateLimit(limiter, "write"),
    async (c) => {
      const id = parse(uuid, c.req.param("id"));
      const [r] = await run(
        c,
        "write",
        (tx) => tx<{ removed: number }[]>`select private.reset_mfa(${id}) as removed`,
      );
      return c.json({ id, removed: r?.removed ?? 0 });
    },
  );

  return app;
}
