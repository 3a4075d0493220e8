/**
 * Admins invite people by email: Auth creates the account and mails the invite, whose link
 * lets the invitee choose a password (web `SetPassword.tsx`). Who may is asked of the database
 * as the caller (staff.ts: an active admin, at aal2 once they have a second factor).
 */
import { Hono } from "hono";
import { z } from "zod";
import type { InviteUser } from "../_shared/auth_admin.ts";
import type { Sql } from "../_shared/db.ts";
import type { RateLimiter } from "../_shared/rate_limit.ts";
import type { AuthEnv } from "./middleware/auth.ts";
import { callerRunner } from "./caller.ts";
import { requireRole } from "./staff.ts";
import { rateLimit } from "./middleware/rate_limit.ts";
import { doc } from "./docs.ts";
import { body } from "./validate.ts";

export const InviteBody = z.object({
  email: z.string().trim().toLowerCase().max(255).pipe(z.email("must be an email address")),
});

export function inviteRoutes(
  { sql, limiter, invite }: { sql: Sql; limiter: RateLimiter; invite: InviteUser },
) {
  const app = new Hono<AuthEnv>();
  const run = callerRunner(sql);

  app.post(
    "/admin/invites",
    doc("Invite someone by email (admins)", { body: InviteBody }),
    rateLimit(limiter, "write"),
    requireRole(run, "admin"),
    async (c) => {
      const { email } = await body(c, InviteBody);
      const user = await invite(email);
      return c.json({ invited: user }, 201);
    },
  );

  return app;
}
