/**
 * Sessions, refresh tokens and access tokens as GoTrue issues them (supabase/auth
 * `internal/tokens/service.go`): JWTs with Supabase's claims (signed in signing_keys.ts),
 * passed through the custom_access_token hook; refresh tokens rotated on use, with reuse detection that revokes
 * the whole session when a used token comes back after the reuse interval.
 */
import type postgres from "postgres";
import { AuthError, badRequest } from "./errors.ts";
import type { AuthConfig } from "./config.ts";
import { callHook } from "./hooks.ts";
import { signAccessToken } from "./signing_keys.ts";
import { identitiesOf, isBanned, type Tx, userJson, type UserRow } from "./users.ts";

export type AuthMethod =
  | "password"
  | "otp"
  | "oauth"
  | "email/signup"
  | "token_refresh"
  | "pkce"
  | "invite"
  | "recovery"
  | "magiclink"
  | "email_change"
  | "totp"
  | "anonymous";

export interface SessionResponse {
  access_token: string;
  token_type: "bearer";
  expires_in: number;
  expires_at: number;
  refresh_token: string;
  user: ReturnType<typeof userJson>;
  provider_token?: string;
  provider_refresh_token?: string;
}

interface RequestInfo {
  userAgent: string | undefined;
  ip: string | undefined;
}

export function newRefreshToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(
    /=+$/,
    "",
  );
}

/** Starts a session for `user` and returns the session JSON (access + refresh token). */
export async function startSession(
  tx: Tx,
  cfg: AuthConfig,
  user: UserRow,
  method: AuthMethod,
  req: RequestInfo,
): Promise<SessionResponse> {
  const sessionId = crypto.randomUUID();
  await tx`
    insert into auth.sessions (id, user_id, created_at, updated_at, aal, refreshed_at, user_agent, ip)
    values (${sessionId}, ${user.id}, now(), now(), 'aal1', now(), ${req.userAgent ?? null},
      ${req.ip && /^[0-9a-f:.]+$/i.test(req.ip) ? req.ip : null})`;
  await tx`
    insert into auth.mfa_amr_claims (session_id, created_at, updated_at, authentication_method, id)
    values (${sessionId}, now(), now(), ${method}, ${crypto.randomUUID()})`;
  const refresh = newRefreshToken();
  await tx`
    insert into auth.refresh_tokens (instance_id, token, user_id, revoked, created_at, updated_at, parent, session_id)
    values ('00000000-0000-0000-0000-000000000000', ${refresh}, ${user.id}, false, now(), now(), null, ${sessionId})`;
  await tx`update auth.users set last_sign_in_at = now(), updated_at = now() where id = ${user.id}`;
  return await sessionJson(tx, cfg, user.id, sessionId, refresh, method);
}

/** Builds the session JSON: a fresh access token for `sessionId` and the given refresh token. */
export async function sessionJson(
  tx: Tx,
  cfg: AuthConfig,
  userId: string,
  sessionId: string,
  refreshToken: string,
  method: AuthMethod,
): Promise<SessionResponse> {
  const [user] = await tx<UserRow[]>`select * from auth.users where id = ${userId}`;
  if (!user) {
    throw new AuthError(403, "user_not_found", "User from sub claim in JWT does not exist");
  }
  // How this session was authenticated, most recent first; a TOTP makes it aal2 (GoTrue's
  // Session.CalculateAALAndAMR), and a refresh keeps both.
  const amr = await tx<{ method: string; at: Date }[]>`
    select authentication_method as method, updated_at as at from auth.mfa_amr_claims
    where session_id = ${sessionId} order by updated_at desc`;
  const iat = Math.floor(Date.now() / 1000);
  const exp = iat + cfg.jwtExpiry;
  let claims: Record<string, unknown> = {
    iss: cfg.apiUrl,
    sub: user.id,
    aud: user.aud ?? "authenticated",
    exp,
    iat,
    email: user.email ?? "",
    phone: user.phone ?? "",
    app_metadata: user.raw_app_meta_data ?? {},
    user_metadata: user.raw_user_meta_data ?? {},
    role: user.role ?? "authenticated",
    aal: amr.some((a) => a.method === "totp") ? "aal2" : "aal1",
    amr: (amr.length ? amr : [{ method, at: new Date() }]).map((a) => ({
      method: a.method,
      timestamp: Math.floor(new Date(a.at).getTime() / 1000),
    })),
    session_id: sessionId,
    is_anonymous: user.is_anonymous,
  };
  if (cfg.hooks.customAccessToken) {
    const out = await callHook(tx, cfg.hooks.customAccessToken, {
      user_id: user.id,
      claims,
      authentication_method: method,
    });
    const next = (out as { claims?: Record<string, unknown> }).claims;
    for (const required of ["aud", "exp", "iat", "sub", "role", "aal", "session_id"]) {
      if (!next || !(required in next)) {
        throw new AuthError(
          500,
          "unexpected_failure",
          `custom_access_token hook output lacks the claim "${required}"`,
        );
      }
    }
    claims = next!;
  }
  const accessToken = await signAccessToken(cfg, claims);
  const identities = await identitiesOf(tx, user.id);
  return {
    access_token: accessToken,
    token_type: "bearer",
    expires_in: cfg.jwtExpiry,
    expires_at: Number(claims.exp ?? exp),
    refresh_token: refreshToken,
    user: userJson(user, identities),
  };
}

interface TokenRow {
  id: number;
  token: string;
  user_id: string;
  revoked: boolean;
  updated_at: Date;
  parent: string | null;
  session_id: string | null;
}

/**
 * The refresh_token grant: rotate, or answer a reuse as GoTrue does. A reuse after the
 * interval is returned as an error rather than thrown, so that the revocation commits.
 */
export async function refreshSession(
  tx: postgres.TransactionSql,
  cfg: AuthConfig,
  token: string,
): Promise<SessionResponse | AuthError> {
  const [row] = await tx<
    TokenRow[]
  >`select * from auth.refresh_tokens where token = ${token} for update`;
  if (!row || !row.session_id) {
    throw badRequest("refresh_token_not_found", "Invalid Refresh Token: Refresh Token Not Found");
  }
  const [session] = await tx<{ id: string; not_after: Date | null }[]>`
    select id, not_after from auth.sessions where id = ${row.session_id} for update`;
  if (!session) throw badRequest("session_not_found", "Invalid Refresh Token: Session Not Found");
  if (session.not_after && new Date(session.not_after) < new Date()) {
    throw badRequest("session_expired", "Invalid Refresh Token: Session Expired");
  }
  const [user] = await tx<UserRow[]>`select * from auth.users where id = ${row.user_id}`;
  if (!user) {
    throw badRequest("refresh_token_not_found", "Invalid Refresh Token: Refresh Token Not Found");
  }
  if (isBanned(user)) {
    throw badRequest("user_banned", "User is banned");
  }
  if (row.revoked) {
    // The newest token of this session, if this one is its parent: a client that lost the
    // answer to its refresh may ask again within the reuse interval and get the same result.
    const [child] = await tx<TokenRow[]>`
      select * from auth.refresh_tokens where session_id = ${row.session_id} and not revoked
      order by id desc limit 1`;
    const withinInterval =
      Date.now() - new Date(row.updated_at).getTime() < cfg.refreshReuseInterval * 1000;
    if (child && (withinInterval || !cfg.refreshRotation)) {
      return await sessionJson(tx, cfg, user.id, row.session_id, child.token, "token_refresh");
    }
    if (cfg.refreshRotation) {
      // Reuse after the interval: someone else may hold this token. End the whole session.
      await tx`update auth.refresh_tokens set revoked = true, updated_at = now() where session_id = ${row.session_id}`;
      await tx`delete from auth.sessions where id = ${row.session_id}`;
    }
    return badRequest("refresh_token_already_used", "Invalid Refresh Token: Already Used");
  }
  await tx`update auth.refresh_tokens set revoked = true, updated_at = now() where id = ${row.id}`;
  const next = newRefreshToken();
  await tx`
    insert into auth.refresh_tokens (instance_id, token, user_id, revoked, created_at, updated_at, parent, session_id)
    values ('00000000-0000-0000-0000-000000000000', ${next}, ${user.id}, false, now(), now(), ${row.token}, ${row.session_id})`;
  await tx`update auth.sessions set refreshed_at = now(), updated_at = now() where id = ${row.session_id}`;
  return await sessionJson(tx, cfg, user.id, row.session_id, next, "token_refresh");
}

/**
 * Where a browser goes after a link or an OAuth callback: `?code=` for PKCE, or the session in
 * the fragment (implicit flow), as GoTrue redirects.
 */
export function sessionRedirectUrl(
  to: string,
  out: { code: string } | { session: SessionResponse },
  extra: Record<string, string> = {},
): string {
  if ("code" in out) {
    const u = new URL(to);
    u.searchParams.set("code", out.code);
    return u.toString();
  }
  const s = out.session;
  const frag = new URLSearchParams({
    access_token: s.access_token,
    expires_at: String(s.expires_at),
    expires_in: String(s.expires_in),
    refresh_token: s.refresh_token,
    token_type: "bearer",
    ...extra,
  });
  return `${to.split("#")[0]}#${frag}`;
}
