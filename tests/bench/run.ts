/**
 * `deno task bench`: starts a throwaway Postgres on a free port with a migrated template
 * database, runs each benchmark in turn, and prints its table (each row a ratio against the
 * baseline measured in the same run).
 */
import { join } from "node:path";
import postgres from "postgres";
import { prepareDatabase, startCluster } from "../../local/db/mod.ts";
import { ROOT } from "../../local/paths.ts";
import { freePort } from "../_helpers/ports.ts";
import testDatabaseBench from "./test_database_bench.ts";
import messagesBench from "./messages_bench.ts";
import realtimeBench from "./realtime_bench.ts";
import apiBench from "./api_bench.ts";
import webBench from "./web_bench.ts";

const BENCHES: [string, (adminUrl: string, template: string) => Promise<string[]>][] = [
  ["test databases", testDatabaseBench],
  ["messages", messagesBench],
  ["realtime", () => realtimeBench()],
  ["api", apiBench],
  ["web client", webBench],
];

const TEMPLATE = "bench_template";
// BENCH_DATA_DIR keeps the cluster (and, with BENCH_KEEP=1, generated data) between runs.
const keptDir = Deno.env.get("BENCH_DATA_DIR");
const cluster = await startCluster({
  dataDir: keptDir ?? join(ROOT, ".local", `bench-${Deno.pid}`),
  port: freePort(),
  persistent: keptDir !== undefined,
});
let failed = false;
try {
  const admin = postgres(cluster.url, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${TEMPLATE}`);
  await admin.unsafe(`create database ${TEMPLATE}`);
  await admin.end();
  const u = new URL(cluster.url);
  u.pathname = `/${TEMPLATE}`;
  await prepareDatabase(u.toString(), { seedEnabled: false, seedPaths: [] });
  const only = Deno.args[0];
  for (const [name, fn] of BENCHES) {
    if (only && !name.includes(only)) continue;
    console.log(`\n== ${name}`);
    for (const line of await fn(cluster.url, TEMPLATE)) console.log(line);
  }
} catch (e) {
  failed = true;
  console.error(e);
} finally {
  await cluster.stop();
}
if (failed) Deno.exit(1);
