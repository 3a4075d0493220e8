/**
 * Recovery of two-factor authentication through an admin: someone who lost their
 * authenticator asks an admin, who removes their factors (they sign in with the password and
 * may enrol again). The database says who may (staff.ts: an active admin, at aal2 once they
 * have a factor themselves); Auth's admin API removes the factors, as it owns the `auth`
 * schema (`authFactorReset` in `_shared/auth_admin.ts`).
 */
import { Hono } from "hono";
import type { ResetFactors } from "../_shared/auth_admin.ts";
import type { Sql } from "../_shared/db.ts";
import type { RateLimiter } from "../_shared/rate_limit.ts";
import type { AuthEnv } from "./middleware/auth.ts";
import { callerRunner } from "./caller.ts";
import { requireRole } from "./staff.ts";
import { rateLimit } from "./middleware/rate_limit.ts";
import { doc } from "./docs.ts";
import { parse, uuid } from "./validate.ts";

export function adminFactorRoutes(
  { sql, limiter, resetFactors }: { sql: Sql; limiter: RateLimiter; resetFactors: ResetFactors },
) {
  const app = new Hono<AuthEnv>();

  app.post(
    "/admin/users/:id/mfa/reset",
    doc("Remove a user's two-factor authentication factors (admins at aal2)"),
    rateLimit(limiter, "write"),
    requireRole(callerRunner(sql), "admin"),
    async (c) => {
      const id = parse(uuid, c.req.param("id"));
      return c.json({ id, removed: await resetFactors(id) });
    },
  );

  return app;
}
