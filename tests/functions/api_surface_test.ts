/**
 * The API function's surface through `app.request()`: CORS, the OpenAPI document (and that it
 * matches the routes), sends under concurrency, and random input at every route.
 */
import assert from "node:assert/strict";
import { createApp } from "../../functions/api/app.ts";
import { connectDb } from "../../functions/_shared/db.ts";
import { GENERAL, MODERATORS, SECRET, setup, tokenFor, USERS } from "./_api.ts";

Deno.test("API: CORS answers only allowed origins", async () => {
  await using t = await setup();
  const pre = (origin: string) =>
    t.app.request("/api/channels", {
      method: "OPTIONS",
      headers: {
        origin,
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization",
      },
    });
  const ok = await pre("https://chat.example");
  assert.equal(ok.headers.get("access-control-allow-origin"), "https://chat.example");
  assert.match(ok.headers.get("access-control-allow-methods") ?? "", /POST/);
  const evil = await pre("https://evil.example");
  assert.equal(evil.headers.get("access-control-allow-origin"), null);
});

Deno.test("API: /openapi.json describes the routes without a token", async () => {
  await using t = await setup();
  const doc = await (await t.app.request("/api/openapi.json")).json();
  assert.equal(doc.openapi, "3.1.0");
  const send = doc.paths["/api/channels/{id}/messages"].post;
  assert.deepEqual(send.requestBody.content["application/json"].schema.required.sort(), [
    "client_id",
    "content",
  ]);
  assert.deepEqual(doc.paths["/api/health"].get.security, [], "health needs no token");
  assert.deepEqual(send.security, [{ bearer: [] }]);
});

Deno.test("API under concurrency: 100 parallel sends against a budget of 20 accept exactly 20; one client_id sent 10 times at once stores one message", async () => {
  await using t = await setup();
  const bob = await t.as("bob");
  const statuses = await Promise.all(
    Array.from(
      { length: 100 },
      (_, i) =>
        bob(`/channels/${GENERAL}/messages`, {
          method: "POST",
          json: { content: `p${i}`, client_id: `par-${i}` },
        })
          .then((r) => r.status),
    ),
  );
  assert.equal(statuses.filter((s) => s === 201).length, 20, `statuses: ${statuses.join(",")}`);
  assert.equal(statuses.filter((s) => s === 429).length, 80);

  const carol = await t.as("carol");
  const same = await Promise.all(
    Array.from(
      { length: 10 },
      () =>
        carol(`/channels/${GENERAL}/messages`, {
          method: "POST",
          json: { content: "once", client_id: "dup-1" },
        })
          .then(async (r) => ({ status: r.status, id: (await r.json()).message?.id })),
    ),
  );
  assert.equal(
    new Set(same.map((s) => s.id)).size,
    1,
    `every answer names the same message: ${JSON.stringify(same)}`,
  );
  assert.equal(same.filter((s) => s.status === 201).length, 1, "created once");
  const [n] = await t.db
    .admin`select count(*)::int as n from public.messages where client_id = 'dup-1'`;
  assert.equal(n!.n, 1);
});

Deno.test("API fuzz: random JSON, ids and queries at every route of the OpenAPI document never give a 500", async () => {
  await using t = await setup();
  let seed = Number(Deno.env.get("FUZZ_SEED") ?? 20261124); // FUZZ_SEED=n explores other inputs
  const rand = () => ((seed = (seed * 1664525 + 1013904223) % 2 ** 32) / 2 ** 32);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const ids = [
    GENERAL,
    MODERATORS,
    crypto.randomUUID(),
    "x",
    "1",
    "-5",
    "99999999999999999999",
    "%00",
    "../etc",
  ];
  const keys = [
    "content",
    "client_id",
    "reply_to_id",
    "attachment_ids",
    "name",
    "is_private",
    "member_ids",
    "user_id",
    "read_up_to",
    "delivered_up_to",
    "status",
    "reason",
    "message_id",
    "term",
    "action",
    "role",
    "bucket",
    "path",
    "username",
  ];
  const value = (depth = 0): unknown =>
    pick<() => unknown>([
      () => null,
      () => Math.floor(rand() * 2 ** 40) * (rand() < 0.5 ? -1 : 1),
      () => rand() < 0.5,
      () =>
        pick([
          "",
          "hello",
          "💥".repeat(50),
          "a".repeat(5000),
          "<script>x</script>",
          "\u0000\u0002",
          GENERAL,
        ]),
      () => depth > 2 ? 1 : Array.from({ length: Math.floor(rand() * 4) }, () => value(depth + 1)),
      () =>
        depth > 2 ? {} : Object.fromEntries(
          Array.from(
            { length: 1 + Math.floor(rand() * 4) },
            () => [pick(keys), value(depth + 1)],
          ),
        ),
    ])();
  const doc = await (await t.app.request("/api/openapi.json")).json() as {
    paths: Record<string, Record<string, unknown>>;
  };
  const routes = Object.entries(doc.paths).flatMap(([p, ops]) =>
    Object.keys(ops).map((m) => [m, p] as const)
  );
  // A limiter that never refuses, so the fuzz reaches the routes rather than the 429s.
  const sql = connectDb(t.db.url, 4);
  const app = createApp({
    sql,
    kv: undefined,
    jwtSecret: SECRET,
    log: () => {},
    limiter: {
      backend: "kv",
      take: () => Promise.resolve({ allowed: true, remaining: 99, retryAfterMs: 0, limit: 99 }),
    },
  });
  const token = await tokenFor(USERS.alice);
  const alice = (path: string, init: RequestInit) =>
    app.request(`/api${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    });
  const statuses = new Map<number, number>();
  const failures: string[] = [];
  for (let i = 0; i < 400; i++) {
    const [method, template] = pick(routes);
    const path = template.replace(/^\/api/, "").replace(
      /\{[^}]+\}/g,
      () => encodeURIComponent(pick(ids)),
    );
    const query = rand() < 0.5
      ? `?${pick(["q", "limit", "before", "after", "cursor", "status", "term"])}=${
        encodeURIComponent(String(value()))
      }`
      : "";
    const body = method === "get"
      ? undefined
      : rand() < 0.2
      ? "{not json"
      : JSON.stringify(value());
    const res = await alice(path + query, {
      method: method.toUpperCase(),
      ...(body !== undefined ? { body } : {}),
    });
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    if (res.status === 500) {
      failures.push(
        `${method.toUpperCase()} ${path}${query.slice(0, 80)} ${
          body?.slice(0, 80)
        } → ${res.status} ${await res
          .text()}`,
      );
    } else await res.body?.cancel();
  }
  await sql.end();
  assert.deepEqual(failures, []);
  assert.ok(
    (statuses.get(200) ?? 0) + (statuses.get(201) ?? 0) > 20,
    `some requests succeed: ${[...statuses]}`,
  );
  assert.ok((statuses.get(400) ?? 0) > 50, `most are refused as bad input: ${[...statuses]}`);
});

Deno.test("API: /openapi.json is generated from the routes: every registered route is in it, and nothing else", async () => {
  await using t = await setup();
  // With every optional part configured (Storage enables /attachments); nothing is called.
  const { storageClient } = await import("../../functions/_shared/storage_client.ts");
  const sql = connectDb(t.db.url, 1);
  const full = createApp({
    sql,
    kv: undefined,
    jwtSecret: SECRET,
    log: () => {},
    storage: storageClient("http://127.0.0.1:9", "unused"),
  });
  const generated = await (await full.request("/api/openapi.json")).json() as {
    paths: Record<string, Record<string, unknown>>;
  };
  await sql.end();
  const documented = new Set(
    Object.entries(generated.paths).flatMap(([p, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${p.replace(/\{(\w+)\}/g, ":$1")}`)
    ),
  );
  const registered = new Set(
    full.routes
      .filter((r) => r.method !== "ALL" && !r.path.endsWith("*"))
      .map((r) => `${r.method} ${r.path.replace(/\/$/, "")}`),
  );
  // Hono registers HEAD for GET implicitly in some versions; compare the methods we declare.
  // The document's own route is the one it leaves out.
  const missing = [...registered].filter((r) =>
    !documented.has(r) && !r.startsWith("HEAD ") && r !== "GET /api/openapi.json"
  );
  const stale = [...documented].filter((d) => !registered.has(d));
  assert.deepEqual(missing, [], "routes without documentation");
  assert.deepEqual(stale, [], "documented routes that do not exist");
});
