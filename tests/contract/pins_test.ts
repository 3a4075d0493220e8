/**
 * Pins and saved messages through the local gateway with real sessions (supabase-js sign-in):
 * members pin and see pins live (`pin.changed`), a non-member can neither pin nor see them,
 * only the pinner or a channel admin unpins, and saved messages are their owner's alone.
 */
import assert from "node:assert/strict";
import type { RealtimeChannel, SupabaseClient } from "@supabase/supabase-js";
import { join } from "node:path";
import { startTestStack } from "../_helpers/stack.ts";
import { signedIn } from "../_helpers/signed_in.ts";
import { SUPABASE_DIR } from "../../local/paths.ts";
import { PINS_PER_CHANNEL, SAVED_PER_USER } from "../../functions/_shared/limits.ts";

const GENERAL = "c0000000-0000-4000-8000-0000000000a1"; // seed: alice (owner), bob, carol, dave
const MODS = "c0000000-0000-4000-8000-0000000000a3"; // seed: alice, bob (private)

type Heard = { event: string; payload: Record<string, unknown> };

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
  return { heard, status };
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
async function cleanup(...clients: SupabaseClient[]) {
  for (const c of clients) {
    await c.removeAllChannels();
    c.realtime.disconnect();
  }
  await sleep(50);
}

type Api = (m: string, p: string, b?: unknown) => Promise<{ message: { id: number } }>;
async function send(who: { api: Api }, ch: string) {
  const r = await who.api("POST", `/channels/${ch}/messages`, {
    content: `pin me ${crypto.randomUUID().slice(0, 8)}`,
    client_id: crypto.randomUUID(),
  });
  return Number(r.message.id);
}

Deno.test("the migration's caps are PINS_PER_CHANNEL and SAVED_PER_USER of limits.ts", async () => {
  const sql = await Deno.readTextFile(
    join(SUPABASE_DIR, "migrations", "20251124005900_create_pins_and_saved.sql"),
  );
  assert.match(sql, new RegExp(`p\\.channel_id = msg\\.channel_id\\) >= ${PINS_PER_CHANNEL} then`));
  assert.match(sql, new RegExp(`s\\.user_id = new\\.user_id\\) >= ${SAVED_PER_USER} then`));
});

Deno.test("a member pins a message: the others hear pin.changed with the pin and the count, and list it", async () => {
  await using stack = await startTestStack();
  if (!stack.local) return;
  const carol = await signedIn(stack, "carol");
  const dave = await signedIn(stack, "dave");
  const daveHears = await listen(dave.client, `channel:${GENERAL}`);
  assert.equal(daveHears.status, "SUBSCRIBED");
  const id = await send(carol, GENERAL);

  const { pin } = await carol.api("PUT", `/messages/${id}/pin`);
  assert.equal(pin.message_id, id);
  assert.equal(pin.pinned_by, carol.id);
  // Pinning again is the same pin, not an error.
  assert.equal((await carol.api("PUT", `/messages/${id}/pin`)).pin.pinned_at, pin.pinned_at);

  const heard = await until(
    "pin.changed",
    () => daveHears.heard.find((h) => h.event === "pin.changed" && h.payload.message_id === id),
  );
  assert.equal(heard.payload.action, "pinned");
  assert.equal(heard.payload.pin_count, 1);
  const live = heard.payload.pin as Record<string, unknown>;
  assert.equal((live.message as Record<string, unknown>).id, id);
  assert.equal(live.pinned_by, carol.id);

  const { pins } = await dave.api("GET", `/channels/${GENERAL}/pins`);
  assert.deepEqual(pins.map((p: { message_id: number }) => p.message_id), [id]);
  assert.equal(pins[0].message.id, id, "the list carries the message");

  // A plain member cannot unpin someone else's pin; the channel owner can.
  const refused = await dave.call("DELETE", `/messages/${id}/pin`);
  assert.equal(refused.status, 403);
  assert.equal(refused.json.error.code, "forbidden");
  const alice = await signedIn(stack, "alice");
  await alice.api("DELETE", `/messages/${id}/pin`);
  const unpinned = await until(
    "unpinned",
    () => daveHears.heard.find((h) => h.event === "pin.changed" && h.payload.action === "unpinned"),
  );
  assert.equal(unpinned.payload.pin_count, 0);
  assert.equal(unpinned.payload.pin, null);
  assert.deepEqual((await dave.api("GET", `/channels/${GENERAL}/pins`)).pins, []);
  await cleanup(carol.client, dave.client, alice.client);
});

Deno.test("a non-member can neither pin, unpin, list pins, hear pin.changed nor save a message", async () => {
  await using stack = await startTestStack();
  if (!stack.local) return;
  const alice = await signedIn(stack, "alice");
  const carol = await signedIn(stack, "carol"); // not in the private channel
  const id = await send(alice, MODS);
  await alice.api("PUT", `/messages/${id}/pin`);

  const pin = await carol.call("PUT", `/messages/${id}/pin`);
  assert.equal(pin.status, 404, "the message is not even known to exist");
  assert.equal(pin.json.error.code, "not_found");
  assert.equal((await carol.call("DELETE", `/messages/${id}/pin`)).status, 404);
  const list = await carol.call("GET", `/channels/${MODS}/pins`);
  assert.equal(list.status, 404, "a private channel is not known to a non-member");
  assert.equal(list.json.error.code, "not_found");
  assert.equal((await carol.call("PUT", `/messages/${id}/save`)).status, 404);
  const topic = await listen(carol.client, `channel:${MODS}`);
  assert.notEqual(topic.status, "SUBSCRIBED", "a non-member cannot join the channel's topic");

  // Straight to the database with carol's token: RLS shows nothing either.
  const direct = await carol.client.from("message_pins").select("*").eq("channel_id", MODS);
  assert.deepEqual(direct.data ?? [], []);
  const write = await carol.client.from("message_pins").insert({
    message_id: id,
    pinned_by: carol.id,
  });
  assert.ok(write.error, "authenticated cannot insert pins directly");

  // Bad input in the API's error shape.
  const bad = await carol.call("PUT", `/messages/nope/pin`);
  assert.equal(bad.status, 400);
  assert.equal(bad.json.error.code, "validation_failed");
  await cleanup(alice.client, carol.client);
});

Deno.test("saved messages are private: listed newest first with a cursor, and unsaved", async () => {
  await using stack = await startTestStack();
  if (!stack.local) return;
  const carol = await signedIn(stack, "carol");
  const dave = await signedIn(stack, "dave");
  const carolHears = await listen(carol.client, `user:${carol.id}`);
  const ids = [await send(dave, GENERAL), await send(dave, GENERAL), await send(dave, GENERAL)];
  for (const id of ids) {
    const { saved } = await carol.api("PUT", `/messages/${id}/save`);
    assert.equal(saved.message_id, id);
  }
  await carol.api("PUT", `/messages/${ids[0]}/save`); // twice is once

  const first = await carol.api("GET", `/me/saved?limit=2`);
  assert.deepEqual(first.items.map((s: { message_id: number }) => s.message_id), [ids[2], ids[1]]);
  assert.ok(first.next_cursor);
  const rest = await carol.api("GET", `/me/saved?limit=2&cursor=${first.next_cursor}`);
  assert.deepEqual(rest.items.map((s: { message_id: number }) => s.message_id), [ids[0]]);
  assert.equal(rest.next_cursor, null);
  assert.deepEqual(
    (await carol.api("GET", `/me/saved/ids`)).ids.sort(),
    [...ids].sort(),
  );
  const live = await until(
    "saved.changed",
    () =>
      carolHears.heard.find((h) => h.event === "saved.changed" && h.payload.message_id === ids[2]),
  );
  assert.equal(live.payload.saved, true);

  // Nobody else sees them, not even the message's author.
  assert.deepEqual((await dave.api("GET", `/me/saved`)).items, []);
  const direct = await dave.client.from("saved_messages").select("*");
  assert.deepEqual(direct.data ?? [], []);
  await dave.api("DELETE", `/messages/${ids[1]}/save`); // removes nothing of carol's
  assert.equal((await carol.api("GET", `/me/saved`)).items.length, 3);

  await carol.api("DELETE", `/messages/${ids[1]}/save`);
  assert.deepEqual(
    (await carol.api("GET", `/me/saved`)).items.map((s: { message_id: number }) => s.message_id),
    [ids[2], ids[0]],
  );
  const bad = await carol.call("GET", `/me/saved?cursor=x`);
  assert.equal(bad.status, 400);
  assert.equal(bad.json.error.code, "validation_failed");
  await cleanup(carol.client, dave.client);
});
