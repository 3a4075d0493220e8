/**
 * The local stack's keys. API keys: HS256 JWTs signed with the JWT secret, with the same claims
 * as the Supabase CLI's well-known local keys (so with the default secret they are
 * byte-identical). Signing keys: the JWKs `[auth] signing_keys_path` names (the array
 * `supabase gen signing-key` writes), whose public halves every part of the stack verifies user
 * tokens with, beside the secret that still verifies the legacy HS256 keys — as Auth, Realtime,
 * Storage and PostgREST do on a project with asymmetric keys (supabase/auth
 * `internal/conf/jwk.go`; docs `guides/auth/signing-keys`).
 */
import { errors, importJWK, type JWK, type JWTVerifyGetKey, SignJWT } from "jose";

/** The Supabase CLI's default local JWT secret; never used for a hosted project. */
export const DEFAULT_JWT_SECRET = "super-secret-jwt-token-with-at-least-32-characters-long";

/** What Supabase signs user tokens with besides HS256: ES256 (recommended) or RS256. */
export const ASYMMETRIC_ALGS = ["ES256", "RS256"] as const;
type AsymmetricAlg = typeof ASYMMETRIC_ALGS[number];

/**
 * Signs an API key for `role` (`anon` or `service_role`).
 *
 * @example
 * const anon = await signApiKey("anon", DEFAULT_JWT_SECRET);
 */
export function signApiKey(role: "anon" | "service_role", secret: string): Promise<string> {
  return new SignJWT({ iss: "supabase-demo", role, exp: 1983812996 })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .sign(new TextEncoder().encode(secret));
}

const PRIVATE_PARTS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"] as const;

/**
 * Reads a signing-keys file: a JSON array of private JWKs, ES256 (EC P-256) or RS256 (RSA),
 * each with a `kid`. Symmetric (`oct`) entries are allowed and skipped: the HS256 secret is
 * SUPABASE_JWT_SECRET. Throws a message naming the file on anything else.
 *
 * @example
 * const keys = parseSigningKeys(Deno.readTextFileSync(path), path);
 */
export function parseSigningKeys(text: string, source: string): JWK[] {
  const bad = (why: string) => new Error(`signing_keys_path ${source}: ${why}`);
  let list: unknown;
  try {
    list = JSON.parse(text);
  } catch (e) {
    throw bad(`not JSON (${(e as Error).message})`);
  }
  if (!Array.isArray(list)) throw bad("expected a JSON array of JWKs");
  const keys: JWK[] = [];
  for (const [i, k] of list.entries()) {
    const jwk = (k ?? {}) as JWK;
    if (jwk.kty === "oct") continue;
    const ec = jwk.kty === "EC" && jwk.crv === "P-256" && jwk.x && jwk.y && jwk.d;
    const rsa = jwk.kty === "RSA" && jwk.n && jwk.e && jwk.d;
    const alg = jwk.alg ?? (ec ? "ES256" : rsa ? "RS256" : undefined);
    if (!(ec && alg === "ES256") && !(rsa && alg === "RS256")) {
      throw bad(`key ${i} is not an ES256 (EC P-256) or RS256 (RSA) private JWK`);
    }
    if (typeof jwk.kid !== "string" || !jwk.kid) throw bad(`key ${i} has no "kid"`);
    keys.push({ ...jwk, alg });
  }
  return keys;
}

/**
 * The key that signs: the first whose `key_ops` include "sign" (GoTrue's rule), else the first
 * key; undefined without asymmetric keys (tokens are then HS256).
 */
export function signingKeyOf(keys: readonly JWK[]): JWK | undefined {
  return keys.find((k) => k.key_ops?.includes("sign")) ??
    (keys.every((k) => !k.key_ops) ? keys[0] : undefined);
}

/** A key's public half as a JWKS lists it: no private parts, `verify` only, `use: sig`. */
export function publicJwk(jwk: JWK): JWK {
  const pub: JWK = { ...jwk };
  for (const part of PRIVATE_PARTS) delete pub[part];
  return { ...pub, ext: true, key_ops: ["verify"], use: "sig" };
}

export interface JwtKeys {
  /** Resolves a token's key from its header: the secret for HS256, else a public key by `kid`. */
  getKey: JWTVerifyGetKey;
  /** Algorithms accepted: HS256 and those of the signing keys. */
  algorithms: string[];
}

const cache = new Map<string, JwtKeys>();

/**
 * How to verify the stack's tokens: HS256 with `secret` (API keys, and user tokens when no
 * signing keys are set), ES256/RS256 with the signing keys' public halves, chosen by `kid`.
 * Keys are imported once; the same arguments give the same object.
 *
 * @example
 * const { getKey, algorithms } = jwtKeys(secret, signingKeys);
 * const { payload } = await jwtVerify(token, getKey, { algorithms });
 */
export function jwtKeys(secret: string, signingKeys: readonly JWK[] = []): JwtKeys {
  const id = JSON.stringify([secret, signingKeys.map((k) => [k.kid, k.x ?? k.n])]);
  const known = cache.get(id);
  if (known) return known;
  const hmac = crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["verify"],
  );
  const publics = signingKeys.map((k) => ({
    kid: k.kid!,
    alg: k.alg as AsymmetricAlg,
    key: importJWK(publicJwk(k), k.alg) as Promise<CryptoKey>,
  }));
  const keys: JwtKeys = {
    algorithms: ["HS256", ...new Set(publics.map((p) => p.alg))],
    async getKey(header) {
      if (header.alg === "HS256") return await hmac;
      const candidates = publics.filter((p) => p.alg === header.alg);
      const match = header.kid
        ? candidates.find((p) => p.kid === header.kid)
        : candidates.length === 1
        ? candidates[0]
        : undefined;
      if (!match) throw new errors.JWKSNoMatchingKey();
      return await match.key;
    },
  };
  cache.set(id, keys);
  return keys;
}
