/**
 * Entry point of the `api` edge function (`supabase functions deploy api`, or
 * `supabase functions serve`): the app built from the environment Supabase injects. A missing
 * or malformed setting stops it here, with every problem listed, instead of serving a half API.
 */
import { createApp } from "./app.ts";
import { connectDb } from "../_shared/db.ts";
import { authBanner } from "../_shared/auth_admin.ts";
import { storageClient } from "../_shared/storage_client.ts";
import { localAi, openAiCompatible } from "../_shared/ai.ts";
import { type ApiConfig, apiConfigFromEnv, rateLimitsOffWarning } from "../_shared/config.ts";
import { jsonLogger } from "../_shared/log.ts";

let cfg: ApiConfig;
try {
  cfg = apiConfigFromEnv((name) => Deno.env.get(name));
} catch (e) {
  console.error((e as Error).message);
  Deno.exit(1);
}
const offWarning = rateLimitsOffWarning(cfg);
if (offWarning) jsonLogger("warn", offWarning);

// Supabase's hosted edge runtime has no Deno KV; the limiter then runs on Postgres.
const kv = typeof Deno.openKv === "function" ? await Deno.openKv(cfg.kvUrl) : undefined;

const app = createApp({
  sql: connectDb(cfg.dbUrl),
  pingSql: connectDb(cfg.dbUrl, 1),
  kv,
  jwtSecret: cfg.jwtSecret,
  jwksUrl: cfg.jwksUrl,
  allowedOrigins: cfg.allowedOrigins,
  metricsToken: cfg.metricsToken,
  rateLimits: cfg.rateLimits,
  ai: cfg.ai ? openAiCompatible(cfg.ai) : localAi(),
  setAuthBan: authBanner(cfg.supabaseUrl, cfg.serviceRoleKey),
  storage: storageClient(cfg.supabaseUrl, cfg.serviceRoleKey),
});
Deno.serve(app.fetch);
