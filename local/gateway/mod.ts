/**
 * The local gateway on one port, as the Supabase CLI's Kong gateway does on 54321:
 * `/functions/v1/<name>/…` → the function (which sees `/<name>/…`), and the web client's
 * static files at `/`; the local services (Auth at `/auth/v1`, the mail inbox at `/_inbox`, and
 * Realtime and Storage as they arrive) mount under their prefixes.
 */
import type { Hono } from "hono";
import { Hono as App } from "hono";
import { serveStatic } from "hono/deno";

export type FetchHandler = (req: Request) => Response | Promise<Response>;

export interface GatewayOptions {
  /** Edge functions by name. */
  functions: Record<string, FetchHandler>;
  /** Directory of the web client's static files. */
  webRoot: string;
  /** Services mounted under a path prefix: `/auth/v1`, `/_inbox`, … */
  services?: Record<string, Hono>;
}

export function createGateway({ functions, webRoot, services = {} }: GatewayOptions) {
  const app = new App();
  // deno-lint-ignore no-explicit-any
  const remote = (env: any): string | undefined =>
    (env?.remoteAddr as Deno.NetAddr | undefined)?.hostname;
  // Every service learns the client's address from a header the client cannot set: a client's
  // own X-Forwarded-For is replaced (per-IP rate limits depend on it).
  for (const [prefix, svc] of Object.entries(services)) {
    app.all(`${prefix}/*`, (c, next) => {
      // A WebSocket upgrade needs the original request: Realtime goes through app.route below.
      if (c.req.header("upgrade")?.toLowerCase() === "websocket") return next();
      const url = new URL(c.req.url);
      url.pathname = url.pathname.slice(prefix.length) || "/";
      const req = new Request(url, c.req.raw);
      const ip = remote(c.env);
      if (ip) req.headers.set("x-forwarded-for", ip);
      else req.headers.delete("x-forwarded-for");
      return svc.fetch(req, c.env);
    });
    app.route(prefix, svc);
  }

  app.all(
    "/functions/v1/:name{[A-Za-z0-9_-]+}/*",
    (c) => forwardToFunction(c.req.raw, remote(c.env)),
  );
  app.all(
    "/functions/v1/:name{[A-Za-z0-9_-]+}",
    (c) => forwardToFunction(c.req.raw, remote(c.env)),
  );

  function forwardToFunction(
    req: Request,
    clientIp: string | undefined,
  ): Response | Promise<Response> {
    const url = new URL(req.url);
    const rest = url.pathname.slice("/functions/v1".length);
    const name = rest.split("/")[1] ?? "";
    const fn = functions[name];
    if (!fn) {
      // The edge runtime's own answer for an unknown function.
      return Response.json({ code: "NOT_FOUND", message: "Requested function was not found" }, {
        status: 404,
      });
    }
    url.pathname = rest;
    const forwarded = new Request(url, req);
    // As Supabase's gateway does: the function learns the client's address from a header the
    // client cannot set (a client's own X-Forwarded-For is replaced).
    if (clientIp) forwarded.headers.set("x-forwarded-for", clientIp);
    else forwarded.headers.delete("x-forwarded-for");
    return fn(forwarded);
  }

  app.use("/*", serveStatic({ root: webRoot }));
  app.get("/", serveStatic({ path: `${webRoot}/index.html` }));
  app.notFound((c) =>
    c.json({ error: { code: "not_found", message: `Nothing is served at ${c.req.path}` } }, 404)
  );
  return app;
}
