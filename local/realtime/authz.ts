/**
 * Who may do what on Realtime, asked of Postgres the way Supabase Realtime asks
 * (`lib/realtime/tenants/authorization.ex`): in a transaction that is always rolled back,
 * probe rows are written to realtime.messages with full rights, then read back as the
 * caller (role, `request.jwt.claims` and `realtime.topic` set): visible ⇒ may receive.
 * Sending is an INSERT of a row as the caller: allowed ⇒ may send. Tokens are JWTs signed
 * with the project secret or a signing key and must carry `role` and `exp`.
 */
import { type JWK, jwtVerify } from "jose";
import { type JwtKeys, jwtKeys } from "../keys.ts";
import type postgres from "postgres";

/**
 * A verified token's claims as Realtime keeps them for as long as a subscription lives: the
 * few it reads, and all of them as the JSON text RLS reads (`request.jwt.claims`), one string
 * instead of a tree of objects and strings on every idle subscription.
 */
export interface Claims {
  readonly role: string;
  /** Expiry, seconds since the epoch. */
  readonly exp: number;
  readonly sub: string | undefined;
  readonly sessionId: string | undefined;
  /** Every claim, as JSON. */
  readonly json: string;
}

/** The claims a token carries, in the form subscriptions keep them. */
function keptClaims(payload: Record<string, unknown>): Claims {
  const role = String(payload.role);
  return {
    role: roles.get(role) ?? (roles.size < 16 ? (roles.set(role, role), role) : role),
    exp: Number(payload.exp),
    sub: typeof payload.sub === "string" ? payload.sub : undefined,
    sessionId: typeof payload.session_id === "string" ? payload.session_id : undefined,
    json: JSON.stringify(payload),
  };
}
/** The few role names in use, one string each. */
const roles = new Map<string, string>();

/** A verified JWT (with the one string kept for it), or Realtime's join-error reason. */
export type TokenResult = { claims: Claims; token: string; error?: undefined } | {
  error: string;
  claims?: undefined;
  token?: undefined;
};

export type VerifyToken = (token: string) => Promise<TokenResult>;

/** Verifications remembered: enough for a burst of joins, small next to the connections. */
const RECENT_TOKENS = 1_000;

/**
 * Verifies JWTs signed with `secret` (HS256) or one of the stack's `signingKeys` (ES256/RS256,
 * by `kid`). The last RECENT_TOKENS tokens verified are remembered, so
 * that a client joining several topics with one token (and every socket opened with the anon
 * key) is verified once and its subscriptions share one frozen claims object and one token
 * string; a remembered token is still refused once expired (or before `nbf`).
 *
 * @example
 * const verify = tokenVerifier(jwtSecret);
 * const { claims, error } = await verify(token);
 */
export function tokenVerifier(
  secret: string,
  remember = RECENT_TOKENS,
  signingKeys: readonly JWK[] = [],
): VerifyToken {
  // Imported once: jose would import a raw secret again for every token.
  const keys = jwtKeys(secret, signingKeys);
  const recent = new Map<string, { token: string; claims: Claims; nbf: unknown }>();
  return async (token) => {
    const hit = recent.get(token);
    if (hit && current(hit.claims.exp, hit.nbf)) return { claims: hit.claims, token: hit.token };
    const verified = await verifyToken(token, keys);
    if (verified.error !== undefined) return verified;
    // A token cut from a longer string (a URL, a frame) would keep all of it alive.
    const own = JSON.parse(JSON.stringify(token)) as string;
    const claims = Object.freeze(keptClaims(verified.payload));
    recent.delete(own);
    if (recent.size >= remember) recent.delete(recent.keys().next().value!);
    recent.set(own, { token: own, claims, nbf: verified.payload.nbf });
    return { claims, token: own };
  };
}

/** Within its validity window right now (what jose checks of time, without tolerance). */
function current(exp: number, nbf: unknown): boolean {
  const now = Date.now() / 1000;
  return exp > now && !(typeof nbf === "number" && nbf > now);
}

async function verifyToken(
  token: string,
  keys: JwtKeys,
): Promise<
  { payload: Record<string, unknown>; error?: undefined } | { error: string; payload?: undefined }
> {
  if (!/^[\w-]+\.[\w-]+\.[\w-]*$/.test(token)) {
    return { error: "MalformedJWT: The token provided is not a valid JWT" };
  }
  try {
    const { payload } = await jwtVerify(token, keys.getKey, {
      algorithms: keys.algorithms,
      clockTolerance: 0,
    });
    if (typeof payload.role !== "string" || typeof payload.exp !== "number") {
      return { error: "InvalidJWTToken: Fields `role` and `exp` are required in JWT" };
    }
    return { payload };
  } catch (e) {
    const err = e as { code?: string; payload?: { exp?: number } };
    if (err.code === "ERR_JWT_EXPIRED") {
      const ago = Math.max(0, Math.floor(Date.now() / 1000) - (err.payload?.exp ?? 0));
      return { error: `InvalidJWTToken: Token has expired ${ago} seconds ago` };
    }
    if (
      err.code === "ERR_JWS_SIGNATURE_VERIFICATION_FAILED" ||
      err.code === "ERR_JWKS_NO_MATCHING_KEY"
    ) {
      return { error: "JwtSignatureError: Failed to validate JWT signature" };
    }
    return { error: "MalformedJWT: The token provided is not a valid JWT" };
  }
}

const ROLE = /^[a-z_][a-z0-9_]*$/;

/**
 * Runs `fn` in a transaction that is always rolled back and returns its value. The statements
 * `fn` issues without awaiting each go out together with BEGIN (postgres.js pipelines them), so
 * a check costs two round trips (the statements, then ROLLBACK) however many it has.
 */
async function rolledBack<T>(
  sql: postgres.Sql,
  fn: (tx: postgres.TransactionSql) => Promise<T>,
): Promise<T | undefined> {
  let out: T | undefined;
  await sql.begin(async (tx) => {
    out = await fn(tx);
    throw ROLLBACK;
  }).catch((e) => {
    if (e !== ROLLBACK) throw e;
  });
  return out;
}
const ROLLBACK = Symbol("rollback");

/** The caller's claims and the topic, as Supabase Realtime sets them for RLS (not the role). */
function callerSettings(tx: postgres.TransactionSql, claims: Claims, topic: string) {
  return tx`select set_config('request.jwt.claims', ${claims.json}, true),
                   set_config('request.jwt.claim.sub', ${claims.sub ?? ""}, true),
                   set_config('request.jwt.claim.role', ${claims.role}, true),
                   set_config('realtime.topic', ${topic}, true)`;
}

/** From here on the transaction runs as `role` (SET LOCAL ROLE; checked against ROLE first). */
const becomeRole = (tx: postgres.TransactionSql, role: string) =>
  tx`select set_config('role', ${role}, true)`;

/** May the caller receive broadcasts (and presence, if asked) on `topic`? */
export async function canRead(
  sql: postgres.Sql,
  claims: Claims,
  topic: string,
  presence: boolean,
): Promise<boolean> {
  if (!ROLE.test(claims.role)) return false;
  const exts = presence ? ["broadcast", "presence"] : ["broadcast"];
  const read = await rolledBack(sql, async (tx) => {
    // One pipeline: the probes are written with full rights (their ids kept in a setting of
    // this transaction), then read back as the caller.
    const [, , , seen] = await Promise.all([
      callerSettings(tx, claims, topic),
      tx`with probe as (
           insert into realtime.messages (topic, extension, event, payload, private)
           select ${topic}, ext, 'realtime-auth-probe', '{}', true from unnest(${exts}::text[]) ext
           returning id
         )
         select set_config('realtime_local.probe_ids', string_agg(id::text, ','), true) from probe`,
      becomeRole(tx, claims.role),
      tx<{ n: number }[]>`
        select count(*)::int as n from realtime.messages
        where id = any(string_to_array(current_setting('realtime_local.probe_ids'), ',')::uuid[])`,
    ]);
    return (seen[0]?.n ?? 0) > 0;
  });
  return read === true;
}

/** May the caller send on `topic` (extension `broadcast` or `presence`)? */
export async function canWrite(
  sql: postgres.Sql,
  claims: Claims,
  topic: string,
  extension: "broadcast" | "presence",
): Promise<boolean> {
  if (!ROLE.test(claims.role)) return false;
  try {
    await rolledBack(sql, (tx) =>
      Promise.all([
        callerSettings(tx, claims, topic),
        becomeRole(tx, claims.role),
        tx`insert into realtime.messages (topic, extension, event, payload, private)
           values (${topic}, ${extension}, 'realtime-auth-probe', '{}', true)`,
      ]));
    return true;
  } catch (e) {
    // RLS refused the row (the transaction was rolled back all the same).
    if ((e as { code?: string }).code === "42501") return false;
    throw e;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The signed-in user and session a token names, if it names them (anon and service keys do not). */
export function identityOf(
  claims: Claims,
): { userId: string; sessionId: string | null } | undefined {
  const userId = claims.sub !== undefined && UUID.test(claims.sub) ? claims.sub : undefined;
  if (!userId) return undefined;
  const sid = claims.sessionId;
  return { userId, sessionId: sid !== undefined && UUID.test(sid) ? sid : null };
}

/**
 * Has Auth taken this token's access back before it expired: the user banned or deleted, or
 * the token's session signed out (its `auth.sessions` row gone)? Supabase Realtime does not
 * ask; the local one does, so that access ends at once (a JWT stays valid until `exp`).
 */
export async function accessRevoked(sql: postgres.Sql, claims: Claims): Promise<boolean> {
  const who = identityOf(claims);
  if (!who) return false;
  const [r] = await sql<{ revoked: boolean }[]>`
    select exists (
             select 1 from auth.users
             where id = ${who.userId}::uuid and (banned_until > now() or deleted_at is not null)
           )
           or (${who.sessionId}::uuid is not null
               and not exists (select 1 from auth.sessions where id = ${who.sessionId}::uuid))
           as revoked`;
  return r?.revoked === true;
}
