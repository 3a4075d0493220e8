/**
 * Passwordless sign-in by email (`signInWithOtp`): POST /otp and /magiclink, as supabase/auth
 * `otp.go` and `magic_link.go` do them. One mail carries both a link and a code (the
 * `magic_link` template decides what it shows). An address without a confirmed account is
 * signed up first: with confirmations on it gets the sign-up confirmation mail (which signs in
 * as well), otherwise it is created confirmed and gets the magic link. `create_user: false`
 * turns an unknown address away with 422 `otp_disabled`.
 *
 * A magic link's token lives in `recovery_token` (GoTrue: "a recovery with a different
 * template"), so `/verify` type `magiclink` already finds it; this file also answers
 * `verifyOtp({ type: 'email' })` for such a token, which GoTrue looks for in both the
 * confirmation and the recovery column (verify.go verifyUserAndToken).
 */
import { Hono } from "hono";
import type postgres from "postgres";
import { AuthError, badRequest, unprocessable } from "./errors.ts";
import { renderMail } from "./mail.ts";
import { actionLink, newEmailToken, storeEmailToken } from "./email_tokens.ts";
import { createFlowState, pkceOf, redirectTarget, sendLink, verifyToken } from "./flows.ts";
import { type AuthCtx, clientIp, limit, readJson, sha224Hex, str, validEmail } from "./context.ts";
import { createEmailUser, findUserByEmail, type Tx, type UserRow } from "./users.ts";

type Pkce = { challenge: string; method: string } | undefined;

const obj = (v: unknown): Record<string, unknown> =>
  v && typeof v === "object" && !Array.isArray(v) ? v as Record<string, unknown> : {};

/** A password nobody knows, for an account that signs in by mail only (as GoTrue sets one). */
function unusablePassword(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes));
}

/** Mails `user` a magic link and code (GoTrue's sendMagicLink: the recovery columns). */
async function sendMagicLink(
  ctx: AuthCtx,
  tx: Tx,
  user: UserRow,
  redirect: string,
  pkce: Pkce,
  client: string,
): Promise<void> {
  const email = user.email!;
  // GoTrue reuses the recovery timer: a reset and a magic link share one max_frequency.
  ctx.mail.admit({
    kind: "magiclink",
    address: email,
    client,
    lastSentAt: user.recovery_sent_at,
    send: true,
  });
  // The flow state's method matches the column's verification ("recovery"), see flows.ts.
  if (pkce) await createFlowState(tx, user.id, pkce.challenge, pkce.method, "recovery");
  const t = await newEmailToken(ctx, email, Boolean(pkce));
  await storeEmailToken(tx, user, "recovery", t.token);
  const mail = await renderMail(ctx.cfg, "magic_link", email, {
    ConfirmationURL: actionLink(ctx, t.token, "magiclink", redirect),
    Token: t.otp,
    TokenHash: t.token,
    RedirectTo: redirect,
    Data: user.raw_user_meta_data ?? {},
  });
  await ctx.mailer.send(mail);
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
  const data = obj(body.data);
  const pkce = pkceOf(body);
  const redirect = redirectTarget(ctx, redirectTo);
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
        user = await createUser(tx, email, data, !ctx.cfg.confirmEmail);
      }
      if (ctx.cfg.confirmEmail) {
        // The confirmation mail signs in too ("already contains a magic link").
        await sendLink(ctx, tx, user, "signup", redirect, pkce, client);
        return;
      }
    }
    await sendMagicLink(ctx, tx, user, redirect, pkce, client);
  });
}

async function createUser(
  tx: Tx,
  email: string,
  data: Record<string, unknown>,
  confirmed: boolean,
): Promise<UserRow> {
  try {
    return await createEmailUser(tx, { email, password: unusablePassword(), data, confirmed });
  } catch (e) {
    // What GoTrue answers when a database trigger refuses the new user.
    const pe = e as { code?: string; message?: string };
    if (pe.code && /^(23|P0)/.test(pe.code)) {
      throw new AuthError(500, "unexpected_failure", "Database error saving new user", {
        ...(pe.message ? { detail: pe.message } : {}),
      });
    }
    throw e;
  }
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

  // verifyOtp({ type: 'email' }) of a magic-link code: the recovery column, as GoTrue looks
  // there too. Anything else (a sign-up code, a wrong code) goes on to flows.ts's /verify.
  app.post("/verify", async (c, next) => {
    const body = await readJson(c);
    if (str(body.type) !== "email") return await next();
    const tokenHash = str(body.token_hash);
    const code = str(body.token);
    const email = str(body.email);
    if (!tokenHash && !(code && email)) return await next();
    const hash = tokenHash ?? await sha224Hex(email!.toLowerCase() + code);
    const [hit] = await ctx.sql`
      select 1 from auth.users where recovery_token <> ''
        and recovery_token in (${hash}, ${"pkce_" + hash}) limit 1`;
    if (!hit) return await next();
    limit(ctx.limits.verify, clientIp(c));
    const out = await ctx.sql.begin((tx) =>
      verifyToken(ctx, tx, "magiclink", hash, clientIp(c), c.req.header("user-agent"))
    );
    if ("message" in out) return c.json({ msg: out.message, code: "200" });
    if ("code" in out) return c.json({ code: out.code });
    return c.json(out.session);
  });

  return app;
}
