/**
 * POST /signup as GoTrue routes it (supabase/auth `internal/api/api.go`, `signup.go`): without
 * an email and a phone it is an anonymous sign-in (anonymous.ts); otherwise the checks run in
 * GoTrue's order (sign-ups on, password given and strong enough, one of email or phone, PKCE,
 * the provider on, the address valid), then the user is created or, unconfirmed, updated, and
 * either signed in (confirmations off) or mailed a confirmation link (email_tokens.ts).
 */
import { Hono } from "hono";
import type postgres from "postgres";
import { badRequest, unprocessable } from "./errors.ts";
import { checkPassword } from "./password.ts";
import { startSession } from "./sessions.ts";
import { anonymousSignIns } from "./anonymous.ts";
import { sendTokenMail } from "./email_tokens.ts";
import { pkceOf } from "./flow_state.ts";
import { redirectTarget } from "./redirects.ts";
import { type AuthCtx, clientIp, limit, readJson, record, str, validEmail } from "./context.ts";
import { createEmailUser, findUserByEmail, identitiesOf, userJson, type UserRow } from "./users.ts";

/** An unguessable stand-in for an existing user (no account enumeration), as GoTrue answers. */
function obfuscatedUser(email: string, data: Record<string, unknown>) {
  const now = new Date().toISOString();
  return {
    id: crypto.randomUUID(),
    aud: "authenticated",
    role: "authenticated",
    email,
    phone: "",
    confirmation_sent_at: now,
    app_metadata: { provider: "email", providers: ["email"] },
    user_metadata: data,
    identities: [],
    created_at: now,
    updated_at: now,
    is_anonymous: false,
  };
}

export function signupRoutes(ctx: AuthCtx) {
  const app = new Hono();
  const signInAnonymously = anonymousSignIns(ctx);

  app.post("/signup", async (c) => {
    const body = await readJson(c);
    const email = str(body.email) ?? "";
    const phone = str(body.phone) ?? "";
    if (!email && !phone) return await signInAnonymously(c, body);

    limit(ctx.limits.signInSignUps, clientIp(c));
    if (!ctx.cfg.features.signup) {
      throw unprocessable("signup_disabled", "Signups not allowed for this instance");
    }
    const password = str(body.password);
    if (!password) throw badRequest("validation_failed", "Signup requires a valid password");
    checkPassword(password, ctx.cfg.password);
    if (email && phone) {
      throw badRequest(
        "validation_failed",
        "Only an email address or phone number should be provided on signup.",
      );
    }
    if (phone) throw badRequest("phone_provider_disabled", "Phone signups are disabled");
    if (!ctx.cfg.emailProvider) {
      throw badRequest("email_provider_disabled", "Email signups are disabled");
    }
    const address = validEmail(email);
    const data = record(body.data) ?? {};
    const redirect = redirectTarget(ctx, c.req.query("redirect_to") ?? str(body.redirect_to));
    const pkce = pkceOf(body);
    const req = { userAgent: c.req.header("user-agent"), ip: clientIp(c) };

    const result = await ctx.sql.begin(async (tx) => {
      const existing = await findUserByEmail(tx, address);
      if (existing?.email_confirmed_at) {
        if (ctx.cfg.confirmEmail) return obfuscatedUser(address, data);
        throw unprocessable("user_already_exists", "User already registered");
      }
      let user: UserRow;
      if (existing) {
        // Not confirmed yet: take the new password and data, send a new link.
        const [u] = await tx<UserRow[]>`
          update auth.users set encrypted_password = extensions.crypt(${password}, extensions.gen_salt('bf', 10)),
            raw_user_meta_data = ${tx.json(data as postgres.JSONValue)}, updated_at = now()
          where id = ${existing.id} returning *`;
        user = u!;
      } else {
        user = await createEmailUser(tx, {
          email: address,
          password,
          data,
          confirmed: !ctx.cfg.confirmEmail,
        });
      }
      if (ctx.cfg.confirmEmail) {
        await sendTokenMail(ctx, tx, user, "signup", { redirect, pkce, client: clientIp(c) });
        const [fresh] = await tx<UserRow[]>`select * from auth.users where id = ${user.id}`;
        return userJson(fresh!, await identitiesOf(tx, user.id));
      }
      return await startSession(tx, ctx.cfg, user, "password", req);
    });
    return c.json(result);
  });

  return app;
}
