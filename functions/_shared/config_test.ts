import assert from "node:assert/strict";
import { apiConfigFromEnv, ConfigError, parseRateLimits, rateLimitsOffWarning } from "./config.ts";
import { DB_POOL } from "./limits.ts";
import { RATE_LIMITS } from "./limits.ts";

const SECRET = "super-secret-jwt-token-with-at-least-32-characters-long";
const complete: Record<string, string> = {
  SUPABASE_DB_URL: "postgresql://postgres:postgres@127.0.0.1:54322/postgres",
  SUPABASE_JWT_SECRET: SECRET,
  SUPABASE_URL: "http://127.0.0.1:54321",
  SUPABASE_SERVICE_ROLE_KEY: "service-key",
};
const from = (vars: Record<string, string | undefined>) => (n: string) => vars[n];

/** The ConfigError's problems; fails the test if nothing was thrown. */
function problems(vars: Record<string, string | undefined>): string[] {
  try {
    apiConfigFromEnv(from(vars));
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return e.problems;
  }
  assert.fail("expected a ConfigError");
}

Deno.test("apiConfigFromEnv reads a complete environment, with today's rate limits when unset", () => {
  const cfg = apiConfigFromEnv(from({
    ...complete,
    ALLOWED_ORIGINS: "https://chat.example, http://localhost:8000",
    METRICS_TOKEN: "tok",
  }));
  assert.equal(cfg.dbUrl, complete.SUPABASE_DB_URL);
  assert.equal(cfg.jwtSecret, SECRET);
  assert.deepEqual(cfg.allowedOrigins, ["https://chat.example", "http://localhost:8000"]);
  assert.equal(cfg.metricsToken, "tok");
  assert.equal(cfg.rateLimits, RATE_LIMITS);
  assert.equal(cfg.ai, undefined);
  assert.equal(cfg.logLevel, "info");
  assert.equal(rateLimitsOffWarning(cfg), undefined);
  assert.equal(
    apiConfigFromEnv(from({ ...complete, SUPABASE_JWT_SECRET: undefined, JWT_SECRET: SECRET }))
      .jwtSecret,
    SECRET,
    "JWT_SECRET is the fallback name",
  );
});

Deno.test("apiConfigFromEnv refuses a missing secret with a message naming the variable", () => {
  const got = problems({ ...complete, SUPABASE_JWT_SECRET: undefined });
  assert.equal(got.length, 1);
  assert.match(
    got[0]!,
    /^SUPABASE_JWT_SECRET \(or JWT_SECRET, or SUPABASE_JWKS_URL \/ JWKS_URL\) is missing/,
  );
  // A JWKS alone is enough.
  const jwks = "https://ref.supabase.co/auth/v1/.well-known/jwks.json";
  const cfg = apiConfigFromEnv(
    from({ ...complete, SUPABASE_JWT_SECRET: undefined, SUPABASE_JWKS_URL: jwks }),
  );
  assert.equal(cfg.jwksUrl, jwks);
  assert.equal(cfg.jwtSecret, undefined);
  // On hosted Supabase, where secrets may not start with SUPABASE_.
  const hosted = apiConfigFromEnv(
    from({ ...complete, SUPABASE_JWT_SECRET: undefined, JWKS_URL: jwks }),
  );
  assert.equal(hosted.jwksUrl, jwks);
});

Deno.test("apiConfigFromEnv lists every missing or malformed setting in one error", () => {
  const got = problems({
    SUPABASE_DB_URL: "mysql://nope",
    SUPABASE_JWT_SECRET: "short",
    ALLOWED_ORIGINS: "https://chat.example/app",
    API_RATE_LIMITS: "{",
    AI_PROVIDER_URL: "not a url",
    API_DB_POOL: "0",
    LOG_LEVEL: "loud",
  });
  const names = got.map((p) => p.split(" ")[0]);
  assert.deepEqual(names, [
    "SUPABASE_DB_URL",
    "SUPABASE_JWT_SECRET",
    "ALLOWED_ORIGINS",
    "SUPABASE_URL",
    "SUPABASE_SERVICE_ROLE_KEY",
    "API_RATE_LIMITS",
    "AI_PROVIDER_URL",
    "API_DB_POOL",
    "LOG_LEVEL",
  ]);
  assert.match(got[0]!, /malformed: expected a postgresql:\/\/ URL/);
  assert.match(got[1]!, /at least 32 characters/);
  assert.match(got[2]!, /is not an origin/);
  assert.throws(
    () => apiConfigFromEnv(from({})),
    /^ConfigError: The API cannot start; fix these settings[^]*\n {2}- SUPABASE_DB_URL is missing/,
  );
});

Deno.test("API_RATE_LIMITS: JSON overrides per action, `off`, or a clear refusal", () => {
  const over = parseRateLimits(
    '{"send":{"capacity":200,"refill_per_sec":50},"search":{"capacity":3}}',
  );
  assert.notEqual(over, "off");
  if (over === "off") return;
  assert.deepEqual(over.send, { capacity: 200, refillPerSec: 50 });
  assert.deepEqual(over.search, { capacity: 3, refillPerSec: RATE_LIMITS.search.refillPerSec });
  assert.deepEqual(over.edit, RATE_LIMITS.edit, "actions not named keep their defaults");
  assert.equal(parseRateLimits(" OFF "), "off");
  assert.equal(parseRateLimits(""), RATE_LIMITS);
  assert.match(
    rateLimitsOffWarning({ rateLimits: "off" }) ?? "",
    /WARNING: API_RATE_LIMITS=off: the API enforces NO rate limits/,
  );
  const malformed: [string, RegExp][] = [
    ["{not json", /must be "off" or JSON/],
    ['{"sned":{"capacity":1}}', /Unrecognized key: "sned" \(actions: send, edit/],
    ['{"send":{"capacity":0}}', /send\.capacity: Too small/],
    ['{"send":{"capacity":2.5}}', /send\.capacity: .*int/],
    ['{"send":{"refill_per_sec":-1}}', /send\.refill_per_sec: Too small/],
    ['{"send":{"refillPerSec":1}}', /send: Unrecognized key: "refillPerSec"/],
    ["[1]", /expected record/],
    ["on", /must be "off" or JSON/],
  ];
  for (const [raw, message] of malformed) {
    const got = problems({ ...complete, API_RATE_LIMITS: raw });
    assert.equal(got.length, 1, raw);
    assert.match(got[0]!, /^API_RATE_LIMITS is malformed: /, raw);
    assert.match(got[0]!, message, raw);
  }
});

Deno.test("API_DB_POOL sizes the API's pool; DB_POOL by default", () => {
  const base = {
    SUPABASE_DB_URL: "postgresql://postgres:postgres@127.0.0.1:54322/postgres",
    SUPABASE_JWT_SECRET: "x".repeat(32),
    SUPABASE_URL: "http://127.0.0.1:54321",
    SUPABASE_SERVICE_ROLE_KEY: "service-role-key",
  };
  assert.equal(apiConfigFromEnv(from(base)).dbPool, DB_POOL);
  assert.equal(apiConfigFromEnv(from({ ...base, API_DB_POOL: "32" })).dbPool, 32);
  for (const bad of ["0", "201", "2.5", "many"]) {
    assert.throws(() => apiConfigFromEnv(from({ ...base, API_DB_POOL: bad })), /API_DB_POOL/);
  }
});

Deno.test("apiConfigFromEnv takes Auth's own JWKS from SUPABASE_URL unless one is named", () => {
  const cfg = apiConfigFromEnv(from({ ...complete, SUPABASE_URL: "https://ref.supabase.co/" }));
  assert.equal(cfg.jwksUrl, "https://ref.supabase.co/auth/v1/.well-known/jwks.json");
  const named = "https://keys.example/jwks.json";
  assert.equal(apiConfigFromEnv(from({ ...complete, JWKS_URL: named })).jwksUrl, named);
  // The derived one does not stand in for a secret: HS256 user tokens would all be refused.
  assert.equal(problems({ ...complete, SUPABASE_JWT_SECRET: undefined }).length, 1);
});
