/**
 * A seeded frame fuzzer against the local Realtime: many raw WebSocket connections (a minimal
 * RFC 6455 client over TCP, so that frames a browser could never send can be sent too: invalid
 * UTF-8 text, kind-3 broadcasts whose length bytes lie or whose metadata is not JSON, kind-4
 * frames only a server may send, reserved opcodes) send text and binary frames from 0 B to past
 * LIMITS.maxFrameBytes. It shows that the process stays up (the API's health answers 200), that
 * each socket ends as its frames say (closed with 1007 / 1009, or still answering heartbeats when
 * every frame was ignorable), that a well-behaved supabase-js client joined before the fuzzing
 * keeps receiving broadcasts during and after it, and that supabase-js clients on both protocol
 * versions joined to the fuzzed topics decode everything relayed to them (kind-4 frames on
 * 2.0.0, JSON text on 1.0.0) and stay joined.
 *
 * The seed is printed; run again with REALTIME_FUZZ_SEED=<seed> to replay a failure.
 */
import assert from "node:assert/strict";
import { createClient, type RealtimeChannel } from "@supabase/supabase-js";
import { startTestStack } from "../_helpers/stack.ts";
import { LIMITS } from "../../local/realtime/mod.ts";
import { concat, OP, RawSocket } from "../_helpers/raw_websocket.ts";

const SEED = Number(Deno.env.get("REALTIME_FUZZ_SEED") ?? Math.floor(Math.random() * 2 ** 31));
/** Workers, each opening one socket after another until the budget is spent. */
const WORKERS = 30;
const FRAMES_PER_SOCKET = 12;
const BUDGET_MS = 8_000;

/** mulberry32: small, seedable, good enough to pick cases. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  return {
    next,
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!,
    bytes: (n: number) => {
      const b = new Uint8Array(n);
      for (let i = 0; i < n; i++) b[i] = Math.floor(next() * 256);
      return b;
    },
  };
}
type Rng = ReturnType<typeof prng>;

const enc = new TextEncoder();

/**
 * What a frame should do to its socket: nothing visible, or close it with this code. 1006:
 * Deno's WebSocket layer itself drops the connection, without a close frame, on a text frame
 * that is not UTF-8 and on a reserved opcode; the frame never reaches Realtime's code.
 */
type Expect = "open" | 1006 | 1007 | 1009;
interface Case {
  name: string;
  opcode: number;
  data: Uint8Array;
  expect: Expect;
}

const phx = (...v: unknown[]) => enc.encode(JSON.stringify(v));

function kind3(rng: Rng, payload: Uint8Array, encoding: number, lie = false, meta = "") {
  const topic = `realtime:fuzz-${rng.int(0, 3)}`;
  const fields = ["1", "2", topic, "ev", meta].map((s) => enc.encode(s));
  const lens = fields.map((f) => f.length);
  if (lie) lens[rng.int(0, 4)] = 200 + rng.int(0, 55); // past the end of a short frame
  const header = new Uint8Array([3, ...lens, encoding]);
  return concat(concat(header, fields.reduce((a, f) => concat(a, f), new Uint8Array(0))), payload);
}

const GARBAGE: unknown[] = [
  null,
  true,
  -0,
  1e308,
  -1e308,
  123456789012345678901234567890,
  "",
  "\u0000\uFFFF\uD83D\uDE00",
  [],
  {},
  { __proto__: { polluted: true } },
  { constructor: { prototype: 1 } },
  "x".repeat(1000),
];

/** One frame, chosen by the seed; its expected effect. */
function makeCase(rng: Rng): Case {
  const max = LIMITS.maxFrameBytes;
  const g = () => rng.pick(GARBAGE);
  // Ignorable or valid frames: most of them, so that many sockets live through a dozen.
  const valid: (() => Case)[] = [
    (): Case => ({
      name: "heartbeat",
      opcode: OP.text,
      data: phx(null, "h", "phoenix", "heartbeat", {}),
      expect: "open",
    }),
    (): Case => ({
      name: "join with garbage config",
      opcode: OP.text,
      data: phx(g(), g(), `realtime:fuzz-${rng.int(0, 3)}`, "phx_join", {
        config: rng.pick([g(), {
          broadcast: g(),
          presence: g(),
          postgres_changes: g(),
          private: g(),
        }]),
        access_token: g(),
      }),
      expect: "open",
    }),
    (): Case => ({
      name: "join a fuzzed topic",
      opcode: OP.text,
      data: phx("1", "1", `realtime:fuzz-${rng.int(0, 3)}`, "phx_join", {
        config: { broadcast: { ack: rng.next() < 0.5, self: rng.next() < 0.5 } },
      }),
      expect: "open",
    }),
    (): Case => ({
      name: "phoenix frame with garbage fields",
      opcode: OP.text,
      data: phx(
        g(),
        g(),
        rng.pick([g(), "realtime:fuzz-1", "phoenix"]),
        rng.pick([g(), "broadcast", "presence", "access_token", "phx_leave"]),
        g(),
      ),
      expect: "open",
    }),
    (): Case => ({
      name: "presence track of random size",
      opcode: OP.text,
      data: phx("1", "p", `realtime:fuzz-${rng.int(0, 3)}`, "presence", {
        type: "presence",
        event: "track",
        payload: { blob: "y".repeat(rng.int(0, 10_000)) },
      }),
      expect: "open", // an over-limit track closes the channel, not the socket
    }),
    (): Case => ({
      name: "random text",
      opcode: OP.text,
      data: enc.encode(
        String.fromCharCode(...rng.bytes(rng.int(0, 2000)).map((b) => 32 + (b % 90))),
      ),
      expect: "open",
    }),
    (): Case => ({ name: "empty text", opcode: OP.text, data: new Uint8Array(0), expect: "open" }),
    (): Case => ({
      name: "empty binary",
      opcode: OP.binary,
      data: new Uint8Array(0),
      expect: "open",
    }),
    (): Case => {
      const b = rng.bytes(rng.int(1, 5000));
      b[0] = rng.pick([0, 1, 2, 4, 9, 255]);
      return { name: "binary of an unknown kind", opcode: OP.binary, data: b, expect: "open" };
    },
    (): Case => {
      // What a server sends, [4, len(topic), len(event), len(meta), encoding] …, lengths random.
      const b = rng.bytes(rng.int(5, 300));
      b[0] = 4;
      return { name: "kind-4 frame from a client", opcode: OP.binary, data: b, expect: "open" };
    },
    (): Case => ({
      name: "kind-3 raw payload around 130 KB",
      opcode: OP.binary,
      data: kind3(rng, rng.bytes(rng.int(120_000, 140_000)), 0),
      expect: "open",
    }),
    (): Case => ({
      name: "kind-3 small raw payload with metadata",
      opcode: OP.binary,
      data: kind3(rng, rng.bytes(rng.int(0, 64)), 0, false, '{"persist":true}'),
      expect: "open",
    }),
    (): Case => ({
      name: "kind-3 JSON payload",
      opcode: OP.binary,
      data: kind3(rng, phx(g(), { n: g() }), 1),
      expect: "open",
    }),
    (): Case => ({
      name: "kind-3 JSON payload with an encoding byte other than 0 or 1",
      opcode: OP.binary,
      data: kind3(rng, enc.encode(JSON.stringify(g())), rng.int(2, 255)),
      expect: "open",
    }),
  ];
  const undecodable: (() => Case)[] = [
    (): Case => ({
      name: "kind-3 with lying lengths",
      opcode: OP.binary,
      data: kind3(rng, rng.bytes(rng.int(0, 20)), 1, true),
      expect: 1007,
    }),
    (): Case => ({
      name: "kind-3 with invalid JSON",
      opcode: OP.binary,
      data: kind3(rng, enc.encode('{"a":'), 1),
      expect: 1007,
    }),
    (): Case => ({
      name: "kind-3 with metadata that is not JSON",
      opcode: OP.binary,
      data: kind3(rng, rng.bytes(rng.int(0, 20)), 0, false, rng.pick(["{", "persist", "[1,"])),
      expect: 1007,
    }),
    (): Case => ({
      name: "kind-3 with a JSON flag on bytes that are not UTF-8",
      opcode: OP.binary,
      data: kind3(rng, new Uint8Array([0xff, ...rng.bytes(rng.int(0, 20))]), rng.int(1, 255)),
      expect: 1007,
    }),
    (): Case => ({
      name: "kind-3 cut short",
      opcode: OP.binary,
      data: new Uint8Array([3, ...rng.bytes(rng.int(0, 5))]),
      expect: 1007,
    }),
    (): Case => ({
      name: "invalid UTF-8 text",
      opcode: OP.text,
      data: new Uint8Array([0x5b, 0xff, 0xfe, 0xc3, 0x28, 0x5d]),
      expect: 1006,
    }),
    (): Case => {
      const d = rng.int(LIMITS.maxJsonDepth + 1, 200_000);
      return {
        name: `JSON nested ${d} deep`,
        opcode: OP.text,
        data: enc.encode(
          `[null,"1","realtime:fuzz-0","broadcast",{"p":${"[".repeat(d)}${"]".repeat(d)}}]`,
        ),
        expect: 1007,
      };
    },
    (): Case => ({
      name: "reserved opcode",
      opcode: rng.pick([3, 4, 5, 6, 7, 11]),
      data: rng.bytes(4),
      expect: 1006,
    }),
  ];
  // Frames of 3 MB are rare, so that the run stays within its budget.
  const atLimit: (() => Case)[] = [
    (): Case => {
      const head = `[null,"lim","phoenix","heartbeat",{"pad":"`;
      const data = enc.encode(head + "z".repeat(max - head.length - 4) + `"}]`);
      return { name: "text of exactly the limit", opcode: OP.text, data, expect: "open" };
    },
    (): Case => ({
      name: "text of the limit + 1",
      opcode: OP.text,
      data: new Uint8Array(max + 1).fill(0x20),
      expect: 1009,
    }),
    (): Case => ({
      name: "binary of the limit + 1",
      opcode: OP.binary,
      data: new Uint8Array(max + 1).fill(3),
      expect: 1009,
    }),
  ];
  const r = rng.next();
  return rng.pick(r < 0.02 ? atLimit : r < 0.1 ? undecodable : valid)();
}

Deno.test(`realtime frame fuzzer (seed ${SEED}): no frame ends the process or disturbs other clients`, async () => {
  console.log(`REALTIME_FUZZ_SEED=${SEED}`);
  await using stack = await startTestStack();
  if (!stack.local) return;
  const port = Number(new URL(stack.url).port);
  const path = `/realtime/v1/websocket?apikey=${stack.anonKey}&vsn=2.0.0`;

  // The well-behaved pair: joined before the fuzzing, one sending, one listening.
  const [tx, rx] = [stack.client(), stack.client()];
  const heard: number[] = [];
  const rxCh = rx.channel("fuzz-watch").on(
    "broadcast",
    { event: "tick" },
    (m) => heard.push(m.payload.n),
  );
  const txCh = tx.channel("fuzz-watch");
  for (const ch of [rxCh, txCh]) {
    await new Promise<void>((resolve, reject) =>
      ch.subscribe((s) => s === "SUBSCRIBED" ? resolve() : s !== "CLOSED" && reject(new Error(s)))
    );
  }
  // Clients on both protocol versions on the fuzzed topics: everything relayed to them must
  // decode (realtime-js throws on a kind-4 frame or JSON text it cannot parse).
  const versions = ["2.0.0", "1.0.0"] as const;
  const fuzzWatchers = versions.map((vsn) =>
    createClient(stack.url, stack.anonKey, {
      auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
      realtime: { vsn },
    })
  );
  const relayed = { "2.0.0": { json: 0, bytes: 0 }, "1.0.0": { json: 0, bytes: 0 } };
  const fuzzChannels: RealtimeChannel[] = [];
  for (const [i, client] of fuzzWatchers.entries()) {
    const seen = relayed[versions[i]!];
    for (let t = 0; t < 4; t++) {
      const ch = client.channel(`fuzz-${t}`).on("broadcast", { event: "*" }, (m) => {
        if (m.payload instanceof ArrayBuffer) seen.bytes++;
        else seen.json++;
      });
      fuzzChannels.push(ch);
      await new Promise<void>((resolve, reject) =>
        ch.subscribe((s) => s === "SUBSCRIBED" ? resolve() : s !== "CLOSED" && reject(new Error(s)))
      );
    }
  }

  let n = 0;
  const ticker = setInterval(
    () => void txCh.send({ type: "broadcast", event: "tick", payload: { n: n++ } }),
    100,
  );

  const t0 = Date.now();
  type Result = { worker: number; expect: Expect; got: Expect | number; sent: string[] };
  async function fuzzOneSocket(worker: number, rng: Rng): Promise<Result> {
    const ws = await RawSocket.open(port, path);
    let expect: Expect = "open";
    const sent: string[] = [];
    for (let i = 0; i < FRAMES_PER_SOCKET; i++) {
      const c = makeCase(rng);
      await ws.send(c.opcode, c.data);
      sent.push(c.name);
      if (c.expect !== "open") {
        expect = c.expect;
        break; // the socket is closed by now: nothing more reaches the server
      }
    }
    const timeout = (ms: number) => new Promise<number>((r) => setTimeout(() => r(-1), ms));
    let got: Expect | number;
    if (expect === "open") {
      const ref = `final-${worker}-${Date.now()}`;
      await ws.send(OP.text, phx(null, ref, "phoenix", "heartbeat", {}));
      const answered = await ws.waitText((t) => t.includes(`"${ref}"`), 5000);
      got = answered ? "open" : await Promise.race([ws.closed, timeout(100)]);
      ws.close();
    } else {
      got = await Promise.race([ws.closed, timeout(5000)]);
    }
    return { worker, expect, got, sent };
  }
  const results = (await Promise.all(Array.from({ length: WORKERS }, async (_, w) => {
    // One generator per worker: the cases a worker sends depend on the seed alone.
    const rng = prng(SEED + w);
    const out: Result[] = [];
    while (Date.now() - t0 < BUDGET_MS) out.push(await fuzzOneSocket(w, rng));
    return out;
  }))).flat();
  const during = heard.length;
  const sentDuring = n;

  const health = await fetch(`${stack.url}/functions/v1/api/health`);
  await health.body?.cancel();
  assert.equal(health.status, 200, "the process is alive: the API answers");
  await new Promise((r) => setTimeout(r, 500));
  clearInterval(ticker);
  const after = heard.length - during;
  const stillJoined = fuzzChannels.filter((ch) => ch.state === "joined").length;
  for (const c of [rx, tx, ...fuzzWatchers]) {
    await c.removeAllChannels();
    c.realtime.disconnect();
  }

  const counts: Record<string, number> = {};
  for (const r of results) counts[String(r.got)] = (counts[String(r.got)] ?? 0) + 1;
  console.log(
    `fuzzed ${results.length} sockets (${
      results.reduce((n, r) => n + r.sent.length, 0)
    } frames) in ${Date.now() - t0} ms: outcomes ${JSON.stringify(counts)}; ` +
      `the watcher heard ${during}/${sentDuring} ticks during, ${after} after; ` +
      `relayed to the fuzzed topics' watchers ${JSON.stringify(relayed)}`,
  );
  const wrong = results.filter((r) => r.got !== r.expect);
  assert.deepEqual(wrong, [], `sockets that did not end as expected (seed ${SEED})`);
  assert.ok(
    during >= sentDuring * 0.9 && during > 0,
    "the watcher kept hearing broadcasts during the fuzzing",
  );
  assert.ok(after > 0, "and after it");
  assert.equal(stillJoined, fuzzChannels.length, "the fuzzed topics' watchers stay joined");
  assert.equal(relayed["1.0.0"].bytes, 0, "no bytes reach a vsn 1.0.0 client");
  assert.ok(relayed["2.0.0"].bytes > 0, "binary pushes reached the vsn 2.0.0 watcher as bytes");
  assert.ok(relayed["1.0.0"].json > 0, "JSON pushes reached the vsn 1.0.0 watcher");
});
