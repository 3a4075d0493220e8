/**
 * POST /token: grant_type=password | refresh_token | pkce (supabase/auth `token.go`).
 * Password checks run the password_verification_attempt hook and commit what it records
 * before answering, so failures count even though the request fails.
 */
import { Hono } from "hono";
import { createHash } from "node:crypto";
import { AuthError, badRequest, flowStateNotFound } from "./errors.ts";
import { callHook } from "./hooks.ts";
import { type AuthMethod, refreshSession, startSession } from "./sessions.ts";
import { type AuthCtx, clientIp, limit, readJson, str, validEmail } from "./context.ts";
import { findUserByEmail, isBanned, passwordMatches, type UserRow } from "./users.ts";
import { flowMethodOf } from "./flow_state.ts";

const INVALID = () => badRequest("invalid_credentials", "Invalid login credentials");

export function tokenRoutes(ctx: AuthCtx) {
  const app = new Hono();
  app.post("/token", async (c) => {
    limit(ctx.limits.token, clientIp(c));
    const grant = c.req.query("grant_type");
    const body = await readJson(c);
    const req = { userAgent: c.req.header("user-agent"), ip: clientIp(c) };
    switch (grant) {
      case "password":
        return c.json(await passwordGrant(ctx, body, req));
      case "refresh_token": {
        const token = str(body.refresh_token);
        if (!token) {
          throw badRequest(
            "refresh_token_not_found",
            "Invalid Refresh Token: Refresh Token Not Found",
          );
        }
        const out = await ctx.sql.begin((tx) => refreshSession(tx, ctx.cfg, token));
        if (out instanceof AuthError) throw out; // after the commit of what it revoked
        return c.json(out);
      }
      case "pkce":
        return c.json(await pkceGrant(ctx, body, req));
      default:
        throw badRequest("validation_failed", "unsupported_grant_type");
    }
  });
  return app;
}

async function passwordGrant(
  ctx: AuthCtx,
  body: Record<string, unknown>,
  req: { userAgent: string | undefined; ip: string },
) {
  const email = validEmail(str(body.email));
  const password = str(body.password);
  if (!password) throw badRequest("validation_failed", "Missing password");
  // Step 1, committed whatever the outcome: the check and what the hook records.
  const check = await ctx.sql.begin(async (tx) => {
    const user = await findUserByEmail(tx, email);
    if (user && isBanned(user)) return { user, banned: true, valid: false, reject: undefined };
    const valid = await passwordMatches(tx, user?.encrypted_password ?? null, password);
    let reject: string | undefined;
    if (user && ctx.cfg.hooks.passwordVerificationAttempt) {
      const out = await callHook(tx, ctx.cfg.hooks.passwordVerificationAttempt, {
        user_id: user.id,
        valid,
      });
      if (out.decision === "reject") {
        reject = typeof out.message === "string" && out.message
          ? out.message
          : "Further password verification attempts will be rejected.";
      }
    }
    return { user, banned: false, valid, reject };
  });
  if (check.banned) throw badRequest("user_banned", "User is banned");
  if (check.reject !== undefined) throw badRequest("invalid_credentials", check.reject);
  if (!check.user || !check.valid) throw INVALID();
  if (ctx.cfg.confirmEmail && !check.user.email_confirmed_at) {
    throw badRequest("email_not_confirmed", "Email not confirmed");
  }
  return await ctx.sql.begin((tx) => startSession(tx, ctx.cfg, check.user!, "password", req));
}

async function pkceGrant(
  ctx: AuthCtx,
  body: Record<string, unknown>,
  req: { userAgent: string | undefined; ip: string },
) {
  const code = str(body.auth_code);
  const verifier = str(body.code_verifier);
  if (!code || !verifier) {
    throw badRequest(
      "validation_failed",
      "invalid request: both auth code and code verifier should be non-empty",
    );
  }
  return await ctx.sql.begin(async (tx) => {
    const [flow] = await tx<{
      id: string;
      user_id: string;
      code_challenge: string;
      code_challenge_method: string;
      authentication_method: string;
      created_at: Date;
      provider_access_token: string | null;
      provider_refresh_token: string | null;
    }[]>`select * from auth.flow_state where auth_code = ${code} for update`;
    if (!flow) {
      throw flowStateNotFound();
    }
    if (Date.now() - new Date(flow.created_at).getTime() > 10 * 60_000) {
      await tx`delete from auth.flow_state where id = ${flow.id}`;
      throw new AuthError(422, "flow_state_expired", "invalid flow state, flow state has expired");
    }
    const expected = flow.code_challenge_method === "s256"
      ? createHash("sha256").update(verifier).digest("base64url")
      : verifier;
    if (expected !== flow.code_challenge) {
      throw badRequest(
        "bad_code_verifier",
        "code challenge does not match previously saved code verifier",
      );
    }
    await tx`delete from auth.flow_state where id = ${flow.id}`;
    const [user] = await tx<UserRow[]>`select * from auth.users where id = ${flow.user_id}`;
    if (!user) throw new AuthError(404, "user_not_found", "User not found");
    if (isBanned(user)) throw badRequest("user_banned", "User is banned");
    // The session's amr is the method the flow began with (GoTrue's ParseAuthenticationMethod).
    const method: AuthMethod = flowMethodOf(flow.authentication_method) ?? "oauth";
    const session = await startSession(tx, ctx.cfg, user, method, req);
    return {
      ...session,
      ...(flow.provider_access_token ? { provider_token: flow.provider_access_token } : {}),
      ...(flow.provider_refresh_token
        ? { provider_refresh_token: flow.provider_refresh_token }
        : {}),
    };
  });
}
