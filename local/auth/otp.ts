/**
 * Passwordless sign-in by email (`signInWithOtp`): POST /otp and /magiclink, as supabase/auth
 * `otp.go` and `magic_link.go` do them. One mail carries both a link and a code (the
 * `magic_link` template decides what it shows). An address without a confirmed account is
 * signed up first: with confirmations on it gets the sign-up confirmation mail (which signs in
 * as well), otherwise it is created confirmed and gets the magic link. `create_user: false`
 * turns an unknown address away with 422 `otp_disabled`.
 *
 * A magic link's token lives in `recovery_token` (GoTrue: "a recovery with a different
 * template"); `/verify` (verify.ts) finds it by type `magiclink`, or `email`, which looks in
 * both the confirmation and the recovery token.
 */
import { Hono } from "hono";
import type postgres from "postgres";
import { badRequest, unprocessable } from "./errors.ts";
import { sendTokenMail } from "./email_tokens.ts";
import { pkceOf } from "./flow_state.ts";
import { redirectTarget } from "./redirects.ts";
import { type AuthCtx, clientIp, limit, readJson, record, str, validEmail } from "./context.ts";
import { createEmailUser, findUserByEmail } from "./users.ts";

/** A password nobody knows, for an account that signs in by mail only (as GoTrue sets one). */
function unusablePassword(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes));
}

/** GoTrue's MagicLink handler, after /otp has checked `create_user`. */
async function magicLink(
  ctx: AuthCtx,
  body: Record<string, unknown>,
  redirectTo: string | undefined,
  client: string,
): Promise<void> {
  if (!ctx.cfg.emailProvider) {
    throw unprocessable("email_provider_disabled", "Email logins are disabled");
  }
  if (!str(body.email)) {
    throw unprocessable("validation_failed", "Password recovery requires an email");
  }
  const email = validEmail(str(body.email));
  const data = record(body.data) ?? {};
  const mail = { redirect: redirectTarget(ctx, redirectTo), pkce: pkceOf(body), client };
  await ctx.sql.begin(async (tx) => {
    let user = await findUserByEmail(tx, email);
    if (!user?.email_confirmed_at) {
      // No account yet, or one whose sign-up was never confirmed: sign up first.
      if (!ctx.cfg.enableSignup) {
        throw unprocessable("signup_disabled", "Signups not allowed for this instance");
      }
      if (user) {
        await tx`update auth.users set raw_user_meta_data = coalesce(raw_user_meta_data, '{}'::jsonb)
                   || ${
          tx.json(data as postgres.JSONValue)
        }, updated_at = now() where id = ${user.id}`;
      } else {
        user = await createEmailUser(tx, {
          email,
          password: unusablePassword(),
          data,
          confirmed: !ctx.cfg.confirmEmail,
        });
      }
      if (ctx.cfg.confirmEmail) {
        // The confirmation mail signs in too ("already contains a magic link").
        await sendTokenMail(ctx, tx, user, "signup", mail);
        return;
      }
    }
    await sendTokenMail(ctx, tx, user, "magiclink", mail);
  });
}

export function otpRoutes(ctx: AuthCtx) {
  const app = new Hono();

  app.post("/otp", async (c) => {
    limit(ctx.limits.signInSignUps, clientIp(c));
    const body = await readJson(c);
    const email = str(body.email) ?? "";
    const phone = str(body.phone) ?? "";
    if (email && phone) {
      throw badRequest(
        "validation_failed",
        "Only an email address or phone number should be provided",
      );
    }
    if (email && str(body.channel)) {
      throw badRequest("validation_failed", "Channel should only be specified with Phone OTP");
    }
    // create_user defaults to true; false only signs in accounts that exist.
    if (body.create_user === false && (email || phone)) {
      const exists = email ? await findUserByEmail(ctx.sql, validEmail(email)) : undefined;
      if (!exists) throw unprocessable("otp_disabled", "Signups not allowed for otp");
    }
    if (email) {
      const redirectTo = c.req.query("redirect_to") ?? str(body.redirect_to);
      await magicLink(ctx, body, redirectTo, clientIp(c));
      return c.json({});
    }
    if (phone) throw badRequest("phone_provider_disabled", "Unsupported phone provider");
    throw badRequest("validation_failed", "One of email or phone must be set");
  });

  // The older endpoint auth-js no longer calls; GoTrue still serves it.
  app.post("/magiclink", async (c) => {
    limit(ctx.limits.signInSignUps, clientIp(c));
    const body = await readJson(c);
    const redirectTo = c.req.query("redirect_to") ?? str(body.redirect_to);
    await magicLink(ctx, body, redirectTo, clientIp(c));
    return c.json({});
  });

  return app;
}
