/**
 * Asymmetric JWT signing keys, as GoTrue uses them (supabase/auth `internal/conf/jwk.go`,
 * `internal/api/jwks.go`, `internal/tokens/service.go`): with `[auth] signing_keys_path` set,
 * user access tokens are signed with the signing key (ES256 or RS256) and carry its `kid`;
 * `/.well-known/jwks.json` lists the public halves; tokens are verified by `kid`, and the HS256
 * secret still verifies the legacy anon and service_role keys. Without signing keys nothing
 * changes: HS256 with the JWT secret, and an empty JWKS.
 */
import { isAbsolute, join } from "node:path";
import { importJWK, type JWK, jwtVerify, SignJWT } from "jose";
import { jwtKeys, parseSigningKeys, publicJwk, signingKeyOf } from "../keys.ts";
import { SUPABASE_DIR } from "../paths.ts";

/**
 * The keys `[auth] signing_keys_path` names (relative to `supabase/`, as the CLI reads it); an
 * empty list when unset. Read once at start; a missing or malformed file stops the start.
 *
 * @example
 * const keys = signingKeysFromToml(toml.auth); // [] unless signing_keys_path is set
 */
export function signingKeysFromToml(auth: Record<string, unknown>): JWK[] {
  const path = auth.signing_keys_path;
  if (typeof path !== "string" || !path.trim()) return [];
  const file = isAbsolute(path) ? path : join(SUPABASE_DIR, path);
  let text: string;
  try {
    text = Deno.readTextFileSync(file);
  } catch (e) {
    throw new Error(`signing_keys_path ${file}: cannot read it (${(e as Error).message})`);
  }
  const keys = parseSigningKeys(text, file);
  if (keys.length && !signingKeyOf(keys)) {
    throw new Error(`signing_keys_path ${file}: no key has "sign" in its key_ops`);
  }
  return keys;
}

interface KeyedConfig {
  jwtSecret: string;
  signingKeys: readonly JWK[];
}

const signers = new WeakMap<readonly JWK[], Promise<{ key: CryptoKey; jwk: JWK }>>();

/**
 * Signs a user access token: with the signing key and its `kid` when there is one, else HS256
 * with the JWT secret (the header GoTrue writes in each case).
 *
 * @example
 * const accessToken = await signAccessToken(cfg, claims);
 */
export async function signAccessToken(
  cfg: KeyedConfig,
  claims: Record<string, unknown>,
): Promise<string> {
  const jwk = signingKeyOf(cfg.signingKeys);
  if (!jwk) {
    return await new SignJWT(claims)
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .sign(new TextEncoder().encode(cfg.jwtSecret));
  }
  let signer = signers.get(cfg.signingKeys);
  if (!signer) {
    // WebCrypto refuses "verify" among a private key's usages: import it for signing only.
    const signOnly = { ...jwk, key_ops: ["sign"] };
    signer = (importJWK(signOnly, jwk.alg) as Promise<CryptoKey>).then((key) => ({ key, jwk }));
    signers.set(cfg.signingKeys, signer);
  }
  const { key } = await signer;
  return await new SignJWT(claims)
    .setProtectedHeader({ alg: jwk.alg!, kid: jwk.kid!, typ: "JWT" })
    .sign(key);
}

/** The JWKS body: public signing keys only (an HMAC secret is never listed). */
export function jwksJson(cfg: KeyedConfig): { keys: JWK[] } {
  return { keys: cfg.signingKeys.map(publicJwk) };
}

/**
 * Verifies a bearer token Auth receives: HS256 with the secret, or a signing key by `kid`.
 *
 * @example
 * const claims = await verifyAccessToken(cfg, token);
 */
export async function verifyAccessToken(
  cfg: KeyedConfig,
  token: string,
): Promise<Record<string, unknown>> {
  const { getKey, algorithms } = jwtKeys(cfg.jwtSecret, cfg.signingKeys);
  const { payload } = await jwtVerify(token, getKey, { algorithms });
  return payload;
}
