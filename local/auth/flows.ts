/**
 * Email flows: confirmation links (sign-up is in signup.ts), verification (link and code),
 * resend and password recovery, as supabase/auth `verify.go`, `resend.go`, `recover.go` do
 * them. Links
 * carry a token hash (sha224 of email + the 6-digit code); PKCE links carry `pkce_<hash>` and
 * end in `?code=<auth_code>` for `exchangeCodeForSession`.
 */
import { Hono } from "hono";
import { AuthError, badRequest, flowStateNotFound } from "./errors.ts";
import { isAllowedRedirect } from "./config.ts";
import { renderMail } from "./mail.ts";
import { sessionRedirectUrl, startSession } from "./sessions.ts";
import { resendEmailChange, verifyEmailChange } from "./email_change.ts";
import {
  type AuthCtx,
  clientIp,
  limit,
  randomOtp,
  readJson,
  sha224Hex,
  str,
  validEmail,
} from "./context.ts";
import { findUserByEmail, type Tx, type UserRow } from "./users.ts";

type Kind = "signup" | "recovery";

export function redirectTarget(ctx: AuthCtx, wanted: string | undefined): string {
  return wanted && isAllowedRedirect(ctx.cfg, wanted) ? wanted : ctx.cfg.siteUrl;
}

export async function createFlowState(
  tx: Tx,
  userId: string,
  challenge: string,
  method: string,
  authMethod: string,
): Promise<void> {
  if (!/^[A-Za-z0-9._~-]{43,128}$/.test(challenge)) {
    throw badRequest("validation_failed", "code challenge has to be between 43 and 128 characters");
  }
  const m = method.toLowerCase();
  if (m !== "s256" && m !== "plain") {
    throw badRequest("validation_failed", "code challenge method not supported");
  }
  await tx`delete from auth.flow_state where user_id = ${userId} and authentication_method = ${authMethod}`;
  await tx`
    insert into auth.flow_state (id, user_id, auth_code, code_challenge_method, code_challenge,
      provider_type, created_at, updated_at, authentication_method)
    values (${crypto.randomUUID()}, ${userId}, ${crypto.randomUUID()}, ${m}::auth.code_challenge_method,
      ${challenge}, 'email', now(), now(), ${authMethod})`;
}

/** Issues a one-time token for `kind` and mails its link. */
export async function sendLink(
  ctx: AuthCtx,
  tx: Tx,
  user: UserRow,
  kind: Kind,
  redirectTo: string | undefined,
  pkce: { challenge: string; method: string } | undefined,
  client: string,
): Promise<void> {
  const email = user.email!;
  ctx.mail.admit({
    kind,
    address: email,
    client,
    lastSentAt: kind === "signup" ? user.confirmation_sent_at : user.recovery_sent_at,
    send: true,
  });
  const otp = randomOtp();
  const hash = await sha224Hex(email + otp);
  const token = pkce ? `pkce_${hash}` : hash;
  if (pkce) {
    await createFlowState(
      tx,
      user.id,
      pkce.challenge,
      pkce.method,
      kind === "signup" ? "email/signup" : "recovery",
    );
  }
  const tokenType = kind === "signup" ? "confirmation_token" : "recovery_token";
  if (kind === "signup") {
    await tx`update auth.users set confirmation_token = ${token}, confirmation_sent_at = now() where id = ${user.id}`;
  } else {
    await tx`update auth.users set recovery_token = ${token}, recovery_sent_at = now() where id = ${user.id}`;
  }
  await tx`
    insert into auth.one_time_tokens (id, user_id, token_type, token_hash, relates_to, created_at, updated_at)
    values (${crypto.randomUUID()}, ${user.id}, ${tokenType}::auth.one_time_token_type, ${token}, ${email}, now(), now())
    on conflict (user_id, token_type) do update set token_hash = excluded.token_hash, created_at = now(), updated_at = now()`;
  const redirect = redirectTarget(ctx, redirectTo);
  const url = new URL(`${ctx.cfg.apiUrl}/verify`);
  url.searchParams.set("token", token);
  url.searchParams.set("type", kind);
  url.searchParams.set("redirect_to", redirect);
  const mail = await renderMail(ctx.cfg, kind === "signup" ? "confirmation" : "recovery", email, {
    ConfirmationURL: url.toString(),
    Token: otp,
    TokenHash: token,
    RedirectTo: redirect,
    Data: user.raw_user_meta_data ?? {},
  });
  await ctx.mailer.send(mail);
}

export function pkceOf(body: Record<string, unknown>) {
  const challenge = str(body.code_challenge);
  const method = str(body.code_challenge_method);
  return challenge ? { challenge, method: method ?? "s256" } : undefined;
}

const MAX_WRONG_CODES = 5;

export function flowRoutes(ctx: AuthCtx) {
  const app = new Hono();
  const wrongCodes = new Map<string, number>();

  // The link in the email: confirm, then redirect with a session (or a PKCE code).
  app.get("/verify", async (c) => {
    limit(ctx.limits.verify, clientIp(c));
    const token = c.req.query("token") ?? "";
    const type = c.req.query("type") ?? "";
    const redirect = redirectTarget(ctx, c.req.query("redirect_to"));
    try {
      const out = await ctx.sql.begin((tx) =>
        verifyToken(ctx, tx, type, token, clientIp(c), c.req.header("user-agent"))
      );
      if ("message" in out) {
        // The first of two email-change confirmations: GoTrue's message, no session yet.
        const msg = new URLSearchParams({ message: out.message, sb: "" });
        const base = redirect.split("#")[0]!;
        if (!token.startsWith("pkce_")) return c.redirect(`${base}#${msg}`, 303);
        const u = new URL(base);
        u.searchParams.set("message", out.message);
        return c.redirect(u.toString(), 303);
      }
      return c.redirect(sessionRedirectUrl(redirect, out, { type, sb: "" }), 303);
    } catch (e) {
      if (!(e instanceof AuthError)) throw e;
      const frag = new URLSearchParams({
        error: e.status === 403 ? "access_denied" : "server_error",
        error_code: e.code,
        error_description: e.status === 403 ? "Email link is invalid or has expired" : e.message,
        sb: "",
      });
      const pkceLink = token.startsWith("pkce_");
      return c.redirect(`${redirect.split("#")[0]}${pkceLink ? `?${frag}` : ""}#${frag}`, 303);
    }
  });

  // verifyOtp: { type, token_hash } or { type, email, token }.
  app.post("/verify", async (c) => {
    limit(ctx.limits.verify, clientIp(c));
    const body = await readJson(c);
    const type = str(body.type) ?? "";
    let hash = str(body.token_hash);
    let codeAddress: string | undefined;
    if (!hash) {
      const email = validEmail(str(body.email));
      const token = str(body.token);
      if (!token) {
        throw badRequest("validation_failed", "Verify requires either a token or a token hash");
      }
      hash = await sha224Hex(email + token);
      codeAddress = email;
    }
    let out;
    try {
      out = await ctx.sql.begin((tx) =>
        verifyToken(ctx, tx, type, hash!, clientIp(c), c.req.header("user-agent"))
      );
    } catch (e) {
      // A 6-digit code is guessable: five wrong codes for an address void its pending codes.
      if (codeAddress && e instanceof AuthError && e.code === "otp_expired") {
        const n = (wrongCodes.get(codeAddress) ?? 0) + 1;
        wrongCodes.set(codeAddress, n);
        if (n >= MAX_WRONG_CODES) {
          wrongCodes.delete(codeAddress);
          await ctx.sql`update auth.users set confirmation_token = '', recovery_token = ''
                        where lower(email) = lower(${codeAddress})`;
          await ctx
            .sql`update auth.users set email_change_token_new = '', email_change_token_current = ''
                        where lower(email) = lower(${codeAddress})
                          or lower(email_change) = lower(${codeAddress})`;
        }
      }
      throw e;
    }
    if (codeAddress) wrongCodes.delete(codeAddress);
    if ("message" in out) return c.json({ msg: out.message, code: "200" });
    if ("code" in out) return c.json({ code: out.code });
    return c.json(out.session);
  });

  app.post("/resend", async (c) => {
    limit(ctx.limits.signInSignUps, clientIp(c));
    const body = await readJson(c);
    const type = str(body.type) ?? "";
    const email = str(body.email) ?? "";
    checkResend(ctx, type, email, str(body.phone) ?? "");
    // Only email addresses get here: phone numbers are refused above (no SMS locally).
    const address = validEmail(email);
    const redirectTo = c.req.query("redirect_to") ??
      str((body.options as Record<string, unknown> | undefined)?.emailRedirectTo);
    await ctx.sql.begin(async (tx) => {
      if (type === "email_change") {
        const to = redirectTarget(ctx, redirectTo);
        await resendEmailChange(ctx, tx, address, to, pkceOf(body), clientIp(c), createFlowState);
        return;
      }
      const user = await findUserByEmail(tx, address);
      if (type === "signup" && user && !user.email_confirmed_at) {
        await sendLink(ctx, tx, user, "signup", redirectTo, pkceOf(body), clientIp(c));
      }
      // sms and phone_change for an address: nothing pending to send, as GoTrue answers {}.
    });
    return c.json({});
  });

  app.post("/recover", async (c) => {
    limit(ctx.limits.signInSignUps, clientIp(c));
    if (!ctx.cfg.emailProvider) {
      throw badRequest("email_provider_disabled", "Email logins are disabled");
    }
    const body = await readJson(c);
    const email = validEmail(str(body.email));
    const redirectTo = c.req.query("redirect_to") ?? str(body.redirect_to);
    await ctx.sql.begin(async (tx) => {
      const user = await findUserByEmail(tx, email);
      if (user) {
        await sendLink(ctx, tx, user, "recovery", redirectTo, pkceOf(body), clientIp(c));
      } else {
        // Judged as if it were sent, so a 429 does not tell an unknown address from a known one.
        ctx.mail.admit({
          kind: "recovery",
          address: email,
          client: clientIp(c),
          lastSentAt: null,
          send: false,
        });
      }
    });
    // The same answer whether or not the address is known.
    return c.json({});
  });

  return app;
}

/** GoTrue's ResendConfirmationParams.Validate, with phone numbers always refused locally. */
function checkResend(ctx: AuthCtx, type: string, email: string, phone: string): void {
  if (!["signup", "email_change", "sms", "phone_change"].includes(type)) {
    throw badRequest(
      "validation_failed",
      "Missing one of these types: signup, email_change, sms, phone_change",
    );
  }
  if (!email && type === "signup") {
    throw badRequest("validation_failed", "Type provided requires an email address");
  }
  if (!phone && type === "sms") {
    throw badRequest("validation_failed", "Type provided requires a phone number");
  }
  if (email && phone) {
    throw badRequest(
      "validation_failed",
      "Only an email address or phone number should be provided.",
    );
  }
  if (email && !ctx.cfg.emailProvider) {
    throw badRequest("email_provider_disabled", "Email logins are disabled");
  }
  if (phone) throw badRequest("phone_provider_disabled", "Phone logins are disabled");
  if (!email) throw badRequest("validation_failed", "Missing email address or phone number");
}

const EXPIRED = () => new AuthError(403, "otp_expired", "Token has expired or is invalid");

/** Checks a link/code token of `type`; returns a session, or a PKCE auth code. */
export async function verifyToken(
  ctx: AuthCtx,
  tx: Tx,
  type: string,
  token: string,
  ip: string,
  userAgent: string | undefined,
): Promise<
  { session: Awaited<ReturnType<typeof startSession>> } | { code: string } | { message: string }
> {
  if (type === "email_change") return await verifyEmailChange(ctx, tx, token, ip, userAgent);
  const kind = type === "signup" || type === "email" || type === "invite"
    ? "signup"
    : type === "recovery" || type === "magiclink"
    ? "recovery"
    : undefined;
  if (!kind) throw badRequest("validation_failed", `Verify requires a verification type`);
  if (!token) throw EXPIRED();
  const column = kind === "signup" ? tx`confirmation_token` : tx`recovery_token`;
  const sentAt = kind === "signup" ? tx`confirmation_sent_at` : tx`recovery_sent_at`;
  const [user] = await tx<(UserRow & { sent_at: Date | null })[]>`
    select *, ${sentAt} as sent_at from auth.users
    where (${column} = ${token} or ${column} = ${"pkce_" + token}) and ${column} <> '' for update`;
  // As GoTrue's isOtpValid: a code (or plain hash) also matches a PKCE sign-up's `pkce_<hash>`,
  // and then signs in directly (the code was typed here, not followed from a link).
  if (!user) throw EXPIRED();
  if (!user.sent_at || Date.now() - new Date(user.sent_at).getTime() > ctx.cfg.otpExpiry * 1000) {
    throw EXPIRED();
  }
  if (user.banned_until && new Date(user.banned_until) > new Date()) {
    throw badRequest("user_banned", "User is banned");
  }
  const tokenType = kind === "signup" ? "confirmation_token" : "recovery_token";
  await tx`delete from auth.one_time_tokens where user_id = ${user.id} and token_type = ${tokenType}::auth.one_time_token_type`;
  if (kind === "signup") {
    await tx`update auth.users set confirmation_token = '', email_confirmed_at = coalesce(email_confirmed_at, now()),
               updated_at = now() where id = ${user.id}`;
    await tx`update auth.identities set identity_data = identity_data || '{"email_verified": true}'::jsonb,
               updated_at = now() where user_id = ${user.id} and provider = 'email'`;
  } else {
    await tx`update auth.users set recovery_token = '', email_confirmed_at = coalesce(email_confirmed_at, now()),
               updated_at = now() where id = ${user.id}`;
  }
  if (token.startsWith("pkce_")) {
    const [flow] = await tx<{ auth_code: string }[]>`
      update auth.flow_state set auth_code_issued_at = now(), updated_at = now()
      where user_id = ${user.id} and authentication_method = ${
      kind === "signup" ? "email/signup" : "recovery"
    }
      returning auth_code`;
    if (!flow) {
      throw flowStateNotFound();
    }
    return { code: flow.auth_code };
  }
  const [fresh] = await tx<UserRow[]>`select * from auth.users where id = ${user.id}`;
  return {
    session: await startSession(tx, ctx.cfg, fresh!, kind === "signup" ? "otp" : "recovery", {
      userAgent,
      ip,
    }),
  };
}
