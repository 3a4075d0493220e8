/**
 * What the local stack does not offer answers as GoTrue answers it when the feature is off, so
 * that clients see GoTrue's codes and words, not a generic 404:
 * - SAML SSO (`/sso`, `/sso/saml/*`): 404 `saml_provider_disabled` "SAML 2.0 is disabled"
 *   (supabase/auth `middleware.go`, requireSAMLEnabled); the admin list of SSO providers is
 *   empty and a single provider is not found;
 * - Web3 sign-in (`/token?grant_type=web3`): 422 `web3_provider_disabled` (`web3.go`);
 * - ID-token sign-in (`/token?grant_type=id_token`): GoTrue's OAuth-style errors for a bad
 *   request, 400 `provider_disabled` for a provider that is off (`token_oidc.go`);
 * - phone logins (`/token?grant_type=password` with a phone): 422 `phone_provider_disabled`,
 *   and email logins when `[auth.email] enable_signup` is off: 422 `email_provider_disabled`;
 * - GoTrue's newer optional servers, all off here: the OAuth 2.1 server (`/oauth/*`, its
 *   metadata, grants and admin clients), custom OAuth providers, SCIM (404 `feature_disabled`)
 *   and passkeys (404 `passkey_disabled`), each after the credentials its route asks first.
 * Requests these do not concern go on to the routes mounted after this one.
 */
import { type Context, Hono } from "hono";
import { AuthError, badRequest, unprocessable } from "./errors.ts";
import { requireAdmin } from "./admin.ts";
import { type AuthCtx, bearerClaims, clientIp, limit, readJson, str } from "./context.ts";

const samlDisabled = () => new AuthError(404, "saml_provider_disabled", "SAML 2.0 is disabled");
const off = (message: string) => () => {
  throw new AuthError(404, "feature_disabled", message);
};
const OAUTH_SERVER = "OAuth server is disabled";

/** Issuers GoTrue knows for `grant_type=id_token` (provider/*.go), by provider name. */
const ID_TOKEN_ISSUERS: Record<string, string> = {
  apple: "https://appleid.apple.com",
  google: "https://accounts.google.com",
  facebook: "https://www.facebook.com",
  kakao: "https://kauth.kakao.com",
  keycloak: "",
  azure: "",
  vercel_marketplace: "https://marketplace.vercel.com",
};

function passkeysOff(): never {
  throw new AuthError(404, "passkey_disabled", "Passkeys are disabled");
}

/** An OAuth2-style error body (GoTrue's OAuthError), always 400. */
function oauthError(c: Context, error: string, description: string): Response {
  return c.json({ error, error_description: description }, 400);
}

export function disabledRoutes(ctx: AuthCtx) {
  const app = new Hono();

  app.all("/sso", () => {
    throw samlDisabled();
  });
  app.all("/sso/*", () => {
    throw samlDisabled();
  });

  app.use("/admin/sso/*", async (c, next) => {
    await requireAdmin(ctx, c);
    await next();
  });
  app.get("/admin/sso/providers", (c) => c.json({ items: [] }));
  app.post("/admin/sso/providers", () => {
    throw samlDisabled();
  });
  app.all("/admin/sso/providers/:id", (c) => {
    if (
      !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(c.req.param("id"))
    ) {
      throw badRequest("validation_failed", "idp_id must be an UUID");
    }
    throw new AuthError(404, "sso_provider_not_found", "SSO Identity Provider not found");
  });

  app.get("/.well-known/oauth-authorization-server", off(OAUTH_SERVER));
  app.all("/oauth/*", off(OAUTH_SERVER));
  app.use("/user/oauth/grants", async (c, next) => {
    await bearerClaims(c, ctx.cfg);
    await next();
  });
  app.all("/user/oauth/grants", off(OAUTH_SERVER));
  app.use("/admin/oauth/*", async (c, next) => {
    await requireAdmin(ctx, c);
    await next();
  });
  app.all("/admin/oauth/*", off(OAUTH_SERVER));
  for (const path of ["/admin/custom-providers", "/admin/custom-providers/*"]) {
    app.use(path, async (c, next) => {
      await requireAdmin(ctx, c);
      await next();
    });
  }
  app.all("/admin/custom-providers", off("Custom OAuth providers are disabled"));
  app.all("/admin/custom-providers/*", off("Custom OAuth providers are disabled"));
  app.all("/scim/v2/*", off("SCIM server is disabled"));
  app.all("/passkeys", passkeysOff);
  app.all("/passkeys/*", passkeysOff);

  app.post("/token", async (c, next) => {
    const grant = c.req.query("grant_type");
    if (grant === "web3") {
      limit(ctx.limits.token, clientIp(c));
      throw unprocessable("web3_provider_disabled", "Web3 provider is disabled");
    }
    if (grant === "id_token") {
      limit(ctx.limits.token, clientIp(c));
      const answer = idTokenAnswer(ctx, c, await readJson(c));
      if (answer) return answer;
    }
    if (grant === "password") {
      const body = await readJson(c);
      if (str(body.email) && !ctx.cfg.emailProvider) {
        throw unprocessable("email_provider_disabled", "Email logins are disabled");
      }
      if (!str(body.email) && str(body.phone)) {
        throw unprocessable("phone_provider_disabled", "Phone logins are disabled");
      }
    }
    await next();
  });

  return app;
}

/**
 * GoTrue's IdTokenGrant up to the provider check. An enabled provider goes on (undefined): the
 * local stack cannot fetch the issuer's keys, so whatever comes after answers it.
 */
function idTokenAnswer(
  ctx: AuthCtx,
  c: Context,
  body: Record<string, unknown>,
): Response | undefined {
  const provider = str(body.provider) ?? "";
  const issuer = str(body.issuer) ?? "";
  if (!str(body.id_token)) return oauthError(c, "invalid request", "id_token required");
  if (!provider && (!str(body.client_id) || !issuer)) {
    return oauthError(c, "invalid request", "provider or client_id and issuer required");
  }
  const name = Object.entries(ID_TOKEN_ISSUERS).find(([p, iss]) =>
    p === provider || (iss !== "" && iss === issuer)
  )?.[0];
  let shownIssuer = ID_TOKEN_ISSUERS[name ?? ""] || issuer;
  if (name === "azure" && !issuer) {
    // GoTrue reads the issuer from the token itself before anything else.
    shownIssuer = unverifiedIssuer(str(body.id_token)!) ?? "";
    if (!shownIssuer) {
      throw badRequest(
        "validation_failed",
        "Unable to detect issuer in ID token for Azure provider",
      );
    }
  }
  if (!name) {
    throw badRequest("validation_failed", `Custom OIDC provider "${provider}" not allowed`);
  }
  if (!ctx.cfg.providers[name]?.enabled) {
    throw badRequest(
      "provider_disabled",
      `Provider (issuer "${shownIssuer}") is not enabled`,
    );
  }
  return undefined;
}

/** The `iss` claim of a JWT, unverified; undefined when it is not a JWT. */
function unverifiedIssuer(token: string): string | undefined {
  try {
    const part = token.split(".")[1] ?? "";
    const claims = JSON.parse(atob(part.replace(/-/g, "+").replace(/_/g, "/")));
    return typeof claims.iss === "string" ? claims.iss : undefined;
  } catch {
    return undefined;
  }
}
