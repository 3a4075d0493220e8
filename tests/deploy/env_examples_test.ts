/**
 * The settings files stay complete and free of secrets: every variable the stack or the API
 * reads is listed in `.env.example` and in both deploy/env examples; those examples hold no
 * secret values; the compose file passes only variables that exist.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../../local/paths.ts";

const read = (rel: string) => readFileSync(join(ROOT, rel), "utf8");

/** Variables read in code: `env("X")`, `get("X")`, `Deno.env.get("X")`, `url("X", …)`. */
function variablesInCode(): Set<string> {
  const names = new Set<string>();
  const walk = (dir: string) => {
    for (const e of Deno.readDirSync(join(ROOT, dir))) {
      const rel = `${dir}/${e.name}`;
      if (e.isDirectory) walk(rel);
      else if (e.name.endsWith(".ts") && !e.name.endsWith("_test.ts")) {
        for (const m of read(rel).matchAll(/\b(?:env|get|url)\("([A-Z][A-Z0-9_]+)"/g)) {
          names.add(m[1]!);
        }
      }
    }
  };
  walk("functions");
  walk("local");
  return names;
}

/** `NAME=value` lines, commented out or not. */
function listed(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of text.matchAll(/^(#\s*)?([A-Z][A-Z0-9_]+)=(.*)$/gm)) {
    if (!out.has(m[2]!) || !m[1]) out.set(m[2]!, m[1] ? "" : m[3]!);
  }
  return out;
}

const EXAMPLES = ["deploy/env/staging.env.example", "deploy/env/production.env.example"];

Deno.test("every variable the code reads is documented in each settings example", () => {
  const code = variablesInCode();
  assert.ok(code.size > 20, [...code].join(" "));
  for (const file of [".env.example", ...EXAMPLES]) {
    const missing = [...code].filter((n) => !listed(read(file)).has(n));
    assert.deepEqual(missing, [], `${file} does not list ${missing.join(", ")}`);
  }
});

Deno.test("the deploy env examples hold no secret, only placeholders", () => {
  for (const file of EXAMPLES) {
    const vars = listed(read(file));
    for (const name of ["SUPABASE_JWT_SECRET", "LOCAL_DB_PASSWORD", "METRICS_TOKEN", "SMTP_PASS"]) {
      assert.match(vars.get(name) ?? "", /^(<[^>]+>)?$/, `${file}: ${name} must be a placeholder`);
    }
    for (const [name, value] of vars) {
      if (/SECRET|PASS|TOKEN|_KEY$/.test(name)) {
        assert.match(value, /^(<[^>]+>)?$/, `${file}: ${name} has a value`);
      }
    }
    assert.equal(vars.get("LOCAL_SEED"), "off", `${file}: no demo accounts`);
  }
});

Deno.test("the compose file passes every variable the stack reads, and only those", () => {
  const code = variablesInCode();
  const known = new Set([...code, ...listed(read(".env.example")).keys()]);
  const compose = read("deploy/compose.yaml");
  const chat = compose.slice(compose.indexOf("  chat:"), compose.indexOf("  caddy:"));
  const passed = [...chat.matchAll(/^ {6}([A-Z][A-Z0-9_]+): /gm)].map((m) => m[1]!);
  assert.ok(passed.length > 10);
  assert.deepEqual(passed.filter((n) => !known.has(n)), []);
  // The image fixes where data lives; the stack provides its own URL to the API.
  const fixed = new Set(["LOCAL_DATA_DIR", "SUPABASE_URL"]);
  const notPassed = [...code].filter((n) => !fixed.has(n) && !passed.includes(n));
  assert.deepEqual(notPassed, [], "compose.yaml must pass these through");
});
