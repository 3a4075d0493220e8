/**
 * Who may use the staff routes, asked of the database as the caller: their role
 * (`private.app_role`), that they are active, and, once they have a verified MFA factor, that
 * this session passed it (aal2, `private.mfa_satisfied()` of migration
 * 20251124006500_admin_requires_aal2.sql). The policies ask the same through
 * `private.is_admin()` / `is_moderator()`; answering here first turns "no rows" into a clear
 * 403: `forbidden` for the wrong role, `insufficient_aal` for staff who owe their second factor.
 */
import type { MiddlewareHandler } from "hono";
import { AppError } from "../_shared/errors.ts";
import type { AuthEnv } from "./middleware/auth.ts";
import type { callerRunner } from "./caller.ts";

export type StaffRole = "moderator" | "admin";

/**
 * @example
 * app.post("/admin/blocked-terms", requireRole(run, "admin"), handler);
 */
export function requireRole(
  run: ReturnType<typeof callerRunner>,
  ...roles: StaffRole[]
): MiddlewareHandler<AuthEnv> {
  return async function requireRoleMiddleware(c, next) {
    const [r] = await run(
      c,
      "read",
      (tx) =>
        tx<{ role: string; active: boolean; mfa: boolean }[]>`
          select private.app_role(auth.uid()) as role, private.is_active_caller() as active,
            private.mfa_satisfied() as mfa`,
    );
    if (!r?.active || !roles.includes(r.role as StaffRole)) {
      throw new AppError("forbidden", `Only ${roles.join(" or ")}s may do this`);
    }
    if (!r.mfa) {
      throw new AppError(
        "insufficient_aal",
        "Verify your second factor first: staff actions need the code of your authenticator app",
      );
    }
    await next();
  };
}
