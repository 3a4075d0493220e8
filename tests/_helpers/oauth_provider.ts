/**
 * Small local OAuth providers for tests, approving at once and sending the browser back with a
 * code:
 * - `startFakeGitHub`: GitHub's authorization-code protocol (GitHub Enterprise paths):
 *   /login/oauth/authorize, /login/oauth/access_token (checks code, client id and secret),
 *   /api/v3/user and /api/v3/user/emails.
 * - `startFakeGoogle`: Google's OpenID Connect as GoTrue's google provider uses it: discovery
 *   at /.well-known/openid-configuration, /o/oauth2/v2/auth, /token answering with an RS256
 *   `id_token` (aud = client id, `at_hash`), keys at /oauth2/v3/certs, and the userinfo
 *   endpoints (/v1/userinfo, legacy /userinfo/v2/me).
 */
import { exportJWK, generateKeyPair, SignJWT } from "jose";

export interface FakeAccount {
  id: number;
  login: string;
  name: string;
  email: string;
  verified: boolean;
}

export interface FakeProvider extends AsyncDisposable {
  url: string;
  clientId: string;
  secret: string;
  /** The account the next authorization signs in as. */
  account: FakeAccount;
  /** Every authorize request seen (its query parameters). */
  authorizations: URLSearchParams[];
}

export function startFakeGitHub(): FakeProvider {
  const codes = new Map<string, FakeAccount>();
  const tokens = new Map<string, FakeAccount>();
  const provider: FakeProvider = {
    url: "",
    clientId: "local-client-id",
    secret: "local-client-secret",
    account: {
      id: 4242,
      login: "octo",
      name: "Octo Cat",
      email: "octo@example.com",
      verified: true,
    },
    authorizations: [],
    async [Symbol.asyncDispose]() {
      await server.shutdown();
    },
  };
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const url = new URL(req.url);
    if (url.pathname === "/login/oauth/authorize") {
      provider.authorizations.push(url.searchParams);
      if (url.searchParams.get("client_id") !== provider.clientId) {
        return new Response("bad client", { status: 400 });
      }
      const code = crypto.randomUUID();
      codes.set(code, { ...provider.account });
      const back = new URL(url.searchParams.get("redirect_uri")!);
      back.searchParams.set("code", code);
      back.searchParams.set("state", url.searchParams.get("state")!);
      return Response.redirect(back.toString(), 302);
    }
    if (url.pathname === "/login/oauth/access_token" && req.method === "POST") {
      const form = new URLSearchParams(await req.text());
      const account = codes.get(form.get("code") ?? "");
      if (
        !account || form.get("client_id") !== provider.clientId ||
        form.get("client_secret") !== provider.secret
      ) {
        return Response.json({ error: "bad_verification_code" }, { status: 400 });
      }
      codes.delete(form.get("code")!);
      const token = `gho_${crypto.randomUUID().replaceAll("-", "")}`;
      tokens.set(token, account);
      return Response.json({ access_token: token, token_type: "bearer", scope: "user:email" });
    }
    const account = tokens.get((req.headers.get("authorization") ?? "").replace(/^Bearer /, ""));
    if (!account) return Response.json({ message: "Bad credentials" }, { status: 401 });
    if (url.pathname === "/api/v3/user") {
      return Response.json({
        id: account.id,
        login: account.login,
        name: account.name,
        avatar_url: "https://example.com/a.png",
      });
    }
    if (url.pathname === "/api/v3/user/emails") {
      return Response.json([{ email: account.email, primary: true, verified: account.verified }]);
    }
    return new Response("not found", { status: 404 });
  });
  provider.url = `http://127.0.0.1:${(server.addr as Deno.NetAddr).port}`;
  return provider;
}

export interface FakeGoogleAccount {
  sub: string;
  name: string;
  email: string;
  emailVerified: boolean;
}

export interface FakeGoogle extends AsyncDisposable {
  /** The issuer (set it as `url` of `[auth.external.google]`). */
  url: string;
  clientId: string;
  secret: string;
  /** The account the next authorization signs in as. */
  account: FakeGoogleAccount;
  /** Answer the code exchange with an ID token (default), or without one (legacy userinfo). */
  idToken: boolean;
  /** The ID token's audience, if not the client id (to test that Auth refuses it). */
  idTokenAudience: string | undefined;
  /** Every authorize request seen (its query parameters). */
  authorizations: URLSearchParams[];
  /** Requests made to the userinfo endpoints. */
  userinfoCalls: number;
}

const b64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

export async function startFakeGoogle(): Promise<FakeGoogle> {
  const { privateKey, publicKey } = await generateKeyPair("RS256");
  const kid = crypto.randomUUID();
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" };
  const codes = new Map<string, { account: FakeGoogleAccount; redirectUri: string }>();
  const tokens = new Map<string, FakeGoogleAccount>();
  const provider: FakeGoogle = {
    url: "",
    clientId: "local-google-client.apps.googleusercontent.com",
    secret: "local-google-secret",
    account: {
      sub: "108000000000000000001",
      name: "Goo Gle",
      email: "goo@example.com",
      emailVerified: true,
    },
    idToken: true,
    idTokenAudience: undefined,
    authorizations: [],
    userinfoCalls: 0,
    async [Symbol.asyncDispose]() {
      await server.shutdown();
    },
  };
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const url = new URL(req.url);
    const issuer = provider.url;
    if (url.pathname === "/.well-known/openid-configuration") {
      return Response.json({
        issuer,
        authorization_endpoint: `${issuer}/o/oauth2/v2/auth`,
        token_endpoint: `${issuer}/token`,
        userinfo_endpoint: `${issuer}/v1/userinfo`,
        jwks_uri: `${issuer}/oauth2/v3/certs`,
        response_types_supported: ["code"],
        subject_types_supported: ["public"],
        id_token_signing_alg_values_supported: ["RS256"],
        scopes_supported: ["openid", "email", "profile"],
      });
    }
    if (url.pathname === "/oauth2/v3/certs") return Response.json({ keys: [jwk] });
    if (url.pathname === "/o/oauth2/v2/auth") {
      const q = url.searchParams;
      provider.authorizations.push(q);
      if (q.get("client_id") !== provider.clientId || q.get("response_type") !== "code") {
        return new Response("invalid_request", { status: 400 });
      }
      const code = `4/${crypto.randomUUID()}`;
      codes.set(code, { account: { ...provider.account }, redirectUri: q.get("redirect_uri")! });
      const back = new URL(q.get("redirect_uri")!);
      back.searchParams.set("code", code);
      back.searchParams.set("state", q.get("state")!);
      back.searchParams.set("scope", q.get("scope") ?? "");
      return Response.redirect(back.toString(), 302);
    }
    if (url.pathname === "/token" && req.method === "POST") {
      const form = new URLSearchParams(await req.text());
      const grant = codes.get(form.get("code") ?? "");
      if (
        !grant || form.get("grant_type") !== "authorization_code" ||
        form.get("client_id") !== provider.clientId ||
        form.get("client_secret") !== provider.secret ||
        form.get("redirect_uri") !== grant.redirectUri
      ) {
        return Response.json({ error: "invalid_grant", error_description: "Bad Request" }, {
          status: 400,
        });
      }
      codes.delete(form.get("code")!);
      const accessToken = `ya29.${crypto.randomUUID().replaceAll("-", "")}`;
      tokens.set(accessToken, grant.account);
      const digest = new Uint8Array(
        await crypto.subtle.digest("SHA-256", new TextEncoder().encode(accessToken)),
      );
      const a = grant.account;
      const idToken = provider.idToken
        ? await new SignJWT({
          azp: provider.clientId,
          email: a.email,
          email_verified: a.emailVerified,
          at_hash: b64url(digest.slice(0, 16)),
          name: a.name,
          picture: "https://example.com/g.png",
        }).setProtectedHeader({ alg: "RS256", kid, typ: "JWT" }).setIssuer(issuer)
          .setAudience(provider.idTokenAudience ?? provider.clientId).setSubject(a.sub)
          .setIssuedAt().setExpirationTime("1h")
          .sign(privateKey)
        : undefined;
      return Response.json({
        access_token: accessToken,
        expires_in: 3599,
        scope: "openid https://www.googleapis.com/auth/userinfo.email",
        token_type: "Bearer",
        ...(idToken ? { id_token: idToken } : {}),
      });
    }
    const account = tokens.get((req.headers.get("authorization") ?? "").replace(/^Bearer /, ""));
    if (!account) return Response.json({ error: "invalid_token" }, { status: 401 });
    if (url.pathname === "/v1/userinfo" || url.pathname === "/userinfo/v2/me") {
      provider.userinfoCalls++;
      const common = { name: account.name, picture: "https://example.com/g.png" };
      return Response.json(
        url.pathname === "/v1/userinfo"
          ? {
            sub: account.sub,
            email: account.email,
            email_verified: account.emailVerified,
            ...common,
          }
          : {
            id: account.sub,
            email: account.email,
            verified_email: account.emailVerified,
            ...common,
          },
      );
    }
    return new Response("not found", { status: 404 });
  });
  provider.url = `http://127.0.0.1:${(server.addr as Deno.NetAddr).port}`;
  return provider;
}

/**
 * Follows a browser's redirects from `url` (Auth → provider → Auth's callback → the app) and
 * answers where it lands: the app's URL with `?code=` (PKCE) or `?error=`.
 */
export async function followRedirects(url: string): Promise<URL> {
  let next = url;
  for (let i = 0; i < 6; i++) {
    const res = await fetch(next, { redirect: "manual" });
    await res.body?.cancel();
    const loc = res.headers.get("location");
    if (res.status < 300 || res.status >= 400 || !loc) {
      throw new Error(`no redirect from ${next}: ${res.status}`);
    }
    const u = new URL(loc, next);
    if (u.searchParams.has("error")) return u;
    const atProvider = u.pathname.includes("/callback") || u.pathname.includes("/login/") ||
      u.pathname.includes("/o/oauth2/");
    if (u.searchParams.has("code") && !atProvider) return u;
    next = u.toString();
  }
  throw new Error("too many redirects");
}
