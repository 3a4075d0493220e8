import assert from "node:assert/strict";
import type postgres from "postgres";
import { inboxEnabled, inboxRoutes, isLoopback } from "./inbox.ts";

Deno.test("isLoopback knows 127.0.0.0/8, ::1 (also v4-mapped) and localhost, nothing else", () => {
  for (const h of ["127.0.0.1", "127.1.2.3", "::1", "[::1]", "::ffff:127.0.0.1", "localhost"]) {
    assert.ok(isLoopback(h), h);
  }
  for (
    const h of [
      "0.0.0.0",
      "::",
      "10.0.0.5",
      "192.168.1.2",
      "128.0.0.1",
      "127.0.0.256",
      "example.com",
    ]
  ) {
    assert.ok(!isLoopback(h), h);
  }
});

Deno.test("inboxEnabled: on for loopback by default; off beyond loopback, with LOCAL_INBOX=off, or a public URL", () => {
  assert.equal(inboxEnabled({ hostname: "127.0.0.1", setting: undefined }), true);
  assert.equal(inboxEnabled({ hostname: "localhost", setting: "auto" }), true);
  assert.equal(inboxEnabled({ hostname: "0.0.0.0", setting: undefined }), false);
  assert.equal(inboxEnabled({ hostname: "127.0.0.1", setting: "off" }), false);
  assert.equal(
    inboxEnabled({
      hostname: "127.0.0.1",
      publicUrl: "https://chat.example.com",
      setting: undefined,
    }),
    false,
    "behind a proxy that serves the public, loopback is not private",
  );
  assert.throws(
    () => inboxEnabled({ hostname: "127.0.0.1", setting: "on" }),
    /LOCAL_INBOX must be "auto" \(the default\) or "off"/,
  );
});

Deno.test("the inbox answers only loopback clients", async () => {
  // The refusal comes before any query: a database that must not be reached.
  const sql = (() => {
    throw new Error("the inbox queried the database for a refused client");
  }) as unknown as postgres.Sql;
  const app = inboxRoutes(sql);
  for (const hostname of ["10.0.0.5", "203.0.113.9"]) {
    const res = await app.request("/messages", {}, { remoteAddr: { hostname, port: 1 } });
    assert.equal(res.status, 403, hostname);
    assert.equal((await res.json()).error.code, "forbidden");
  }
  const unknown = await app.request("/", {}, {});
  assert.equal(unknown.status, 403, "no known remote address: refused");
});
