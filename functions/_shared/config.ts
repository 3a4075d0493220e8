/**
 * The API's settings, read once from the environment and checked before anything starts: a
 * missing or malformed setting stops the start with one error that lists every problem, rather
 * than an API that answers 404 on every route because a secret was unset. Both entry points
 * (`functions/api/index.ts` on Supabase, `local/stack.ts` locally) read their settings here.
 */
import { z } from "zod";
import { DB_POOL, RATE_LIMITS, type RateAction, type RateRule } from "./limits.ts";
import { LOG_LEVELS, type LogLevel } from "./log.ts";
import { type PushConfig, pushConfigFromEnv } from "./push_config.ts";

export type Env = (name: string) => string | undefined;
export type RateLimits = Readonly<Record<RateAction, RateRule>>;

export interface ApiConfig {
  dbUrl: string;
  /** Connections in the API's pool (API_DB_POOL; default DB_POOL). */
  dbPool: number;
  /** HS256 secret (SUPABASE_JWT_SECRET or JWT_SECRET); at least one of it and `jwksUrl`. */
  jwtSecret: string | undefined;
  /**
   * The project's JWKS (SUPABASE_JWKS_URL or JWKS_URL), for tokens signed with asymmetric keys;
   * by default Auth's own, `<SUPABASE_URL>/auth/v1/.well-known/jwks.json`.
   */
  jwksUrl: string | undefined;
  /** CORS origins; none → no CORS headers (same-origin only). */
  allowedOrigins: string[];
  /** Bearer token of GET /metrics; unset → metrics are off. */
  metricsToken: string | undefined;
  /** Per-action rules, or `off` (no limits at all). */
  rateLimits: RateLimits | "off";
  /** Where Auth and Storage are, and the service key to call them with. */
  supabaseUrl: string;
  serviceRoleKey: string;
  /** Deno KV location (path or URL); unset → the runtime's default KV, if it has one. */
  kvUrl: string | undefined;
  /** An OpenAI-compatible provider; unset → the local one. */
  ai: { url: string; apiKey: string | undefined; model: string | undefined } | undefined;
  /** Least important log level written (LOG_LEVEL; default info). */
  logLevel: LogLevel;
  /**
   * Link-preview targets let through the SSRF guard (LINK_PREVIEW_ALLOW, "host:port" comma
   * separated; for tests' local sites). Empty: only public addresses on ports 80 and 443.
   */
  linkPreviewAllow: string[];
  /** Web Push: VAPID keys and test origins (see push_config.ts). */
  push: PushConfig;
}

/** Every problem found in the settings, one line each, naming the variable. */
export class ConfigError extends Error {
  override name = "ConfigError";
  constructor(readonly problems: string[]) {
    super(
      `The API cannot start; fix these settings (see .env.example):\n${
        problems.map((p) => `  - ${p}`).join("\n")
      }`,
    );
  }
}

const Rule = z.object({
  capacity: z.number().int().min(1).max(1_000_000).optional(),
  refill_per_sec: z.number().positive().max(1_000_000).optional(),
}).strict();
const Overrides = z.partialRecord(
  z.enum(Object.keys(RATE_LIMITS) as [RateAction, ...RateAction[]]),
  Rule,
);

/**
 * API_RATE_LIMITS: unset → the defaults; `off` → none; JSON → the defaults with these actions
 * overridden (`{"send":{"capacity":20,"refill_per_sec":1}}`). Throws a message on anything else.
 *
 * @example
 * parseRateLimits('{"send":{"capacity":5}}').send; // { capacity: 5, refillPerSec: 1 }
 */
export function parseRateLimits(raw: string | undefined): RateLimits | "off" {
  const text = raw?.trim();
  if (!text) return RATE_LIMITS;
  if (text.toLowerCase() === "off") return "off";
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`must be "off" or JSON such as {"send":{"capacity":20,"refill_per_sec":1}}`);
  }
  const r = Overrides.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const where = issue.path.length ? `${issue.path.join(".")}: ` : "";
    const known = issue.code === "invalid_key" || issue.code === "unrecognized_keys"
      ? ` (actions: ${Object.keys(RATE_LIMITS).join(", ")}; fields: capacity, refill_per_sec)`
      : "";
    throw new Error(`${where}${issue.message}${known}`);
  }
  const out = { ...RATE_LIMITS };
  for (const [action, o] of Object.entries(r.data) as [RateAction, z.infer<typeof Rule>][]) {
    out[action] = {
      capacity: o.capacity ?? RATE_LIMITS[action].capacity,
      refillPerSec: o.refill_per_sec ?? RATE_LIMITS[action].refillPerSec,
    };
  }
  return out;
}

const isUrl = (s: string, protocols: string[]) => {
  try {
    return protocols.includes(new URL(s).protocol);
  } catch {
    return false;
  }
};

/**
 * Reads and checks every API setting; throws one ConfigError naming each missing or malformed
 * variable.
 *
 * @example
 * const cfg = apiConfigFromEnv((n) => Deno.env.get(n));
 * if (cfg.rateLimits === "off") console.warn("no rate limits");
 */
export function apiConfigFromEnv(env: Env = (n) => Deno.env.get(n)): ApiConfig {
  const get = (n: string) => env(n)?.trim() || undefined;
  const problems: string[] = [];
  const url = (name: string, protocols: string[], what: string) => {
    const v = get(name);
    if (v !== undefined && !isUrl(v, protocols)) {
      problems.push(`${name} is malformed: expected ${what}, got "${v.slice(0, 80)}"`);
      return undefined;
    }
    return v;
  };

  const dbUrl = url("SUPABASE_DB_URL", ["postgres:", "postgresql:"], "a postgresql:// URL");
  if (get("SUPABASE_DB_URL") === undefined) {
    problems.push("SUPABASE_DB_URL is missing: the Postgres connection string (postgresql://…)");
  }

  const secretName = get("SUPABASE_JWT_SECRET") ? "SUPABASE_JWT_SECRET" : "JWT_SECRET";
  const jwtSecret = get(secretName);
  if (jwtSecret !== undefined && jwtSecret.length < 32) {
    problems.push(`${secretName} is malformed: at least 32 characters, as Supabase requires`);
  }
  // `supabase secrets set` refuses names that start with SUPABASE_, hence JWKS_URL there.
  const jwksName = get("SUPABASE_JWKS_URL") ? "SUPABASE_JWKS_URL" : "JWKS_URL";
  const jwksUrl = url(jwksName, ["https:", "http:"], "an https:// URL of a JWKS");
  if (jwtSecret === undefined && jwksUrl === undefined) {
    problems.push(
      "SUPABASE_JWT_SECRET (or JWT_SECRET, or SUPABASE_JWKS_URL / JWKS_URL) is missing: without it no access token can be verified",
    );
  }

  const allowedOrigins = (get("ALLOWED_ORIGINS") ?? "").split(",").map((s) => s.trim())
    .filter(Boolean);
  for (const o of allowedOrigins) {
    if (!isUrl(o, ["https:", "http:"]) || new URL(o).origin !== o) {
      problems.push(
        `ALLOWED_ORIGINS is malformed: "${
          o.slice(0, 80)
        }" is not an origin (scheme://host[:port], no path)`,
      );
    }
  }

  const supabaseUrl = url("SUPABASE_URL", ["https:", "http:"], "an http(s):// URL");
  if (get("SUPABASE_URL") === undefined) {
    problems.push("SUPABASE_URL is missing: where Auth and Storage are (Supabase injects it)");
  }
  const serviceRoleKey = get("SUPABASE_SERVICE_ROLE_KEY");
  if (serviceRoleKey === undefined) {
    problems.push(
      "SUPABASE_SERVICE_ROLE_KEY is missing: the key for checking uploads and bans (Supabase injects it)",
    );
  }

  let rateLimits: RateLimits | "off" = RATE_LIMITS;
  try {
    rateLimits = parseRateLimits(get("API_RATE_LIMITS"));
  } catch (e) {
    problems.push(`API_RATE_LIMITS is malformed: ${(e as Error).message}`);
  }

  const aiUrl = url("AI_PROVIDER_URL", ["https:", "http:"], "an http(s):// URL");

  const poolText = get("API_DB_POOL");
  const dbPool = poolText === undefined ? DB_POOL : Number(poolText);
  if (!Number.isInteger(dbPool) || dbPool < 1 || dbPool > 200) {
    problems.push(`API_DB_POOL is malformed: a whole number of connections, 1 to 200`);
  }

  const logLevel = (get("LOG_LEVEL") ?? "info") as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    problems.push(`LOG_LEVEL is malformed: one of ${LOG_LEVELS.join(", ")}`);
  }

  if (problems.length) throw new ConfigError(problems);
  return {
    dbUrl: dbUrl!,
    dbPool,
    jwtSecret,
    jwksUrl: jwksUrl ?? `${supabaseUrl!.replace(/\/+$/, "")}/auth/v1/.well-known/jwks.json`,
    allowedOrigins,
    metricsToken: get("METRICS_TOKEN"),
    rateLimits,
    supabaseUrl: supabaseUrl!,
    serviceRoleKey: serviceRoleKey!,
    kvUrl: get("DENO_KV_URL"),
    ai: aiUrl ? { url: aiUrl, apiKey: get("AI_API_KEY"), model: get("AI_MODEL") } : undefined,
    logLevel,
    linkPreviewAllow: (get("LINK_PREVIEW_ALLOW") ?? "").split(",")
      .map((h) => h.trim().toLowerCase()).filter(Boolean),
    push: pushConfigFromEnv(env),
  };
}

/** The loud start-up line for API_RATE_LIMITS=off; undefined when limits are on. */
export const rateLimitsOffWarning = (cfg: Pick<ApiConfig, "rateLimits">) =>
  cfg.rateLimits === "off"
    ? "WARNING: API_RATE_LIMITS=off: the API enforces NO rate limits. Never run it like this in production."
    : undefined;
