/**
 * The local gateway on one port, as the Supabase CLI's Kong gateway does on 54321:
 * `/functions/v1/<name>/…` → the function (which sees `/<name>/…`), and the web client's
 * static files at `/`; the local services (Auth at `/auth/v1`, the mail inbox at `/_inbox`,
 * Realtime, Storage) mount under their prefixes. With no PostgREST among them, `/rest/v1` and
 * `/graphql/v1` answer PostgREST's error shape (no_postgrest.ts).
 */
import type { Hono } from "hono";
import { Hono as App } from "hono";
import { serveStatic } from "hono/deno";
import { noPostgrest } from "./no_postgrest.ts";

export type FetchHandler = (req: Request) => Response | Promise<Response>;

export interface GatewayOptions {
  /** Edge functions by name. */
  functions: Record<string, FetchHandler>;
  /** Directory of the web client's static files. */
  webRoot: string;
  /** Services mounted under a path prefix: `/auth/v1`, `/_inbox`, … */
  services?: Record<string, Hono>;
  /** What the web client reads from `/config.json`: where the project is and its anon key. */
  webConfig?: { supabaseUrl: string; anonKey: string };
  /**
   * Addresses of reverse proxies in front (LOCAL_TRUSTED_PROXIES, e.g. Caddy on 127.0.0.1):
   * from them, and only from them, the client's address is taken from X-Forwarded-For.
   */
  trustedProxies?: readonly string[];
}

/**
 * The client's address: the socket's peer, or, when that peer is a trusted proxy, the nearest
 * address in its X-Forwarded-For that is not itself a trusted proxy (entries left of that
 * could have been written by the client, so they are not believed).
 *
 * @example
 * clientAddress("127.0.0.1", "198.51.100.7", ["127.0.0.1"]); // "198.51.100.7"
 * clientAddress("203.0.113.9", "198.51.100.7", ["127.0.0.1"]); // "203.0.113.9"
 */
export function clientAddress(
  peer: string | undefined,
  forwardedFor: string | null | undefined,
  trusted: readonly string[],
): string | undefined {
  if (!peer || !forwardedFor || !trusted.includes(peer)) return peer;
  const hops = forwardedFor.split(",").map((h) => h.trim()).filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) {
    if (!trusted.includes(hops[i]!)) return hops[i];
  }
  return hops[0] ?? peer;
}

/**
 * The web client's strict policy: scripts and styles only from this origin (no inline script,
 * no eval), media from here or blob: (previews before upload), network to this origin and its
 * WebSocket.
 */
export function webSecurityHeaders(origin: string): Record<string, string> {
  const ws = origin.replace(/^http/, "ws");
  return {
    "content-security-policy": [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self'",
      "img-src 'self' blob: data:",
      "media-src 'self' blob:",
      `connect-src 'self' ${ws}`,
      "font-src 'self'",
      "object-src 'none'",
      "base-uri 'none'",
      "form-action 'self'",
      "frame-ancestors 'none'",
    ].join("; "),
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "permissions-policy": "camera=(), geolocation=(), microphone=()",
  };
}

/** The bundle's files named by their content: `app.<hex>.js|css`, esbuild's `<name>-<HASH>.js`. */
const HASHED = /\/(app\.[0-9a-f]+\.|[a-z]+-[A-Z0-9]{8}\.js)/;

export function createGateway(
  { functions, webRoot, services = {}, webConfig, trustedProxies = [] }: GatewayOptions,
) {
  const app = new App();
  // deno-lint-ignore no-explicit-any
  const remote = (env: any, req: Request): string | undefined =>
    clientAddress(
      (env?.remoteAddr as Deno.NetAddr | undefined)?.hostname,
      req.headers.get("x-forwarded-for"),
      trustedProxies,
    );
  // Every service learns the client's address from a header the client cannot set: a client's
  // own X-Forwarded-For is replaced (per-IP rate limits depend on it).
  for (const [prefix, svc] of Object.entries(services)) {
    app.all(`${prefix}/*`, (c, next) => {
      // A WebSocket upgrade needs the original request: Realtime goes through app.route below.
      if (c.req.header("upgrade")?.toLowerCase() === "websocket") return next();
      const url = new URL(c.req.url);
      url.pathname = url.pathname.slice(prefix.length) || "/";
      const req = new Request(url, c.req.raw);
      const ip = remote(c.env, c.req.raw);
      if (ip) req.headers.set("x-forwarded-for", ip);
      else req.headers.delete("x-forwarded-for");
      return svc.fetch(req, c.env);
    });
    app.route(prefix, svc);
  }
  for (const prefix of ["/rest/v1", "/graphql/v1"]) {
    if (!(prefix in services)) app.route(prefix, noPostgrest());
  }

  app.all(
    "/functions/v1/:name{[A-Za-z0-9_-]+}/*",
    (c) => forwardToFunction(c.req.raw, remote(c.env, c.req.raw)),
  );
  app.all(
    "/functions/v1/:name{[A-Za-z0-9_-]+}",
    (c) => forwardToFunction(c.req.raw, remote(c.env, c.req.raw)),
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

  // The web client: security headers on everything it is served, its config, its files.
  app.use("/*", async (c, next) => {
    await next();
    for (const [k, v] of Object.entries(webSecurityHeaders(new URL(c.req.url).origin))) {
      c.header(k, v);
    }
  });
  if (webConfig) app.get("/config.json", (c) => c.json(webConfig));
  app.use(
    "/*",
    serveStatic({
      root: webRoot,
      onFound: (path, c) => {
        // Hashed bundle names never change content: cache them; index.html always revalidates.
        c.header(
          "cache-control",
          HASHED.test(path) ? "public, max-age=31536000, immutable" : "no-cache",
        );
      },
    }),
  );
  app.get("/", serveStatic({ path: `${webRoot}/index.html` }));
  app.get("/", (c) =>
    c.html(
      "<!doctype html><title>Chat</title><p>The web client is not built: run <code>deno task build</code>.</p>",
      503,
    ));
  app.notFound((c) =>
    c.json({ error: { code: "not_found", message: `Nothing is served at ${c.req.path}` } }, 404)
  );
  return app;
}
