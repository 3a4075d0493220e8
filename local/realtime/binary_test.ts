import assert from "node:assert/strict";
import { RealtimeClient } from "@supabase/supabase-js";
import {
  binaryBroadcast,
  decodeUserBroadcastPush,
  encodeUserBroadcast,
  jsonBroadcast,
  userBroadcastPayloadJson,
} from "./binary.ts";
import { decodeFrame, encodeFrameJson, LIMITS } from "./protocol.ts";

/** realtime-js 2.119's own serializer (vsn 2.0.0), as a browser uses it. */
const serializer = new RealtimeClient("ws://127.0.0.1:1/realtime/v1", {
  params: { apikey: "k" },
}).serializer;

const encodeWithRealtimeJs = (payload: Record<string, unknown>) =>
  new Promise<ArrayBuffer>((resolve) =>
    serializer.encode(
      { join_ref: "1", ref: "2", topic: "realtime:room", event: "broadcast", payload },
      (r) => resolve(r as ArrayBuffer),
    )
  );
const decodeWithRealtimeJs = (data: ArrayBuffer | string) =>
  new Promise<{ topic: string; event: string; payload: Record<string, unknown> }>((resolve) =>
    serializer.decode(data, resolve)
  );

Deno.test("a kind-3 push realtime-js encodes is decoded with its bytes, JSON or binary", async () => {
  const json = decodeFrame(
    await encodeWithRealtimeJs({ type: "broadcast", event: "typing", payload: { a: "é" } }),
    "2.0.0",
  );
  assert.ok("frame" in json);
  assert.equal(json.frame.topic, "realtime:room");
  assert.equal(json.frame.joinRef, "1");
  assert.equal(json.frame.ref, "2");
  assert.equal(json.frame.user?.encoding, "json");
  assert.equal(json.frame.user?.json, '{"a":"é"}');

  const raw = new Uint8Array([0, 1, 2, 255]).buffer;
  const bin = decodeFrame(
    await encodeWithRealtimeJs({ type: "broadcast", event: "blob", payload: raw, persist: true }),
    "2.0.0",
  );
  assert.ok("frame" in bin);
  assert.equal(bin.frame.user?.encoding, "binary");
  assert.deepEqual([...bin.frame.user!.bytes], [0, 1, 2, 255]);
  assert.equal(bin.frame.user?.json, undefined);
});

Deno.test("a kind-4 frame is decoded by realtime-js into the broadcast it carries", async () => {
  const j = encodeUserBroadcast("realtime:room", jsonBroadcast("e", '{"n":[1,2]}'))!;
  assert.deepEqual([...j.subarray(0, 5)], [4, 13, 1, 0, 1], "kind, lengths, no meta, JSON");
  assert.deepEqual(await decodeWithRealtimeJs(j.slice().buffer), {
    join_ref: null,
    ref: null,
    topic: "realtime:room",
    event: "broadcast",
    payload: { type: "broadcast", event: "e", payload: { n: [1, 2] } },
  });

  const b = encodeUserBroadcast("realtime:room", binaryBroadcast("blob", new Uint8Array([7, 8])))!;
  assert.equal(b[4], 0, "binary encoding");
  const got = await decodeWithRealtimeJs(b.slice().buffer);
  const payload = got.payload.payload as ArrayBuffer;
  assert.ok(payload instanceof ArrayBuffer);
  assert.deepEqual([...new Uint8Array(payload)], [7, 8]);
});

Deno.test("a user broadcast as JSON text: spliced in for JSON, nothing for binary", () => {
  const text = encodeFrameJson(
    { joinRef: null, ref: null, topic: "realtime:r", event: "broadcast" },
    userBroadcastPayloadJson(jsonBroadcast("e", '{"a":1}'))!,
    "1.0.0",
  );
  assert.deepEqual(JSON.parse(text), {
    join_ref: null,
    ref: null,
    topic: "realtime:r",
    event: "broadcast",
    payload: { type: "broadcast", event: "e", payload: { a: 1 } },
  });
  assert.equal(userBroadcastPayloadJson(binaryBroadcast("e", new Uint8Array(1))), undefined);
});

Deno.test("a topic or event past 255 bytes has no kind-4 frame", () => {
  assert.equal(encodeUserBroadcast("t".repeat(256), jsonBroadcast("e", "{}")), undefined);
  assert.equal(encodeUserBroadcast("t", jsonBroadcast("é".repeat(128), "{}")), undefined);
});

Deno.test("bad kind-3 frames are invalid, never thrown; any non-zero encoding byte is JSON", () => {
  const enc = new TextEncoder();
  const frame = (encoding: number, payload: string, meta = "") => {
    const parts = ["1", "2", "realtime:x", "e", meta].map((s) => enc.encode(s));
    const head = [3, ...parts.map((p) => p.length), encoding];
    return new Uint8Array([...head, ...parts.flatMap((p) => [...p]), ...enc.encode(payload)]);
  };
  assert.ok("push" in decodeUserBroadcastPush(frame(7, '{"a":1}')));
  assert.deepEqual(decodeUserBroadcastPush(frame(1, "{nope")), { invalid: "payload: invalid" });
  assert.deepEqual(decodeUserBroadcastPush(frame(0, "x", "{nope")), {
    invalid: "metadata: invalid",
  });
  const deep = "[".repeat(LIMITS.maxJsonDepth + 1) + "]".repeat(LIMITS.maxJsonDepth + 1);
  assert.deepEqual(decodeUserBroadcastPush(frame(1, deep)), { invalid: "payload: too_deep" });
  assert.deepEqual(decodeUserBroadcastPush(new Uint8Array([3, 1, 1])), {
    invalid: "kind 3 header cut short",
  });
  assert.ok("invalid" in decodeFrame(frame(1, "\xff").buffer, "2.0.0"));
  const badUtf8 = frame(1, "{}");
  badUtf8[7] = 0xff; // inside join_ref
  assert.ok("invalid" in decodeFrame(badUtf8.buffer, "2.0.0"));
});

Deno.test("a vsn 1.0.0 socket reads binary frames as JSON text: kind 3 is not understood there", () => {
  const enc = new TextEncoder();
  const kind3 = new Uint8Array([3, 0, 0, 1, 1, 0, 1, 116, 101, 123, 125]);
  assert.ok("ignored" in decodeFrame(kind3.buffer, "1.0.0"));
  const asText = enc.encode(JSON.stringify({ topic: "phoenix", event: "heartbeat", ref: "1" }));
  const d = decodeFrame(asText.buffer, "1.0.0");
  assert.ok("frame" in d && d.frame.event === "heartbeat");
  assert.ok("invalid" in decodeFrame(new Uint8Array([0xff]).buffer, "1.0.0"));
});
