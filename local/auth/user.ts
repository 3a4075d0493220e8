/** GET/PUT /user and POST /logout (supabase/auth `user.go`, `logout.go`). */
import { type Context, Hono } from "hono";
import type postgres from "postgres";
import { AuthError, badRequest, unprocessable } from "./errors.ts";
import { checkPassword } from "./password.ts";
import {
  type AuthCtx,
  bearerClaims,
  clientIp,
  type JwtClaims,
  readJson,
  str,
  validEmail,
} from "./context.ts";
import { assertEmailFree, sendEmailChange } from "./email_change.ts";
import { createFlowState, pkceOf, redirectTarget } from "./flows.ts";
import { findUserById, identitiesOf, passwordMatches, userJson, type UserRow } from "./users.ts";
import { reauthentication } from "./reauth.ts";

/** The signed-in caller: a valid JWT whose session and user still exist. */
async function caller(ctx: AuthCtx, c: Context): Promise<{ claims: JwtClaims; user: UserRow }> {
  const claims = await bearerClaims(c, ctx.cfg);
  const user = claims.sub ? await findUserById(ctx.sql, claims.sub) : undefined;
  if (!user) {
    throw new AuthError(403, "user_not_found", "User from sub claim in JWT does not exist");
  }
  if (claims.session_id) {
    const [s] = await ctx.sql`select 1 from auth.sessions where id = ${claims.session_id}`;
    if (!s) {
      throw new AuthError(
        403,
        "session_not_found",
        "Session from session_id claim in JWT does not exist",
      );
    }
  }
  return { claims, user };
}

export function userRoutes(ctx: AuthCtx) {
  const app = new Hono();
  const reauth = reauthentication(ctx, (c) => caller(ctx, c));
  app.route("/", reauth.routes); // GET /reauthenticate

  app.get("/user", async (c) => {
    const { user } = await caller(ctx, c);
    return c.json(userJson(user, await identitiesOf(ctx.sql, user.id)));
  });

  app.put("/user", async (c) => {
    const { claims, user } = await caller(ctx, c);
    const body = await readJson(c);
    const password = str(body.password);
    const data = body.data;
    if (data !== undefined && (data === null || typeof data !== "object" || Array.isArray(data))) {
      throw badRequest("validation_failed", "data must be an object");
    }
    const wanted = body.email !== undefined ? validEmail(str(body.email)).toLowerCase() : undefined;
    const newEmail = wanted !== undefined && wanted !== user.email?.toLowerCase()
      ? wanted
      : undefined;
    const updated = await ctx.sql.begin(async (tx) => {
      if (newEmail) {
        await assertEmailFree(tx, newEmail, user.id);
        if (ctx.cfg.confirmEmail) {
          const redirect = redirectTarget(ctx, c.req.query("redirect_to") ?? str(body.redirect_to));
          await sendEmailChange(
            ctx,
            tx,
            user,
            newEmail,
            redirect,
            pkceOf(body),
            clientIp(c),
            createFlowState,
          );
        } else {
          // Mails are not confirmed on this instance (GoTrue's autoconfirm): change it now.
          await tx`update auth.users set email = ${newEmail}, updated_at = now() where id = ${user.id}`;
          await tx`update auth.identities set identity_data = identity_data || ${
            tx.json({ email: newEmail })
          }, updated_at = now() where user_id = ${user.id} and provider = 'email'`;
        }
      }
      if (password !== undefined) {
        checkPassword(password, { minLength: ctx.cfg.minPasswordLength });
        await reauth.checkPasswordChange(tx, claims, user, str(body.nonce));
        if (await passwordMatches(tx, user.encrypted_password, password)) {
          throw unprocessable(
            "same_password",
            "New password should be different from the old password.",
          );
        }
        await tx`update auth.users set encrypted_password = extensions.crypt(${password}, extensions.gen_salt('bf', 10)),
                   updated_at = now() where id = ${user.id}`;
      }
      if (data) {
        // Top-level keys merge into user_metadata; a null value removes the key.
        await tx`update auth.users set raw_user_meta_data = jsonb_strip_nulls(
                   coalesce(raw_user_meta_data, '{}'::jsonb) || ${
          tx.json(data as postgres.JSONValue)
        }),
                   updated_at = now() where id = ${user.id}`;
      }
      const [u] = await tx<UserRow[]>`select * from auth.users where id = ${user.id}`;
      return u!;
    });
    return c.json(userJson(updated, await identitiesOf(ctx.sql, user.id)));
  });

  app.post("/logout", async (c) => {
    const scope = c.req.query("scope") ?? "global";
    if (!["global", "local", "others"].includes(scope)) {
      throw badRequest("validation_failed", `Unsupported logout scope "${scope}"`);
    }
    const { claims, user } = await caller(ctx, c);
    const sid = claims.session_id ?? null;
    if (scope === "global") await ctx.sql`delete from auth.sessions where user_id = ${user.id}`;
    else if (scope === "local") await ctx.sql`delete from auth.sessions where id = ${sid}`;
    else {await ctx
        .sql`delete from auth.sessions where user_id = ${user.id} and id is distinct from ${sid}`;}
    return c.body(null, 204);
  });

  return app;
}
