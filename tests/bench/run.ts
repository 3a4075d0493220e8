/**
 * `deno task bench [name]`: runs each benchmark (or those whose name contains `name`) in turn
 * and prints its table (each figure beside its floor or baseline measured in the same run).
 * Benchmarks of the database alone share a throwaway Postgres on a free port with a migrated
 * template database; those of the whole system start the real stack themselves.
 */
import { join } from "node:path";
import postgres from "postgres";
import { prepareDatabase, startCluster } from "../../local/db/mod.ts";
import { ROOT } from "../../local/paths.ts";
import { freePort } from "../_helpers/ports.ts";
import testDatabaseBench from "./test_database_bench.ts";
import messagesBench from "./messages_bench.ts";
import sendBench from "./send_bench.ts";
import realtimeBench from "./realtime_bench.ts";
import busyChannelBench from "./busy_channel_bench.ts";
import apiBench from "./api_bench.ts";
import webBench from "./web_bench.ts";

type Bench =
  | {
    name: string;
    /** `socket`: the cluster's Unix socket, as the local stack's API reaches its Postgres. */
    db: (adminUrl: string, template: string, socket?: string) => Promise<string[]>;
  }
  | { name: string; stack: () => Promise<string[]> };

const BENCHES: Bench[] = [
  { name: "test databases", db: testDatabaseBench },
  { name: "messages", db: messagesBench },
  { name: "send", stack: sendBench },
  { name: "realtime", stack: realtimeBench },
  { name: "busy channel", stack: busyChannelBench },
  { name: "api", db: apiBench },
  { name: "web client", db: webBench },
];

const TEMPLATE = "bench_template";
const only = Deno.args[0];
const chosen = BENCHES.filter((b) => !only || b.name.includes(only));
if (!chosen.length) {
  console.error(`No benchmark named like "${only}": ${BENCHES.map((b) => b.name).join(", ")}`);
  Deno.exit(2);
}

let cluster: Awaited<ReturnType<typeof startCluster>> | undefined;
async function database(): Promise<string> {
  if (cluster) return cluster.url;
  // BENCH_DATA_DIR keeps the cluster (and, with BENCH_KEEP=1, generated data) between runs.
  const keptDir = Deno.env.get("BENCH_DATA_DIR");
  cluster = await startCluster({
    dataDir: keptDir ?? join(ROOT, ".local", `bench-${Deno.pid}`),
    port: freePort(),
    persistent: keptDir !== undefined,
  });
  const admin = postgres(cluster.url, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${TEMPLATE}`);
  await admin.unsafe(`create database ${TEMPLATE}`);
  await admin.end();
  const u = new URL(cluster.url);
  u.pathname = `/${TEMPLATE}`;
  await prepareDatabase(u.toString(), { seedEnabled: false, seedPaths: [] });
  return cluster.url;
}

let failed = false;
try {
  for (const b of chosen) {
    console.log(`\n== ${b.name}`);
    const lines = "db" in b
      ? await b.db(await database(), TEMPLATE, cluster?.socketPath)
      : await b.stack();
    for (const line of lines) console.log(line);
  }
} catch (e) {
  failed = true;
  console.error(e);
} finally {
  await cluster?.stop();
}
if (failed) Deno.exit(1);
