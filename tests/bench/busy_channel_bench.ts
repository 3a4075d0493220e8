/**
 * A busy channel on the real stack (`local/start.ts`): BENCH_BUSY_MEMBERS (1,000) members online
 * in one group, simulated by BENCH_BUSY_CLIENTS (2) client processes (`_busy_members.ts`: join
 * `channel:<id>` privately, merge events without requests, coalesced receipts), while
 * BENCH_BUSY_SENDERS (5) of them post BENCH_BUSY_RATE (5) messages a second in all, open loop,
 * through the API for BENCH_BUSY_SECONDS (60). Reports delivery latency (from each POST's start
 * to each member's message.created), the members' HTTP requests and received frames per message,
 * and the server's CPU (the stack process and its Postgres processes, from /proc) and memory.
 * Fails if any member missed a message or got one twice. API_RATE_LIMITS=off: a thousand
 * members on one loopback address would otherwise share one per-IP receipt bucket.
 */
import { join } from "node:path";
import { ROOT } from "../../local/paths.ts";
import { apiBase, type BenchStack, createGroup, nowMs, realtimeUrl, withStack } from "./_stack.ts";
import {
  type Child,
  cpuOf,
  postgresMemKb,
  resultOf,
  rssKb,
  spawnDeno,
  stackCpu,
} from "./_procs.ts";
import type { MembersConfig, MembersResult } from "./_busy_members.ts";
import { summarize } from "./_stats.ts";

const MEMBERS = Number(Deno.env.get("BENCH_BUSY_MEMBERS") ?? 1000);
const CLIENTS = Number(Deno.env.get("BENCH_BUSY_CLIENTS") ?? 2);
const SENDERS = Number(Deno.env.get("BENCH_BUSY_SENDERS") ?? 5);
const RATE = Number(Deno.env.get("BENCH_BUSY_RATE") ?? 5);
const SECONDS = Number(Deno.env.get("BENCH_BUSY_SECONDS") ?? 60);
/** Issue 12's goal for one client: HTTP requests per received message. */
const GOAL_REQUESTS_PER_RECEIVED = 0.25;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Posts RATE messages a second for SECONDS, open loop; resolves with the stored ids. */
async function send(url: string, tokens: string[]) {
  const total = Math.round(RATE * SECONDS);
  const ids: number[] = [];
  const failures: string[] = [];
  const sends: Promise<void>[] = [];
  const t0 = performance.now();
  for (let seq = 0; seq < total; seq++) {
    await sleep(Math.max(0, t0 + (seq * 1000) / RATE - performance.now()));
    const content = `busy ${seq} at ${nowMs().toFixed(1)}`;
    sends.push((async () => {
      const res = await fetch(url, {
        method: "POST",
        headers: {
          authorization: `Bearer ${tokens[seq % tokens.length]}`,
          "content-type": "application/json",
        },
        body: JSON.stringify({ content, client_id: `busy-${seq}` }),
      }).catch((e) => e as Error);
      if (res instanceof Error) return void failures.push(res.message);
      const body = await res.json().catch(() => ({}));
      if (res.status !== 201) return void failures.push(`${res.status} ${JSON.stringify(body)}`);
      ids.push(Number(body.message.id));
    })());
  }
  await Promise.all(sends);
  // A send answered 503 rolled back (README "Faults and recovery"): members must not get it.
  return { ids, failures };
}

export default function bench(): Promise<string[]> {
  return withStack({ API_RATE_LIMITS: "off" }, (stack) => run(stack));
}

async function run(stack: BenchStack): Promise<string[]> {
  const clients: Child[] = [];
  try {
    const group = await createGroup(stack.dbUrl, "busy_", MEMBERS);
    const api = apiBase(stack);
    const per = Math.ceil(MEMBERS / CLIENTS);
    for (let c = 0; c < CLIENTS; c++) {
      const child = spawnDeno(join(ROOT, "tests/bench/_busy_members.ts"), {}, { stdin: true });
      clients.push(child);
      const cfg: MembersConfig = {
        wsUrl: realtimeUrl(stack),
        api,
        channelId: group.channelId,
        tokens: group.tokens.slice(c * per, (c + 1) * per),
      };
      await child.send(`CONFIG ${JSON.stringify(cfg)}`);
    }
    await Promise.all(clients.map((c) => c.waitFor(/^READY$/, 300_000)));
    await sleep(1000);

    for (const c of clients) await c.send("START");
    const cpu0 = stackCpu(stack.pid);
    const clientCpu0 = cpuOf(clients.map((c) => c.pid));
    const t0 = performance.now();
    let peakRss = 0;
    let peakPg = 0;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, rssKb(stack.pid));
      peakPg = Math.max(peakPg, postgresMemKb(stack.pid).kb);
    }, 1000);
    let sent: Awaited<ReturnType<typeof send>>;
    try {
      sent = await send(
        `${api}/channels/${group.channelId}/messages`,
        group.tokens.slice(0, SENDERS),
      );
    } finally {
      clearInterval(sampler);
    }
    const ids = sent.ids;
    const wall = (performance.now() - t0) / 1000;
    const cpu1 = stackCpu(stack.pid);
    const clientCores = (cpuOf(clients.map((c) => c.pid)) - clientCpu0) / wall;
    const rss = rssKb(stack.pid);
    const pg = postgresMemKb(stack.pid);

    for (const c of clients) await c.send(`END ${JSON.stringify(ids)}`);
    const results = await Promise.all(clients.map((c) => resultOf<MembersResult>(c, 60_000)));
    const sum = (f: (r: MembersResult) => number) => results.reduce((s, r) => s + f(r), 0);
    const frames: Record<string, number> = {};
    for (const r of results) {
      for (const [k, n] of Object.entries(r.frames)) frames[k] = (frames[k] ?? 0) + n;
    }
    const lat = summarize(results.flatMap((r) => r.latencies));
    const members = sum((r) => r.members);
    const missing = sum((r) => r.missing);
    const duplicates = sum((r) => r.duplicates);
    const receipts = sum((r) => r.requests.receipts);
    const gaps = sum((r) => r.requests.gapFetches);
    const seen = sum((r) => r.requests.seen);
    const failed = sum((r) => r.requests.failed);
    const totalFrames = Object.values(frames).reduce((a, b) => a + b, 0);
    const n = ids.length;
    const sendFailures = sent.failures.length;
    const unexpected = sum((r) => r.unexpected);
    const perMsg = (x: number) => (x / n).toFixed(1);
    const perReceived = (receipts + gaps) / (n * members);
    const cores = (a: number, b: number) => ((b - a) / wall).toFixed(2);
    const mb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`;
    const lines = [
      `${members} members online in one channel (${CLIENTS} client processes), ${SENDERS} senders posting ${RATE} msg/s through the API for ${SECONDS} s: ${n} messages`,
      `delivery, POST start -> message.created at each member (${lat.n} deliveries): p50 ${
        lat.p50.toFixed(1)
      } ms  p95 ${lat.p95.toFixed(1)} ms  p99 ${lat.p99.toFixed(1)} ms`,
      missing || duplicates
        ? `DROPPED: ${missing} deliveries missing (${
          sum((r) => r.incomplete)
        } members incomplete), ${duplicates} duplicates`
        : `nothing dropped: each of ${members} members got each of ${n} message.created exactly once`,
      `HTTP requests per message (all members): ${perMsg(receipts + gaps + seen)} (receipts ${
        perMsg(receipts)
      }, gap fetches ${perMsg(gaps)}, /me/seen ${perMsg(seen)}${
        failed ? `; FAILED ${failed}: ${results.find((r) => r.firstError)?.firstError}` : ""
      }), plus the send itself`,
      `  per member per received message, receipts and fetches: ${
        perReceived.toFixed(3)
      } (client goal <= ${GOAL_REQUESTS_PER_RECEIVED}: ${
        perReceived <= GOAL_REQUESTS_PER_RECEIVED ? "met" : "NOT met"
      })`,
      `frames per message (all members): ${perMsg(totalFrames)} (${
        Object.entries(frames).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${perMsg(v)}`)
          .join(", ")
      })`,
      `server CPU over ${wall.toFixed(0)} s, in cores: stack process ${
        cores(cpu0.stack, cpu1.stack)
      }, postgres ${cores(cpu0.postgres, cpu1.postgres)} (the simulated clients: ${
        clientCores.toFixed(2)
      })`,
      `server memory: stack process RSS ${mb(rss)} (peak ${mb(peakRss)}), postgres ${pg.kind} ${
        mb(pg.kb)
      } (peak ${mb(peakPg)})`,
    ];
    if (sendFailures) {
      lines.push(`SENDS FAILED: ${sendFailures} (first: ${sent.failures[0]})`);
    }
    if (unexpected) {
      lines.push(`UNEXPECTED: ${unexpected} deliveries of messages whose send failed`);
    }
    if (missing || duplicates || failed || sendFailures || unexpected) {
      throw new Error(`busy channel: messages dropped or requests failed\n${lines.join("\n")}`);
    }
    return lines;
  } finally {
    for (const c of clients) {
      try {
        c.proc.kill("SIGTERM");
      } catch { /* exited */ }
      await c.proc.status;
    }
  }
}
