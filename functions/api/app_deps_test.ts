import assert from "node:assert/strict";
import { apiConfigFromEnv } from "../_shared/config.ts";
import { depsFromConfig } from "./app_deps.ts";

const base: Record<string, string> = {
  SUPABASE_DB_URL: "postgresql://postgres:postgres@127.0.0.1:5432/postgres",
  SUPABASE_JWT_SECRET: "super-secret-jwt-token-with-at-least-32-characters-long",
  SUPABASE_URL: "http://127.0.0.1:54321",
  SUPABASE_SERVICE_ROLE_KEY: "service-key",
};
const deps = (extra: Record<string, string> = {}) =>
  depsFromConfig(apiConfigFromEnv((n) => ({ ...base, ...extra })[n]));

Deno.test("depsFromConfig: the local AI provider unless AI_PROVIDER_URL names one", () => {
  assert.equal(deps().ai.name, "local");
  assert.notEqual(deps({ AI_PROVIDER_URL: "http://127.0.0.1:9/v1" }).ai.name, "local");
});

Deno.test("depsFromConfig: the settings pass through as read", () => {
  const d = deps({ ALLOWED_ORIGINS: "https://chat.example", API_RATE_LIMITS: "off" });
  assert.deepEqual(d.allowedOrigins, ["https://chat.example"]);
  assert.equal(d.rateLimits, "off");
  assert.equal(d.jwtSecret, base.SUPABASE_JWT_SECRET);
});
