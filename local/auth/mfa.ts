/**
 * MFA with TOTP, as GoTrue serves it to auth-js (supabase/auth `internal/api/mfa.go`):
 * `POST /factors` (enroll), `POST /factors/:id/challenge`, `POST /factors/:id/verify` (raises the
 * session to aal2 and answers a new session), `DELETE /factors/:id` (unenroll). Settings come
 * from `[auth.mfa]` (mfa_config.ts). Phone and WebAuthn factors answer as disabled.
 *
 * Beyond GoTrue: challenges and verifications are limited per factor (GoTrue limits them per
 * IP address, which on a local stack is everyone), and a code that was accepted once is
 * refused afterwards (RFC 6238 §5.2), so an observed code cannot sign in a second time.
 */
import { type Context, Hono } from "hono";
import { AuthError, badRequest, unprocessable } from "./errors.ts";
import { type AuthCtx, clientIp, limit, readJson, str } from "./context.ts";
import { requireNotAnonymous, signedInUser } from "./caller.ts";
import type { UserRow } from "./users.ts";
import { RateLimiter } from "./rate_limit.ts";
import { newTotpKey, totpStep } from "./mfa_totp.ts";
import {
  type ChallengeRow,
  deleteExpiredFactors,
  deleteFactor,
  type FactorRow,
  factorsOf,
  lastUsedStep,
  ownedFactor,
} from "./mfa_factors.ts";
import { upgradeSession } from "./mfa_session.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface MfaCaller {
  user: UserRow;
  sessionId: string;
  aal: string;
}

/** requireAuthentication and requireNotAnonymous, and a session to raise or check. */
async function caller(ctx: AuthCtx, c: Context): Promise<MfaCaller> {
  const me = await signedInUser(ctx, c);
  if (!me.session) {
    throw new AuthError(
      403,
      "session_not_found",
      "Session from session_id claim in JWT does not exist",
    );
  }
  requireNotAnonymous(me);
  return { user: me.user, sessionId: me.session.id, aal: me.session.aal };
}

/** loadFactor: the caller's own factor, or GoTrue's 404s. */
async function loadFactor(ctx: AuthCtx, c: Context, userId: string): Promise<FactorRow> {
  const id = c.req.param("id") ?? "";
  if (!UUID.test(id)) throw new AuthError(404, "validation_failed", "factor_id must be an UUID");
  const f = await ownedFactor(ctx.sql, userId, id);
  if (!f) throw new AuthError(404, "mfa_factor_not_found", "Factor not found");
  return f;
}

const verifyDisabled = (type: string) =>
  type === "totp"
    ? unprocessable("mfa_totp_verify_not_enabled", "MFA verification is disabled for TOTP")
    : unprocessable(
      type === "phone" ? "mfa_phone_enroll_not_enabled" : "mfa_webauthn_enroll_not_enabled",
      `MFA verification is disabled for ${type === "phone" ? "Phone" : "WebAuthn"}`,
    );

export function mfaRoutes(ctx: AuthCtx) {
  const app = new Hono();
  const { mfa } = ctx.cfg;
  const perMinute = () => new RateLimiter(mfa.rateLimitChallengeAndVerify, 60_000);
  const limits = { challenge: perMinute(), verify: perMinute() };

  app.post("/factors", async (c) => {
    const me = await caller(ctx, c);
    const body = await readJson(c);
    const type = str(body.factor_type);
    if (type === "phone") {
      throw unprocessable("mfa_phone_enroll_not_enabled", "MFA enroll is disabled for Phone");
    }
    if (type === "webauthn") {
      throw unprocessable("mfa_webauthn_enroll_not_enabled", "MFA enroll is disabled for WebAuthn");
    }
    if (type !== "totp") {
      throw badRequest("validation_failed", "factor_type needs to be totp, phone, or webauthn");
    }
    if (!mfa.totpEnroll) {
      throw unprocessable("mfa_totp_enroll_not_enabled", "MFA enroll is disabled for TOTP");
    }
    const name = str(body.friendly_name) ?? "";
    const issuer = str(body.issuer) || new URL(ctx.cfg.siteUrl).host;
    const factor = await ctx.sql.begin(async (tx) => {
      // validateFactors, in GoTrue's order.
      await deleteExpiredFactors(tx, mfa.factorExpirySec);
      const factors = await factorsOf(tx, me.user.id);
      if (factors.some((f) => (f.friendly_name ?? "") === name)) {
        throw unprocessable(
          "mfa_factor_name_conflict",
          `A factor with the friendly name "${name}" for this user already exists`,
        );
      }
      const verified = factors.filter((f) => f.status === "verified").length;
      if (factors.length >= mfa.maxEnrolledFactors || verified >= mfa.maxVerifiedFactors) {
        throw unprocessable(
          "too_many_enrolled_mfa_factors",
          "Maximum number of verified factors reached, unenroll to continue",
        );
      }
      if (verified > 0 && me.aal !== "aal2") {
        throw new AuthError(403, "insufficient_aal", "AAL2 required to enroll a new factor");
      }
      const key = newTotpKey(issuer, me.user.email ?? "");
      const [row] = await tx<{ id: string }[]>`
        insert into auth.mfa_factors (id, user_id, friendly_name, factor_type, status, created_at, updated_at, secret)
        values (${crypto.randomUUID()}, ${me.user.id}, ${name}, 'totp', 'unverified', now(), now(), ${key.secret})
        returning id`;
      return { id: row!.id, key };
    });
    return c.json({
      id: factor.id,
      type: "totp",
      friendly_name: name,
      totp: { qr_code: factor.key.qrCode, secret: factor.key.secret, uri: factor.key.uri },
    });
  });

  app.post("/factors/:id/challenge", async (c) => {
    const me = await caller(ctx, c);
    const factor = await loadFactor(ctx, c, me.user.id);
    limit(limits.challenge, factor.id);
    if (factor.factor_type !== "totp" || !mfa.totpVerify) throw verifyDisabled(factor.factor_type);
    const [ch] = await ctx.sql.begin(async (tx) => {
      const rows = await tx<{ id: string; created_at: Date }[]>`
        insert into auth.mfa_challenges (id, factor_id, created_at, ip_address)
        values (${crypto.randomUUID()}, ${factor.id}, now(), ${ipOf(c)}::inet)
        returning id, created_at`;
      await tx`update auth.mfa_factors set last_challenged_at = now() where id = ${factor.id}`;
      return rows;
    });
    return c.json({
      id: ch!.id,
      type: factor.factor_type,
      expires_at: Math.floor(new Date(ch!.created_at).getTime() / 1000) + mfa.challengeExpirySec,
    });
  });

  app.post("/factors/:id/verify", async (c) => {
    const me = await caller(ctx, c);
    const factor = await loadFactor(ctx, c, me.user.id);
    limit(limits.verify, factor.id);
    const body = await readJson(c);
    const challengeId = body.challenge_id;
    if (challengeId !== undefined && (typeof challengeId !== "string" || !UUID.test(challengeId))) {
      throw badRequest("bad_json", "Could not parse request body as JSON: invalid challenge_id");
    }
    const code = str(body.code) ?? "";
    if (!code) throw badRequest("validation_failed", "Code needs to be non-empty");
    if (factor.factor_type !== "totp" || !mfa.totpVerify) throw verifyDisabled(factor.factor_type);
    const out = await ctx.sql.begin(async (tx) => {
      const [ch] = await tx<(ChallengeRow & { same_ip: boolean })[]>`
        select *, ip_address = ${ipOf(c)}::inet as same_ip from auth.mfa_challenges
        where id = ${challengeId ?? "00000000-0000-0000-0000-000000000000"}
          and factor_id = ${factor.id}
        for update`;
      if (!ch) {
        throw unprocessable(
          "mfa_factor_not_found",
          "MFA factor with the provided challenge ID not found",
        );
      }
      if (ch.verified_at || !ch.same_ip) {
        throw unprocessable(
          "mfa_ip_address_mismatch",
          "Challenge and verify IP addresses mismatch.",
        );
      }
      if (Date.now() > new Date(ch.created_at).getTime() + mfa.challengeExpirySec * 1000) {
        await tx`delete from auth.mfa_challenges where id = ${ch.id}`;
        // Returned, not thrown, so that the deletion commits (as GoTrue destroys it).
        return unprocessable(
          "mfa_challenge_expired",
          `MFA challenge ${ch.id} has expired, verify against another challenge or create a new challenge.`,
        );
      }
      // Lock the factor: two requests with one code must not both pass the reuse check.
      await tx`select 1 from auth.mfa_factors where id = ${factor.id} for update`;
      const step = totpStep(factor.secret ?? "", code);
      const used = await lastUsedStep(tx, factor.id);
      if (step === null || (used !== null && step <= used)) {
        throw unprocessable("mfa_verification_failed", "Invalid TOTP code entered");
      }
      await tx`update auth.mfa_challenges set verified_at = now(), otp_code = ${String(step)}
               where id = ${ch.id}`;
      if (factor.status !== "verified") {
        await tx`update auth.mfa_factors set status = 'verified', updated_at = now()
                 where id = ${factor.id}`;
      }
      const session = await upgradeSession(tx, ctx.cfg, me.sessionId, factor);
      // DeleteUnverifiedFactors: the enrolment attempts left behind go.
      await tx`delete from auth.mfa_factors where user_id = ${me.user.id}
               and status = 'unverified' and factor_type = ${factor.factor_type}`;
      return session;
    });
    if (out instanceof AuthError) throw out;
    return c.json(out);
  });

  app.delete("/factors/:id", async (c) => {
    const me = await caller(ctx, c);
    const factor = await loadFactor(ctx, c, me.user.id);
    if (factor.status === "verified" && me.aal !== "aal2") {
      throw unprocessable("insufficient_aal", "AAL2 required to unenroll verified factor");
    }
    await ctx.sql.begin((tx) => deleteFactor(tx, factor));
    return c.json({ id: factor.id });
  });

  return app;
}

/** The caller's address as Postgres `inet` reads it (challenges are bound to it). */
function ipOf(c: Context): string {
  const ip = clientIp(c);
  return /^[0-9a-f:.]+$/i.test(ip) ? ip : "0.0.0.0";
}
