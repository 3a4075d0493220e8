/**
 * The local Realtime under abuse and faults, through supabase-js 2.119 and raw sockets:
 * frames that used to end the process, presence bounded in size and rate, access ended at once
 * by a ban or a sign-out, and Broadcast from Database replayed after the LISTEN connection was
 * cut (or, past the replay limit, a catch-up signal).
 */
import assert from "node:assert/strict";
import type { RealtimeChannel, SupabaseClient } from "@supabase/supabase-js";
import { startTestStack, type TestStack } from "../_helpers/stack.ts";
import { LIMITS, SYSTEM } from "../../local/realtime/mod.ts";

const GENERAL = "c0000000-0000-4000-8000-0000000000a1"; // seed: alice, bob, carol, dave
const CAROL = "ca201000-0000-4000-8000-000000000003";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function signedIn(stack: TestStack, who: string): Promise<SupabaseClient> {
  const c = stack.client();
  const { error } = await c.auth.signInWithPassword({
    email: `${who}@example.com`,
    password: "chat-demo-2024",
  });
  assert.equal(error, null);
  return c;
}

/** A channel joined, with everything it hears recorded. */
async function watch(
  client: SupabaseClient,
  topic: string,
  { presence = false, isPrivate = true } = {},
) {
  const ch: RealtimeChannel = client.channel(topic, {
    config: { private: isPrivate, ...(presence ? { presence: { key: "me" } } : {}) },
  });
  const statuses: string[] = [];
  const system: string[] = [];
  const events: { event: string; payload: Record<string, unknown>; meta?: unknown }[] = [];
  ch.on("system", {}, (p) => system.push(String(p.message)));
  ch.on("broadcast", { event: "*" }, (m) => events.push(m as unknown as (typeof events)[number]));
  if (presence) ch.on("presence", { event: "sync" }, () => {});
  const joined = Promise.withResolvers<void>();
  ch.subscribe((s, err) => {
    statuses.push(s);
    if (s === "SUBSCRIBED") joined.resolve();
    if (s === "CHANNEL_ERROR" && statuses.length === 1) joined.reject(err);
  });
  await joined.promise;
  return { ch, statuses, system, events };
}

async function until(what: string, ok: () => boolean, ms = 3000) {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

async function cleanup(...clients: SupabaseClient[]) {
  for (const c of clients) {
    await c.removeAllChannels();
    c.realtime.disconnect();
  }
  await sleep(50);
}

function socket(stack: TestStack): Promise<WebSocket> {
  const ws = new WebSocket(
    `${stack.url.replace("http", "ws")}/realtime/v1/websocket?apikey=${stack.anonKey}&vsn=2.0.0`,
  );
  ws.binaryType = "arraybuffer";
  return new Promise((resolve) => (ws.onopen = () => resolve(ws)));
}
const closeCode = (ws: WebSocket) => new Promise<number>((r) => (ws.onclose = (e) => r(e.code)));

/** A kind-3 frame as realtime-js encodes it; `lens` overrides the header's length bytes. */
function kind3(topic: string, event: string, payload: Uint8Array, encoding = 1, lens?: number[]) {
  const enc = new TextEncoder();
  const [j, r, t, e] = [enc.encode("1"), enc.encode("2"), enc.encode(topic), enc.encode(event)];
  const header = [3, ...(lens ?? [j.length, r.length, t.length, e.length, 0]), encoding];
  const out = new Uint8Array(
    header.length + j.length + r.length + t.length + e.length + payload.length,
  );
  let off = 0;
  for (const part of [new Uint8Array(header), j, r, t, e, payload]) {
    out.set(part, off);
    off += part.length;
  }
  return out;
}

async function healthy(stack: TestStack) {
  const res = await fetch(`${stack.url}/functions/v1/api/health`);
  await res.body?.cancel();
  return res.status;
}

Deno.test("a 200 KB binary broadcast is relayed, and bad frames close only their own socket (1007/1009)", async () => {
  await using stack = await startTestStack();
  if (!stack.local) return;
  const listener = await socket(stack);
  const bins: Uint8Array[] = [];
  listener.onmessage = (e) => typeof e.data !== "string" && bins.push(new Uint8Array(e.data));
  listener.send(JSON.stringify(["1", "1", "realtime:room", "phx_join", { config: {} }]));
  const sender = await socket(stack);
  sender.send(JSON.stringify(["1", "1", "realtime:room", "phx_join", { config: {} }]));
  await sleep(200);
  // Used to throw RangeError in decodeBinary and end the whole process.
  sender.send(kind3("realtime:room", "blob", new Uint8Array(200_000).fill(7), 0));
  await until("the binary broadcast", () => bins.length > 0);
  // Kind 4, as Supabase sends it: [4, len(topic), len(event), len(meta), encoding] topic event
  // payload, with the bytes as they were pushed.
  assert.deepEqual([...bins[0]!.subarray(0, 5)], [4, 13, 4, 0, 0]);
  const payload = bins[0]!.subarray(5 + "realtime:room".length + "blob".length);
  assert.equal(payload.length, 200_000, "the payload arrives whole, as bytes");
  assert.ok(payload.every((b) => b === 7));

  const cases: [string, string | Uint8Array, number][] = [
    ["lying lengths", kind3("realtime:room", "x", new Uint8Array(4), 1, [1, 1, 200, 1, 0]), 1007],
    ["bad JSON payload", kind3("realtime:room", "x", new TextEncoder().encode("{nope")), 1007],
    ["invalid UTF-8 topic", kind3("realtime:\xff", "x", new Uint8Array([0xff, 0xfe])), 1007],
    [
      "deep nesting",
      JSON.stringify(["1", "1", "realtime:room", "broadcast", {}]).replace(
        "{}",
        "[".repeat(5000) + "]".repeat(5000),
      ),
      1007,
    ],
    ["over the limit", new Uint8Array(LIMITS.maxFrameBytes + 1), 1009],
  ];
  for (const [name, frame, code] of cases) {
    const ws = await socket(stack);
    const closed = closeCode(ws);
    ws.send(frame);
    assert.equal(await closed, code, name);
  }
  assert.equal(await healthy(stack), 200, "the process is alive");
  assert.equal(listener.readyState, WebSocket.OPEN, "the other sockets stay open");
  listener.close();
  sender.close();
});

Deno.test("REST broadcast: a body too deep is 400, too large is 413", async () => {
  await using stack = await startTestStack();
  if (!stack.local) return;
  const post = (body: string) =>
    fetch(`${stack.url}/realtime/v1/api/broadcast`, {
      method: "POST",
      headers: { apikey: stack.anonKey, "content-type": "application/json" },
      body,
    }).then(async (r) => (await r.body?.cancel(), r.status));
  const deep = `{"messages":[{"topic":"t","event":"e","payload":${"[".repeat(10_000)}${
    "]".repeat(10_000)
  }}]}`;
  assert.equal(await post(deep), 400);
  assert.equal(await post("x".repeat(LIMITS.maxFrameBytes + 10)), 413);
  assert.equal(await post(`{"messages":[{"topic":"t","event":"e","payload":{}}]}`), 202);
});

Deno.test("presence: a track over the size limit, or over the rate, ends that channel with Supabase's system error", async () => {
  await using stack = await startTestStack();
  if (!stack.local) return;
  const alice = await signedIn(stack, "alice");
  try {
    const big = await watch(alice, "online", { presence: true });
    assert.equal(await big.ch.track({ online_at: new Date().toISOString() }), "ok");
    void big.ch.track({ blob: "x".repeat(LIMITS.presencePayloadBytes) });
    await until("the channel to close", () => big.statuses.includes("CLOSED"));
    assert.deepEqual(big.system, [SYSTEM.presenceSize]);

    const fast = await watch(alice, "online", { presence: true });
    // The socket already spent 2 calls (the limit is per socket); spend the rest.
    for (let i = 2; i < LIMITS.presenceCalls; i++) {
      assert.equal(await fast.ch.track({ i }), "ok", `call ${i + 1} is within the rate`);
    }
    void fast.ch.track({ over: true });
    await until("the channel to close", () => fast.statuses.includes("CLOSED"));
    assert.deepEqual(fast.system, [SYSTEM.presenceRate]);
  } finally {
    await cleanup(alice);
  }
});

Deno.test("a ban ends the banned user's subscriptions at once, and a rejoin with the old token is refused", async () => {
  await using stack = await startTestStack();
  if (!stack.local) return;
  const carol = await signedIn(stack, "carol");
  const alice = await signedIn(stack, "alice");
  try {
    const c = await watch(carol, `channel:${GENERAL}`);
    const a = await watch(alice, `channel:${GENERAL}`);
    const t0 = Date.now();
    const { error } = await stack.admin().auth.admin.updateUserById(CAROL, {
      ban_duration: "876000h",
    });
    assert.equal(error, null);
    await until("carol's channel to close", () => c.statuses.includes("CLOSED"), 2000);
    console.log(`ban → channel closed in ${Date.now() - t0} ms`);
    assert.deepEqual(c.system, [SYSTEM.noLongerAllowed(`channel:${GENERAL}`)]);
    await stack.db!
      .sql`select realtime.send('{"n":1}'::jsonb, 'after.ban', ${`channel:${GENERAL}`})`;
    await until("alice to hear it", () => a.events.some((e) => e.event === "after.ban"));
    assert.ok(!c.events.some((e) => e.event === "after.ban"), "carol hears nothing more");
    assert.deepEqual(a.statuses, ["SUBSCRIBED"], "others keep their subscription");
    const again = await watch(carol, `channel:${GENERAL}`).then(() => "joined", (e) => String(e));
    assert.match(again, /Unauthorized/, "the old token cannot join again");
  } finally {
    await cleanup(carol, alice);
  }
});

Deno.test("sign-out ends the signed-out sessions' subscriptions (scope others, then global)", async () => {
  await using stack = await startTestStack();
  if (!stack.local) return;
  const [laptop, phone, tablet] = [
    await signedIn(stack, "carol"),
    await signedIn(stack, "carol"),
    await signedIn(stack, "carol"),
  ];
  try {
    const onLaptop = await watch(laptop, `channel:${GENERAL}`);
    const onPhone = await watch(phone, `channel:${GENERAL}`);
    const publicOnPhone = await watch(phone, "lobby", { isPrivate: false });
    assert.equal((await tablet.auth.signOut({ scope: "others" })).error, null);
    await until(
      "the other sessions' channels to close",
      () =>
        onLaptop.statuses.includes("CLOSED") && onPhone.statuses.includes("CLOSED") &&
        publicOnPhone.statuses.includes("CLOSED"),
    );
    assert.deepEqual(onPhone.system, [SYSTEM.noLongerAllowed(`channel:${GENERAL}`)]);

    const onTablet = await watch(tablet, `channel:${GENERAL}`);
    const other = await signedIn(stack, "carol");
    assert.equal((await other.auth.signOut({ scope: "global" })).error, null);
    await until("the tablet's channel to close", () => onTablet.statuses.includes("CLOSED"));
    await cleanup(other);
  } finally {
    await cleanup(laptop, phone, tablet);
  }
});

/**
 * Inserts `n` broadcasts and cuts Realtime's LISTEN connection to this test's database in one
 * transaction: the cut comes last, so the commit (and its NOTIFYs) falls in the gap, well
 * before Realtime reconnects (LIMITS.relistenMinMs).
 */
async function cutAndSend(stack: TestStack, n: number, event: string) {
  await stack.db!.admin.begin(async (tx) => {
    await tx`select realtime.send(jsonb_build_object('n', i), ${event}, ${`channel:${GENERAL}`})
             from generate_series(1, ${n}) as i`;
    // Realtime's link to the database: its WAL stream (a walsender) where broadcasts are
    // published, and its LISTEN connection.
    const cut = await tx`select pg_terminate_backend(pid, 5000) as ok from pg_stat_activity
                         where datname = current_database()
                           and (query ilike 'listen%' or backend_type = 'walsender')`;
    assert.ok(cut.length >= 2 && cut.every((r) => r.ok), "the database link was cut");
  });
}

Deno.test("after the database link is cut, every missed broadcast is replayed once, in order", async () => {
  await using stack = await startTestStack();
  if (!stack.local) return;
  const bob = await signedIn(stack, "bob");
  try {
    const b = await watch(bob, `channel:${GENERAL}`);
    await stack.db!.sql`select realtime.send('{"n":0}'::jsonb, 'before', ${`channel:${GENERAL}`})`;
    await until("the first broadcast", () => b.events.length === 1);
    const t0 = Date.now();
    await cutAndSend(stack, 50, "gap");
    await until("the replay", () => b.events.length >= 51, 5000);
    console.log(`cut → 50 missed broadcasts replayed in ${Date.now() - t0} ms`);
    await stack.db!.sql`select realtime.send('{"n":99}'::jsonb, 'after', ${`channel:${GENERAL}`})`;
    await until("the broadcast after", () => b.events.some((e) => e.event === "after"));
    await sleep(300);
    const gap = b.events.filter((e) => e.event === "gap");
    assert.deepEqual(gap.map((e) => e.payload.n), Array.from({ length: 50 }, (_, i) => i + 1));
    assert.ok(gap.every((e) => (e.meta as { replayed?: boolean }).replayed === true));
    assert.deepEqual(b.events.map((e) => e.event), ["before", ...gap.map(() => "gap"), "after"]);
    assert.deepEqual(b.statuses, ["SUBSCRIBED"], "the subscription itself was never interrupted");
  } finally {
    await cleanup(bob);
  }
});

Deno.test("past the replay limit, subscribers are told to catch up and realtime-js rejoins", async () => {
  await using stack = await startTestStack();
  if (!stack.local) return;
  const bob = await signedIn(stack, "bob");
  try {
    const b = await watch(bob, `channel:${GENERAL}`);
    await cutAndSend(stack, LIMITS.replayMaxRows + 1, "flood");
    await until(
      "the catch-up signal and the rejoin",
      () => b.statuses.join() === "SUBSCRIBED,CHANNEL_ERROR,SUBSCRIBED",
      8000,
    ).catch((e) => {
      throw new Error(`${e.message}: ${b.statuses} / ${b.system} / ${b.events.length} events`);
    });
    assert.deepEqual(b.system, [SYSTEM.catchUp]);
    assert.equal(b.events.length, 0, "nothing of the flood is replayed");
    await stack.db!.sql`select realtime.send('{}'::jsonb, 'after', ${`channel:${GENERAL}`})`;
    await until("live delivery again", () => b.events.some((e) => e.event === "after"));
  } finally {
    await cleanup(bob);
  }
});
