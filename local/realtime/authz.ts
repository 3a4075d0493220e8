/**
 * Who may do what on Realtime, asked of Postgres the way Supabase Realtime asks
 * (`lib/realtime/tenants/authorization.ex`): in a transaction that is always rolled back,
 * probe rows are written to realtime.messages with full rights, then read back as the
 * caller (role, `request.jwt.claims` and `realtime.topic` set): visible ⇒ may receive.
 * Sending is an INSERT of a row as the caller: allowed ⇒ may send. Tokens are JWTs signed
 * with the project secret and must carry `role` and `exp`.
 */
import { jwtVerify } from "jose";
import type postgres from "postgres";

export interface Claims {
  role: string;
  exp: number;
  sub?: string;
  [k: string]: unknown;
}

/** Verifies a JWT; the error string is Realtime's join-error reason. */
export type TokenResult = { claims: Claims; error?: undefined } | {
  error: string;
  claims?: undefined;
};

export async function verifyToken(token: string, secret: string): Promise<TokenResult> {
  if (!/^[\w-]+\.[\w-]+\.[\w-]*$/.test(token)) {
    return { error: "MalformedJWT: The token provided is not a valid JWT" };
  }
  try {
    const { payload } = await jwtVerify(token, new TextEncoder().encode(secret), {
      algorithms: ["HS256"],
      clockTolerance: 0,
    });
    if (typeof payload.role !== "string" || typeof payload.exp !== "number") {
      return { error: "InvalidJWTToken: Fields `role` and `exp` are required in JWT" };
    }
    return { claims: payload as Claims };
  } catch (e) {
    const err = e as { code?: string; payload?: { exp?: number } };
    if (err.code === "ERR_JWT_EXPIRED") {
      const ago = Math.max(0, Math.floor(Date.now() / 1000) - (err.payload?.exp ?? 0));
      return { error: `InvalidJWTToken: Token has expired ${ago} seconds ago` };
    }
    if (err.code === "ERR_JWS_SIGNATURE_VERIFICATION_FAILED") {
      return { error: "JwtSignatureError: Failed to validate JWT signature" };
    }
    return { error: "MalformedJWT: The token provided is not a valid JWT" };
  }
}

const ROLE = /^[a-z_][a-z0-9_]*$/;

async function asCaller<T>(
  sql: postgres.Sql,
  claims: Claims,
  topic: string,
  fn: (tx: postgres.TransactionSql) => Promise<T>,
): Promise<T | undefined> {
  let out: T | undefined;
  await sql.begin(async (tx) => {
    await tx`select set_config('request.jwt.claims', ${JSON.stringify(claims)}, true),
                    set_config('request.jwt.claim.sub', ${claims.sub ?? ""}, true),
                    set_config('request.jwt.claim.role', ${claims.role}, true),
                    set_config('realtime.topic', ${topic}, true)`;
    out = await fn(tx);
    throw ROLLBACK;
  }).catch((e) => {
    if (e !== ROLLBACK) throw e;
  });
  return out;
}
const ROLLBACK = Symbol("rollback");

/** May the caller receive broadcasts (and presence, if asked) on `topic`? */
export async function canRead(
  sql: postgres.Sql,
  claims: Claims,
  topic: string,
  presence: boolean,
): Promise<boolean> {
  if (!ROLE.test(claims.role)) return false;
  const read = await asCaller(sql, claims, topic, async (tx) => {
    const exts = presence ? ["broadcast", "presence"] : ["broadcast"];
    const ids: string[] = [];
    for (const ext of exts) {
      const [r] = await tx<{ id: string }[]>`
        insert into realtime.messages (topic, extension, event, payload, private)
        values (${topic}, ${ext}, 'realtime-auth-probe', '{}', true) returning id`;
      ids.push(r!.id);
    }
    await tx.unsafe(`set local role ${claims.role}`);
    const seen = await tx<
      { n: number }[]
    >`select count(*)::int as n from realtime.messages where id = any(${ids}::uuid[])`;
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
  const ok = await asCaller(sql, claims, topic, async (tx) => {
    await tx.unsafe(`set local role ${claims.role}`);
    try {
      await tx.savepoint(async (sp) => {
        await sp`insert into realtime.messages (topic, extension, event, payload, private)
                 values (${topic}, ${extension}, 'realtime-auth-probe', '{}', true)`;
      });
      return true;
    } catch (e) {
      if ((e as { code?: string }).code === "42501") return false;
      throw e;
    }
  });
  return ok === true;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The signed-in user and session a token names, if it names them (anon and service keys do not). */
export function identityOf(
  claims: Claims,
): { userId: string; sessionId: string | null } | undefined {
  const userId = typeof claims.sub === "string" && UUID.test(claims.sub) ? claims.sub : undefined;
  if (!userId) return undefined;
  const sid = claims.session_id;
  return { userId, sessionId: typeof sid === "string" && UUID.test(sid) ? sid : null };
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
