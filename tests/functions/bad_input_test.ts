/**
 * Input that used to answer 500 (the HTTP fuzzer's finds, issue 11): text with NUL, year-0
 * dates, search cursors past a `real` or a `bigint`, ids past 2^53. Each is now a 400 in the
 * API's error shape, and nothing is written. Through `app.request()` on a real database.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { SignJWT } from "jose";
import { createApp } from "../../functions/api/app.ts";
import { connectDb } from "../../functions/_shared/db.ts";
import { AppError, fromDbError } from "../../functions/_shared/errors.ts";
import { applySeed } from "../../local/db/mod.ts";
import { SUPABASE_DIR } from "../../local/paths.ts";
import { testDatabase } from "../_helpers/db.ts";

const SECRET = "super-secret-jwt-token-with-at-least-32-characters-long";
const ALICE = "a11ce000-0000-4000-8000-000000000001"; // admin in the seed
const GENERAL = "c0000000-0000-4000-8000-0000000000a1";

async function setup() {
  const db = await testDatabase();
  await applySeed(db.sql, [join(SUPABASE_DIR, "seed.sql")]);
  const kv = await Deno.openKv(":memory:");
  const sql = connectDb(db.url, 4);
  const app = createApp({ sql, kv, jwtSecret: SECRET, log: () => {} });
  const token = await new SignJWT({ sub: ALICE, role: "authenticated", aud: "authenticated" })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" }).setExpirationTime("1h")
    .sign(new TextEncoder().encode(SECRET));
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await app.request(`/api${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: await res.json() };
  };
  return {
    db,
    call,
    async [Symbol.asyncDispose]() {
      kv.close();
      await sql.end();
      await db[Symbol.asyncDispose]();
    },
  };
}

Deno.test("text with a NUL answers 400 validation_failed on every kind of input, and writes nothing", async () => {
  await using t = await setup();
  const count = async () => {
    const [r] = await t.db.admin`select
      (select count(*) from public.channels)::int as channels,
      (select count(*) from public.messages)::int as messages,
      (select count(*) from public.reports)::int as reports,
      (select count(*) from public.blocked_terms)::int as terms,
      (select display_name from public.profiles where id = ${ALICE}) as name`;
    return r;
  };
  const before = await count();
  const [{ id: mid }] = await t.db.admin`select min(id)::int as id from public.messages` as [
    { id: number },
  ];
  const cases: [string, string, unknown?][] = [
    ["POST", "/channels", { name: "a\u0000b" }],
    ["PATCH", `/channels/${GENERAL}`, { topic: "\u0000" }],
    ["PATCH", "/me", { display_name: "x\u0000" }],
    ["POST", `/channels/${GENERAL}/messages`, { content: "hi", client_id: "a\u0000" }],
    ["POST", "/reports", { message_id: mid, reason: "spam\u0000" }],
    ["POST", "/admin/blocked-terms", { term: "bad\u0000", action: "reject" }],
    ["POST", "/admin/blocked-terms", { term: "\ud800", action: "reject" }],
    ["DELETE", "/admin/blocked-terms?term=%00"],
    ["GET", "/users?q=a%00b"],
    ["GET", "/channels/public?q=%00"],
    ["GET", "/admin/users?q=a%00"],
    ["GET", "/search?q=a%00b"],
  ];
  for (const [method, path, body] of cases) {
    const r = await t.call(method, path, body);
    assert.equal(r.status, 400, `${method} ${path}: ${JSON.stringify(r.body)}`);
    assert.equal(r.body.error.code, "validation_failed", `${method} ${path}`);
    assert.match(r.body.error.message, /NUL/, `${method} ${path} says why`);
  }
  assert.deepEqual(await count(), before, "nothing was written");
});

Deno.test("search: year-0 dates and cursors no page hands out answer 400, a real cursor pages", async () => {
  await using t = await setup();
  for (
    const q of [
      "after=0000-01-01T00:00:00Z",
      "before=0000-06-01T00:00:00%2B02:00",
      "after=0001-01-01T00:00:00%2B14:00", // year 0 in UTC
      "before=9999-12-31T23:59:59-14:00", // year 10000 in UTC
      "cursor=0.5:99999999999999999999",
      `cursor=${"9".repeat(5000)}:1`,
      "cursor=1e-50:1",
      "cursor=1e999:1",
    ]
  ) {
    const r = await t.call("GET", `/search?q=hello&${q}`);
    assert.equal(r.status, 400, `${q.slice(0, 60)}: ${JSON.stringify(r.body)}`);
    assert.equal(r.body.error.code, "validation_failed");
  }
  const ok = await t.call("GET", "/search?q=the&limit=1&after=0001-01-01T00:00:00Z");
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  if (ok.body.next_cursor) {
    const next = await t.call("GET", `/search?q=the&limit=1&cursor=${ok.body.next_cursor}`);
    assert.equal(next.status, 200, "the cursor a page hands out is taken back");
  }
});

Deno.test("ids past 2^53 in paths and bodies answer 400, not a database error", async () => {
  await using t = await setup();
  for (
    const [method, path, body] of [
      ["PATCH", "/messages/9223372036854775808", { content: "x" }],
      ["PUT", "/messages/99999999999999999999/reactions/%F0%9F%91%8D"],
      ["POST", "/admin/reports/9223372036854775808", { status: "dismissed" }],
      ["GET", `/channels/${GENERAL}/messages?before=9223372036854775808`],
      ["POST", "/reports", { message_id: 2 ** 63, reason: "x" }],
      ["POST", `/channels/${GENERAL}/receipts`, { read_up_to: 1e308 }],
    ] as const
  ) {
    const r = await t.call(method, path, body);
    assert.equal(r.status, 400, `${method} ${path}: ${JSON.stringify(r.body)}`);
    assert.equal(r.body.error.code, "validation_failed");
  }
});

Deno.test("fromDbError turns Postgres' own data errors from a caller's values into 400s", async () => {
  await using db = await testDatabase();
  const cases: [string, () => Promise<unknown>][] = [
    ["22021", () => db.sql`select ${"a\u0000b"}::text`],
    ["22P05", () => db.sql`select '{"a":"\\u0000"}'::jsonb ->> 'a'`],
    ["22008", () => db.sql`select '0000-01-01T00:00:00Z'::timestamptz`],
    ["22003", () => db.sql`select '99999999999999999999'::bigint`],
    // What postgres.js makes of a string past year 9999 for a timestamptz parameter.
    ["22009", () => db.sql`select '+010000-01-01T13:59:59.000Z'::timestamptz`],
  ];
  for (const [code, run] of cases) {
    const e = await run().then(() => undefined, (e) => e);
    assert.equal((e as { code?: string })?.code, code, `Postgres raises ${code}`);
    const mapped = fromDbError(e);
    assert.ok(mapped instanceof AppError, code);
    assert.equal(mapped.code, "validation_failed", code);
  }
});
