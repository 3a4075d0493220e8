import assert from "node:assert/strict";
import { join } from "node:path";
import { loadConfig } from "./config.ts";
import { ROOT, SUPABASE_DIR } from "./paths.ts";

const CLI_ANON_KEY =
  "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6ImFub24iLCJleHAiOjE5ODM4MTI5OTZ9.CRXP1A7WOeoJeXxjNni43kdQwgnWNReilDMblYTn_I0";
const CLI_SERVICE_KEY =
  "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6InNlcnZpY2Vfcm9sZSIsImV4cCI6MTk4MzgxMjk5Nn0.EGIM96RAZx35lJzdJsyH-qQwv8Hdp7fsn3W0YpN81IU";

const envOf = (vars: Record<string, string>) => (name: string) => vars[name];

Deno.test("loadConfig takes ports and seed paths from config.toml and derives the CLI's local keys", async () => {
  const cfg = await loadConfig(envOf({}));
  assert.equal(cfg.apiPort, 54321);
  assert.equal(cfg.dbPort, 54322);
  assert.equal(cfg.dataDir, join(ROOT, ".local"));
  assert.deepEqual(cfg.seedPaths, [join(SUPABASE_DIR, "seed.sql")]);
  assert.equal(cfg.seedEnabled, true);
  assert.equal(cfg.externalDbUrl, undefined);
  assert.equal(cfg.anonKey, CLI_ANON_KEY);
  assert.equal(cfg.serviceRoleKey, CLI_SERVICE_KEY);
});

Deno.test("loadConfig lets the environment override, and rejects bad values with the variable's name", async () => {
  const cfg = await loadConfig(envOf({
    LOCAL_API_PORT: "6000",
    LOCAL_DB_PORT: "6001",
    LOCAL_DATA_DIR: "/tmp/elsewhere",
    SUPABASE_DB_URL: "postgresql://u:p@db:5432/postgres",
    SUPABASE_JWT_SECRET: "x".repeat(40),
    LOCAL_SEED: "off",
  }));
  assert.deepEqual([cfg.apiPort, cfg.dbPort, cfg.dataDir], [6000, 6001, "/tmp/elsewhere"]);
  assert.equal(cfg.seedEnabled, false, "LOCAL_SEED=off: no demo accounts");
  assert.equal(cfg.externalDbUrl, "postgresql://u:p@db:5432/postgres");
  assert.notEqual(cfg.anonKey, CLI_ANON_KEY, "keys follow the secret");
  await assert.rejects(
    () => loadConfig(envOf({ LOCAL_API_PORT: "http" })),
    /LOCAL_API_PORT must be a port/,
  );
  await assert.rejects(() => loadConfig(envOf({ LOCAL_SEED: "no" })), /LOCAL_SEED must be/);
  await assert.rejects(
    () => loadConfig(envOf({ SUPABASE_JWT_SECRET: "short" })),
    /at least 32 characters/,
  );
});
