/**
 * Anonymous sign-ins (`supabase.auth.signInAnonymously()`): POST /signup with neither an email
 * nor a phone, as supabase/auth `internal/api/api.go` and `anonymous.go` handle it. Off unless
 * `[auth] enable_anonymous_sign_ins` (422 `anonymous_provider_disabled`); limited per IP to
 * `[auth.rate_limit] anonymous_users` an hour; refused like any sign-up when `enable_signup` is
 * off. The user has no email, password or identity, `is_anonymous` true, and a session whose
 * token says so (`is_anonymous`, role `authenticated`, amr `anonymous`). What an anonymous user
 * may do is the project's business: its RLS policies read the `is_anonymous` claim.
 */
import type { Context } from "hono";
import type postgres from "postgres";
import { AuthError, unprocessable } from "./errors.ts";
import { RateLimiter } from "./rate_limit.ts";
import { startSession } from "./sessions.ts";
import { type AuthCtx, clientIp, limit, record } from "./context.ts";
import { INSTANCE_ID, type Tx, type UserRow } from "./users.ts";

const HOUR_MS = 3_600_000;

/** The handler for an anonymous POST /signup (its body already read). */
export function anonymousSignIns(ctx: AuthCtx) {
  const perIp = new RateLimiter(ctx.cfg.features.anonymousPerHour, HOUR_MS);
  return async function signInAnonymously(
    c: Context,
    body: Record<string, unknown>,
  ): Promise<Response> {
    if (!ctx.cfg.features.anonymous) {
      throw unprocessable("anonymous_provider_disabled", "Anonymous sign-ins are disabled");
    }
    limit(perIp, clientIp(c));
    if (!ctx.cfg.features.signup) {
      throw unprocessable("signup_disabled", "Signups not allowed for this instance");
    }
    const req = { userAgent: c.req.header("user-agent"), ip: clientIp(c) };
    let session;
    try {
      session = await ctx.sql.begin(async (tx) => {
        const user = await createAnonymousUser(tx, record(body.data) ?? {});
        return await startSession(tx, ctx.cfg, user, "anonymous", req);
      });
    } catch (e) {
      if (e instanceof AuthError) throw e;
      throw new AuthError(500, "unexpected_failure", "Database error creating anonymous user", {
        ...((e as { message?: string }).message ? { detail: (e as Error).message } : {}),
      });
    }
    return c.json(session);
  };
}

async function createAnonymousUser(tx: Tx, data: Record<string, unknown>): Promise<UserRow> {
  const [u] = await tx<UserRow[]>`
    insert into auth.users (instance_id, id, aud, role, email, encrypted_password,
      raw_app_meta_data, raw_user_meta_data, created_at, updated_at, confirmation_token,
      recovery_token, email_change_token_new, email_change, is_anonymous)
    values (${INSTANCE_ID}, ${crypto.randomUUID()}, 'authenticated', 'authenticated', null, '',
      ${tx.json({ provider: "anonymous", providers: ["anonymous"] })},
      ${tx.json(data as postgres.JSONValue)}, now(), now(), '', '', '', '', true)
    returning *`;
  return u!;
}
