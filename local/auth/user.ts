/**
 * GET/PUT /user and POST /logout, as supabase/auth `user.go` and `logout.go` do them.
 *
 * `PUT /user` (`updateUser`) checks in GoTrue's order: the email and the password rules, no
 * `app_metadata` from a user, aal2 to change the email or password once a factor is verified,
 * no password for an anonymous user who has no email yet, the address free, reauthentication
 * and a new password. A new address is confirmed by mail (email_change.ts), except for an
 * anonymous user while confirmations are off: it is theirs at once, as at a sign-up. Either
 * way the anonymous user then becomes a permanent one with an email identity.
 */
import { Hono } from "hono";
import type postgres from "postgres";
import { AuthError, badRequest, unprocessable } from "./errors.ts";
import { checkPassword } from "./password.ts";
import { type AuthCtx, clientIp, readJson, record, str, validEmail } from "./context.ts";
import { type Caller, signedInUser } from "./caller.ts";
import { assertEmailFree, confirmEmailChange, sendEmailChange } from "./email_change.ts";
import { pkceOf } from "./flow_state.ts";
import { redirectTarget } from "./redirects.ts";
import { factorsOf } from "./mfa_factors.ts";
import { clearOneTimeTokens, identitiesOf, passwordMatches, type Tx, userJson } from "./users.ts";
import { reauthentication } from "./reauth.ts";

interface UserUpdate {
  email: string | undefined;
  password: string | undefined;
  data: Record<string, unknown> | undefined;
}

/** Reads and checks PUT /user's body (GoTrue's validateUserUpdateParams and after). */
async function readUpdate(ctx: AuthCtx, me: Caller, body: Record<string, unknown>) {
  const { user, session } = me;
  if (body.data !== undefined && body.data !== null && !record(body.data)) {
    throw badRequest("validation_failed", "data must be an object");
  }
  const wanted = str(body.email) ? validEmail(str(body.email)) : undefined;
  const password = str(body.password);
  if (password !== undefined) checkPassword(password, ctx.cfg.password);
  if (body.app_metadata !== undefined && body.app_metadata !== null) {
    throw new AuthError(403, "not_admin", "Updating app_metadata requires admin privileges");
  }
  const update: UserUpdate = {
    email: wanted !== undefined && wanted !== user.email?.toLowerCase() ? wanted : undefined,
    password,
    data: record(body.data),
  };
  if ((password || update.email) && session?.aal !== "aal2") {
    const factors = await factorsOf(ctx.sql, user.id);
    if (factors.some((f) => f.status === "verified")) {
      throw new AuthError(
        401,
        "insufficient_aal",
        "AAL2 session is required to update email or password when MFA is enabled.",
      );
    }
  }
  if (user.is_anonymous && password && !wanted && !str(body.phone)) {
    throw unprocessable(
      "validation_failed",
      "Updating password of an anonymous user without an email or phone is not allowed",
    );
  }
  return update;
}

/**
 * A new password, as GoTrue's UpdatePassword: pending tokens are voided and the user's other
 * sessions end (whoever changed it keeps theirs).
 */
async function setPassword(tx: Tx, me: Caller, password: string): Promise<void> {
  await tx`update auth.users set encrypted_password = extensions.crypt(${password}, extensions.gen_salt('bf', 10)),
             confirmation_token = '', confirmation_sent_at = null, recovery_token = '',
             recovery_sent_at = null, email_change_token_current = '', email_change_token_new = '',
             email_change_sent_at = null, reauthentication_token = '',
             reauthentication_sent_at = null, updated_at = now()
           where id = ${me.user.id}`;
  await clearOneTimeTokens(tx, me.user.id);
  await tx`delete from auth.sessions
           where user_id = ${me.user.id} and id is distinct from ${me.session?.id ?? null}`;
}

export function userRoutes(ctx: AuthCtx) {
  const app = new Hono();
  const reauth = reauthentication(ctx);
  app.route("/", reauth.routes); // GET /reauthenticate

  app.get("/user", async (c) => {
    const { user } = await signedInUser(ctx, c);
    return c.json(userJson(user, await identitiesOf(ctx.sql, user.id)));
  });

  app.put("/user", async (c) => {
    const me = await signedInUser(ctx, c);
    const { user } = me;
    const body = await readJson(c);
    const { email, password, data } = await readUpdate(ctx, me, body);
    const updated = await ctx.sql.begin(async (tx) => {
      if (email) await assertEmailFree(tx, email, user.id);
      if (password !== undefined) {
        await reauth.checkPasswordChange(tx, me, str(body.nonce));
        if (await passwordMatches(tx, user.encrypted_password, password)) {
          throw unprocessable(
            "same_password",
            "New password should be different from the old password.",
          );
        }
        await setPassword(tx, me, password);
      }
      if (data) {
        // Top-level keys merge into user_metadata; a null value removes the key.
        await tx`update auth.users set raw_user_meta_data = jsonb_strip_nulls(
                   coalesce(raw_user_meta_data, '{}'::jsonb) || ${
          tx.json(data as postgres.JSONValue)
        }), updated_at = now() where id = ${user.id}`;
      }
      if (email && user.is_anonymous && !ctx.cfg.confirmEmail) {
        // An anonymous user adding an address while confirmations are off: like a sign-up.
        await confirmEmailChange(tx, user, email);
      } else if (email) {
        const redirect = redirectTarget(ctx, c.req.query("redirect_to") ?? str(body.redirect_to));
        await sendEmailChange(ctx, tx, user, email, redirect, pkceOf(body), clientIp(c));
      }
      const [u] = await tx<typeof user[]>`select * from auth.users where id = ${user.id}`;
      return u!;
    });
    return c.json(userJson(updated, await identitiesOf(ctx.sql, user.id)));
  });

  app.post("/logout", async (c) => {
    const scope = c.req.query("scope") ?? "global";
    if (!["global", "local", "others"].includes(scope)) {
      throw badRequest("validation_failed", `Unsupported logout scope "${scope}"`);
    }
    const { claims, user } = await signedInUser(ctx, c);
    const sid = claims.session_id ?? null;
    if (scope === "global") await ctx.sql`delete from auth.sessions where user_id = ${user.id}`;
    else if (scope === "local") await ctx.sql`delete from auth.sessions where id = ${sid}`;
    else {
      await ctx
        .sql`delete from auth.sessions where user_id = ${user.id} and id is distinct from ${sid}`;
    }
    return c.body(null, 204);
  });

  return app;
}
