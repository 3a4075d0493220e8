/**
 * `/rest/v1` (and `/graphql/v1`, which Supabase serves through PostgREST) when the stack has no
 * PostgREST: every method and path answers one JSON error in PostgREST's shape
 * (`{code, details, hint, message}`), with open CORS as Supabase's gateway gives the Data API, so
 * that `supabase.from(…)` surfaces a clean `error` instead of an HTML page. The status is 501:
 * postgrest-js turns a 404 without a body (every HEAD, e.g. `select('*', { head: true })`) into
 * a success, and retries a 503 or 520; PostgREST itself never uses the code.
 */
import { Hono } from "hono";
import { cors } from "hono/cors";

/** The answer to every Data API request, word for word. */
export const NO_POSTGREST = {
  status: 501,
  body: {
    code: "PGRST501",
    details: "This local stack serves Auth, Realtime, Storage and Edge Functions; it runs no " +
      "PostgREST, so the Data API (/rest/v1, /graphql/v1) is not available.",
    hint: "Run `supabase start` for the Data API, or call the API function at /functions/v1/api.",
    message: "The local stack has no PostgREST",
  },
} as const;

/** The app to mount at `/rest/v1` or `/graphql/v1`. */
export function noPostgrest(): Hono {
  const app = new Hono();
  app.use(
    "*",
    cors({
      origin: "*",
      allowMethods: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
      exposeHeaders: ["Content-Range", "Content-Profile"],
    }),
  );
  app.all("*", (c) => c.json(NO_POSTGREST.body, NO_POSTGREST.status));
  return app;
}
