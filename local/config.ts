/**
 * The local stack's settings: `supabase/config.toml` (the file the Supabase CLI reads) for
 * what it says, the environment for the rest and for overrides. Documented in `.env.example`.
 */
import process from "node:process";
import { existsSync } from "node:fs";
import { parse } from "smol-toml";
import { isAbsolute, join, resolve } from "node:path";
import { CONFIG_TOML, ROOT, SUPABASE_DIR } from "./paths.ts";
import { DEFAULT_JWT_SECRET, signApiKey } from "./keys.ts";

export interface LocalConfig {
  /** Gateway port (Supabase CLI: 54321). */
  apiPort: number;
  /** Embedded Postgres port (Supabase CLI: 54322). */
  dbPort: number;
  /** Where the embedded cluster, KV store and files live. */
  dataDir: string;
  /** An external Postgres to use instead of starting one. */
  externalDbUrl: string | undefined;
  /** Password of the embedded cluster's roles (LOCAL_DB_PASSWORD; the CLI's "postgres"). */
  dbPassword: string;
  jwtSecret: string;
  anonKey: string;
  serviceRoleKey: string;
  seedPaths: string[];
  /** Apply the seed to a new database (config.toml `[db.seed] enabled`; LOCAL_SEED overrides). */
  seedEnabled: boolean;
  /** The URL clients reach the gateway at (API_EXTERNAL_URL), if not http://127.0.0.1:<port>. */
  publicUrl: string | undefined;
  /** PEM files: with both set the gateway serves https and wss. */
  tls: { certFile: string; keyFile: string } | undefined;
  /** Reverse proxies whose X-Forwarded-For is believed (LOCAL_TRUSTED_PROXIES, comma-separated). */
  trustedProxies: string[];
  /** Deno KV location: a file path, `:memory:`, or a remote KV URL. */
  kvPath: string;
  /** Raw parsed `config.toml`, for the parts (auth, storage) that read their own sections. */
  toml: Record<string, unknown>;
}

type Env = (name: string) => string | undefined;

/** The Supabase CLI's well-known local database password. */
export const DEFAULT_DB_PASSWORD = "postgres";

/** Loads `<repo>/.env` into the environment if it exists; variables already set win. */
export function loadDotEnv(path = join(ROOT, ".env")): boolean {
  if (!existsSync(path)) return false;
  process.loadEnvFile(path);
  return true;
}

/** Reads the configuration; `env` defaults to `Deno.env.get`. Throws on a bad value. */
export async function loadConfig(env: Env = (n) => Deno.env.get(n)): Promise<LocalConfig> {
  const toml = parse(await Deno.readTextFile(CONFIG_TOML)) as Record<string, unknown>;
  const section = (name: string) => (toml[name] ?? {}) as Record<string, unknown>;
  const db = section("db");
  const seed = (db.seed ?? {}) as { enabled?: boolean; sql_paths?: string[] };
  const dataDir = resolve(ROOT, env("LOCAL_DATA_DIR") || ".local");
  const jwtSecret = env("SUPABASE_JWT_SECRET") || DEFAULT_JWT_SECRET;
  if (jwtSecret.length < 32) throw new Error("SUPABASE_JWT_SECRET must be at least 32 characters");
  return {
    apiPort: port(env("LOCAL_API_PORT"), section("api").port, 54321, "LOCAL_API_PORT"),
    dbPort: port(env("LOCAL_DB_PORT"), db.port, 54322, "LOCAL_DB_PORT"),
    dataDir,
    externalDbUrl: env("SUPABASE_DB_URL") || undefined,
    dbPassword: env("LOCAL_DB_PASSWORD") || DEFAULT_DB_PASSWORD,
    jwtSecret,
    anonKey: env("SUPABASE_ANON_KEY") || await signApiKey("anon", jwtSecret),
    serviceRoleKey: env("SUPABASE_SERVICE_ROLE_KEY") ||
      await signApiKey("service_role", jwtSecret),
    seedEnabled: onOff(env("LOCAL_SEED"), "LOCAL_SEED") ?? seed.enabled ?? true,
    seedPaths: (seed.sql_paths ?? ["./seed.sql"]).map((p) =>
      isAbsolute(p) ? p : join(SUPABASE_DIR, p)
    ),
    publicUrl: env("API_EXTERNAL_URL") || undefined,
    tls: env("TLS_CERT_FILE") && env("TLS_KEY_FILE")
      ? { certFile: env("TLS_CERT_FILE")!, keyFile: env("TLS_KEY_FILE")! }
      : undefined,
    trustedProxies: (env("LOCAL_TRUSTED_PROXIES") ?? "").split(",").map((s) => s.trim())
      .filter(Boolean),
    kvPath: env("DENO_KV_URL") || env("DENO_KV_PATH") || join(dataDir, "kv.sqlite3"),
    toml,
  };
}

function onOff(v: string | undefined, name: string): boolean | undefined {
  if (!v) return undefined;
  if (v === "on") return true;
  if (v === "off") return false;
  throw new Error(`${name} must be "on" or "off", got "${v}"`);
}

function port(fromEnv: string | undefined, fromToml: unknown, fallback: number, name: string) {
  const v = fromEnv ? Number(fromEnv) : typeof fromToml === "number" ? fromToml : fallback;
  if (!Number.isInteger(v) || v < 0 || v > 65535) {
    throw new Error(`${name} must be a port number (0-65535), got "${fromEnv}"`);
  }
  return v;
}
