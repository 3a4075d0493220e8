/**
 * Supabase Realtime through supabase-js (realtime-js 2.119, vsn 2.0.0) against the local stack:
 * private topics authorized by RLS, broadcast with self/ack, presence, Broadcast from
 * Database after commit only, large payloads, token expiry; and bad input on a raw socket.
 */
import assert from "node:assert/strict";
import type { RealtimeChannel, SupabaseClient } from "@supabase/supabase-js";
import { SignJWT } from "jose";
import { startTestStack, type TestStack } from "../_helpers/stack.ts";

const GENERAL = "c0000000-0000-4000-8000-0000000000a1"; // seed: alice, bob, carol, dave
const MODERATORS = "c0000000-0000-4000-8000-0000000000a3"; // seed: alice, bob (private)
const PASSWORD = "chat-demo-2024";

async function signedIn(stack: TestStack, who: string): Promise<SupabaseClient> {
  const c = stack.client();
  const { error } = await c.auth.signInWithPassword({
    email: `${who}@example.com`,
    password: PASSWORD,
  });
  assert.equal(error, null);
  return c;
}

function subscribe(ch: RealtimeChannel): Promise<string> {
  return new Promise((resolve) => {
    ch.subscribe((status, err) => {
      if (status === "SUBSCRIBED") resolve(status);
      if (status === "CHANNEL_ERROR" || status === "TIMED_OUT") {
        resolve(`${status}: ${err?.message ?? ""}`);
      }
    });
  });
}

function nextEvent<T = Record<string, unknown>>(
  ch: RealtimeChannel,
  event: string,
  ms = 3000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no "${event}" within ${ms} ms`)), ms);
    ch.on("broadcast", { event }, (msg) => {
      clearTimeout(t);
      resolve(msg as T);
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function cleanup(...clients: SupabaseClient[]) {
  for (const c of clients) {
    await c.removeAllChannels();
    c.realtime.disconnect();
  }
  await sleep(50);
}

Deno.test("private channel topics: members join, strangers are refused with Supabase's reason", async () => {
  await using stack = await startTestStack();
  if (!stack.local) return;
  const alice = await signedIn(stack, "alice");
  const carol = await signedIn(stack, "carol");
  const bob = await signedIn(stack, "bob");
  try {
    const a = alice.channel(`typing:${MODERATORS}`, { config: { private: true } });
    const heard: unknown[] = [];
    a.on("broadcast", { event: "note" }, (m) => heard.push(m.payload));
    assert.equal(await subscribe(a), "SUBSCRIBED");
    // REST broadcasts (what channel.send does before joining): a stranger's is skipped, a member's delivered.
    for (const [who, client] of [["carol", carol], ["bob", bob]] as const) {
      const ch = client.channel(`typing:${MODERATORS}`, { config: { private: true } });
      assert.equal(
        await ch.send({ type: "broadcast", event: "note", payload: { from: who } }),
        "ok",
      );
      await client.removeChannel(ch);
    }
    await sleep(300);
    assert.deepEqual(heard, [{ from: "bob" }], "only the member's broadcast reaches the channel");
    const refused = await subscribe(
      carol.channel(`channel:${MODERATORS}`, { config: { private: true } }),
    );
    assert.match(
      refused,
      /^CHANNEL_ERROR: Unauthorized: You do not have permissions to read from this Channel topic: channel:c0000000/,
    );
    assert.equal(
      await subscribe(carol.channel(`user:whatever`, { config: { private: true } })).then((s) =>
        s.startsWith("CHANNEL_ERROR")
      ),
      true,
    );
  } finally {
    await cleanup(alice, carol, bob);
  }
});

Deno.test("broadcast reaches the other members only; self and ack work as configured", async () => {
  await using stack = await startTestStack();
  if (!stack.local) return;
  const [alice, bob] = [await signedIn(stack, "alice"), await signedIn(stack, "bob")];
  try {
    const topic = `typing:${GENERAL}`; // the topic members may broadcast on
    const a = alice.channel(topic, {
      config: { private: true, broadcast: { self: true, ack: true } },
    });
    const b = bob.channel(topic, { config: { private: true } });
    assert.equal(await subscribe(a), "SUBSCRIBED");
    assert.equal(await subscribe(b), "SUBSCRIBED");
    const toBob = nextEvent(b, "typing");
    const toAliceSelf = nextEvent(a, "typing");
    const ack = await a.send({
      type: "broadcast",
      event: "typing",
      payload: { user_id: "alice", typing: true },
    });
    assert.equal(ack, "ok", "ack: the server confirms the broadcast");
    assert.deepEqual((await toBob).payload, { user_id: "alice", typing: true });
    assert.deepEqual(
      (await toAliceSelf).payload,
      { user_id: "alice", typing: true },
      "self: the sender hears itself",
    );
    let aliceHeardBob = false;
    a.on("broadcast", { event: "from-bob" }, () => (aliceHeardBob = true));
    let bobHeardHimself = false;
    b.on("broadcast", { event: "from-bob" }, () => (bobHeardHimself = true));
    await b.send({ type: "broadcast", event: "from-bob", payload: {} });
    await sleep(300);
    assert.ok(aliceHeardBob);
    assert.ok(!bobHeardHimself, "without self the sender does not get its own broadcast");
  } finally {
    await cleanup(alice, bob);
  }
});

Deno.test("presence: join, diff on leave, and cleanup when a socket drops", async () => {
  await using stack = await startTestStack();
  if (!stack.local) return;
  const [alice, bob] = [await signedIn(stack, "alice"), await signedIn(stack, "bob")];
  try {
    const a = alice.channel("online", { config: { private: true, presence: { key: "alice" } } });
    const b = bob.channel("online", { config: { private: true, presence: { key: "bob" } } });
    const leaves: string[] = [];
    a.on("presence", { event: "leave" }, ({ key }) => leaves.push(key));
    b.on("presence", { event: "sync" }, () => {}); // a presence listener turns presence on at join
    assert.equal(await subscribe(a), "SUBSCRIBED");
    assert.equal(await a.track({ online_at: "now" }), "ok");
    assert.equal(await subscribe(b), "SUBSCRIBED");
    assert.equal(await b.track({ online_at: "later" }), "ok");
    await sleep(200);
    assert.deepEqual(Object.keys(a.presenceState()).sort(), ["alice", "bob"]);
    assert.equal(
      (b.presenceState().alice as unknown as { online_at: string }[])[0]!.online_at,
      "now",
      "presence_state on join",
    );
    bob.realtime.disconnect(); // the socket drops
    await sleep(300);
    assert.deepEqual(leaves, ["bob"]);
    assert.deepEqual(Object.keys(a.presenceState()), ["alice"]);
  } finally {
    await cleanup(alice, bob);
  }
});

Deno.test("Broadcast from Database: delivered after commit, never after rollback, large payloads whole", async () => {
  await using stack = await startTestStack();
  if (!stack.local) return;
  const bob = await signedIn(stack, "bob");
  try {
    const b = bob.channel(`channel:${GENERAL}`, { config: { private: true } });
    const events: Record<string, unknown>[] = [];
    b.on("broadcast", { event: "*" }, (m) => events.push(m));
    assert.equal(await subscribe(b), "SUBSCRIBED");
    const sql = stack.db!.sql;
    await sql.begin(async (tx) => {
      await tx`select realtime.send('{"n": 1}'::jsonb, 'test.committed', ${`channel:${GENERAL}`})`;
      await sleep(200);
      assert.equal(events.length, 0, "nothing is delivered before the commit");
    });
    await sql.begin(async (tx) => {
      await tx`select realtime.send('{"n": 2}'::jsonb, 'test.rolled_back', ${`channel:${GENERAL}`})`;
      throw new Error("roll back");
    }).catch(() => {});
    const big = "x".repeat(20 * 1024);
    await sql`select realtime.send(${sql.json({ big })}, 'test.big', ${`channel:${GENERAL}`})`;
    // A real chat message, sent as the API sends it.
    await sql.begin(async (tx) => {
      await tx`select set_config('request.jwt.claims', ${
        JSON.stringify({ sub: "ca201000-0000-4000-8000-000000000003", role: "authenticated" })
      }, true)`;
      await tx.unsafe("set local role chat_api");
      await tx`insert into public.messages (channel_id, sender_id, content, client_id)
               values (${GENERAL}, 'ca201000-0000-4000-8000-000000000003', 'hello from carol', 'rt-contract-1')`;
    });
    await sleep(500);
    const names = events.map((e) => e.event);
    assert.deepEqual(names, ["test.committed", "test.big", "message.created"]);
    assert.equal(
      (events[1]!.payload as { big: string }).big.length,
      20 * 1024,
      "a 20 KB payload arrives whole",
    );
    assert.equal(
      (events[2]!.payload as { message: { content: string } }).message.content,
      "hello from carol",
    );
    assert.ok((events[0]!.meta as { id: string }).id, "database broadcasts carry meta.id");
  } finally {
    await cleanup(bob);
  }
});

Deno.test("an expired token closes the channel with a system message", async () => {
  await using stack = await startTestStack();
  if (!stack.local) return;
  const bob = await signedIn(stack, "bob");
  const { data } = await bob.auth.getSession();
  const claims = JSON.parse(
    atob(data.session!.access_token.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/")),
  );
  const short = await new SignJWT({ ...claims, exp: Math.floor(Date.now() / 1000) + 2 })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .sign(new TextEncoder().encode("super-secret-jwt-token-with-at-least-32-characters-long"));
  const c = stack.client();
  await c.realtime.setAuth(short);
  try {
    const ch = c.channel(`channel:${GENERAL}`, { config: { private: true } });
    const statuses: string[] = [];
    const closed = new Promise<void>((resolve) => {
      ch.subscribe((s) => {
        statuses.push(s);
        if (s === "CLOSED") resolve();
      });
    });
    const system = new Promise<Record<string, unknown>>((resolve) =>
      ch.on("system", {}, (p) => resolve(p))
    );
    await Promise.race([closed, sleep(6000)]);
    assert.deepEqual(statuses.slice(0, 2), ["SUBSCRIBED", "CLOSED"]);
    assert.match(String((await system).message), /Token has expired/);
  } finally {
    await cleanup(c, bob);
  }
});

Deno.test("bad input on a raw socket: the server answers or ignores, stays up, and others are unaffected", async () => {
  await using stack = await startTestStack();
  if (!stack.local) return;
  const wsUrl = `${
    stack.url.replace("http", "ws")
  }/realtime/v1/websocket?apikey=${stack.anonKey}&vsn=2.0.0`;
  const noKey = await fetch(`${stack.url}/realtime/v1/websocket`);
  assert.equal(noKey.status, 401);
  await noKey.body?.cancel();

  const ws = new WebSocket(wsUrl);
  const frames: unknown[][] = [];
  ws.onmessage = (e) => frames.push(JSON.parse(e.data));
  await new Promise((r) => (ws.onopen = r));
  ws.send("not json at all");
  ws.send(JSON.stringify({ unexpected: "shape" }));
  ws.send(new Uint8Array([9, 9, 9]));
  ws.send(JSON.stringify(["1", "1", "realtime:x", "no_such_event", {}]));
  ws.send(JSON.stringify([null, "2", "phoenix", "heartbeat", {}]));
  // A join without a user token uses the anon key: private topics refuse it.
  ws.send(
    JSON.stringify(["3", "3", `realtime:channel:${GENERAL}`, "phx_join", {
      config: { private: true },
    }]),
  );
  for (let i = 0; i < 1000; i++) {
    ws.send(JSON.stringify([`j${i}`, `j${i}`, `realtime:room-${i}`, "phx_join", { config: {} }]));
  }
  await sleep(1500);
  const replies = frames.filter((f) => f[3] === "phx_reply") as [
    string,
    string,
    string,
    string,
    { status: string; response: { reason?: string } },
  ][];
  assert.equal(replies.find((f) => f[1] === "2")?.[4].status, "ok", "heartbeats are answered");
  assert.equal(replies.find((f) => f[1] === "1")?.[4].response.reason, "unmatched topic");
  assert.match(replies.find((f) => f[1] === "3")?.[4].response.reason ?? "", /^Unauthorized/);
  const joins = replies.filter((f) => f[1].startsWith("j"));
  assert.equal(joins.length, 1000, "every join is answered");
  assert.equal(joins.filter((f) => f[4].status === "ok").length, 100, "100 channels per socket");
  assert.equal(joins.at(-1)![4].response.reason, "ChannelRateLimitReached: Too many channels");

  const closed = new Promise<number>((r) => (ws.onclose = (e) => r(e.code)));
  ws.send("x".repeat(3_100_000));
  assert.equal(await closed, 1009, "an oversize frame closes that socket");

  // The server is still up for everyone else.
  const alice = await signedIn(stack, "alice");
  try {
    assert.equal(
      await subscribe(alice.channel(`channel:${GENERAL}`, { config: { private: true } })),
      "SUBSCRIBED",
    );
  } finally {
    await cleanup(alice);
  }
});

Deno.test("a member removed from a channel stops receiving it at once", async () => {
  await using stack = await startTestStack();
  if (!stack.local) return;
  const carol = await signedIn(stack, "carol");
  try {
    const ch = carol.channel(`channel:${GENERAL}`, { config: { private: true } });
    const statuses: string[] = [];
    const closed = new Promise<void>((resolve) =>
      ch.subscribe((s) => {
        statuses.push(s);
        if (s === "CLOSED") resolve();
      })
    );
    await sleep(300);
    assert.deepEqual(statuses, ["SUBSCRIBED"]);
    await stack.db!.sql`delete from public.channel_members
                        where channel_id = ${GENERAL} and user_id = 'ca201000-0000-4000-8000-000000000003'`;
    await Promise.race([closed, sleep(3000)]);
    assert.deepEqual(statuses, ["SUBSCRIBED", "CLOSED"]);
  } finally {
    await cleanup(carol);
  }
});
