/**
 * `deno task test` (after fmt, lint and type check): starts one throwaway Postgres cluster on
 * a free port, builds a template database with the platform layer and every migration, runs
 * `deno test` with the cluster's address in the environment, then stops the cluster. Each
 * test file clones the template into a database of its own (see `_helpers/db.ts`), so files
 * run in parallel without sharing data, and beside a running `deno task start`.
 *
 * Arguments are passed to `deno test` (for example a file to run alone).
 */
import { join } from "node:path";
import postgres from "postgres";
import { prepareDatabase, startCluster } from "../local/db/mod.ts";
import { ensurePgTap } from "../local/db/pgtap.ts";
import { ROOT } from "../local/paths.ts";
import { freePort } from "./_helpers/ports.ts";

const TEMPLATE = "chat_template";
const t0 = performance.now();
const cluster = await startCluster({
  dataDir: join(ROOT, ".local", `test-${Deno.pid}-${Date.now().toString(36)}`),
  port: freePort(),
  persistent: false,
});

let code = 1;
const stopOnSignal = () => {
  cluster.stop().finally(() => Deno.exit(130));
};
Deno.addSignalListener("SIGINT", stopOnSignal);
Deno.addSignalListener("SIGTERM", stopOnSignal);
try {
  const admin = postgres(cluster.url, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${TEMPLATE}`);
  await admin.end();
  const templateUrl = new URL(cluster.url);
  templateUrl.pathname = `/${TEMPLATE}`;
  const applied = await prepareDatabase(templateUrl.toString(), {
    seedEnabled: false,
    seedPaths: [],
  });
  // `supabase test db` runs the SQL tests with pgTAP in the extensions schema; so do we. If
  // pgTAP cannot be had, the SQL tests fail with the reason (the others still run).
  let pgtap = "missing";
  const env: Record<string, string> = {
    TEST_DB_ADMIN_URL: cluster.url,
    TEST_DB_TEMPLATE: TEMPLATE,
  };
  try {
    pgtap = await ensurePgTap();
    const tpl = postgres(templateUrl.toString(), { max: 1, onnotice: () => {} });
    await tpl.unsafe("create extension if not exists pgtap with schema extensions");
    await tpl.end();
  } catch (e) {
    env.TEST_PGTAP_ERROR = e instanceof Error ? e.message : String(e);
    console.error(`pgTAP unavailable: ${env.TEST_PGTAP_ERROR}`);
  }
  console.log(
    `test database ready in ${Math.round(performance.now() - t0)} ms ` +
      `(platform ${applied.platform.length} files, migrations ${applied.migrations.length}, pgTAP ${pgtap})`,
  );

  const args = Deno.args.length ? Deno.args : [];
  const child = new Deno.Command(Deno.execPath(), {
    args: ["test", "-A", "--parallel", ...args],
    cwd: ROOT,
    env,
    stdin: "null",
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
  code = (await child.status).code;
} catch (e) {
  console.error(e instanceof Error ? e.message : e);
} finally {
  await cluster.stop();
}
console.log(`test run took ${((performance.now() - t0) / 1000).toFixed(1)} s`);
Deno.exit(code);
