/**
 * Realtime under load, side by side with a plain WebSocket relay (`_ws_floor.ts`, the floor),
 * both in their own processes, in one run:
 *   - memory per idle connection: BENCH_RT_IDLE (10,000) sockets, each signed in as a member and
 *     joined privately to `channel:<id>` (groups of 1,000 members), vs as many plain sockets on
 *     the relay: RSS growth / N of the serving process;
 *   - fan-out: BENCH_RT_SUBSCRIBERS (1,000) members joined privately to one `channel:<id>`; a
 *     message POSTed through the API (BENCH_RT_ROUNDS times, 20) and its `message.created`
 *     timed from the POST's start to each delivery; vs a frame of the same size sent to the
 *     relay's 1,000 sockets, rounds interleaved.
 * Goals (issue 12): fan-out p99 ≤ 2× the floor's; memory per connection ≤ 1.2× the relay's.
 */
import { join } from "node:path";
import { ROOT } from "../../local/paths.ts";
import {
  apiBase,
  type BenchStack,
  createGroup,
  type Group,
  realtimeUrl,
  withStack,
} from "./_stack.ts";
import { rssKb, spawnDeno } from "./_procs.ts";
import { broadcastOf, closeAll, heartbeats, openJoined, openPlain } from "./_phoenix.ts";
import { summarize } from "./_stats.ts";

const SUBSCRIBERS = Number(Deno.env.get("BENCH_RT_SUBSCRIBERS") ?? 1000);
const ROUNDS = Number(Deno.env.get("BENCH_RT_ROUNDS") ?? 20);
const IDLE = Number(Deno.env.get("BENCH_RT_IDLE") ?? 10_000);
const GROUP_SIZE = 1000;
const GOAL_LATENCY = 2;
const GOAL_MEMORY = 1.2;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Longest wait for a process' memory to settle, in seconds. */
const SETTLE_MAX_S = Number(Deno.env.get("BENCH_RT_SETTLE_S") ?? 60);
/** Shortest idle time before the memory of idle connections is read, in seconds. */
const SETTLE_MIN_S = Number(Deno.env.get("BENCH_RT_SETTLE_MIN_S") ?? 30);
const verdict = (ok: boolean) => ok ? "met" : "NOT met";

/** One round: `send` starts it; `deliver(i)` for each socket's copy; all N expected once. */
class Round {
  started = 0;
  got = 0;
  dupes = 0;
  private seen: Uint8Array;
  private done = Promise.withResolvers<void>();
  constructor(readonly id: string, n: number, readonly latencies?: number[]) {
    this.seen = new Uint8Array(n);
  }
  deliver(i: number) {
    if (this.seen[i]) return void this.dupes++;
    this.seen[i] = 1;
    this.latencies?.push(performance.now() - this.started);
    if (++this.got === this.seen.length) this.done.resolve();
  }
  async run(send: () => Promise<void> | void, timeoutMs = 15_000) {
    this.started = performance.now();
    const t = setTimeout(
      () => this.done.reject(new Error(`${this.id}: ${this.got}/${this.seen.length} delivered`)),
      timeoutMs,
    );
    await Promise.all([send(), this.done.promise]).finally(() => clearTimeout(t));
    if (this.dupes) throw new Error(`${this.id}: ${this.dupes} deliveries twice`);
  }
}

/**
 * RSS of `pid` once its connections are idle: after at least `minS` seconds (V8 hands back the
 * garbage of a burst of joins some 20–30 s after it ends), read every second until it has moved
 * less than 1% over the last five readings, at most SETTLE_MAX_S. Both sides alike.
 */
async function settledRss(pid: number, minS = 0): Promise<number> {
  const readings: number[] = [];
  for (let s = 0; s < SETTLE_MAX_S; s++) {
    await sleep(1000);
    readings.push(rssKb(pid));
    const last = readings.slice(-5);
    const still = last.length === 5 &&
      Math.max(...last) - Math.min(...last) < Math.max(...last) / 100;
    if (s + 1 >= minS && still) break;
  }
  return readings.at(-1)!;
}

/** Memory per idle connection: RSS of `pid` before and after `open()` held `n` connections. */
async function idleMemory(pid: number, n: number, open: () => Promise<WebSocket[]>) {
  const before = await settledRss(pid);
  const t0 = performance.now();
  const sockets = await open();
  const perSec = n / ((performance.now() - t0) / 1000);
  const after = await settledRss(pid, SETTLE_MIN_S);
  return { kbPer: (after - before) / n, mb: (after - before) / 1024, perSec, sockets };
}

async function fanout(
  stack: BenchStack,
  floorUrl: string,
  group: Group,
) {
  let current: Round | undefined;
  let frameBytes = 0;
  const rt = await openJoined(
    realtimeUrl(stack),
    group.tokens.slice(1),
    () => `channel:${group.channelId}`,
    (i, data) => {
      const b = broadcastOf(data);
      if (b?.event !== "message.created") return;
      const content = String((b.payload.message as { content?: unknown }).content);
      frameBytes = data.length;
      if (current?.id === content) current.deliver(i);
    },
  );
  const stopBeats = heartbeats(rt);
  const floor = await openPlain(floorUrl, SUBSCRIBERS, (i, data) => {
    const { id } = JSON.parse(data) as { id: string };
    if (current?.id === id) current.deliver(i);
  });
  const publisher = new WebSocket(floorUrl);
  await new Promise((r) => (publisher.onopen = r));

  const url = `${apiBase(stack)}/channels/${group.channelId}/messages`;
  const post = async (content: string) => {
    const res = await fetch(url, {
      method: "POST",
      headers: { authorization: `Bearer ${group.tokens[0]}`, "content-type": "application/json" },
      body: JSON.stringify({ content, client_id: content.replace(/\W/g, "-") }),
    });
    if (res.status !== 201) throw new Error(`POST ${res.status}: ${await res.text()}`);
    await res.body?.cancel();
  };
  const rtLat: number[] = [];
  const floorLat: number[] = [];
  const WARMUP = 2;
  for (let r = -WARMUP; r < ROUNDS; r++) {
    const id = `fan-out round ${r}`;
    current = new Round(id, SUBSCRIBERS, r >= 0 ? rtLat : undefined);
    await current.run(() => post(id));
    await sleep(50);
    // The relay's frame is as long as the Realtime frame (measured in the warm-up).
    const pad = "x".repeat(Math.max(0, frameBytes - 40));
    current = new Round(`floor ${id}`, SUBSCRIBERS, r >= 0 ? floorLat : undefined);
    const frame = JSON.stringify({ id: current.id, pad });
    await current.run(() => publisher.send(frame));
    await sleep(50);
  }
  current = undefined;
  stopBeats();
  await closeAll([...rt, ...floor, publisher]);
  return { rt: summarize(rtLat), floor: summarize(floorLat), frameBytes };
}

export default function bench(): Promise<string[]> {
  return withStack({ API_RATE_LIMITS: "off" }, (stack) => run(stack));
}

async function run(stack: BenchStack): Promise<string[]> {
  const floor = spawnDeno(join(ROOT, "tests/bench/_ws_floor.ts"), {});
  const lines: string[] = [];
  try {
    const [, port] = await floor.waitFor(/^READY (\d+)/);
    const floorUrl = `ws://127.0.0.1:${port}`;
    const fan = await createGroup(stack.dbUrl, "rt_", SUBSCRIBERS + 1);
    const idleGroups: Group[] = [];
    for (let k = 0; k * GROUP_SIZE < IDLE; k++) {
      idleGroups.push(
        await createGroup(stack.dbUrl, `idle${k}_`, Math.min(GROUP_SIZE, IDLE - k * GROUP_SIZE)),
      );
    }

    // Idle memory first, on fresh processes (a heap that grew earlier would hide the growth).
    const tokens = idleGroups.flatMap((g) => g.tokens);
    const topicOf = (i: number) => `channel:${idleGroups[Math.floor(i / GROUP_SIZE)]!.channelId}`;
    let stopBeats = () => {};
    const rtMem = await idleMemory(stack.pid, IDLE, async () => {
      const s = await openJoined(realtimeUrl(stack), tokens, topicOf, () => {}, { batch: 250 });
      stopBeats = heartbeats(s);
      return s;
    });
    stopBeats();
    await closeAll(rtMem.sockets);
    const floorMem = await idleMemory(
      floor.pid,
      IDLE,
      () => openPlain(floorUrl, IDLE, () => {}, { batch: 250 }),
    );
    await closeAll(floorMem.sockets);

    const f = await fanout(stack, floorUrl, fan);
    const ms = (n: number) => n.toFixed(1).padStart(6);
    const latencyRatio = f.rt.p99 / f.floor.p99;
    const memRatio = rtMem.kbPer / floorMem.kbPer;
    lines.push(
      `fan-out to ${SUBSCRIBERS} subscribers, ${ROUNDS} rounds (${f.rt.n} deliveries each side), frames of ${f.frameBytes} bytes`,
      `  plain WebSocket relay (floor): a frame sent to the relay          p50 ${
        ms(f.floor.p50)
      } ms  p99 ${ms(f.floor.p99)} ms`,
      `  Realtime, private channel:<id>: POST /channels/:id/messages       p50 ${
        ms(f.rt.p50)
      } ms  p99 ${ms(f.rt.p99)} ms`,
      `  p99 ${latencyRatio.toFixed(2)}x the floor (goal <= ${GOAL_LATENCY}x: ${
        verdict(latencyRatio <= GOAL_LATENCY)
      }); p50 ${(f.rt.p50 / f.floor.p50).toFixed(2)}x`,
      `memory per idle connection at ${IDLE} connections (RSS growth / N of the serving process)`,
      `  plain WebSocket relay (floor):          ${floorMem.kbPer.toFixed(1).padStart(6)} KB (+${
        floorMem.mb.toFixed(0)
      } MB)`,
      `  Realtime, joined privately as members:  ${rtMem.kbPer.toFixed(1).padStart(6)} KB (+${
        rtMem.mb.toFixed(0)
      } MB; ${rtMem.perSec.toFixed(0)} joins/s)`,
      `  ${memRatio.toFixed(2)}x the relay's (goal <= ${GOAL_MEMORY}x: ${
        verdict(memRatio <= GOAL_MEMORY)
      })`,
    );
  } finally {
    floor.proc.kill("SIGTERM");
    await floor.proc.status;
  }
  return lines;
}
