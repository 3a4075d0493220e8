/**
 * The local API keys: HS256 JWTs signed with the JWT secret, with the same claims as the
 * Supabase CLI's well-known local keys (so with the default secret they are byte-identical).
 */
import { SignJWT } from "jose";

/** The Supabase CLI's default local JWT secret; never used for a hosted project. */
export const DEFAULT_JWT_SECRET = "super-secret-jwt-token-with-at-least-32-characters-long";

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
