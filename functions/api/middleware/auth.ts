/**
 * JWT verification with jose: HS256 with the project's secret, ES256/RS256 (asymmetric signing
 * keys) through the project's JWKS (SUPABASE_JWKS_URL, by default Auth's own
 * `/auth/v1/.well-known/jwks.json`, cached by jose). Expiry, audience and role are checked;
 * the verified claims go on the context for the routes and for RLS.
 */
import type { MiddlewareHandler } from "hono";
import { createRemoteJWKSet, type JWTPayload, jwtVerify } from "jose";
import { AppError } from "../../_shared/errors.ts";
import type { DbGate } from "../../_shared/db_gate.ts";

export interface Claims extends JWTPayload {
  sub: string;
  role: string;
  session_id?: string;
  user_role?: string;
}

export type AuthEnv = {
  Variables: {
    claims: Claims;
    userId: string | undefined;
    requestId: string;
    deadline: AbortSignal | undefined;
    dbGate: DbGate | undefined;
  };
};

export interface AuthOptions {
  jwtSecret?: string | undefined;
  jwksUrl?: string | undefined;
}

/** Verified tokens remembered (a signature check costs more than the rest of a request). */
const CACHE_MAX = 10_000;
/** How long a verified token is trusted without checking again, at most (its expiry first). */
const CACHE_TTL_S = 300;

export function requireUser({ jwtSecret, jwksUrl }: AuthOptions) {
  if (!jwtSecret && !jwksUrl) {
    throw new Error("requireUser needs SUPABASE_JWT_SECRET or SUPABASE_JWKS_URL");
  }
  const secret = jwtSecret ? new TextEncoder().encode(jwtSecret) : undefined;
  const jwks = jwksUrl ? createRemoteJWKSet(new URL(jwksUrl)) : undefined;
  // token → its verified claims, until the token expires (or CACHE_TTL_S passes); oldest out.
  const verified = new Map<string, { payload: JWTPayload; until: number }>();
  return async function requireUserMiddleware(c, next) {
    const m = /^Bearer\s+(\S+)$/i.exec(c.req.header("authorization") ?? "");
    if (!m) throw new AppError("unauthorized", "Missing bearer token");
    const now = Date.now() / 1000;
    const hit = verified.get(m[1]!);
    if (hit && hit.until > now) {
      c.set("claims", hit.payload as Claims);
      c.set("userId", hit.payload.sub);
      return await next();
    }
    if (hit) verified.delete(m[1]!);
    let payload: JWTPayload;
    try {
      const header = JSON.parse(atob(m[1]!.split(".")[0]!.replace(/-/g, "+").replace(/_/g, "/")));
      const opts = { audience: "authenticated" };
      payload = header.alg === "HS256" || !jwks
        ? (await jwtVerify(m[1]!, secret!, { ...opts, algorithms: ["HS256"] })).payload
        : (await jwtVerify(m[1]!, jwks, { ...opts, algorithms: ["ES256", "RS256"] })).payload;
    } catch (e) {
      const expired = (e as { code?: string }).code === "ERR_JWT_EXPIRED";
      throw new AppError("invalid_token", expired ? "Token has expired" : "Invalid token");
    }
    if (payload.role !== "authenticated" || typeof payload.sub !== "string") {
      throw new AppError("invalid_token", "A signed-in user's token is required");
    }
    if (verified.size >= CACHE_MAX) verified.delete(verified.keys().next().value!);
    verified.set(m[1]!, {
      payload,
      until: Math.min(typeof payload.exp === "number" ? payload.exp : now, now + CACHE_TTL_S),
    });
    c.set("claims", payload as Claims);
    c.set("userId", payload.sub);
    await next();
  } satisfies MiddlewareHandler<AuthEnv>;
}
