/**
 * The local stack's database: the embedded cluster (or an external one from
 * `SUPABASE_DB_URL`), brought up to date with the platform layer, the migrations and the seed.
 */
import postgres from "postgres";
import { join } from "node:path";
import { type Cluster, type ClusterEvent, startCluster } from "./cluster.ts";
import { applyMigrations, applyPlatform, applySeed } from "./migrate.ts";
import { MIGRATIONS_DIR, PLATFORM_DIR } from "../paths.ts";
import { DEFAULT_DB_PASSWORD, type LocalConfig } from "../config.ts";

export { ClusterError, hydratePgSymlinks, startCluster } from "./cluster.ts";
export type { Cluster, ClusterEvent, ClusterOptions } from "./cluster.ts";
export {
  applyMigrations,
  applyPlatform,
  applySeed,
  listMigrations,
  MigrationError,
} from "./migrate.ts";
export { splitStatements } from "./sql_split.ts";

export interface Database {
  /** As the `postgres` role (what migrations, the API and developers use). */
  url: string;
  /** As a superuser: `supabase_admin` for the embedded cluster; the given URL otherwise. */
  adminUrl: string;
  /** The embedded cluster, when this process started one. */
  cluster: Cluster | undefined;
  /** Files applied by this bring-up, for the start banner. */
  applied: { platform: string[]; migrations: string[]; seed: string[]; seedChanged: string[] };
  stop(): Promise<void>;
}

type Log = (msg: string) => void;

/** The embedded cluster's data directory inside the stack's data directory. */
export const clusterDir = (cfg: Pick<LocalConfig, "dataDir">) => join(cfg.dataDir, "db");

/**
 * Starts (or connects to) Postgres and applies what is missing. On failure everything this
 * call started is stopped again before the error is thrown.
 */
export async function bringUpDatabase(cfg: LocalConfig, log: Log = () => {}): Promise<Database> {
  let cluster: Cluster | undefined;
  let adminUrl = cfg.externalDbUrl;
  if (!adminUrl) {
    log(`starting Postgres on 127.0.0.1:${cfg.dbPort} (data in ${clusterDir(cfg)})`);
    cluster = await startCluster({
      dataDir: clusterDir(cfg),
      port: cfg.dbPort,
      password: cfg.dbPassword,
      onEvent: (e) => log(describeClusterEvent(e)),
    });
    adminUrl = cluster.url;
  }
  try {
    if (cluster) await adoptPassword(adminUrl, cfg.dbPassword, log);
    // Role passwords are the cluster's own business: set only on a cluster this process runs.
    const applied = await prepareDatabase(
      adminUrl,
      cluster ? { ...cfg, ownRolePasswords: cfg.dbPassword } : cfg,
    );
    const url = cluster ? asRole(adminUrl, "postgres", cfg.dbPassword) : adminUrl;
    return { url, adminUrl, cluster, applied, stop: async () => await cluster?.stop() };
  } catch (e) {
    await cluster?.stop();
    throw e;
  }
}

/** One line for the person running the stack. */
export function describeClusterEvent(e: ClusterEvent): string {
  switch (e.kind) {
    case "died":
      return `Postgres died (${
        e.signal ?? `exit code ${e.code}`
      }); restarting it with crash recovery`;
    case "restarted":
      return `Postgres is back after ${Math.round(e.afterMs)} ms (${e.attempts} attempt(s))`;
    case "restart_failed":
      return `Postgres still does not start after ${e.attempts} attempts: ${e.error}`;
  }
}

/**
 * Brings one database up to date: the platform layer as the superuser (skipped on a real
 * Supabase database, which has its own), then migrations and seed as `postgres`, as the
 * Supabase CLI applies them.
 */
export async function prepareDatabase(
  adminUrl: string,
  opts: Pick<LocalConfig, "seedEnabled" | "seedPaths"> & {
    /** The password to give the login roles (an embedded cluster this process started). */
    ownRolePasswords?: string;
  },
) {
  const embedded = new URL(adminUrl).username === "supabase_admin";
  const password = opts.ownRolePasswords ?? DEFAULT_DB_PASSWORD;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  let platform: string[] = [];
  try {
    const [{ managed }] = await admin<[{ managed: boolean }]>`
      select to_regclass('auth.users') is not null and to_regnamespace('_local') is null
        as managed`;
    if (!managed) platform = (await applyPlatform(admin, PLATFORM_DIR)).applied;
    // The platform layer gives its roles the well-known password; the stack's own replaces it.
    if (opts.ownRolePasswords !== undefined) await setRolePasswords(admin, password);
  } finally {
    await admin.end({ timeout: 5 });
  }
  const asPostgres = embedded ? asRole(adminUrl, "postgres", password) : adminUrl;
  const sql = postgres(asPostgres, { max: 1, onnotice: () => {} });
  try {
    const migrations = await applyMigrations(sql, MIGRATIONS_DIR);
    const seed = opts.seedEnabled
      ? await applySeed(sql, opts.seedPaths)
      : { applied: [], changed: [] };
    return {
      platform,
      migrations: migrations.applied,
      seed: seed.applied,
      seedChanged: seed.changed,
    };
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** The roles the local stack logs in as, all with the stack's one database password. */
const LOGIN_ROLES = [
  "supabase_admin",
  "postgres",
  "authenticator",
  "supabase_auth_admin",
  "supabase_storage_admin",
];

async function setRolePasswords(admin: postgres.Sql, password: string) {
  for (const role of LOGIN_ROLES) {
    const [{ exists }] = await admin<[{ exists: boolean }]>`
      select exists (select 1 from pg_roles where rolname = ${role}) as exists`;
    if (exists) await admin.unsafe(`alter role ${role} with password ${literal(password)}`);
  }
}

const literal = (s: string) => `'${s.replaceAll("'", "''")}'`;

/**
 * A cluster made before LOCAL_DB_PASSWORD was set still has the well-known password: log in
 * with that once, and give every role the new one.
 */
async function adoptPassword(adminUrl: string, password: string, log: Log) {
  const probe = postgres(adminUrl, { max: 1, onnotice: () => {}, connect_timeout: 10 });
  try {
    await probe`select 1`;
    return;
  } catch (e) {
    if ((e as { code?: string }).code !== "28P01") throw e;
    if (password === DEFAULT_DB_PASSWORD) {
      throw new Error(
        "The embedded database has a password of its own: set LOCAL_DB_PASSWORD to the one " +
          "this data folder was last started with",
      );
    }
  } finally {
    await probe.end({ timeout: 5 });
  }
  const old = postgres(asRole(adminUrl, "supabase_admin", DEFAULT_DB_PASSWORD), {
    max: 1,
    onnotice: () => {},
  });
  try {
    await setRolePasswords(old, password);
    log("the database roles now use LOCAL_DB_PASSWORD");
  } catch (e) {
    throw new Error(
      "The embedded database refuses LOCAL_DB_PASSWORD (and the default password): set the " +
        "password this data folder was last started with",
      { cause: e },
    );
  } finally {
    await old.end({ timeout: 5 });
  }
}

/** The same server and database as `url`, logged in as another role. */
export function asRole(url: string, user: string, password: string): string {
  const u = new URL(url);
  u.username = user;
  u.password = password;
  return u.toString();
}

/** Creates database `name` as a copy of `template` (both on the server `adminUrl` points at). */
export async function cloneDatabase(adminUrl: string, template: string, name: string) {
  const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    // Owned by postgres, as the database "postgres" is on Supabase.
    await sql.unsafe(`create database "${name}" template "${template}" owner postgres`);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** The URL of database `name` on the same server as `url`. */
export function databaseUrl(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}
