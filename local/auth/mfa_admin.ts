/**
 * The admin API's factor routes (service_role; supabase/auth `admin.go`), as auth-js calls
 * them for `auth.admin.mfa.listFactors({ userId })` and `deleteFactor({ userId, id })`:
 * `GET /admin/users/:id/factors` and `DELETE /admin/users/:id/factors/:factorId`. Deleting a
 * factor takes the sessions it raised back to aal1. Mounted inside adminRoutes, behind its
 * service-role check.
 */
import { Hono } from "hono";
import { AuthError } from "./errors.ts";
import type { AuthCtx } from "./context.ts";
import { findUserById } from "./users.ts";
import { deleteFactor, factorJson, factorsOf, ownedFactor } from "./mfa_factors.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function loadUser(ctx: AuthCtx, id: string) {
  if (!UUID.test(id)) throw new AuthError(404, "validation_failed", "user_id must be an UUID");
  const user = await findUserById(ctx.sql, id);
  if (!user) throw new AuthError(404, "user_not_found", "User not found");
  return user;
}

export function adminFactorRoutes(ctx: AuthCtx) {
  const app = new Hono();

  app.get("/admin/users/:id/factors", async (c) => {
    const user = await loadUser(ctx, c.req.param("id"));
    return c.json((await factorsOf(ctx.sql, user.id)).map(factorJson));
  });

  app.delete("/admin/users/:id/factors/:factorId", async (c) => {
    const user = await loadUser(ctx, c.req.param("id"));
    const factorId = c.req.param("factorId");
    if (!UUID.test(factorId)) {
      throw new AuthError(404, "validation_failed", "factor_id must be an UUID");
    }
    const factor = await ownedFactor(ctx.sql, user.id, factorId);
    if (!factor) throw new AuthError(404, "mfa_factor_not_found", "Factor not found");
    await ctx.sql.begin((tx) => deleteFactor(tx, factor));
    return c.json(factorJson(factor));
  });

  return app;
}
