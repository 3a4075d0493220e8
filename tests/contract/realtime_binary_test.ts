/**
 * Binary Realtime broadcasts as Supabase delivers them, through supabase-js 2.119 on both
 * protocol versions and through raw sockets: a binary payload (an `application/octet-stream`
 * `httpSend`, or a push of an ArrayBuffer) reaches vsn 2.0.0 subscribers as bytes in a kind-4
 * frame and vsn 1.0.0 subscribers not at all (JSON cannot carry it); JSON user broadcasts reach
 * both, as kind-4 frames with the JSON flag on 2.0.0 and as JSON text on 1.0.0.
 */
import assert from "node:assert/strict";
import { createClient, type RealtimeChannel, type SupabaseClient } from "@supabase/supabase-js";
import { startTestStack, type TestStack } from "../_helpers/stack.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const enc = new TextEncoder();
const unique = (name: string) => `${name}-${crypto.randomUUID().slice(0, 8)}`;

/** A supabase-js client speaking Realtime protocol `vsn`. */
function clientOn(stack: TestStack, vsn: "1.0.0" | "2.0.0"): SupabaseClient {
  return createClient(stack.url, stack.anonKey, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    realtime: { vsn },
  });
}

interface Heard {
  event: string;
  payload: unknown;
}

/** A public channel joined, with every broadcast it hears recorded. */
async function listen(client: SupabaseClient, topic: string, config = {}) {
  const ch: RealtimeChannel = client.channel(topic, { config });
  const heard: Heard[] = [];
  ch.on("broadcast", { event: "*" }, (m) => heard.push({ event: m.event, payload: m.payload }));
  await new Promise<void>((resolve, reject) =>
    ch.subscribe((s, err) =>
      s === "SUBSCRIBED" ? resolve() : s !== "CLOSED" && reject(err ?? new Error(s))
    )
  );
  return { ch, heard };
}

async function until(what: string, ok: () => boolean, ms = 5000) {
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

const bytesOf = (p: unknown) => {
  assert.ok(p instanceof ArrayBuffer, `an ArrayBuffer, not ${JSON.stringify(p)}`);
  return [...new Uint8Array(p)];
};

Deno.test("httpSend of bytes reaches vsn 2.0.0 subscribers as an ArrayBuffer and 1.0.0 ones not at all; JSON reaches both", async () => {
  await using stack = await startTestStack();
  const [v2, v1, sender] = [clientOn(stack, "2.0.0"), clientOn(stack, "1.0.0"), stack.client()];
  try {
    const topic = unique("binary-rest");
    const two = await listen(v2, topic);
    const one = await listen(v1, topic);
    const out = sender.channel(topic);
    const blob = new Uint8Array([0, 1, 2, 127, 128, 250, 255]);
    assert.deepEqual(await out.httpSend("blob", blob), { success: true });
    assert.deepEqual(await out.httpSend("note", { text: "é 😀" }), { success: true });
    await until("both broadcasts on 2.0.0", () => two.heard.length === 2);
    // The binary one was sent first: had 1.0.0 been given it, it would have come first.
    await until("the JSON one on 1.0.0", () => one.heard.length === 1);
    assert.equal(two.heard[0]!.event, "blob");
    assert.deepEqual(bytesOf(two.heard[0]!.payload), [...blob]);
    assert.deepEqual(two.heard[1], { event: "note", payload: { text: "é 😀" } });
    assert.deepEqual(one.heard, [{ event: "note", payload: { text: "é 😀" } }]);
  } finally {
    await cleanup(v2, v1, sender);
  }
});

Deno.test("a push of an ArrayBuffer (vsn 2.0.0) arrives as bytes on 2.0.0 only; JSON pushes from either version reach both", async () => {
  await using stack = await startTestStack();
  const clients = [
    clientOn(stack, "2.0.0"),
    clientOn(stack, "1.0.0"),
    clientOn(stack, "2.0.0"),
    clientOn(stack, "1.0.0"),
  ] as const;
  const [rx2, rx1, tx2, tx1] = clients;
  try {
    const topic = unique("binary-push");
    const two = await listen(rx2, topic);
    const one = await listen(rx1, topic);
    const s2 = await listen(tx2, topic, { broadcast: { ack: true } });
    const s1 = await listen(tx1, topic, { broadcast: { ack: true } });
    const buf = new Uint8Array([9, 8, 7, 0, 255]).buffer;
    const send = (ch: RealtimeChannel, event: string, payload: unknown) =>
      ch.send({ type: "broadcast", event, payload });
    assert.equal(await send(s2.ch, "blob", buf), "ok", "the kind-3 push is acknowledged");
    assert.equal(await send(s2.ch, "from2", { v: 2 }), "ok");
    assert.equal(await send(s1.ch, "from1", { v: 1 }), "ok");
    await until("three broadcasts on 2.0.0", () => two.heard.length === 3);
    await until("two on 1.0.0", () => one.heard.length === 2);
    const by = (h: Heard[], e: string) => h.find((x) => x.event === e)?.payload;
    assert.deepEqual(bytesOf(by(two.heard, "blob")), [9, 8, 7, 0, 255]);
    assert.deepEqual(by(two.heard, "from2"), { v: 2 });
    assert.deepEqual(by(two.heard, "from1"), { v: 1 });
    assert.deepEqual(one.heard.map((h) => h.event).sort(), ["from1", "from2"]);
    assert.deepEqual(by(one.heard, "from2"), { v: 2 });
    await until("the 1.0.0 sender's push on the 2.0.0 sender", () => s2.heard.length === 1);
    assert.deepEqual(s2.heard.map((h) => h.event), ["from1"], "no echo of its own without self");
  } finally {
    await cleanup(...clients);
  }
});

Deno.test("httpSend: other media types are 415, a JSON body that is not an object arrives as {_json}", async () => {
  await using stack = await startTestStack();
  const rx = stack.client();
  try {
    const topic = unique("binary-media");
    const { heard } = await listen(rx, topic);
    const post = (body: string, type?: string) =>
      fetch(`${stack.url}/realtime/v1/api/broadcast/${topic}/events/e`, {
        method: "POST",
        headers: { apikey: stack.anonKey, ...(type ? { "content-type": type } : {}) },
        body,
      }).then(async (r) => ({ status: r.status, text: await r.text() }));
    const refused = await post("hello", "text/plain");
    assert.equal(refused.status, 415);
    assert.match(JSON.parse(refused.text).error, /application\/json or application\/octet-stream/);
    assert.equal((await post("[1,2]", "application/json; charset=utf-8")).status, 202);
    await until("the broadcast", () => heard.length === 1);
    assert.deepEqual(heard[0], { event: "e", payload: { _json: [1, 2] } });
    // The batch endpoint reads JSON only: an octet-stream body has no `messages`.
    const batch = await fetch(`${stack.url}/realtime/v1/api/broadcast`, {
      method: "POST",
      headers: { apikey: stack.anonKey, "content-type": "application/octet-stream" },
      body: JSON.stringify({ messages: [{ topic, event: "e", payload: {} }] }),
    });
    await batch.body?.cancel();
    assert.equal(batch.status, 422);
    if (!stack.local) return;
    assert.equal((await post("{nope", "application/json")).status, 400);
  } finally {
    await cleanup(rx);
  }
});

/** A raw WebSocket on `vsn`, recording text frames (parsed) and binary frames apart. */
async function raw(stack: TestStack, vsn: "1.0.0" | "2.0.0") {
  const ws = new WebSocket(
    `${stack.url.replace("http", "ws")}/realtime/v1/websocket?apikey=${stack.anonKey}&vsn=${vsn}`,
  );
  ws.binaryType = "arraybuffer";
  const texts: unknown[] = [];
  const bins: Uint8Array[] = [];
  ws.onmessage = (e) =>
    typeof e.data === "string" ? texts.push(JSON.parse(e.data)) : bins.push(new Uint8Array(e.data));
  await new Promise((r) => (ws.onopen = r));
  const join = (topic: string, config: Record<string, unknown> = {}) =>
    ws.send(
      JSON.stringify(
        vsn === "2.0.0"
          ? ["1", "1", topic, "phx_join", { config }]
          : { join_ref: "1", ref: "1", topic, event: "phx_join", payload: { config } },
      ),
    );
  return { ws, texts, bins, join };
}

/** A kind-3 frame as realtime-js lays it out. */
function kind3(topic: string, event: string, meta: string, encoding: number, payload: Uint8Array) {
  const fields = ["1", "2", topic, event, meta].map((s) => enc.encode(s));
  const head = [3, ...fields.map((f) => f.length), encoding];
  return new Uint8Array([...head, ...fields.flatMap((f) => [...f]), ...payload]);
}

/** The kind-4 frame Supabase sends for a broadcast (no metadata). */
function kind4(topic: string, event: string, encoding: number, payload: Uint8Array) {
  const [t, e] = [enc.encode(topic), enc.encode(event)];
  return [4, t.length, e.length, 0, encoding, ...t, ...e, ...payload];
}

Deno.test("raw frames: kind-3 pushes and REST broadcasts go out as kind-4 frames byte for byte, as JSON text on 1.0.0", async () => {
  await using stack = await startTestStack();
  if (!stack.local) return;
  const topic = "realtime:raw-binary";
  const [two, one, pusher] = [
    await raw(stack, "2.0.0"),
    await raw(stack, "1.0.0"),
    await raw(stack, "2.0.0"),
  ];
  try {
    two.join(topic);
    one.join(topic);
    pusher.join(topic, { broadcast: { ack: true } });
    await until(
      "three joins",
      () =>
        [two, one, pusher].every((s) =>
          s.texts.some((f) => JSON.stringify(f).includes("phx_reply"))
        ),
    );

    // A JSON push with metadata: the metadata is not relayed (Supabase drops it).
    const json = enc.encode('{"a":[1,"é"]}');
    pusher.ws.send(kind3(topic, "j", '{"persist":true}', 1, json));
    await until(
      "the ack",
      () =>
        pusher.texts.some((f) =>
          JSON.stringify(f) === `["1","2","${topic}","phx_reply",{"status":"ok","response":{}}]`
        ),
    );
    await until("the kind-4 frame", () => two.bins.length === 1);
    assert.deepEqual([...two.bins[0]!], kind4(topic, "j", 1, json));
    await until("the 1.0.0 text", () => one.texts.length === 2);
    assert.deepEqual(one.texts[1], {
      join_ref: null,
      ref: null,
      topic,
      event: "broadcast",
      payload: { type: "broadcast", event: "j", payload: { a: [1, "é"] } },
    });

    // Bytes, pushed and over REST: kind 4 with encoding 0 on 2.0.0, nothing on 1.0.0.
    const blob = new Uint8Array([0, 255, 3, 4]);
    pusher.ws.send(kind3(topic, "b", "", 0, blob));
    const res = await fetch(`${stack.url}/realtime/v1/api/broadcast/raw-binary/events/r`, {
      method: "POST",
      headers: { apikey: stack.anonKey, "content-type": "application/octet-stream" },
      body: new Uint8Array([5, 6]),
    });
    assert.equal(res.status, 202);
    await res.body?.cancel();
    await until("two more kind-4 frames", () => two.bins.length === 3);
    assert.deepEqual([...two.bins[1]!], kind4(topic, "b", 0, blob));
    assert.deepEqual([...two.bins[2]!], kind4(topic, "r", 0, new Uint8Array([5, 6])));

    // A kind-3 frame on a 1.0.0 socket is not understood there: ignored, the socket stays.
    one.ws.send(kind3(topic, "v1", "", 1, enc.encode("{}")));
    one.ws.send(JSON.stringify({ topic: "phoenix", event: "heartbeat", payload: {}, ref: "hb" }));
    await until(
      "the heartbeat reply",
      () => one.texts.some((f) => (f as { ref?: string }).ref === "hb"),
    );
    await sleep(100);
    assert.equal(
      one.texts.length,
      3,
      "nothing but the heartbeat reply: no binary broadcast, no v1 push",
    );
    assert.equal(two.bins.length, 3);
    assert.equal(two.texts.length, 1, "2.0.0 got no broadcast as text");
  } finally {
    for (const s of [two, one, pusher]) s.ws.close();
  }
});
