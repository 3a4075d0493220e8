/**
 * Threads (issue 14) through the API and supabase-js Realtime: a reply in a thread stays out of
 * the main flow and goes out as `thread.reply`; the root's summary (count, last repliers) as
 * `message.updated`; "also send to the channel" is a `message.created` with `thread_root_id`;
 * people who took part hear replies on `user:<id>` and have a read watermark; strangers read
 * nothing of the thread.
 */
import assert from "node:assert/strict";
import type { RealtimeChannel, SupabaseClient } from "@supabase/supabase-js";
import { startTestStack } from "../_helpers/stack.ts";
import { signedIn } from "../_helpers/signed_in.ts";

const GENERAL = "c0000000-0000-4000-8000-0000000000a1"; // seed: alice, bob, carol, dave
const ALICE = "a11ce000-0000-4000-8000-000000000001";
const BOB = "b0b00000-0000-4000-8000-000000000002";
const CAROL = "ca201000-0000-4000-8000-000000000003";

type Heard = { event: string; payload: Record<string, unknown> };
type Msg = Record<string, unknown> & { id: number };

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
  return heard;
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

Deno.test("a thread reply stays out of the main flow, updates the root's summary live and notifies who took part", async () => {
  await using stack = await startTestStack();
  if (!stack.local) return;
  const alice = await signedIn(stack, "alice");
  const bob = await signedIn(stack, "bob");
  try {
    const post = (who: typeof alice, body: Record<string, unknown>) =>
      who.api("POST", `/channels/${GENERAL}/messages`, body).then((r) => r.message as Msg);
    const root = await post(alice, { content: "Plans for Friday?", client_id: "th-root" });
    const onChannel = await listen(bob.client, `channel:${GENERAL}`);
    const onAlice = await listen(alice.client, `user:${ALICE}`);

    const reply = await post(bob, {
      content: "Pizza!",
      client_id: "th-1",
      thread_root_id: root.id,
    });
    assert.equal(reply.thread_root_id, root.id);
    assert.equal(reply.also_in_channel, false);

    const heard = await until(
      "thread.reply",
      () => onChannel.find((h) => h.event === "thread.reply"),
    );
    assert.equal((heard.payload.message as Msg).id, reply.id, "the event carries the reply");
    assert.equal(heard.payload.root_id, root.id);
    assert.equal(heard.payload.prev_id, null, "the first reply of its thread");
    // (The root's own message.created may still reach Bob if it was in flight as he joined.)
    assert.ok(
      !onChannel.some((h) =>
        h.event === "message.created" && (h.payload.message as Msg).id === reply.id
      ),
      "a reply kept in the thread is no message.created",
    );
    const summary = await until(
      "the root's message.updated",
      () =>
        onChannel.find((h) =>
          h.event === "message.updated" && (h.payload.message as Msg).id === root.id
        ),
    );
    const thread = (summary.payload.message as Msg).thread as Record<string, unknown>;
    assert.equal(thread.reply_count, 1);
    assert.deepEqual(thread.repliers, [BOB]);
    assert.equal(
      (summary.payload.message as Msg).thread_last_read_id,
      null,
      "events carry nobody's own watermark",
    );

    const told = await until(
      "user:<alice> thread.reply",
      () => onAlice.find((h) => h.event === "thread.reply"),
    );
    assert.equal(told.payload.root_id, root.id, "the root's author hears of the reply");
    assert.equal(told.payload.sender_id, BOB);

    // The main flow: the root (with its summary), not the reply.
    const page = await alice.api("GET", `/channels/${GENERAL}/messages?limit=5`);
    const ids = (page.messages as Msg[]).map((m) => m.id);
    assert.ok(ids.includes(root.id) && !ids.includes(reply.id), "the reply is not in the flow");
    const listed = (await alice.api("GET", "/channels")).channels.find((c: { id: string }) =>
      c.id === GENERAL
    );
    assert.equal(listed.last_message.id, root.id, "nor the channel list's last message");

    // Also sent to the channel: in both, as message.created with thread_root_id.
    const both = await post(alice, {
      content: "Pizza it is",
      client_id: "th-2",
      thread_root_id: root.id,
      also_in_channel: true,
    });
    const created = await until(
      "message.created",
      () =>
        onChannel.find((h) =>
          h.event === "message.created" && (h.payload.message as Msg).id === both.id
        ),
    );
    assert.equal((created.payload.message as Msg).id, both.id);
    assert.equal((created.payload.message as Msg).thread_root_id, root.id);
    assert.equal(created.payload.prev_id, root.id, "prev_id skips the reply kept in the thread");

    // The thread itself, and the watermark of someone taking part.
    const t = await bob.api("GET", `/messages/${root.id}/thread`);
    assert.equal(t.root.id, root.id);
    assert.deepEqual((t.messages as Msg[]).map((m) => m.id), [reply.id, both.id]);
    assert.equal(t.last_read_id, reply.id, "bob has read up to his own reply");
    const after = await bob.api("GET", `/messages/${root.id}/thread?after=${reply.id}`);
    assert.deepEqual((after.messages as Msg[]).map((m) => m.id), [both.id]);
    const read = await bob.api("POST", `/messages/${root.id}/thread/read`, {
      read_up_to: both.id + 1000,
    });
    assert.equal(read.last_read_id, both.id, "never past the last reply");
    const carolView = await signedIn(stack, "carol");
    assert.equal(
      (await carolView.api("GET", `/messages/${root.id}/thread`)).last_read_id,
      null,
      "someone who took no part has no watermark",
    );
    assert.equal(
      (await alice.call("GET", `/messages/${reply.id}/thread`)).status,
      404,
      "a reply is no thread of its own",
    );

    // A stranger sees nothing of it.
    await stack.db!.sql`delete from public.channel_members
      where channel_id = ${GENERAL} and user_id = ${CAROL}`;
    assert.equal((await carolView.call("GET", `/messages/${root.id}/thread`)).status, 404);
    const bad = await alice.call("POST", `/channels/${GENERAL}/messages`, {
      content: "x",
      client_id: "th-bad",
      thread_root_id: 999_999_999,
    });
    assert.ok(bad.status >= 400 && bad.status < 500, `an unknown root is refused (${bad.status})`);
    await carolView.client.auth.signOut();
  } finally {
    for (const c of [alice.client, bob.client]) {
      await c.removeAllChannels();
      c.realtime.disconnect();
    }
    await sleep(50);
  }
});
