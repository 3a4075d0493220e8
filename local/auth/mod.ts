/**
 * The local stack's Supabase Auth (`/auth/v1`): the GoTrue API as auth-js 2.119 uses it, on
 * the platform layer's `auth` schema, configured by `supabase/config.toml`.
 */
import { Hono } from "hono";
import { cors } from "hono/cors";
import { bodyLimit } from "hono/body-limit";
import { AuthError, authErrorResponse } from "./errors.ts";
import { type AuthDeps, makeCtx } from "./context.ts";
import { flowRoutes } from "./flows.ts";
import { verifyRoutes } from "./verify.ts";
import { tokenRoutes } from "./token.ts";
import { userRoutes } from "./user.ts";
import { adminRoutes } from "./admin.ts";
import { oauthRoutes } from "./oauth.ts";
import { otpRoutes } from "./otp.ts";
import { inviteRoutes } from "./invite.ts";
import { mfaRoutes } from "./mfa.ts";
import { userFactors } from "./mfa_user.ts";
import { identityRoutes } from "./identities.ts";
import { jwksJson } from "./signing_keys.ts";
import { settingsJson } from "./features.ts";
import { disabledRoutes } from "./disabled.ts";
import { signupRoutes } from "./signup.ts";

export { authConfig } from "./config.ts";
export type { AuthConfig } from "./config.ts";
export type { AuthDeps } from "./context.ts";
export type { Mailer } from "./mail.ts";

/** The Auth app; mount it at `/auth/v1`. */
export function createAuth(deps: AuthDeps) {
  const ctx = makeCtx(deps);
  const app = new Hono();

  app.use(
    "*",
    cors({
      origin: "*",
      allowHeaders: [
        "authorization",
        "apikey",
        "content-type",
        "x-client-info",
        "x-supabase-api-version",
      ],
      allowMethods: ["GET", "POST", "PUT", "DELETE", "OPTIONS"],
      exposeHeaders: ["X-Total-Count", "Link", "X-Supabase-Api-Version"],
    }),
  );

  // What Kong's key-auth does in front of GoTrue: every request carries a project API key,
  // except the routes a browser reaches by following a link (Kong's "auth-v1-open" routes).
  // (Not /user/identities/authorize: linkIdentity's request goes through key-auth.)
  const open = /(?<!\/identities)\/(verify|callback|authorize|health|\.well-known\/jwks\.json)$/;
  app.use("*", async (c, next) => {
    if (c.req.method === "OPTIONS" || (open.test(c.req.path) && c.req.method === "GET")) {
      return await next();
    }
    const key = c.req.header("apikey") ?? new URL(c.req.url).searchParams.get("apikey");
    if (!key) return c.json({ message: "No API key found in request" }, 401);
    if (key !== deps.keys.anon && key !== deps.keys.serviceRole) {
      return c.json({ message: "Invalid authentication credentials" }, 401);
    }
    await next();
  });

  app.use(
    "*",
    bodyLimit({
      maxSize: 256 * 1024,
      onError: () => {
        throw new AuthError(413, "validation_failed", "Request body too large");
      },
    }),
  );

  app.get(
    "/health",
    (c) => c.json({ version: "local", name: "GoTrue", description: "Local Supabase Auth" }),
  );
  app.get("/settings", (c) => c.json(settingsJson(deps.cfg)));
  // The public signing keys (signing_keys_path); HS256 secrets are never published.
  app.get("/.well-known/jwks.json", (c) => {
    c.header("cache-control", "public, max-age=600");
    return c.json(jwksJson(deps.cfg));
  });

  app.use("*", userFactors(ctx)); // every answer holding a user lists its MFA factors
  app.route("/", disabledRoutes(ctx)); // first: GoTrue's answers for what is off
  app.route("/", signupRoutes(ctx));
  app.route("/", otpRoutes(ctx));
  app.route("/", verifyRoutes(ctx));
  app.route("/", inviteRoutes(ctx));
  app.route("/", flowRoutes(ctx));
  app.route("/", tokenRoutes(ctx));
  app.route("/", userRoutes(ctx));
  app.route("/", adminRoutes(ctx));
  app.route("/", oauthRoutes(ctx));
  app.route("/", mfaRoutes(ctx));
  app.route("/", identityRoutes(ctx));

  app.notFound((c) =>
    authErrorResponse(c, new AuthError(404, "validation_failed", `${c.req.path} not found`))
  );
  app.onError((err, c) => {
    if (err instanceof AuthError) return authErrorResponse(c, err);
    console.error(
      JSON.stringify({
        level: "error",
        msg: "auth: unhandled error",
        error: String(err),
        stack: (err as Error).stack,
      }),
    );
    return authErrorResponse(
      c,
      new AuthError(
        500,
        "unexpected_failure",
        "Unexpected failure, please check server logs for more information",
      ),
    );
  });
  return app;
}
