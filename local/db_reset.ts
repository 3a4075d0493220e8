/**
 * `deno task db:reset`: rebuilds the embedded database from scratch, like `supabase db reset`:
 * a new cluster, the platform layer, every migration, then the seed. The KV store (rate
 * limits and caches) is emptied too. Refuses while `deno task start` runs on the same data.
 */
import { existsSync, readFileSync, rmSync } from "node:fs";
import { loadConfig, loadDotEnv } from "./config.ts";
import { bringUpDatabase, clusterDir } from "./db/mod.ts";
import { processAlive } from "./db/cluster.ts";
import { pidFile } from "./stack.ts";

loadDotEnv();
const cfg = await loadConfig();
if (cfg.externalDbUrl) {
  console.error(
    "SUPABASE_DB_URL is set: db:reset only rebuilds the embedded database. " +
      "For a Supabase project use `supabase db reset`.",
  );
  Deno.exit(1);
}
const lock = pidFile(cfg);
if (existsSync(lock)) {
  const pid = Number(readFileSync(lock, "utf8").trim());
  if (pid && processAlive(pid)) {
    console.error(`The local stack is running (pid ${pid}); stop it (Ctrl-C) before db:reset.`);
    Deno.exit(1);
  }
}

const t0 = performance.now();
rmSync(clusterDir(cfg), { recursive: true, force: true });
if (!cfg.kvPath.includes("://") && cfg.kvPath !== ":memory:") {
  for (const suffix of ["", "-shm", "-wal"]) rmSync(cfg.kvPath + suffix, { force: true });
}
const db = await bringUpDatabase(cfg, (line) => console.log(line));
try {
  const { applied } = db;
  console.log(`platform layer: ${applied.platform.join(", ") || "(none)"}`);
  console.log(`migrations: ${applied.migrations.join(", ") || "(none)"}`);
  console.log(`seed: ${applied.seed.join(", ") || "(none)"}`);
} finally {
  await db.stop();
}
console.log(`database reset in ${Math.round(performance.now() - t0)} ms`);
