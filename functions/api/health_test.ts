import assert from "node:assert/strict";
import postgres from "postgres";
import { createApp } from "./app.ts";
import type { LogFields } from "../_shared/log.ts";
import { connectDb } from "../_shared/db.ts";
import { testDatabase } from "../../tests/_helpers/db.ts";
import { freePort } from "../../tests/_helpers/ports.ts";

Deno.test("GET /api/health answers 200 ok when the database and KV answer", async () => {
  await using db = await testDatabase();
  const kv = await Deno.openKv(":memory:");
  const sql = connectDb(db.url, 1);
  try {
    const res = await createApp({ sql, kv, log: () => {} }).request("/api/health");
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {
      status: "ok",
      checks: { db: "ok", kv: "ok" },
      rate_limiter: "kv",
    });
    assert.equal(res.headers.get("cache-control"), "no-store");
  } finally {
    kv.close();
    await sql.end();
  }
});

Deno.test("GET /api/health answers 503 degraded when the database is down", async () => {
  // Nothing listens on this port: the database is unreachable.
  const sql = postgres(`postgresql://postgres:postgres@127.0.0.1:${freePort()}/postgres`, {
    max: 1,
    connect_timeout: 1,
  });
  try {
    const res = await createApp({ sql, kv: undefined, log: () => {} }).request("/api/health");
    assert.equal(res.status, 503);
    assert.deepEqual(await res.json(), {
      status: "degraded",
      checks: { db: "down", kv: "absent" },
      rate_limiter: "postgres",
    });
  } finally {
    await sql.end();
  }
});

Deno.test("every response carries a request id, and one JSON log line is written per request", async () => {
  const lines: { level: string; msg: string; fields: LogFields }[] = [];
  let t = 1000;
  const app = createApp({
    sql: undefined,
    kv: undefined,
    log: (level, msg, fields = {}) => lines.push({ level, msg, fields }),
    now: () => (t += 5),
  });
  const given = await app.request("/api/health", { headers: { "x-request-id": "req-123" } });
  assert.equal(given.headers.get("x-request-id"), "req-123");
  const made = await app.request("/api/health", {
    headers: { "x-request-id": "bad id with spaces" },
  });
  assert.match(made.headers.get("x-request-id") ?? "", /^[0-9a-f-]{36}$/);
  assert.equal(lines.length, 2);
  // 503 (no database configured): logged at error level.
  assert.deepEqual(lines[0], {
    level: "error",
    msg: "request",
    fields: {
      request_id: "req-123",
      method: "GET",
      route: "/api/health",
      path: "/api/health",
      status: 503,
      duration_ms: 5,
      user_id: null,
    },
  });
});

Deno.test("an unknown route answers 404 with the API's error shape", async () => {
  const app = createApp({ sql: undefined, kv: undefined, log: () => {} });
  const res = await app.request("/api/nowhere", { method: "POST" });
  assert.equal(res.status, 404);
  assert.deepEqual(await res.json(), {
    error: { code: "route_not_found", message: "No route for POST /api/nowhere" },
  });
});
