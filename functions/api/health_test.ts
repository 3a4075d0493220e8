import assert from "node:assert/strict";
import postgres from "postgres";
import { SignJWT } from "jose";
import { createApp } from "./app.ts";
import type { LogFields } from "../_shared/log.ts";
import { connectDb } from "../_shared/db.ts";
import { testDatabase } from "../../tests/_helpers/db.ts";
import { freePort } from "../../tests/_helpers/ports.ts";

const SECRET = "super-secret-jwt-token-with-at-least-32-characters-long";
/** A database nothing listens for: the API is configured but its database is down. */
const unreachable = () =>
  postgres(`postgresql://postgres:postgres@127.0.0.1:${freePort()}/postgres`, {
    max: 1,
    connect_timeout: 1,
  });

Deno.test("GET /api/health answers 200 ok when the database and KV answer", async () => {
  await using db = await testDatabase();
  const kv = await Deno.openKv(":memory:");
  const sql = connectDb(db.url, 1);
  try {
    const res = await createApp({ sql, kv, jwtSecret: SECRET, log: () => {} }).request(
      "/api/health",
    );
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
  const sql = unreachable();
  try {
    const res = await createApp({ sql, kv: undefined, jwtSecret: SECRET, log: () => {} }).request(
      "/api/health",
    );
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
  const sql = unreachable();
  const app = createApp({
    sql,
    kv: undefined,
    jwtSecret: SECRET,
    log: (level, msg, fields = {}) => lines.push({ level, msg, fields }),
    now: () => (t += 5),
  });
  const given = await app.request("/api/health", { headers: { "x-request-id": "req-123" } });
  assert.equal(given.headers.get("x-request-id"), "req-123");
  const made = await app.request("/api/health", {
    headers: { "x-request-id": "bad id with spaces" },
  });
  assert.match(made.headers.get("x-request-id") ?? "", /^[0-9a-f-]{36}$/);
  await sql.end();
  const requests = lines.filter((l) => l.msg === "request");
  assert.equal(requests.length, 2);
  // 503 (the database is down): logged at error level.
  assert.deepEqual(requests[0], {
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
  const sql = unreachable();
  const app = createApp({ sql, kv: undefined, jwtSecret: SECRET, log: () => {} });
  const token = await new SignJWT({ sub: crypto.randomUUID(), role: "authenticated" })
    .setProtectedHeader({ alg: "HS256" }).setAudience("authenticated").setExpirationTime("1h")
    .sign(new TextEncoder().encode(SECRET));
  const res = await app.request("/api/nowhere", {
    method: "POST",
    headers: { authorization: `Bearer ${token}` },
  });
  assert.equal(res.status, 404);
  assert.deepEqual(await res.json(), {
    error: { code: "route_not_found", message: "No route for POST /api/nowhere" },
  });
  await sql.end();
});

Deno.test("createApp refuses to build an API without a database or a way to verify tokens", async () => {
  const sql = unreachable();
  try {
    assert.throws(
      () => createApp({ sql: undefined, kv: undefined, jwtSecret: SECRET }),
      /no database.*SUPABASE_DB_URL/,
    );
    assert.throws(
      () => createApp({ sql, kv: undefined }),
      /SUPABASE_JWT_SECRET or SUPABASE_JWKS_URL/,
    );
  } finally {
    await sql.end();
  }
});
