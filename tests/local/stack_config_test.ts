/**
 * The local stack reads the API's settings through `apiConfigFromEnv`: a malformed one stops
 * the start before anything runs, and API_RATE_LIMITS=off reaches the API.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../../local/config.ts";
import { startStack } from "../../local/stack.ts";
import { ConfigError } from "../../functions/_shared/config.ts";
import { startTestStack } from "../_helpers/stack.ts";

Deno.test("startStack refuses a malformed API_RATE_LIMITS before starting anything", async () => {
  const dataDir = join(await Deno.makeTempDir({ prefix: "stack-config-" }), "never");
  try {
    const env: Record<string, string> = {
      LOCAL_DATA_DIR: dataDir,
      API_RATE_LIMITS: '{"send":{"capacity":"lots"}}',
      ALLOWED_ORIGINS: "not-an-origin",
    };
    const cfg = await loadConfig((n) => env[n]);
    const said: string[] = [];
    const err = await startStack(cfg, { env: (n) => env[n], say: (l) => said.push(l) }).then(
      () => assert.fail("the stack started"),
      (e) => e,
    );
    assert.ok(err instanceof ConfigError, String(err));
    assert.deepEqual(err.problems.map((p) => p.split(" ")[0]), [
      "ALLOWED_ORIGINS",
      "API_RATE_LIMITS",
    ]);
    assert.match(err.message, /API_RATE_LIMITS is malformed: send\.capacity/);
    assert.ok(!existsSync(dataDir), "no data directory, no database: nothing was started");
  } finally {
    await Deno.remove(join(dataDir, ".."), { recursive: true });
  }
});

Deno.test("startTestStack with API_RATE_LIMITS=off serves an API without rate limits", async () => {
  await using stack = await startTestStack(undefined, { env: { API_RATE_LIMITS: "off" } });
  const health = await fetch(`${stack.url}/functions/v1/api/health`);
  assert.equal(health.status, 200);
  assert.equal((await health.json()).rate_limiter, "off");
});
