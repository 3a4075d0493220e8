/** What every Auth route shares: its dependencies and small request helpers. */
import type { Context } from "hono";
import type postgres from "postgres";
import { AuthError, badRequest } from "./errors.ts";
import type { AuthConfig } from "./config.ts";
import { verifyAccessToken } from "./signing_keys.ts";
import type { Mailer } from "./mail.ts";
import { RateLimiter } from "./rate_limit.ts";
import { mailBudgets, MailLimits } from "./mail_limits.ts";

export interface AuthDeps {
  /** Auth's own connection (role supabase_auth_admin, as GoTrue connects). */
  sql: postgres.Sql;
  cfg: AuthConfig;
  mailer: Mailer;
  /** The API keys Kong accepts: anon and service_role. */
  keys: { anon: string; serviceRole: string };
}

export interface AuthCtx extends AuthDeps {
  limits: {
    signInSignUps: RateLimiter;
    token: RateLimiter;
    verify: RateLimiter;
  };
  /** Auth emails: per address, per client and for the instance (see mail_limits.ts). */
  mail: MailLimits;
}

export function makeCtx(deps: AuthDeps): AuthCtx {
  const { rateLimits } = deps.cfg;
  const fiveMin = 5 * 60_000;
  return {
    ...deps,
    limits: {
      signInSignUps: new RateLimiter(rateLimits.signInSignUps, fiveMin),
      token: new RateLimiter(rateLimits.tokenRefresh, fiveMin),
      verify: new RateLimiter(rateLimits.verify, fiveMin),
    },
    mail: new MailLimits({
      maxFrequencyMs: deps.cfg.emailMaxFrequencyMs,
      perInstance: rateLimits.emailSent,
      ...mailBudgets(rateLimits.emailSent),
    }),
  };
}

export function clientIp(c: Context): string {
  const fwd = c.req.header("x-forwarded-for")?.split(",")[0]?.trim();
  if (fwd) return fwd;
  // deno-lint-ignore no-explicit-any
  const info = (c.env as any)?.remoteAddr as Deno.NetAddr | undefined;
  return info?.hostname ?? "127.0.0.1";
}

export function limit(limiter: RateLimiter, key: string): void {
  if (!limiter.take(key)) {
    throw new AuthError(429, "over_request_rate_limit", "Request rate limit reached");
  }
}

/** The JSON body, or `bad_json`; an empty body is `{}`. */
export async function readJson(c: Context): Promise<Record<string, unknown>> {
  const text = await c.req.text();
  if (!text.trim()) return {};
  try {
    const v = JSON.parse(text);
    if (v === null || typeof v !== "object" || Array.isArray(v)) throw new Error("not an object");
    return v as Record<string, unknown>;
  } catch (e) {
    throw badRequest("bad_json", `Could not parse request body as JSON: ${(e as Error).message}`);
  }
}

export const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

/** A JSON object field (`data`, `user_metadata`), or undefined for anything else. */
export const record = (v: unknown): Record<string, unknown> | undefined =>
  v && typeof v === "object" && !Array.isArray(v) ? v as Record<string, unknown> : undefined;

// The format GoTrue checks (badoux/checkmail's ValidateFormat).
const EMAIL =
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** GoTrue's validateEmail: 400 `validation_failed` for a long or malformed address. */
export function validEmail(email: string | undefined): string {
  if (!email) throw badRequest("validation_failed", "Missing email or phone");
  if (email.length > 255) throw badRequest("validation_failed", "An email address is too long");
  if (!EMAIL.test(email)) {
    throw badRequest("validation_failed", "Unable to validate email address: invalid format");
  }
  return email.toLowerCase();
}

export interface JwtClaims {
  sub?: string;
  role?: string;
  session_id?: string;
  exp?: number;
  [k: string]: unknown;
}

/** Verifies the bearer JWT (HS256, or a signing key by `kid`); GoTrue's errors otherwise. */
export async function bearerClaims(c: Context, cfg: AuthConfig): Promise<JwtClaims> {
  const h = c.req.header("authorization") ?? "";
  const m = /^Bearer\s+(\S+)$/i.exec(h);
  if (!m) {
    throw new AuthError(401, "no_authorization", "This endpoint requires a valid Bearer token");
  }
  try {
    return await verifyAccessToken(cfg, m[1]!) as JwtClaims;
  } catch (e) {
    throw new AuthError(
      403,
      "bad_jwt",
      `invalid JWT: unable to parse or verify signature, ${(e as Error).message}`,
    );
  }
}

export async function sha224Hex(s: string): Promise<string> {
  // Web Crypto has no SHA-224; node:crypto does.
  const { createHash } = await import("node:crypto");
  return createHash("sha224").update(s).digest("hex");
}

/** A code of `length` random digits (`[auth.email] otp_length`, 6 by default). */
export function randomOtp(length = 6): string {
  const digits = crypto.getRandomValues(new Uint8Array(length * 2));
  // Bytes below 250 map evenly onto 0-9; the rare others are skipped.
  const out = [...digits].filter((b) => b < 250).map((b) => String(b % 10)).join("");
  return out.length >= length ? out.slice(0, length) : randomOtp(length);
}
