/**
 * Entry point of the `api` edge function (`supabase functions deploy api`, or
 * `supabase functions serve`): the app built from the environment Supabase injects.
 */
import { createApp } from "./app.ts";
import { connectDb } from "../_shared/db.ts";
import { authBanner } from "../_shared/auth_admin.ts";
import { storageClient } from "../_shared/storage_client.ts";
import { aiFromEnv } from "../_shared/ai.ts";

const env = (name: string) => Deno.env.get(name) || undefined;
const dbUrl = env("SUPABASE_DB_URL");
// Supabase's hosted edge runtime has no Deno KV; the app then runs without it.
const kv = typeof Deno.openKv === "function"
  ? await Deno.openKv(Deno.env.get("DENO_KV_URL") || undefined)
  : undefined;

const app = createApp({
  sql: dbUrl ? connectDb(dbUrl) : undefined,
  kv,
  jwtSecret: Deno.env.get("SUPABASE_JWT_SECRET") || Deno.env.get("JWT_SECRET") || undefined,
  jwksUrl: Deno.env.get("SUPABASE_JWKS_URL") || undefined,
  allowedOrigins: (Deno.env.get("ALLOWED_ORIGINS") ?? "").split(",").map((s) => s.trim()).filter(
    Boolean,
  ),
  metricsToken: env("METRICS_TOKEN"),
  ai: aiFromEnv(),
  setAuthBan: authBanner(env("SUPABASE_URL"), env("SUPABASE_SERVICE_ROLE_KEY")),
  storage: env("SUPABASE_URL") && env("SUPABASE_SERVICE_ROLE_KEY")
    ? storageClient(env("SUPABASE_URL")!, env("SUPABASE_SERVICE_ROLE_KEY")!)
    : undefined,
});
Deno.serve(app.fetch);
