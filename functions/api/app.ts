/**
 * The API function: one Hono app under `/api` (Supabase's gateway strips `/functions/v1`, so
 * the function sees `/api/...`). Built from its dependencies so that tests and the local
 * gateway can run it in-process; `index.ts` builds it from the environment.
 *
 * Middleware, in order: request id + log, CORS, body size limit, JWT verification, then per
 * route rate limits and zod validation; errors are mapped once, in onError.
 */
import { Hono } from "hono";
import { cors } from "hono/cors";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import { AppError, ERROR_CODES } from "../_shared/errors.ts";
import { jsonLogger, type Logger } from "../_shared/log.ts";
import type { Sql } from "../_shared/db.ts";
import {
  kvRateLimiter,
  pgRateLimiter,
  type RateLimiter,
  unlimited,
  withRules,
} from "../_shared/rate_limit.ts";
import { MAX_BODY_BYTES, REQUEST_TIMEOUT_MS } from "../_shared/limits.ts";
import { type RateLimits, rateLimitsOffWarning } from "../_shared/config.ts";
import { type BlockedTerm, createModerator, type Moderator } from "../_shared/moderation.ts";
import { requestLog } from "./middleware/request_log.ts";
import { deadline } from "./middleware/deadline.ts";
import { createDbGate, type DbGate, isConnectionError } from "../_shared/db_gate.ts";
import { type AuthEnv, requireUser } from "./middleware/auth.ts";
import { guestsReadOnly } from "./middleware/anonymous.ts";
import { healthRoutes } from "./health.ts";
import { COUNTER_HELP, dbPingGauges, metricsRoute } from "./metrics_route.ts";
import { messageRoutes } from "./messages.ts";
import { channelRoutes } from "./channels.ts";
import { meRoutes } from "./me.ts";
import { notifyRoutes } from "./notify.ts";
import { PUSH_OFF, type PushConfig } from "../_shared/push_config.ts";
import { pinRoutes } from "./pins.ts";
import { threadRoutes } from "./threads.ts";
import { linkPreviewAfterSend, linkPreviewRoutes } from "./link_previews.ts";
import { pushAfterSend } from "./push_dispatch.ts";
import { adminRoutes } from "./admin.ts";
import { adminFactorRoutes } from "./admin_factors.ts";
import { inviteRoutes } from "./invites.ts";
import type { InviteUser, ResetFactors } from "../_shared/auth_admin.ts";
import { attachmentRoutes } from "./attachments.ts";
import type { StorageClient } from "../_shared/storage_client.ts";
import { type AiProvider, localAi } from "../_shared/ai.ts";
import { openAPIRouteHandler } from "hono-openapi";
import { doc } from "./docs.ts";
import { Metrics } from "../_shared/metrics.ts";

export interface AppDeps {
  sql: Sql | undefined;
  kv: Deno.Kv | undefined;
  log?: Logger;
  now?: () => number;
  /** HS256 secret of the project (SUPABASE_JWT_SECRET). */
  jwtSecret?: string | undefined;
  /** The project's JWKS (SUPABASE_JWKS_URL), for asymmetric signing keys. */
  jwksUrl?: string | undefined;
  /** Origins allowed by CORS (ALLOWED_ORIGINS, comma-separated); none → no CORS headers. */
  allowedOrigins?: string[];
  limiter?: RateLimiter;
  /** Per-action rules (API_RATE_LIMITS), or `off` for none; the defaults when absent. */
  rateLimits?: RateLimits | "off";
  moderator?: Moderator;
  /** Largest JSON body accepted, in bytes. */
  maxBodyBytes?: number;
  /** Bearer token for GET /metrics (METRICS_TOKEN); unset → metrics are off. */
  metricsToken?: string | undefined;
  metrics?: Metrics;
  /** Bans or unbans a user in Supabase Auth when an admin (de)activates them. */
  setAuthBan?: ((userId: string, banned: boolean) => Promise<void>) | undefined;
  /** Auth's invite, for admins' `POST /admin/invites` (off without it). */
  inviteUser?: InviteUser | undefined;
  /** Auth's factor removal, for admins' `POST /admin/users/:id/mfa/reset` (off without it). */
  resetFactors?: ResetFactors | undefined;
  /** Storage with the service key, for checking uploads and storing thumbnails. */
  storage?: StorageClient | undefined;
  /** Summaries and sentiment; the local provider when absent. */
  ai?: AiProvider;
  /** Longest a request may take before it is answered 503 and abandoned (REQUEST_TIMEOUT_MS). */
  requestTimeoutMs?: number;
  /** Knows whether the database is up (made from `sql` when absent). */
  dbGate?: DbGate;
  /** A one-connection client for the gate's pings (see `DbGateOptions.pingSql`). */
  pingSql?: Sql;
  /** Link-preview targets let through the SSRF guard (LINK_PREVIEW_ALLOW; tests only). */
  linkPreviewAllow?: readonly string[];
  /** Web Push (VAPID keys, test origins); off when absent. */
  push?: PushConfig;
}

export function createApp(deps: AppDeps) {
  // Refuse to build a half app: without these every authenticated route would answer 404.
  if (!deps.sql) throw new Error("createApp: no database (sql); set SUPABASE_DB_URL");
  if (!deps.jwtSecret && !deps.jwksUrl) {
    throw new Error(
      "createApp: no way to verify tokens; set SUPABASE_JWT_SECRET or SUPABASE_JWKS_URL",
    );
  }
  const log = deps.log ?? jsonLogger;
  const app = new Hono<AuthEnv>().basePath("/api");
  const metrics = deps.metrics ?? new Metrics();
  const dbPing = dbPingGauges(metrics, deps.pingSql ?? deps.sql);
  app.use("*", requestLog({ log, ...(deps.now ? { now: deps.now } : {}) }));
  const sql = deps.sql;
  const gate = deps.dbGate ?? createDbGate(sql, {
    ...(deps.pingSql ? { pingSql: deps.pingSql } : {}),
    onChange: (up, reason) =>
      log(up ? "info" : "error", up ? "database is back" : "database is down", { reason }),
  });
  app.use("*", deadline({ ms: deps.requestTimeoutMs ?? REQUEST_TIMEOUT_MS, gate }));
  app.use("*", async (c, next) => {
    const t = performance.now();
    try {
      await next();
    } finally {
      metrics.observeRequest(
        { method: c.req.method, route: c.req.routePath, status: String(c.res.status) },
        (performance.now() - t) / 1000,
      );
    }
  });
  if (deps.allowedOrigins?.length) {
    app.use(
      "*",
      cors({
        origin: deps.allowedOrigins,
        allowHeaders: ["authorization", "x-client-info", "apikey", "content-type", "x-request-id"],
        allowMethods: ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
        exposeHeaders: [
          "x-request-id",
          "retry-after",
          "ratelimit-limit",
          "ratelimit-remaining",
          "ratelimit-reset",
        ],
        maxAge: 600,
      }),
    );
  }
  app.use(
    "*",
    bodyLimit({
      maxSize: deps.maxBodyBytes ?? MAX_BODY_BYTES,
      onError: () => {
        throw new AppError(
          "payload_too_large",
          `The body is larger than ${deps.maxBodyBytes ?? MAX_BODY_BYTES} bytes`,
        );
      },
    }),
  );

  // Without Deno KV (Supabase's hosted runtime) the limiter runs on Postgres.
  const backend = deps.limiter ?? (deps.kv ? kvRateLimiter(deps.kv) : pgRateLimiter(sql));
  // Said once, loudly, by the app that runs without limits (both entry points build one).
  const offWarning = deps.rateLimits && rateLimitsOffWarning({ rateLimits: deps.rateLimits });
  if (offWarning) log("warn", offWarning);
  const limiter = deps.rateLimits === "off"
    ? unlimited
    : deps.rateLimits
    ? withRules(backend, deps.rateLimits)
    : backend;
  app.route(
    "/health",
    // Pinged on its own connection, as the gate pings: a busy pool is not a dead database.
    healthRoutes({ sql: deps.pingSql ?? sql, kv: deps.kv, limiter: limiter.backend }),
  );
  app.get(
    "/openapi.json",
    doc("This document (OpenAPI 3.1, generated from the routes and their zod schemas)", {
      public: true,
    }),
    openAPIRouteHandler(app, {
      documentation: {
        openapi: "3.1.0",
        info: { title: "Chat API", version: "1" },
        servers: [{ url: "/functions/v1" }],
        components: {
          securitySchemes: { bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
        },
      },
    }),
  );
  app.get(
    "/metrics",
    doc("Prometheus metrics (bearer METRICS_TOKEN)", { public: true }),
    metricsRoute({ metrics, token: deps.metricsToken, refresh: dbPing.refresh }),
  );

  const moderator = deps.moderator ??
    createModerator(() =>
      gate.run(() => sql<BlockedTerm[]>`select term, action from public.blocked_terms`)
    );
  app.use("*", requireUser({ jwtSecret: deps.jwtSecret, jwksUrl: deps.jwksUrl }));
  app.use("*", guestsReadOnly()); // anonymous sign-ins read only (middleware/anonymous.ts)
  app.route("/", notifyRoutes({ sql, limiter, ...(deps.push ? { config: deps.push } : {}) }));
  app.route("/", linkPreviewRoutes({ sql, limiter }));
  const afterSend = [
    linkPreviewAfterSend({ sql, log, storage: deps.storage, allow: deps.linkPreviewAllow ?? [] }),
    pushAfterSend({ sql, config: deps.push ?? PUSH_OFF, now: () => new Date(), metrics }),
  ].filter((h) => h !== undefined);
  app.route(
    "/",
    messageRoutes({ sql, limiter, moderator, ai: deps.ai ?? localAi(), metrics, afterSend }),
  );
  app.route("/", channelRoutes({ sql, limiter }));
  app.route("/", meRoutes({ sql, limiter }));
  app.route("/", pinRoutes({ sql, limiter }));
  app.route("/", threadRoutes({ sql, limiter }));
  app.route(
    "/",
    adminRoutes({
      sql,
      limiter,
      moderator,
      metrics,
      refreshMetrics: dbPing.refresh,
      ...(deps.setAuthBan ? { setAuthBan: deps.setAuthBan } : {}),
    }),
  );
  if (deps.resetFactors) {
    app.route("/", adminFactorRoutes({ sql, limiter, resetFactors: deps.resetFactors }));
  }
  if (deps.inviteUser) app.route("/", inviteRoutes({ sql, limiter, invite: deps.inviteUser }));
  if (deps.storage) app.route("/", attachmentRoutes({ sql, limiter, storage: deps.storage }));

  app.notFound((c) =>
    c.json({
      error: { code: "route_not_found", message: `No route for ${c.req.method} ${c.req.path}` },
    }, 404)
  );
  app.onError((err, c) => {
    if (err instanceof AppError) {
      if (err.code === "rate_limited") {
        metrics.inc("rate_limited_total", COUNTER_HELP.rate_limited_total, {
          route: c.req.routePath,
        });
      }
      for (const [k, v] of Object.entries(err.headers)) c.header(k, v);
      return c.json({ error: { code: err.code, message: err.message } }, ERROR_CODES[err.code]);
    }
    if (isConnectionError(err) || (err as { code?: string })?.code === "57014") {
      // The database went away mid-request, or a statement ran past its timeout.
      log("warn", "database unavailable", { request_id: c.get("requestId"), error: err });
      return c.json({
        error: {
          code: "dependency_down",
          message: "The database is unavailable; try again shortly",
        },
      }, 503);
    }
    if (err instanceof HTTPException) {
      const status = err.status;
      const code = status === 413
        ? "payload_too_large"
        : status === 401
        ? "unauthorized"
        : "validation_failed";
      return c.json({ error: { code, message: err.message || "Bad request" } }, status);
    }
    log("error", "unhandled error", { request_id: c.get("requestId"), error: err });
    return c.json({ error: { code: "internal_error", message: "Internal server error" } }, 500);
  });
  return app;
}

export type ApiApp = ReturnType<typeof createApp>;
