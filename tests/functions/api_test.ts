/**
 * The API function through `app.request()`, on a database of its own with the seed: the
 * message pipeline, channels, profile, search, and the errors of each.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { SignJWT } from "jose";
import { createApp } from "../../functions/api/app.ts";
import { Metrics } from "../../functions/_shared/metrics.ts";
import { connectDb } from "../../functions/_shared/db.ts";
import { applySeed } from "../../local/db/mod.ts";
import { SUPABASE_DIR } from "../../local/paths.ts";
import { testDatabase } from "../_helpers/db.ts";

const SECRET = "super-secret-jwt-token-with-at-least-32-characters-long";
const USERS = {
  alice: "a11ce000-0000-4000-8000-000000000001",
  bob: "b0b00000-0000-4000-8000-000000000002",
  carol: "ca201000-0000-4000-8000-000000000003",
} as const;
const GENERAL = "c0000000-0000-4000-8000-0000000000a1";
const MODERATORS = "c0000000-0000-4000-8000-0000000000a3";

const tokenFor = (sub: string, exp = Math.floor(Date.now() / 1000) + 3600) =>
  new SignJWT({ sub, role: "authenticated", aud: "authenticated", session_id: crypto.randomUUID() })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" }).setExpirationTime(exp).sign(
      new TextEncoder().encode(SECRET),
    );

async function setup() {
  const db = await testDatabase();
  await applySeed(db.sql, [join(SUPABASE_DIR, "seed.sql")]);
  const kv = await Deno.openKv(":memory:");
  const sql = connectDb(db.url, 4);
  const metrics = new Metrics();
  const app = createApp({
    sql,
    kv,
    jwtSecret: SECRET,
    log: () => {},
    allowedOrigins: ["https://chat.example"],
    metrics,
    metricsToken: "tok",
  });
  const as = async (who: keyof typeof USERS) => {
    const token = await tokenFor(USERS[who]);
    return (path: string, init: RequestInit & { json?: unknown } = {}) =>
      app.request(`/api${path}`, {
        ...init,
        headers: {
          authorization: `Bearer ${token}`,
          "content-type": "application/json",
          // Each test user behind an address of their own (documentation range), as the gateway says.
          "x-forwarded-for": `198.51.100.${Object.keys(USERS).indexOf(who) + 1}`,
          ...(init.headers ?? {}),
        },
        ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : {}),
      });
  };
  return {
    app,
    db,
    as: async (who: keyof typeof USERS) => {
      const call = await as(who);
      return (path: string, init: RequestInit & { json?: unknown } = {}) =>
        Promise.resolve(call(path, init));
    },
    async [Symbol.asyncDispose]() {
      kv.close();
      await sql.end();
      await db[Symbol.asyncDispose]();
    },
  };
}

Deno.test("API: no token, a bad token or an expired one answer 401 in the API's error shape", async () => {
  await using t = await setup();
  const none = await t.app.request("/api/channels");
  assert.equal(none.status, 401);
  assert.deepEqual(await none.json(), {
    error: { code: "unauthorized", message: "Missing bearer token" },
  });
  const bad = await t.app.request("/api/channels", {
    headers: { authorization: "Bearer abc.def.ghi" },
  });
  assert.equal((await bad.json()).error.code, "invalid_token");
  const old = await tokenFor(USERS.alice, Math.floor(Date.now() / 1000) - 10);
  const expired = await t.app.request("/api/channels", {
    headers: { authorization: `Bearer ${old}` },
  });
  assert.equal(expired.status, 401);
  assert.equal((await expired.json()).error.message, "Token has expired");
});

Deno.test("API: sending is idempotent by client_id, moderated, and refused outside one's channels", async () => {
  await using t = await setup();
  const carol = await t.as("carol");
  const first = await carol(`/channels/${GENERAL}/messages`, {
    method: "POST",
    json: { content: "  Hello @alice\u0000 ", client_id: "c-1" },
  });
  assert.equal(first.status, 201);
  const m = (await first.json()).message;
  assert.equal(m.content, "Hello @alice", "trimmed, control characters removed");
  assert.deepEqual(m.mentions, [USERS.alice], "mentions resolved from @username");
  assert.equal(m.sender.username, "carol");
  const again = await carol(`/channels/${GENERAL}/messages`, {
    method: "POST",
    json: { content: "Hello again", client_id: "c-1" },
  });
  assert.equal(again.status, 200, "the same client_id returns the stored message");
  assert.equal((await again.json()).message.id, m.id);

  const rejected = await carol(`/channels/${GENERAL}/messages`, {
    method: "POST",
    json: { content: "a badword here", client_id: "c-2" },
  });
  assert.equal(rejected.status, 422);
  assert.equal((await rejected.json()).error.code, "content_rejected");
  const masked = await carol(`/channels/${GENERAL}/messages`, {
    method: "POST",
    json: { content: "oh darn", client_id: "c-3" },
  });
  assert.deepEqual([
    (await masked.clone().json()).message.content,
    (await masked.json()).message.moderation,
  ], ["oh ****", "masked"]);
  const flagged = await carol(`/channels/${GENERAL}/messages`, {
    method: "POST",
    json: { content: "spoiler: it works", client_id: "c-4" },
  });
  const fid = (await flagged.json()).message.id;
  const [report] = await t.db.admin`select status from public.reports where message_id = ${fid}`;
  assert.equal(report?.status, "open", "a flagged message is queued for the moderators");

  const outside = await carol(`/channels/${MODERATORS}/messages`, {
    method: "POST",
    json: { content: "hi", client_id: "c-5" },
  });
  assert.equal(outside.status, 403);
  const empty = await carol(`/channels/${GENERAL}/messages`, {
    method: "POST",
    json: { content: " \u0000 ", client_id: "c-6" },
  });
  assert.equal(empty.status, 400);
  assert.match((await empty.json()).error.message, /content: must not be empty/);
  const long = await carol(`/channels/${GENERAL}/messages`, {
    method: "POST",
    json: { content: "x".repeat(4001), client_id: "c-7" },
  });
  assert.equal(long.status, 400);
  const badJson = await carol(`/channels/${GENERAL}/messages`, { method: "POST", body: "{nope" });
  assert.equal((await badJson.json()).error.code, "bad_json");
  const huge = await carol(`/channels/${GENERAL}/messages`, {
    method: "POST",
    json: { content: "x", client_id: "y".repeat(70_000) },
  });
  assert.equal(huge.status, 413);
  const notUuid = await carol(`/channels/not-a-uuid/messages`);
  assert.equal(notUuid.status, 400);
});

Deno.test("API: pages, edits, deletes, reactions and receipts", async () => {
  await using t = await setup();
  const alice = await t.as("alice");
  const bob = await t.as("bob");
  const ids: number[] = [];
  for (let i = 0; i < 5; i++) {
    const r = await alice(`/channels/${GENERAL}/messages`, {
      method: "POST",
      json: { content: `m${i}`, client_id: `a-${i}` },
    });
    ids.push((await r.json()).message.id);
  }
  const page = await (await bob(`/channels/${GENERAL}/messages?limit=3`)).json();
  assert.deepEqual(page.messages.map((m: { content: string }) => m.content), ["m4", "m3", "m2"]);
  const older = await (await bob(`/channels/${GENERAL}/messages?limit=3&before=${ids[2]}`)).json();
  assert.deepEqual(older.messages.slice(0, 2).map((m: { content: string }) => m.content), [
    "m1",
    "m0",
  ]);

  const edit = await alice(`/messages/${ids[4]}`, {
    method: "PATCH",
    json: { content: "m4 (fixed)" },
  });
  assert.ok((await edit.json()).message.edited_at);
  assert.equal(
    (await bob(`/messages/${ids[4]}`, { method: "PATCH", json: { content: "hijack" } })).status,
    404,
  );
  const del = await alice(`/messages/${ids[3]}`, { method: "DELETE" });
  const tomb = (await del.json()).message;
  assert.deepEqual([tomb.content, Boolean(tomb.deleted_at)], ["", true]);

  const react = await bob(`/messages/${ids[4]}/reactions/${encodeURIComponent("👍")}`, {
    method: "PUT",
  });
  assert.deepEqual(
    (await react.json()).message.reactions.map((
      r: { emoji: string; count: number },
    ) => [r.emoji, r.count]),
    [["👍", 1]],
  );
  const unreact = await bob(`/messages/${ids[4]}/reactions/${encodeURIComponent("👍")}`, {
    method: "DELETE",
  });
  assert.deepEqual((await unreact.json()).message.reactions, []);

  const r1 = await (await bob(`/channels/${GENERAL}/receipts`, {
    method: "POST",
    json: { read_up_to: ids[2] },
  })).json();
  assert.deepEqual([r1.last_read_message_id, r1.last_delivered_message_id].map(Number), [
    ids[2],
    ids[2],
  ]);
  const r2 =
    await (await bob(`/channels/${GENERAL}/receipts`, { method: "POST", json: { read_up_to: 1 } }))
      .json();
  assert.equal(Number(r2.last_read_message_id), Number(ids[2]), "watermarks only move forward");
  const r3 = await (await bob(`/channels/${GENERAL}/receipts`, {
    method: "POST",
    json: { read_up_to: 10 ** 12 },
  })).json();
  assert.equal(
    Number(r3.last_read_message_id),
    Number(ids[4]),
    "and never past the newest message",
  );
});

Deno.test("API: sending past the budget answers 429 with Retry-After and RateLimit headers", async () => {
  await using t = await setup();
  const bob = await t.as("bob");
  const statuses: number[] = [];
  let last: Response | undefined;
  for (let i = 0; i < 21; i++) {
    last = await bob(`/channels/${GENERAL}/messages`, {
      method: "POST",
      json: { content: `burst ${i}`, client_id: `b-${i}` },
    });
    statuses.push(last.status);
  }
  assert.deepEqual(statuses.slice(0, 20), Array(20).fill(201));
  assert.equal(statuses[20], 429);
  assert.ok(Number(last!.headers.get("retry-after")) >= 1);
  assert.equal(last!.headers.get("ratelimit-limit"), "20");
  assert.equal((await last!.json()).error.code, "rate_limited");
});

Deno.test("API: channels, DMs created once, profile, people and search", async () => {
  await using t = await setup();
  const alice = await t.as("alice");
  const bob = await t.as("bob");
  const g = await alice("/channels", {
    method: "POST",
    json: { name: "launch", member_ids: [USERS.bob] },
  });
  assert.equal(g.status, 201);
  const gid = (await g.json()).channel.id;
  const mine = (await (await bob("/channels")).json()).channels;
  assert.ok(
    mine.some((c: { id: string }) => c.id === gid),
    "the invited member sees the new group",
  );
  const dm1 = await alice("/channels/direct", { method: "POST", json: { user_id: USERS.bob } });
  const dm2 = await bob("/channels/direct", { method: "POST", json: { user_id: USERS.alice } });
  assert.deepEqual([dm1.status, dm2.status], [201, 200]);
  assert.equal((await dm1.json()).channel.id, (await dm2.json()).channel.id, "one DM per pair");
  assert.equal(
    (await bob(`/channels/${gid}`, { method: "PATCH", json: { name: "mine now" } })).status,
    403,
  );
  assert.equal(
    (await alice(`/channels/${gid}`, { method: "PATCH", json: { topic: "T-minus 3" } })).status,
    200,
  );

  const me = await (await alice("/me", {
    method: "PATCH",
    json: { status_text: "shipping", display_name: "Alice L." },
  })).json();
  assert.deepEqual([me.profile.status_text, me.profile.role], ["shipping", "admin"]);
  assert.equal(
    (await alice("/me", { method: "PATCH", json: { role: "god" } })).status,
    400,
    "unknown fields are refused",
  );
  const people = (await (await bob("/users?q=ali")).json()).users;
  assert.deepEqual(people.map((u: { username: string }) => u.username), ["alice"]);

  const search = await (await bob("/search?q=partial")).json();
  assert.equal(search.hits.length, 1);
  assert.ok(
    search.hits[0].snippet.includes("\u0002partial\u0003"),
    "hits marked with U+0002/U+0003",
  );
  const none = await (await (await t.as("carol"))("/search?q=queue")).json();
  assert.equal(none.hits.length, 0, "carol is not in the moderators' channel");
  assert.equal((await bob("/search")).status, 400);
});

Deno.test("API: reports and the moderators' queue; admins manage roles, terms and accounts", async () => {
  await using t = await setup();
  const [alice, bob, carol] = [await t.as("alice"), await t.as("bob"), await t.as("carol")];
  const sent = await carol(`/channels/${GENERAL}/messages`, {
    method: "POST",
    json: { content: "rude words", client_id: "r-1" },
  });
  const mid = (await sent.json()).message.id;
  const rep = await alice("/reports", {
    method: "POST",
    json: { message_id: mid, reason: "rude" },
  });
  assert.equal(rep.status, 201);
  assert.equal(
    (await alice("/reports", { method: "POST", json: { message_id: mid, reason: "again" } }))
      .status,
    409,
  );
  assert.equal((await carol("/admin/reports")).status, 403, "users see no queue");
  const queue = (await (await bob("/admin/reports")).json()).reports; // bob is a moderator in the seed
  const mine = queue.find((r: { message: { id: number } }) => r.message.id === mid);
  assert.equal(mine.reporter, "alice");
  const decided = await bob(`/admin/reports/${mine.id}`, {
    method: "POST",
    json: { status: "actioned", delete_message: true },
  });
  assert.equal((await decided.json()).report.status, "actioned");
  const [gone] = await t.db
    .admin`select content, deleted_at is not null as deleted from public.messages where id = ${mid}`;
  assert.deepEqual(gone, { content: "", deleted: true });

  assert.equal(
    (await bob(`/admin/users/${USERS.carol}/role`, { method: "POST", json: { role: "admin" } }))
      .status,
    403,
  );
  const role = await alice(`/admin/users/${USERS.carol}/role`, {
    method: "POST",
    json: { role: "moderator" },
  });
  assert.deepEqual(await role.json(), { user_id: USERS.carol, role: "moderator" });

  assert.equal(
    (await alice("/admin/blocked-terms", {
      method: "POST",
      json: { term: "Zonk", action: "reject" },
    })).status,
    201,
  );
  const blocked = await carol(`/channels/${GENERAL}/messages`, {
    method: "POST",
    json: { content: "zonk!", client_id: "r-2" },
  });
  assert.equal(blocked.status, 422, "a new term applies at once (the cache is invalidated)");
  assert.equal((await alice("/admin/blocked-terms?term=zonk", { method: "DELETE" })).status, 200);
  const fine = await carol(`/channels/${GENERAL}/messages`, {
    method: "POST",
    json: { content: "zonk!", client_id: "r-3" },
  });
  assert.equal(fine.status, 201);

  assert.equal(
    (await alice(`/admin/users/${USERS.carol}/deactivate`, { method: "POST" })).status,
    200,
  );
  assert.equal((await carol("/me")).status, 403, "a deactivated user's old token reads nothing");
  assert.equal(
    (await carol(`/channels/${GENERAL}/messages`, {
      method: "POST",
      json: { content: "hi", client_id: "r-4" },
    })).status,
    403,
  );
  assert.equal(
    (await alice(`/admin/users/${USERS.carol}/reactivate`, { method: "POST" })).status,
    200,
  );
  assert.equal((await carol("/me")).status, 200);
});

Deno.test("API: /metrics needs METRICS_TOKEN and speaks Prometheus text", async () => {
  await using t = await setup();
  const bob = await t.as("bob");
  await bob(`/channels/${GENERAL}/messages`, {
    method: "POST",
    json: { content: "hi", client_id: "mt-1" },
  });
  await bob(`/channels/${GENERAL}/messages`, {
    method: "POST",
    json: { content: "oh darn", client_id: "mt-2" },
  });
  const scraped =
    await (await t.app.request("/api/metrics", { headers: { authorization: "Bearer tok" } }))
      .text();
  assert.match(scraped, /messages_sent_total 2/);
  assert.match(scraped, /moderation_actions_total\{outcome="masked"\} 1/);
  // No database listens behind these two: /health answers 503, which the metrics must count.
  const nowhere = connectDb("postgresql://postgres:postgres@127.0.0.1:9/postgres", 1);
  const bare = { sql: nowhere, kv: undefined, jwtSecret: SECRET, log: () => {} };
  const off = createApp(bare);
  const offRes = await off.request("/api/metrics");
  assert.equal(offRes.status, 404, "off without a token configured, and no 5xx");
  assert.deepEqual(await offRes.json(), {
    error: { code: "not_found", message: "Metrics are off: set METRICS_TOKEN" },
  });
  const app = createApp({ ...bare, metricsToken: "s3cret" });
  await app.request("/api/health");
  assert.equal(
    (await app.request("/api/metrics", { headers: { authorization: "Bearer wrong" } })).status,
    401,
  );
  const res = await app.request("/api/metrics", { headers: { authorization: "Bearer s3cret" } });
  assert.match(res.headers.get("content-type") ?? "", /text\/plain/);
  const text = await res.text();
  assert.match(text, /http_requests_total\{method="GET",route="\/api\/health",status="503"\} 1/);
  assert.match(text, /http_request_duration_seconds_count\{method="GET",route="\/api\/health"\} 1/);
  assert.match(text, /^db_up 0$/m, "the scrape's own ping finds no database");
  await nowhere.end();
});

Deno.test("API: a channel summary with its mood, from the local AI provider", async () => {
  await using t = await setup();
  const alice = await t.as("alice");
  for (
    const [i, content] of [
      "The launch is on Friday. Please review the launch checklist.",
      "I love the new design, great work!",
      "ok",
    ].entries()
  ) {
    await alice(`/channels/${GENERAL}/messages`, {
      method: "POST",
      json: { content, client_id: `s-${i}` },
    });
  }
  const page = (await (await alice(`/channels/${GENERAL}/messages?limit=3`)).json()).messages;
  const happy = page.find((m: { content: string }) => m.content.startsWith("I love"));
  assert.ok(happy.sentiment > 0, "each message carries its lexicon sentiment");
  const res = await alice(`/channels/${GENERAL}/summary?limit=20`);
  const body = await res.json();
  assert.equal(body.provider, "local");
  assert.ok(body.summary.some((s: string) => /launch/.test(s)), JSON.stringify(body.summary));
  assert.equal(body.sentiment.label, "positive");
  assert.equal(
    (await (await t.as("carol"))(`/channels/${MODERATORS}/summary`)).status,
    404,
    "a private channel stays hidden",
  );
});

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

Deno.test("API: mentioning @assistant gets a reply in the thread, from what the channel says", async () => {
  await using t = await setup();
  const alice = await t.as("alice");
  await alice(`/channels/${GENERAL}/messages`, {
    method: "POST",
    json: { content: "The launch is on Friday at noon.", client_id: "as-1" },
  });
  const asked = await alice(`/channels/${GENERAL}/messages`, {
    method: "POST",
    json: { content: "@assistant when is the launch?", client_id: "as-2" },
  });
  const q = (await asked.json()).message;
  assert.deepEqual(
    q.mentions,
    ["00000000-0000-4000-8000-00000000a551"],
    "the assistant counts as mentioned",
  );
  let reply: Record<string, unknown> | undefined;
  for (let i = 0; i < 50 && !reply; i++) {
    [reply] = await t.db.admin`select content, reply_to_id from public.messages
                               where sender_id = '00000000-0000-4000-8000-00000000a551' and reply_to_id = ${q.id}`;
    if (!reply) await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(reply, "the assistant answered");
  assert.match(String(reply.content), /Friday at noon/);
  // Nobody makes the assistant speak under a message that does not ask it.
  await assert.rejects(
    () =>
      t.db.sql.begin(async (tx) => {
        await tx`select set_config('request.jwt.claims', ${
          JSON.stringify({ sub: USERS.alice, role: "authenticated" })
        }, true)`;
        await tx.unsafe("set local role chat_api");
        const [m] = await tx`select id from public.messages where client_id = 'as-1'`;
        await tx`select private.assistant_reply(${m!.id}, 'I say what you want')`;
      }),
    /does not ask the assistant/,
  );
});

Deno.test("API: with a model provider configured, a message the model flags goes to the moderators' queue", async () => {
  await using t = await setup();
  const { openAiCompatible } = await import("../../functions/_shared/ai.ts");
  const model = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const body = await req.json();
    const text = String(body.messages.at(-1).content);
    const content =
      String(body.messages[0].content).startsWith("You review") && text.includes("wish you harm")
        ? "FLAG"
        : "OK";
    return Response.json({ choices: [{ message: { role: "assistant", content } }] });
  });
  const sql = connectDb(t.db.url, 2);
  try {
    const app = createApp({
      sql,
      kv: undefined,
      jwtSecret: SECRET,
      log: () => {},
      ai: openAiCompatible({ url: `http://127.0.0.1:${(model.addr as Deno.NetAddr).port}` }),
    });
    const token = await tokenFor(USERS.bob);
    const send = (content: string, client_id: string) =>
      app.request(`/api/channels/${GENERAL}/messages`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ content, client_id }),
      });
    const calm = await (await send("see you tomorrow", "m-1")).json();
    assert.equal(calm.message.moderation, "ok");
    const mean = await (await send("I wish you harm", "m-2")).json();
    assert.equal(mean.message.moderation, "flagged");
    const [report] = await t.db
      .admin`select status from public.reports where message_id = ${mean.message.id}`;
    assert.equal(report?.status, "open");
  } finally {
    await sql.end();
    await model.shutdown();
  }
});
