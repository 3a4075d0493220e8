/**
 * The API function through `app.request()`, on a database of its own with the seed: tokens,
 * the message pipeline (idempotent, moderated sends; pages, edits, deletes, reactions,
 * receipts; the send budget), channels, DMs, profile, people and search, and the errors of
 * each. Staff and AI routes: `api_staff_test.ts`; CORS, OpenAPI, concurrency and fuzzing:
 * `api_surface_test.ts`.
 */
import assert from "node:assert/strict";
import { GENERAL, MODERATORS, setup, tokenFor, USERS } from "./_api.ts";

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
