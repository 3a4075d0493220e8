/**
 * Entry point of the `api` edge function (`supabase functions deploy api`, or
 * `supabase functions serve`): the app built from the environment Supabase injects. A missing
 * or malformed setting stops it here, with every problem listed, instead of serving a half API.
 */
import { createApp } from "./app.ts";
import { connectDb } from "../_shared/db.ts";
import { type ApiConfig, apiConfigFromEnv } from "../_shared/config.ts";
import { depsFromConfig } from "./app_deps.ts";

let cfg: ApiConfig;
try {
  cfg = apiConfigFromEnv((name) => Deno.env.get(name));
} catch (e) {
  console.error((e as Error).message);
  Deno.exit(1);
}

// Supabase's hosted edge runtime has no Deno KV; the limiter then runs on Postgres.
const kv = typeof Deno.openKv === "function" ? await Deno.openKv(cfg.kvUrl) : undefined;

const app = createApp({
  sql: connectDb(cfg.dbUrl),
  pingSql: connectDb(cfg.dbUrl, 1),
  kv,
  ...depsFromConfig(cfg),
});
Deno.serve(app.fetch);
