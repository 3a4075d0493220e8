/**
 * Request id and access log: takes `x-request-id` from the caller (when it looks like an id)
 * or makes one, echoes it on the response, and writes one JSON line per request.
 */
import type { MiddlewareHandler } from "hono";
import type { Logger } from "../../_shared/log.ts";

export interface RequestLogOptions {
  log: Logger;
  /** Clock in milliseconds; injected by tests. */
  now?: () => number;
}

export type RequestLogEnv = { Variables: { requestId: string; userId: string | undefined } };

const VALID_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestLog({ log, now = () => performance.now() }: RequestLogOptions) {
  return async function requestLogMiddleware(c, next) {
    const incoming = c.req.header("x-request-id");
    const requestId = incoming && VALID_ID.test(incoming) ? incoming : crypto.randomUUID();
    c.set("requestId", requestId);
    const started = now();
    try {
      await next();
    } finally {
      c.res.headers.set("x-request-id", requestId);
      log(c.res.status >= 500 ? "error" : "info", "request", {
        request_id: requestId,
        method: c.req.method,
        route: c.req.routePath,
        path: new URL(c.req.url).pathname,
        status: c.res.status,
        duration_ms: Math.round((now() - started) * 100) / 100,
        user_id: c.get("userId") ?? null,
      });
    }
  } satisfies MiddlewareHandler<RequestLogEnv>;
}
