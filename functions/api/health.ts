/** `GET /health`: is the function up, and can it reach its database and KV store? */
import { Hono } from "hono";
import { pingDb, type Sql } from "../_shared/db.ts";
import { doc } from "./docs.ts";

export interface HealthDeps {
  sql: Sql | undefined;
  kv: Deno.Kv | undefined;
  /** Which rate-limiter backend this instance chose at start-up. */
  limiter?: "kv" | "postgres" | "off" | "none";
}

export type CheckState = "ok" | "down" | "absent";

/** Checks each dependency; `absent` means this deployment runs without it. */
export async function checkHealth(deps: HealthDeps) {
  const [db, kv] = await Promise.all([
    deps.sql ? pingDb(deps.sql).then((ok): CheckState => ok ? "ok" : "down") : "absent",
    deps.kv ? pingKv(deps.kv) : "absent",
  ]);
  const status = db === "ok" && kv !== "down" ? "ok" : "degraded";
  return { status, checks: { db, kv }, rate_limiter: deps.limiter ?? "none" } as const;
}

async function pingKv(kv: Deno.Kv): Promise<CheckState> {
  try {
    await kv.get(["health"]);
    return "ok";
  } catch {
    return "down";
  }
}

export function healthRoutes(deps: HealthDeps) {
  return new Hono().get(
    "/",
    doc("Liveness, database and KV checks, rate-limiter backend", { public: true }),
    async (c) => {
      const body = await checkHealth(deps);
      c.header("cache-control", "no-store");
      return c.json(body, body.checks.db === "ok" ? 200 : 503);
    },
  );
}
