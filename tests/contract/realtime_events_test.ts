/**
 * Realtime events as README "Realtime events" describes them, through supabase-js: only the
 * database writes `channel:<id>` (a member's broadcast there reaches no one), typing lives on
 * `typing:<id>`, events carry their data (a `message.created` is the API's message), and read
 * receipts cost O(N): per person in small channels, a "read by N" summary in large ones.
 */
import assert from "node:assert/strict";
import type { RealtimeChannel, SupabaseClient } from "@supabase/supabase-js";
import { startTestStack } from "../_helpers/stack.ts";
import { signedIn } from "../_helpers/signed_in.ts";
import { RECEIPT_DETAIL_MAX_MEMBERS } from "../../functions/_shared/limits.ts";

const GENERAL = "c0000000-0000-4000-8000-0000000000a1"; // seed: alice, bob, carol, dave
const ALICE = "a11ce000-0000-4000-8000-000000000001";
const BOB = "b0b00000-0000-4000-8000-000000000002";

type Heard = { event: string; payload: Record<string, unknown> };

/** Joins `topic` and records every broadcast. */
async function listen(client: SupabaseClient, topic: string) {
  const heard: Heard[] = [];
  const ch: RealtimeChannel = client.channel(topic, { config: { private: true } });
  ch.on("broadcast", { event: "*" }, (m) => heard.push({ event: m.event, payload: m.payload }));
  const status = await new Promise<string>((resolve) =>
    ch.subscribe((s, err) => {
      if (s === "SUBSCRIBED") resolve(s);
      if (s === "CHANNEL_ERROR" || s === "TIMED_OUT") resolve(`${s}: ${err?.message ?? ""}`);
    })
  );
  assert.equal(status, "SUBSCRIBED", topic);
  return { ch, heard };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, f: () => T | undefined, ms = 3000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`waited ${ms} ms for ${what}`);
    await sleep(20);
  }
}

const events = (heard: Heard[], event: string) => heard.filter((h) => h.event === event);

async function cleanup(...clients: SupabaseClient[]) {
  for (const c of clients) {
    await c.removeAllChannels();
    c.realtime.disconnect();
  }
  await sleep(50);
}

Deno.test("only the database writes channel topics: a member's forged event reaches no one; typing has its own topic", async () => {
  await using stack = await startTestStack();
  if (!stack.local) return;
  const alice = await signedIn(stack, "alice");
  const bob = await signedIn(stack, "bob");
  try {
    const b = await listen(bob.client, `channel:${GENERAL}`);
    const a = await listen(alice.client, `channel:${GENERAL}`);
    const forged = { message: { id: 1e9, channel_id: GENERAL, content: "forged" }, prev_id: null };
    // Joined (a WebSocket push) and not joined (REST): both are refused or dropped.
    const pushed = await a.ch.send({
      type: "broadcast",
      event: "message.created",
      payload: forged,
    });
    const rest = alice.client.channel(`channel:${GENERAL}`, { config: { private: true } });
    await rest.send({ type: "broadcast", event: "message.created", payload: forged });
    await alice.client.removeChannel(rest);
    console.log(`forged push answered: ${pushed}`);
    await sleep(400);
    assert.deepEqual(b.heard, [], "the forged message.created reached no one");

    const t = await listen(bob.client, `typing:${GENERAL}`);
    const ta = await listen(alice.client, `typing:${GENERAL}`);
    assert.equal(
      await ta.ch.send({
        type: "broadcast",
        event: "typing",
        payload: { user_id: ALICE, typing: true },
      }),
      "ok",
    );
    const typing = await until("typing", () => events(t.heard, "typing")[0]);
    assert.deepEqual(typing.payload, { user_id: ALICE, typing: true });

    // Strangers cannot read a channel's typing topic.
    const carol = await signedIn(stack, "carol");
    await stack.db!.sql`delete from public.channel_members
      where channel_id = ${GENERAL} and user_id = 'ca201000-0000-4000-8000-000000000003'`;
    const refused = carol.client.channel(`typing:${GENERAL}`, { config: { private: true } });
    const status = await new Promise<string>((resolve) =>
      refused.subscribe((s) => s !== "SUBSCRIBED" ? resolve(s) : resolve("SUBSCRIBED"))
    );
    assert.equal(status, "CHANNEL_ERROR");
    await cleanup(carol.client);
  } finally {
    await cleanup(alice.client, bob.client);
  }
});

Deno.test("events carry their data: message.created is the API's message, with prev_id; edits, deletes and reactions too", async () => {
  await using stack = await startTestStack(() => {}, { env: { API_RATE_LIMITS: "off" } });
  if (!stack.local) return;
  const alice = await signedIn(stack, "alice");
  const bob = await signedIn(stack, "bob");
  try {
    const b = await listen(bob.client, `channel:${GENERAL}`);
    const first = (await alice.api("POST", `/channels/${GENERAL}/messages`, {
      content: "first",
      client_id: "ev-1",
    })).message;
    const second = (await alice.api("POST", `/channels/${GENERAL}/messages`, {
      content: "second, replying",
      client_id: "ev-2",
      reply_to_id: first.id,
    })).message;
    const created = await until("two message.created", () => {
      const c = events(b.heard, "message.created");
      return c.length >= 2 ? c : undefined;
    });
    const withoutMine = (m: Record<string, unknown>) => ({
      ...m,
      reactions: (m.reactions as Record<string, unknown>[]).map(({ mine: _, ...r }) => r),
    });
    // What Bob would read from the page route is exactly what the event carried.
    const page = (await bob.api("GET", `/channels/${GENERAL}/messages?limit=2`)).messages;
    assert.deepEqual(created[1]!.payload.message, withoutMine(page[0]));
    assert.deepEqual(created[0]!.payload.message, withoutMine(page[1]));
    assert.equal(created[1]!.payload.prev_id, first.id, "prev_id names the previous message");
    assert.equal((created[1]!.payload.message as unknown as { id: number }).id, second.id);

    await alice.api("PATCH", `/messages/${first.id}`, { content: "first, edited" });
    const updated = await until("message.updated", () => events(b.heard, "message.updated")[0]);
    const fresh = (await bob.api("GET", `/channels/${GENERAL}/messages?limit=2`)).messages;
    assert.deepEqual(updated.payload.message, withoutMine(fresh[1]));

    await bob.api("PUT", `/messages/${first.id}/reactions/${encodeURIComponent("👍")}`);
    const reaction = await until("reaction.changed", () => events(b.heard, "reaction.changed")[0]);
    const { id: _reactionId, ...reactionPayload } = reaction.payload; // realtime.send's uuid
    assert.deepEqual(reactionPayload, {
      message_id: first.id,
      channel_id: GENERAL,
      reactions: [{ emoji: "👍", count: 1, user_ids: [BOB] }],
    });

    await alice.api("DELETE", `/messages/${second.id}`);
    const deleted = await until("message.deleted", () => events(b.heard, "message.deleted")[0]);
    assert.equal(deleted.payload.id, second.id);
    assert.equal(deleted.payload.channel_id, GENERAL);
    assert.equal(typeof deleted.payload.deleted_at, "string");
  } finally {
    await cleanup(alice.client, bob.client);
  }
});

Deno.test("receipts: per person in small channels, only forward moves are written", async () => {
  await using stack = await startTestStack(() => {}, { env: { API_RATE_LIMITS: "off" } });
  if (!stack.local) return;
  const alice = await signedIn(stack, "alice");
  const bob = await signedIn(stack, "bob");
  try {
    const a = await listen(alice.client, `channel:${GENERAL}`);
    const m = (await alice.api("POST", `/channels/${GENERAL}/messages`, {
      content: "read me",
      client_id: "rc-1",
    })).message;
    await bob.api("POST", `/channels/${GENERAL}/receipts`, { read_up_to: m.id });
    const r = await until("receipt.updated", () => events(a.heard, "receipt.updated")[0]);
    const { id: _receiptId, ...receipt } = r.payload; // realtime.send's uuid
    assert.deepEqual(receipt, {
      channel_id: GENERAL,
      user_id: BOB,
      last_delivered_message_id: m.id,
      last_read_message_id: m.id,
    });
    // The same watermark again, or an older one: answered, but nothing written or sent.
    const again = await bob.api("POST", `/channels/${GENERAL}/receipts`, {
      read_up_to: m.id,
      delivered_up_to: 1,
    });
    assert.deepEqual(again, { last_delivered_message_id: m.id, last_read_message_id: m.id });
    await sleep(300);
    assert.equal(events(a.heard, "receipt.updated").length, 1);

    // Receipts racing each other: the watermark only ever moves forward.
    const later = (await alice.api("POST", `/channels/${GENERAL}/messages`, {
      content: "read me too",
      client_id: "rc-2",
    })).message;
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        bob.api("POST", `/channels/${GENERAL}/receipts`, {
          read_up_to: i % 2 ? later.id : m.id,
        })),
    );
    const [row] = await stack.db!.sql`select last_read_message_id as r from public.channel_members
      where channel_id = ${GENERAL} and user_id = ${BOB}`;
    assert.equal(Number(row!.r), later.id);
  } finally {
    await cleanup(alice.client, bob.client);
  }
});

Deno.test("receipts in a large channel: one 'read by N' summary a second, not one event per reader", async () => {
  await using stack = await startTestStack(() => {}, { env: { API_RATE_LIMITS: "off" } });
  if (!stack.local) return;
  const sql = stack.db!.sql;
  const extra = RECEIPT_DETAIL_MAX_MEMBERS + 10;
  // Readers who never sign in: members whose watermarks move as SQL, like the API moves them.
  await sql`insert into auth.users (id, aud, role, email, raw_user_meta_data, created_at, updated_at)
    select md5('reader-' || n)::uuid, 'authenticated', 'authenticated', 'reader' || n || '@example.com',
      jsonb_build_object('username', 'reader' || n), now(), now()
    from generate_series(1, ${extra}) n`;
  await sql`insert into public.channel_members (channel_id, user_id)
    select ${GENERAL}, md5('reader-' || n)::uuid from generate_series(1, ${extra}) n`;
  const alice = await signedIn(stack, "alice");
  try {
    const a = await listen(alice.client, `channel:${GENERAL}`);
    const m = (await alice.api("POST", `/channels/${GENERAL}/messages`, {
      content: "to many readers",
      client_id: "big-1",
    })).message;
    // Every reader reads it, one transaction each.
    for (let n = 1; n <= extra; n++) {
      await sql`update public.channel_members
        set last_delivered_message_id = ${m.id}, last_read_message_id = ${m.id}
        where channel_id = ${GENERAL} and user_id = md5(${"reader-" + n})::uuid`;
    }
    const summary = await until(
      "a summary counting every reader",
      () =>
        events(a.heard, "receipt.summary").find((h) =>
          (h.payload.messages as { id: number; read: number }[])
            .some((x) => x.id === m.id && x.read === extra)
        ),
      4000,
    );
    assert.equal(summary.payload.channel_id, GENERAL);
    assert.equal(summary.payload.member_count, 4 + extra);
    assert.equal(events(a.heard, "receipt.updated").length, 0, "no per-person events");
    const summaries = events(a.heard, "receipt.summary").length;
    assert.ok(summaries <= 3, `${extra} readers within about a second: ${summaries} summaries`);
    console.log(`${extra} readers → ${summaries} receipt.summary events`);
  } finally {
    await cleanup(alice.client);
  }
});

Deno.test("member.changed carries who, what, the new count and the member's row", async () => {
  await using stack = await startTestStack();
  if (!stack.local) return;
  const sql = stack.db!.sql;
  const alice = await signedIn(stack, "alice");
  try {
    const a = await listen(alice.client, `channel:${GENERAL}`);
    await sql`insert into auth.users (id, aud, role, email, raw_user_meta_data, created_at, updated_at)
      values (md5('newcomer')::uuid, 'authenticated', 'authenticated', 'newcomer@example.com',
        '{"username":"newcomer"}', now(), now())`;
    await sql`insert into public.channel_members (channel_id, user_id)
      values (${GENERAL}, md5('newcomer')::uuid)`;
    const added = await until("member.changed (added)", () => events(a.heard, "member.changed")[0]);
    assert.equal(added.payload.action, "added");
    assert.equal(added.payload.role, "member");
    assert.equal(added.payload.member_count, 5);
    const member = added.payload.member as { user_id: string; username: string };
    assert.equal(member.user_id, added.payload.user_id);
    assert.equal(member.username, "newcomer");
    await sql`delete from public.channel_members
      where channel_id = ${GENERAL} and user_id = md5('newcomer')::uuid`;
    const removed = await until(
      "member.changed (removed)",
      () => events(a.heard, "member.changed")[1],
    );
    assert.equal(removed.payload.action, "removed");
    assert.equal(removed.payload.member_count, 4);
    assert.equal(removed.payload.member, null);
  } finally {
    await cleanup(alice.client);
  }
});
