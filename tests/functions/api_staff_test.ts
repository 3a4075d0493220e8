/**
 * The API function's staff and AI routes through `app.request()`: reports and the moderators'
 * queue, admins' roles, terms and accounts, /metrics, channel summaries, the @assistant and
 * the model's moderation.
 */
import assert from "node:assert/strict";
import { createApp } from "../../functions/api/app.ts";
import { connectDb } from "../../functions/_shared/db.ts";
import { GENERAL, MODERATORS, SECRET, setup, tokenFor, USERS } from "./_api.ts";

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
