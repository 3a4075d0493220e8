/**
 * The API function: one Hono app under `/api` (Supabase's gateway strips `/functions/v1`, so
 * the function sees `/api/...`). Built from its dependencies so that tests and the local
 * gateway can run it in-process; `index.ts` builds it from the environment.
 */
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { AppError, ERROR_CODES } from "../_shared/errors.ts";
import { jsonLogger, type Logger } from "../_shared/log.ts";
import type { Sql } from "../_shared/db.ts";
import { requestLog, type RequestLogEnv } from "./middleware/request_log.ts";
import { healthRoutes } from "./health.ts";

export interface AppDeps {
  sql: Sql | undefined;
  kv: Deno.Kv | undefined;
  log?: Logger;
  now?: () => number;
}

export function createApp(deps: AppDeps) {
  const log = deps.log ?? jsonLogger;
  const app = new Hono<RequestLogEnv>().basePath("/api");
  app.use("*", requestLog({ log, ...(deps.now ? { now: deps.now } : {}) }));
  app.route("/health", healthRoutes(deps));

  app.notFound((c) =>
    c.json({
      error: { code: "route_not_found", message: `No route for ${c.req.method} ${c.req.path}` },
    }, 404)
  );
  app.onError((err, c) => {
    if (err instanceof AppError) {
      for (const [k, v] of Object.entries(err.headers)) c.header(k, v);
      return c.json({ error: { code: err.code, message: err.message } }, ERROR_CODES[err.code]);
    }
    if (err instanceof HTTPException) {
      const status = err.status;
      const code = status === 413
        ? "payload_too_large"
        : status === 401
        ? "unauthorized"
        : "bad_request";
      return c.json({ error: { code, message: err.message || "Bad request" } }, status);
    }
    log("error", "unhandled error", { request_id: c.get("requestId"), error: err });
    return c.json({ error: { code: "internal_error", message: "Internal server error" } }, 500);
  });
  return app;
}

export type ApiApp = ReturnType<typeof createApp>;
