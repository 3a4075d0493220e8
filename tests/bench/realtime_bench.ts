/**
 * Realtime under load, side by side with a plain WebSocket relay (the floor), both in their
 * own processes on this machine:
 *   - memory per idle connection: N sockets each joined to a channel (RSS before and after);
 *   - fan-out: one broadcast to 1,000 subscribers, delivery latency p50/p99 over all deliveries.
 * BENCH_RT_CONNECTIONS (default 1000) and BENCH_RT_ROUNDS (default 20) scale it.
 */
import { join } from "node:path";
import { readFileSync } from "node:fs";
import { ROOT } from "../../local/paths.ts";
import { DEFAULT_JWT_SECRET, signApiKey } from "../../local/keys.ts";
import { freePort } from "../_helpers/ports.ts";
import { summarize } from "./_stats.ts";

const N = Number(Deno.env.get("BENCH_RT_CONNECTIONS") ?? 1000);
const ROUNDS = Number(Deno.env.get("BENCH_RT_ROUNDS") ?? 20);

function rssKb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) : NaN;
}

async function spawnReady(args: string[], env: Record<string, string>) {
  const child = new Deno.Command(Deno.execPath(), {
    args,
    env,
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
  }).spawn();
  let out = "";
  const ready = Promise.withResolvers<string>();
  (async () => {
    for await (const chunk of child.stdout) {
      out += new TextDecoder().decode(chunk);
      const m = /READY (\S+)/.exec(out);
      if (m) ready.resolve(m[1]!);
    }
  })();
  let err = "";
  (async () => {
    for await (const chunk of child.stderr) err += new TextDecoder().decode(chunk);
  })();
  child.status.then((s) => ready.reject(new Error(`exited with ${s.code}:\n${out}\n${err}`)));
  const t = setTimeout(() => ready.reject(new Error(`not ready:\n${out}\n${err}`)), 60_000);
  const addr = await ready.promise.finally(() => clearTimeout(t));
  return { child, addr };
}

/** The process that serves: start.ts and the floor run in the child itself. */
const pidOf = (child: Deno.ChildProcess) => child.pid;

async function openAll(
  url: string,
  join: (ws: WebSocket, i: number) => void,
  isJoined: (data: string) => boolean,
) {
  const sockets: WebSocket[] = [];
  const batch = 100;
  for (let i = 0; i < N; i += batch) {
    await Promise.all(
      Array.from(
        { length: Math.min(batch, N - i) },
        (_, k) =>
          new Promise<void>((resolve, reject) => {
            const ws = new WebSocket(url);
            sockets.push(ws);
            ws.onerror = () => reject(new Error("socket error"));
            ws.onopen = () => {
              join(ws, i + k);
              if (!isJoined("")) {
                resolve();
              }
            };
            ws.onmessage = (e) => {
              if (isJoined(String(e.data))) resolve();
            };
          }),
      ),
    );
  }
  return sockets;
}

async function fanout(
  sockets: WebSocket[],
  send: (round: number) => void,
  roundOf: (data: string) => number | undefined,
) {
  const latencies: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    let got = 0;
    const done = Promise.withResolvers<void>();
    const started = performance.now();
    for (const ws of sockets) {
      ws.onmessage = (e) => {
        if (roundOf(String(e.data)) !== round) return;
        latencies.push(performance.now() - started);
        if (++got === sockets.length) done.resolve();
      };
    }
    send(round);
    const t = setTimeout(
      () => done.reject(new Error(`round ${round}: ${got}/${sockets.length} delivered`)),
      10_000,
    );
    await done.promise.finally(() => clearTimeout(t));
  }
  return summarize(latencies);
}

const fmt = (n: number) => n.toFixed(2).padStart(8);

export default async function bench(): Promise<string[]> {
  const lines: string[] = [];
  const dataDir = await Deno.makeTempDir({ dir: join(ROOT, ".local"), prefix: "bench-rt-" });
  await Deno.chmod(dataDir, 0o755); // Postgres (user postgres) must be able to enter it
  const anon = await signApiKey("anon", DEFAULT_JWT_SECRET);

  // The local stack (own Postgres), and the floor.
  const stack = await spawnReady(["run", "-A", join(ROOT, "local/start.ts")], {
    LOCAL_DATA_DIR: dataDir,
    LOCAL_API_PORT: String(freePort()),
    LOCAL_DB_PORT: String(freePort()),
  });
  const floor = await spawnReady(["run", "-A", join(ROOT, "tests/bench/_ws_floor.ts")], {});
  try {
    // --- Realtime
    const rtUrl = `${
      stack.addr.replace("http", "ws")
    }/realtime/v1/websocket?apikey=${anon}&vsn=2.0.0`;
    const before = rssKb(pidOf(stack.child));
    let joined = 0;
    const rt = await openAll(
      rtUrl,
      (ws, i) =>
        ws.send(
          JSON.stringify([`${i}`, `${i}`, "realtime:bench", "phx_join", {
            config: { broadcast: { self: false } },
          }]),
        ),
      (d) => {
        if (d.includes('"phx_reply"') && d.includes('"ok"')) {
          joined++;
          return true;
        }
        return false;
      },
    );
    await new Promise((r) => setTimeout(r, 500));
    const after = rssKb(pidOf(stack.child));
    const publisher = new WebSocket(rtUrl);
    await new Promise((r) => (publisher.onopen = r));
    publisher.send(JSON.stringify(["p", "p", "realtime:bench", "phx_join", { config: {} }]));
    await new Promise((r) => setTimeout(r, 200));
    const rtStats = await fanout(
      rt,
      (round) =>
        publisher.send(
          JSON.stringify(["p", `r${round}`, "realtime:bench", "broadcast", {
            type: "broadcast",
            event: "tick",
            payload: { round },
          }]),
        ),
      (d) => {
        const m = /"round":(\d+)/.exec(d);
        return m ? Number(m[1]) : undefined;
      },
    );

    // --- Floor
    const floorUrl = `ws://127.0.0.1:${floor.addr}`;
    const fBefore = rssKb(pidOf(floor.child));
    const fl = await openAll(floorUrl, () => {}, () => false);
    await new Promise((r) => setTimeout(r, 500));
    const fAfter = rssKb(pidOf(floor.child));
    const fPub = new WebSocket(floorUrl);
    await new Promise((r) => (fPub.onopen = r));
    const flStats = await fanout(fl, (round) => fPub.send(JSON.stringify({ round })), (d) => {
      const m = /"round":(\d+)/.exec(d);
      return m ? Number(m[1]) : undefined;
    });

    lines.push(
      `${N} connections, ${ROUNDS} broadcasts each delivered to all of them (joined: ${joined})`,
    );
    lines.push(
      `memory per idle connection: realtime ${
        ((after - before) / N).toFixed(1)
      } KB, plain ws relay ${((fAfter - fBefore) / N).toFixed(1)} KB (RSS growth / N)`,
    );
    lines.push(
      `fan-out latency   plain ws relay (floor): p50 ${fmt(flStats.p50)} ms  p99 ${
        fmt(flStats.p99)
      } ms`,
    );
    lines.push(
      `fan-out latency   local Realtime:         p50 ${fmt(rtStats.p50)} ms  p99 ${
        fmt(rtStats.p99)
      } ms  (${(rtStats.p50 / flStats.p50).toFixed(1)}x the floor at p50)`,
    );
    for (const ws of [...rt, publisher, ...fl, fPub]) ws.close();
  } finally {
    stack.child.kill("SIGINT");
    floor.child.kill("SIGTERM");
    await stack.child.status;
    await floor.child.status;
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  }
  return lines;
}
