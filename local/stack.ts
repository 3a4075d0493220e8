/**
 * The whole local stack in one process: database, KV store, API function and gateway.
 * `start.ts` runs it from the command line; tests start it in-process.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { LocalConfig } from "./config.ts";
import { asRole, bringUpDatabase, type Database } from "./db/mod.ts";
import { authConfig, createAuth } from "./auth/mod.ts";
import { inboxEnabled, inboxMailer, inboxRoutes, smtpFromEnv, smtpMailer } from "./mail/mod.ts";
import { createRealtime } from "./realtime/mod.ts";
import { bucketsFromToml, createStorage, parseSize, syncBuckets } from "./storage/mod.ts";
import postgres from "postgres";
import { createGateway } from "./gateway/mod.ts";
import { jwtKeys } from "./keys.ts";
import { WEB_DIR } from "./paths.ts";
import { createApp } from "../functions/api/app.ts";
import { connectDb, type Sql } from "../functions/_shared/db.ts";
import { Metrics } from "../functions/_shared/metrics.ts";
import { exportRealtimeMetrics } from "./realtime_metrics.ts";
import type { Logger } from "../functions/_shared/log.ts";
import { apiConfigFromEnv } from "../functions/_shared/config.ts";
import { depsFromConfig } from "../functions/api/app_deps.ts";
import { startReceiptSummaries } from "../functions/api/receipt_summaries.ts";
import { reauthorizeAfter } from "../functions/api/realtime_reauthorize.ts";

export interface Stack {
  url: string;
  db: Database;
  stop(): Promise<void>;
}

export interface StackOptions {
  /** Progress lines for the person starting it. */
  say?: (line: string) => void;
  /** The API's request log. */
  log?: Logger;
  hostname?: string;
  /** The built web client (default `web/dist`). */
  webRoot?: string;
  /** Where settings are read (default `Deno.env.get`); tests pass their own. */
  env?: (name: string) => string | undefined;
}

/** How long start-up waits for Realtime's WAL stream before saying it is ready. */
const REALTIME_STREAM_WAIT_MS = 30_000;

export async function startStack(cfg: LocalConfig, opts: StackOptions = {}): Promise<Stack> {
  const say = opts.say ?? (() => {});
  const env = opts.env ?? ((n: string) => Deno.env.get(n));
  const scheme = cfg.tls ? "https" : "http";
  const publicUrl = cfg.publicUrl ?? `${scheme}://127.0.0.1:${cfg.apiPort}`;
  // Auth's settings, signing keys included, are read before anything starts (a bad key file
  // stops the start); Realtime and Storage verify user tokens with the same keys.
  const authCfg = authConfig(cfg.toml, {
    apiUrl: `${publicUrl}/auth/v1`,
    jwtSecret: cfg.jwtSecret,
    publicUrl,
    env,
  });
  // The API's settings are checked before anything starts; what the stack itself provides
  // (its database, secret, URL and keys) wins over the environment.
  const provided: Record<string, string> = {
    SUPABASE_DB_URL: cfg.externalDbUrl ?? `postgresql://127.0.0.1:${cfg.dbPort}/postgres`,
    SUPABASE_JWT_SECRET: cfg.jwtSecret,
    SUPABASE_URL: publicUrl,
    SUPABASE_SERVICE_ROLE_KEY: cfg.serviceRoleKey,
  };
  const apiCfg = apiConfigFromEnv((n) =>
    // An empty variable (as compose passes an unset one) counts as unset.
    provided[n] ?? (env(n) || undefined) ??
      (n === "ALLOWED_ORIGINS"
        ? `http://127.0.0.1:${cfg.apiPort},http://localhost:${cfg.apiPort}`
        : undefined)
  );
  mkdirSync(cfg.dataDir, { recursive: true });
  const db = await bringUpDatabase(cfg, say);
  let sql: Sql | undefined;
  let pingSql: Sql | undefined;
  let authSql: postgres.Sql | undefined;
  let rtSql: postgres.Sql | undefined;
  let realtime: ReturnType<typeof createRealtime> | undefined;
  let kv: Deno.Kv | undefined;
  let server: Deno.HttpServer | undefined;
  let stopReceiptSummaries: (() => Promise<void>) | undefined;
  // Each step is stopped even if an earlier one fails (on Ctrl-C Postgres may already be gone).
  const stop = async () => {
    const steps: (() => unknown)[] = [
      () => stopReceiptSummaries?.(),
      () => realtime?.close(),
      () => server?.shutdown(),
      () => kv?.close(),
      () => rtSql?.end({ timeout: 5 }),
      () => sql?.end({ timeout: 5 }),
      () => pingSql?.end({ timeout: 5 }),
      () => authSql?.end({ timeout: 5 }),
      () => db.stop(),
    ];
    for (const step of steps) {
      try {
        await step();
      } catch {
        // already closed or unreachable: nothing left to stop there
      }
    }
  };
  try {
    // The stack's own Postgres is reached through its Unix socket (cheaper than loopback TCP).
    const socket = db.cluster?.socketPath;
    sql = connectDb(db.url, apiCfg.dbPool, socket);
    pingSql = connectDb(db.url, 1, socket);
    // Auth connects as GoTrue does, as supabase_auth_admin (on an external database: as given).
    authSql = postgres(
      db.cluster ? asRole(db.adminUrl, "supabase_auth_admin", cfg.dbPassword) : db.adminUrl,
      { max: 5, onnotice: () => {}, ...(socket ? { path: socket } : {}) },
    );
    kv = await Deno.openKv(cfg.kvPath);
    const metrics = new Metrics();
    exportRealtimeMetrics(metrics, () => realtime);
    const api = createApp({
      sql,
      pingSql,
      kv,
      metrics,
      ...depsFromConfig(apiCfg),
      ...(opts.log ? { log: opts.log } : {}),
    });
    stopReceiptSummaries = startReceiptSummaries(sql, (e) =>
      console.error(JSON.stringify({
        level: "error",
        msg: "receipt summaries: flush failed",
        error: String(e),
      })));
    const smtp = smtpFromEnv();
    const auth = createAuth({
      sql: authSql,
      cfg: authCfg,
      mailer: smtp ? smtpMailer(smtp) : inboxMailer(authSql),
      keys: { anon: cfg.anonKey, serviceRole: cfg.serviceRoleKey },
    });
    // Realtime works with its own rights (it sets the caller's role itself to ask RLS).
    rtSql = postgres(db.adminUrl, {
      max: 5,
      onnotice: () => {},
      ...(socket ? { path: socket } : {}),
    });
    realtime = createRealtime({
      sql: rtSql,
      jwtSecret: cfg.jwtSecret,
      signingKeys: authCfg.signingKeys,
      // The hosted function's rule: whom to authorize again by RLS after a database broadcast.
      reauthorizeAfter,
    });
    // Storage too: it switches to the caller's role for every query, so RLS decides.
    await syncBuckets(rtSql, bucketsFromToml(cfg.toml));
    const storageSection = (cfg.toml.storage ?? {}) as Record<string, unknown>;
    const storage = createStorage({
      sql: rtSql,
      jwtSecret: cfg.jwtSecret,
      jwt: jwtKeys(cfg.jwtSecret, authCfg.signingKeys),
      keys: { anon: cfg.anonKey, serviceRole: cfg.serviceRoleKey },
      root: join(cfg.dataDir, "storage"),
      globalLimit: parseSize(storageSection.file_size_limit) ?? 50 * 1024 * 1024,
    });
    // The inbox is unauthenticated: development on loopback only (see local/mail/inbox.ts).
    const inbox = inboxEnabled({
      hostname: opts.hostname ?? "127.0.0.1",
      publicUrl: cfg.publicUrl,
      setting: env("LOCAL_INBOX"),
    });
    say(
      inbox
        ? `mail inbox: ${publicUrl}/_inbox (answers loopback clients only)`
        : "mail inbox: off (LOCAL_INBOX=off, or the stack listens beyond loopback)",
    );
    const gateway = createGateway({
      functions: { api: api.fetch },
      webRoot: opts.webRoot ?? join(WEB_DIR, "dist"),
      webConfig: { supabaseUrl: publicUrl, anonKey: cfg.anonKey },
      trustedProxies: cfg.trustedProxies,
      services: {
        "/auth/v1": auth,
        "/realtime/v1": realtime.app,
        "/storage/v1": storage,
        ...(inbox ? { "/_inbox": inboxRoutes(authSql) } : {}),
      },
    });
    const listening = Promise.withResolvers<Deno.NetAddr>();
    server = Deno.serve({
      hostname: opts.hostname ?? "127.0.0.1",
      port: cfg.apiPort,
      onListen: (addr) => listening.resolve(addr as Deno.NetAddr),
      ...(cfg.tls
        ? {
          cert: await Deno.readTextFile(cfg.tls.certFile),
          key: await Deno.readTextFile(cfg.tls.keyFile),
        }
        : {}),
    }, gateway.fetch);
    const addr = await listening.promise;
    // Ready means database broadcasts flow: wait for the WAL stream (bounded; past the bound
    // they are replayed once it opens, late).
    let bound: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      realtime.streaming,
      new Promise((r) => (bound = setTimeout(r, REALTIME_STREAM_WAIT_MS))),
    ]);
    clearTimeout(bound);
    return { url: `${scheme}://${addr.hostname}:${addr.port}`, db, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** The pid file that keeps two `deno task start` from sharing one data directory. */
export const pidFile = (cfg: Pick<LocalConfig, "dataDir">) => join(cfg.dataDir, "stack.pid");
