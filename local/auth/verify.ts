/**
 * `/verify`, as supabase/auth `internal/api/verify.go` does it: GET follows a mailed link
 * (`?token=<hash>&type=…`) and redirects with a session in the fragment, or `?code=` when the
 * token is a PKCE one (`pkce_<hash>`); POST is `verifyOtp`, with `{ type, token_hash }` or
 * `{ type, email, token }`, and answers a session.
 *
 * Types: `signup` and `invite` look in the confirmation token, `recovery` and `magiclink` in the
 * recovery token, `email` in both (confirmation first), `email_change` in email_change.ts. As
 * GoTrue's isOtpValid, a plain hash or a code also matches a PKCE flow's `pkce_<hash>` (the
 * code was typed here, not followed from a link, so it signs in directly). Every session
 * `/verify` starts has the `amr` method `otp`; a PKCE link's code carries the method its flow
 * state was stored with (`email/signup`, `invite`, `recovery`, `magiclink`, `email_change`).
 */
import { Hono } from "hono";
import { AuthError, badRequest, unprocessable } from "./errors.ts";
import { sessionRedirectUrl, type SessionResponse, startSession } from "./sessions.ts";
import { verifyEmailChange } from "./email_change.ts";
import { flowMethodOf, issueAuthCode } from "./flow_state.ts";
import { oauthErrorOf } from "./oauth.ts";
import { redirectTarget } from "./redirects.ts";
import { type AuthCtx, clientIp, limit, readJson, sha224Hex, str, validEmail } from "./context.ts";
import {
  clearOneTimeTokens,
  confirmUserEmail,
  isBanned,
  type Tx,
  updateAppMetadataProviders,
  type UserRow,
} from "./users.ts";

type Column = "confirmation" | "recovery";

/** Where each type's token lives, in the order GoTrue looks. */
const COLUMNS: Record<string, Column[]> = {
  signup: ["confirmation"],
  invite: ["confirmation"],
  recovery: ["recovery"],
  magiclink: ["recovery"],
  email: ["confirmation", "recovery"],
};

/** Wrong codes in a row for one address after which its pending codes are voided. */
const MAX_WRONG_CODES = 5;

export type VerifyOutcome = { session: SessionResponse } | { code: string } | { message: string };

export interface VerifyRequest {
  type: string;
  /** The token hash: from the link, from `token_hash`, or sha224(email + code). */
  hash: string;
  /** A followed link (GET): a PKCE token then gives an auth code instead of a session. */
  link: boolean;
  /** Looked up by hash (GoTrue's verifyTokenHash) rather than email + code: its messages. */
  byHash: boolean;
  ip: string;
  userAgent: string | undefined;
}

/** Checks a link or code of `type`; returns a session, a PKCE auth code, or a message. */
export async function verifyToken(
  ctx: AuthCtx,
  tx: Tx,
  r: VerifyRequest,
): Promise<VerifyOutcome> {
  const expired = () =>
    new AuthError(
      403,
      "otp_expired",
      r.byHash ? "Email link is invalid or has expired" : "Token has expired or is invalid",
    );
  const pkceLink = r.link && r.hash.startsWith("pkce_");
  const flowMethod = flowMethodOf(r.type);
  if (pkceLink && !flowMethod) {
    throw badRequest("validation_failed", `unsupported authentication method "${r.type}"`);
  }
  let user: UserRow;
  if (r.type === "email_change") {
    const out = await verifyEmailChange(ctx, tx, r.hash, expired);
    if ("message" in out) return out;
    user = out.user;
  } else {
    const columns = COLUMNS[r.type];
    if (!columns) throw badRequest("validation_failed", "Invalid email verification type");
    user = await confirmByToken(ctx, tx, columns, r.hash, expired);
  }
  await updateAppMetadataProviders(tx, user.id);
  if (pkceLink) return { code: await issueAuthCode(tx, user.id, flowMethod!) };
  const [fresh] = await tx<UserRow[]>`select * from auth.users where id = ${user.id}`;
  const req = { userAgent: r.userAgent, ip: r.ip };
  return { session: await startSession(tx, ctx.cfg, fresh!, "otp", req) };
}

/**
 * The user whose pending token in one of `columns` is `hash` (or `pkce_<hash>`) and not
 * expired, confirmed as GoTrue's signupVerify or recoverVerify does.
 */
async function confirmByToken(
  ctx: AuthCtx,
  tx: Tx,
  columns: Column[],
  hash: string,
  expired: () => AuthError,
): Promise<UserRow> {
  if (!hash) throw expired();
  for (const kind of columns) {
    const column = tx(`${kind}_token`);
    const [user] = await tx<(UserRow & { sent_at: Date | null })[]>`
      select *, ${tx(`${kind}_sent_at`)} as sent_at from auth.users
      where ${column} <> '' and ${column} in (${hash}, ${"pkce_" + hash}) for update`;
    if (!user) continue;
    if (isBanned(user)) {
      throw new AuthError(403, "user_banned", "User is banned");
    }
    const age = user.sent_at ? Date.now() - new Date(user.sent_at).getTime() : Infinity;
    if (age > ctx.cfg.otpExpiry * 1000) continue;
    if (kind === "confirmation") {
      // An invitee has no password yet: a random one until the app asks them to set theirs.
      if (user.invited_at && !user.encrypted_password) {
        await tx`update auth.users set encrypted_password = extensions.crypt(
                   ${crypto.randomUUID() + crypto.randomUUID()}, extensions.gen_salt('bf', 10))
                 where id = ${user.id}`;
      }
      await confirmUserEmail(tx, user.id);
      await tx`update auth.identities set identity_data = identity_data || '{"email_verified": true}'::jsonb,
                 updated_at = now()
               where user_id = ${user.id} and email = lower(${user.email ?? ""})`;
    } else {
      await tx`update auth.users set recovery_token = '', updated_at = now() where id = ${user.id}`;
      await clearOneTimeTokens(tx, user.id);
      if (!user.email_confirmed_at) await confirmUserEmail(tx, user.id);
    }
    return user;
  }
  throw expired();
}

export function verifyRoutes(ctx: AuthCtx) {
  const app = new Hono();
  const wrongCodes = new Map<string, number>();

  // The link in a mail: confirm, then redirect with a session (or a PKCE code).
  app.get("/verify", async (c) => {
    limit(ctx.limits.verify, clientIp(c));
    const token = c.req.query("token") ?? "";
    const type = c.req.query("type") ?? "";
    if (!type) throw badRequest("validation_failed", "Verify requires a verification type");
    if (!token) throw badRequest("validation_failed", "Verify requires a token or a token hash");
    const redirect = redirectTarget(ctx, c.req.query("redirect_to"));
    const base = redirect.split("#")[0]!;
    const pkceLink = token.startsWith("pkce_");
    try {
      const out = await ctx.sql.begin((tx) =>
        verifyToken(ctx, tx, {
          type,
          hash: token,
          link: true,
          byHash: true,
          ip: clientIp(c),
          userAgent: c.req.header("user-agent"),
        })
      );
      if ("message" in out) {
        // The first of two email-change confirmations: GoTrue's message, no session yet.
        const u = new URL(base);
        if (pkceLink) u.searchParams.set("message", out.message);
        u.hash = new URLSearchParams({ message: out.message, sb: "" }).toString();
        return c.redirect(u.toString(), 303);
      }
      return c.redirect(sessionRedirectUrl(redirect, out, { type, sb: "" }), 303);
    } catch (e) {
      if (!(e instanceof AuthError)) throw e;
      const p = new URLSearchParams({
        error: oauthErrorOf(e),
        error_code: e.code,
        error_description: e.message,
        sb: "",
      });
      return c.redirect(`${base}${pkceLink ? `?${p}` : ""}#${p}`, 303);
    }
  });

  // verifyOtp: { type, token_hash } or { type, email, token }.
  app.post("/verify", async (c) => {
    limit(ctx.limits.verify, clientIp(c));
    const body = await readJson(c);
    const type = str(body.type) ?? "";
    const token = str(body.token) ?? "";
    const tokenHash = str(body.token_hash) ?? "";
    const email = str(body.email) ?? "";
    const phone = str(body.phone) ?? "";
    if (!type) throw badRequest("validation_failed", "Verify requires a verification type");
    if (!token === !tokenHash) {
      throw badRequest("validation_failed", "Verify requires either a token or a token hash");
    }
    let address: string | undefined;
    if (tokenHash && (email || phone || str(body.redirect_to))) {
      throw badRequest("validation_failed", "Only the token_hash and type should be provided");
    }
    if (token) {
      if (!email === !phone) {
        throw badRequest(
          "validation_failed",
          "Only an email address or phone number should be provided on verify",
        );
      }
      // No SMS here: a phone number has no pending code (GoTrue finds no user).
      if (phone) throw new AuthError(403, "otp_expired", "Token has expired or is invalid");
      try {
        address = validEmail(email);
      } catch {
        throw unprocessable("validation_failed", "Invalid email format");
      }
    }
    const hash = tokenHash || await sha224Hex(address! + token);
    const request = {
      type,
      hash,
      link: false,
      byHash: Boolean(tokenHash),
      ip: clientIp(c),
      userAgent: c.req.header("user-agent"),
    };
    let out;
    try {
      out = await ctx.sql.begin((tx) => verifyToken(ctx, tx, request));
    } catch (e) {
      // A code is guessable: five wrong codes for an address void its pending codes.
      if (address && e instanceof AuthError && e.code === "otp_expired") {
        await countWrongCode(address);
      }
      throw e;
    }
    if (address) wrongCodes.delete(address);
    if ("message" in out) return c.json({ msg: out.message, code: "200" });
    if ("code" in out) return c.json({ code: out.code });
    return c.json(out.session);
  });

  async function countWrongCode(address: string): Promise<void> {
    const n = (wrongCodes.get(address) ?? 0) + 1;
    if (wrongCodes.size > 100_000) wrongCodes.clear(); // bounded under abuse
    wrongCodes.set(address, n);
    if (n < MAX_WRONG_CODES) return;
    wrongCodes.delete(address);
    await ctx.sql`update auth.users set confirmation_token = '', recovery_token = ''
                  where lower(email) = lower(${address})`;
    await ctx.sql`update auth.users set email_change_token_new = '', email_change_token_current = ''
                  where lower(email) = lower(${address}) or lower(email_change) = lower(${address})`;
  }

  return app;
}
