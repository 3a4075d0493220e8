/**
 * The OAuth providers Auth speaks to, as supabase/auth `internal/api/provider/github.go` and
 * `google.go` do: where to send the browser, where to exchange the code, and how the account is
 * read.
 *
 * - GitHub: authorization code, then `/user` and `/user/emails` with the access token.
 * - Google: OpenID Connect. The issuer's discovery document names the endpoints; the token
 *   answer's `id_token` is verified against the issuer's JWKS (issuer, audience = client id,
 *   expiry, `at_hash`) and read; without an `id_token`, the legacy userinfo endpoint.
 *
 * `url` in `[auth.external.<name>]` points a provider at another host: GitHub Enterprise style
 * for GitHub, the issuer for Google (GoTrue ignores it for Google; here it lets the tests use a
 * local provider).
 */
import { createRemoteJWKSet, type JWTPayload, jwtVerify } from "jose";
import { AuthError, badRequest } from "./errors.ts";
import type { ProviderConfig } from "./config.ts";

export interface ProviderUser {
  id: string;
  email: string | undefined;
  emailVerified: boolean;
  /** The identity's `identity_data` (GoTrue's provider `Claims`). */
  data: Record<string, unknown>;
}

/** The provider's answer to the code exchange. */
export interface ProviderTokens {
  access_token: string;
  refresh_token?: string;
  id_token?: string;
}

export interface OAuthProvider {
  authorizeUrl: string;
  tokenUrl: string;
  /** Scopes always asked for, space-separated. */
  scopes: string;
  userOf(tokens: ProviderTokens, clientId: string): Promise<ProviderUser>;
}

const profileError = () =>
  new AuthError(500, "unexpected_failure", "Error getting user profile from external provider");

async function getJson(url: string, token: string): Promise<unknown> {
  const res = await fetch(url, {
    headers: { authorization: `Bearer ${token}`, accept: "application/json" },
  });
  if (!res.ok) {
    await res.body?.cancel();
    throw profileError();
  }
  return await res.json();
}

/**
 * The provider `name` as configured.
 *
 * @example
 * const p = await oauthProvider("github", cfg.providers.github!);
 */
export async function oauthProvider(name: string, p: ProviderConfig): Promise<OAuthProvider> {
  if (name === "github") return github(p);
  if (name === "google") return await google(p);
  throw badRequest(
    "validation_failed",
    `Unsupported provider: Provider ${name} could not be found`,
  );
}

function github(p: ProviderConfig): OAuthProvider {
  const web = p.url || "https://github.com";
  const api = p.url ? `${p.url}/api/v3` : "https://api.github.com";
  return {
    authorizeUrl: `${web}/login/oauth/authorize`,
    tokenUrl: `${web}/login/oauth/access_token`,
    scopes: "user:email",
    async userOf({ access_token }) {
      const u = await getJson(`${api}/user`, access_token) as Record<string, unknown>;
      const emails = await getJson(`${api}/user/emails`, access_token) as {
        email: string;
        primary: boolean;
        verified: boolean;
      }[];
      const primary = emails.find((e) => e.primary) ?? emails[0];
      return {
        id: String(u.id),
        email: primary?.email,
        emailVerified: Boolean(primary?.verified),
        data: {
          iss: api,
          sub: String(u.id),
          name: u.name ?? u.login,
          full_name: u.name ?? u.login,
          user_name: u.login,
          preferred_username: u.login,
          avatar_url: u.avatar_url,
          email: primary?.email,
          email_verified: Boolean(primary?.verified),
          provider_id: String(u.id),
        },
      };
    },
  };
}

const GOOGLE_ISSUER = "https://accounts.google.com";
const GOOGLE_USERINFO = "https://www.googleapis.com/userinfo/v2/me";

interface Discovery {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
}

/** Discovery documents and key sets by issuer, kept for an hour (go-oidc keeps them too). */
const discovered = new Map<
  string,
  { at: number; doc: Discovery; jwks: ReturnType<typeof createRemoteJWKSet> }
>();
const DISCOVERY_TTL_MS = 3_600_000;

async function discover(issuer: string) {
  const known = discovered.get(issuer);
  if (known && Date.now() - known.at < DISCOVERY_TTL_MS) return known;
  const res = await fetch(`${issuer}/.well-known/openid-configuration`, {
    headers: { accept: "application/json" },
  }).catch(() => undefined);
  const doc = await res?.json().catch(() => undefined) as Discovery | undefined;
  if (!res?.ok || !doc?.authorization_endpoint || !doc.token_endpoint || !doc.jwks_uri) {
    throw new AuthError(500, "unexpected_failure", `Error discovering OIDC issuer ${issuer}`);
  }
  if (doc.issuer !== issuer) {
    throw new AuthError(500, "unexpected_failure", `OIDC issuer mismatch: ${doc.issuer}`);
  }
  const entry = { at: Date.now(), doc, jwks: createRemoteJWKSet(new URL(doc.jwks_uri)) };
  discovered.set(issuer, entry);
  return entry;
}

/** Base64url of the left half of SHA-256(access token): OIDC's `at_hash` for RS256/ES256. */
async function atHash(accessToken: string): Promise<string> {
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", new TextEncoder().encode(accessToken)),
  );
  return btoa(String.fromCharCode(...digest.slice(0, 16)))
    .replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

interface GoogleClaims extends JWTPayload {
  id?: string;
  name?: string;
  picture?: string;
  email?: string;
  email_verified?: boolean;
  verified_email?: boolean;
  hd?: string;
}

function googleUser(u: GoogleClaims, iss: string): ProviderUser {
  const id = String(u.sub ?? u.id ?? "");
  const verified = Boolean(u.email_verified || u.verified_email);
  return {
    id,
    email: u.email || undefined,
    emailVerified: verified,
    data: {
      iss,
      sub: id,
      name: u.name,
      picture: u.picture,
      email: u.email,
      email_verified: verified,
      full_name: u.name,
      avatar_url: u.picture,
      provider_id: id,
      ...(u.hd ? { custom_claims: { hd: u.hd } } : {}),
    },
  };
}

async function google(p: ProviderConfig): Promise<OAuthProvider> {
  const issuer = p.url || GOOGLE_ISSUER;
  const { doc, jwks } = await discover(issuer);
  return {
    authorizeUrl: doc.authorization_endpoint,
    tokenUrl: doc.token_endpoint,
    scopes: "email profile",
    async userOf(tokens, clientId) {
      if (tokens.id_token) {
        let claims: GoogleClaims;
        try {
          claims = (await jwtVerify(tokens.id_token, jwks, { issuer, audience: clientId }))
            .payload as GoogleClaims;
        } catch {
          // Wrong issuer, audience, signature or expiry: GoTrue's answer names no detail.
          throw profileError();
        }
        if (claims.at_hash && claims.at_hash !== await atHash(tokens.access_token)) {
          throw profileError();
        }
        return googleUser(claims, String(claims.iss));
      }
      // No ID token: the userinfo endpoint, as GoTrue's legacy path does.
      const endpoint = p.url ? `${p.url}/userinfo/v2/me` : GOOGLE_USERINFO;
      return googleUser(await getJson(endpoint, tokens.access_token) as GoogleClaims, endpoint);
    },
  };
}
