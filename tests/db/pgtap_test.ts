/**
 * Runs every `supabase/tests/database/*.test.sql` (pgTAP, as `supabase test db` runs them), each
 * on its own copy of the migrated database, as `postgres`. A file passes when every assertion
 * is "ok" and the number run matches its plan; failures print the TAP diagnostics.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import postgres from "postgres";
import { SUPABASE_DIR } from "../../local/paths.ts";
import { testDatabase } from "../_helpers/db.ts";

const DIR = join(SUPABASE_DIR, "tests/database");
const files = [...Deno.readDirSync(DIR)]
  .filter((e) => e.isFile && e.name.endsWith(".test.sql"))
  .map((e) => e.name)
  .sort();
// Setup files ("000_…") commit helpers; with `supabase test db` they run first on the one
// database, here they run first on each file's own database.
const setup = files.filter((f) => f.startsWith("000_"));

export interface TapResult {
  planned: number | undefined;
  passed: number;
  failed: string[];
  lines: string[];
}

/** Reads pgTAP's output lines: the plan, "ok N - …", "not ok N - …" and "# …" diagnostics. */
export function parseTap(lines: string[]): TapResult {
  let planned: number | undefined;
  let passed = 0;
  const failed: string[] = [];
  for (const line of lines) {
    for (const l of line.split("\n")) {
      const plan = /^1\.\.(\d+)/.exec(l);
      if (plan) planned = Number(plan[1]);
      else if (/^ok \d+/.test(l)) passed++;
      else if (/^not ok \d+/.test(l)) failed.push(l);
    }
  }
  return { planned, passed, failed, lines };
}

function tapLines(results: unknown): string[] {
  // One result set per statement; pgTAP functions return one text column.
  const sets = Array.isArray(results) && results.length > 0 && Array.isArray(results[0])
    ? results as Record<string, unknown>[][]
    : [results as Record<string, unknown>[]];
  const out: string[] = [];
  for (const set of sets) {
    for (const row of set ?? []) {
      const values = Object.values(row);
      if (values.length === 1 && typeof values[0] === "string") out.push(values[0]);
    }
  }
  return out;
}

for (const file of files) {
  Deno.test(`pgTAP ${file}`, async () => {
    const unavailable = Deno.env.get("TEST_PGTAP_ERROR");
    if (unavailable) throw new Error(`pgTAP is not available: ${unavailable}`);
    await using db = await testDatabase();
    // One connection per file, as pg_prove does: the file runs its own begin … rollback, and
    // pgTAP keeps its state in session temp tables.
    const runFile = async (name: string) => {
      const conn = postgres(db.url, { max: 1, onnotice: () => {} });
      try {
        return await conn.unsafe(await Deno.readTextFile(join(DIR, name))).simple();
      } finally {
        await conn.end();
      }
    };
    if (!setup.includes(file)) { for (const s of setup) await runFile(s); }
    const results = await runFile(file);
    const tap = parseTap(tapLines(results));
    const report = tap.lines.join("\n");
    assert.ok(tap.planned !== undefined, `${file} printed no plan:\n${report}`);
    assert.deepEqual(tap.failed, [], `${file} has failing assertions:\n${report}`);
    assert.equal(
      tap.passed,
      tap.planned,
      `${file} planned ${tap.planned} but passed ${tap.passed}:\n${report}`,
    );
  });
}

Deno.test("parseTap counts passes, failures and the plan", () => {
  const tap = parseTap(["1..3", "ok 1 - a", "not ok 2 - b\n# Failed test 2", "ok 3 - c"]);
  assert.equal(tap.planned, 3);
  assert.equal(tap.passed, 2);
  assert.deepEqual(tap.failed, ["not ok 2 - b"]);
});
