/**
 * Entry point of the `api` edge function (`supabase functions deploy api`, or
 * `supabase functions serve`): the app built from the environment Supabase injects. A missing
 * or malformed setting stops it here, with every problem listed, instead of serving a half API.
 */
import { createApp } from "./app.ts";
import { connectDb } from "../_shared/db.ts";
import { type ApiConfig, apiConfigFromEnv } from "../_shared/config.ts";
import { depsFromConfig } from "./app_deps.ts";
import { startReceiptSummaries } from "./receipt_summaries.ts";

let cfg: ApiConfig;
try {
  cfg = apiConfigFromEnv((name) => Deno.env.get(name));
} catch (e) {
  console.error((e as Error).message);
  Deno.exit(1);
}

// Supabase's hosted edge runtime has no Deno KV; the limiter then runs on Postgres.
const kv = typeof Deno.openKv === "function" ? await Deno.openKv(cfg.kvUrl) : undefined;

const sql = connectDb(cfg.dbUrl, cfg.dbPool);
const app = createApp({
  sql,
  pingSql: connectDb(cfg.dbUrl, 1),
  kv,
  ...depsFromConfig(cfg),
});
// Large channels' "read by N" (pg_cron does it too where it exists; one of them at a time).
startReceiptSummaries(
  sql,
  (e) =>
    console.error(JSON.stringify({ level: "error", msg: "receipt summaries", error: String(e) })),
);
Deno.serve(app.fetch);
