/**
 * The whole local stack in-process for contract tests, on a database of its own (a clone of
 * the migrated template, plus the seed) and a free port; or, when SUPABASE_URL and keys are
 * set, a real Supabase project instead (`local` is then false and inbox-only steps skip).
 */
import { createClient, type SupabaseClient } from "@supabase/supabase-js";
import { loadConfig } from "../../local/config.ts";
import { startStack } from "../../local/stack.ts";
import { freePort } from "./ports.ts";
import { type TestDatabase, testDatabase } from "./db.ts";

export interface TestStack extends AsyncDisposable {
  url: string;
  anonKey: string;
  serviceRoleKey: string;
  /** False against a real Supabase project. */
  local: boolean;
  db: TestDatabase | undefined;
  /** The local stack's data directory (stored files live under storage/). */
  dataDir: string;
  client(opts?: { flowType?: "implicit" | "pkce" }): SupabaseClient;
  admin(): SupabaseClient;
  /** Mails the local inbox holds for `to`, newest first. */
  inbox(to: string): Promise<{ subject: string; text: string; html: string }[]>;
}

type Toml = Record<string, Record<string, unknown>>;

export interface TestStackOptions {
  /** Serve this built web client at `/`; Auth then sends people back to this stack's URL. */
  webRoot?: string;
  /** Settings for this stack only (read before the process environment), e.g. API_RATE_LIMITS. */
  env?: Record<string, string>;
}

export async function startTestStack(
  tweak: (toml: Toml) => void = () => {},
  opts: TestStackOptions = {},
): Promise<TestStack> {
  const remote = Deno.env.get("SUPABASE_URL");
  const clientFor = (url: string, key: string) => (opts: { flowType?: "implicit" | "pkce" } = {}) =>
    createClient(url, key, {
      auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false, ...opts },
    });
  if (remote) {
    const anonKey = Deno.env.get("SUPABASE_ANON_KEY")!;
    const serviceRoleKey = Deno.env.get("SUPABASE_SERVICE_ROLE_KEY")!;
    return {
      url: remote,
      anonKey,
      serviceRoleKey,
      local: false,
      db: undefined,
      dataDir: "",
      client: clientFor(remote, anonKey),
      admin: () => clientFor(remote, serviceRoleKey)(),
      inbox: () => Promise.reject(new Error("no local inbox on a real project")),
      async [Symbol.asyncDispose]() {},
    };
  }
  const db = await testDatabase();
  const dataDir = await Deno.makeTempDir({ prefix: "stack-" });
  const port = freePort();
  const env: Record<string, string> = {
    ...opts.env,
    SUPABASE_DB_URL: db.adminUrl,
    LOCAL_API_PORT: String(port),
    LOCAL_DATA_DIR: dataDir,
    DENO_KV_PATH: ":memory:",
  };
  const cfg = await loadConfig((n) => env[n] ?? Deno.env.get(n));
  tweak(cfg.toml as Toml);
  if (opts.webRoot) {
    const auth = (cfg.toml as Toml).auth!;
    auth.site_url = `http://127.0.0.1:${port}`;
    auth.additional_redirect_urls = [`http://127.0.0.1:${port}/`];
  }
  const stack = await startStack(cfg, {
    log: () => {},
    env: (n) => env[n] ?? Deno.env.get(n),
    ...(opts.webRoot ? { webRoot: opts.webRoot } : {}),
  });
  return {
    url: stack.url,
    anonKey: cfg.anonKey,
    serviceRoleKey: cfg.serviceRoleKey,
    local: true,
    db,
    dataDir,
    client: clientFor(stack.url, cfg.anonKey),
    admin: () => clientFor(stack.url, cfg.serviceRoleKey)(),
    async inbox(to: string) {
      const res = await fetch(`${stack.url}/_inbox/messages?to=${encodeURIComponent(to)}`);
      return await res.json();
    },
    async [Symbol.asyncDispose]() {
      await stack.stop();
      await db[Symbol.asyncDispose]();
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    },
  };
}

/** A fresh address for one test. */
export function newEmail(tag = "user"): string {
  return `${tag}-${crypto.randomUUID().slice(0, 8)}@example.com`;
}

/** The first URL in a mail's text. */
export function linkIn(text: string): string {
  const m = /(https?:\/\/[^\s)]+)/.exec(text);
  if (!m) throw new Error(`no link in mail:\n${text}`);
  return m[1]!;
}

/** The 6-digit code in a mail's text. */
export function codeIn(text: string): string {
  const m = /\b(\d{6})\b/.exec(text);
  if (!m) throw new Error(`no code in mail:\n${text}`);
  return m[1]!;
}
