/**
 * A closed-loop load generator, run as its own process so that the benchmark's own process is
 * not what limits the rate: `concurrency` workers each repeat one operation back to back for
 * `warmup + seconds`; operations that complete inside the last `seconds` are counted (rate =
 * completions / seconds) and their latencies summarized.
 * Configured by the env variable BENCH_LOAD (JSON, see LoadConfig); prints `RESULT <json>`.
 *   - `post`:   POST /channels/:id/messages through the whole stack (keep-alive HTTP, fetch's
 *               connection pool), worker i as user i;
 *   - `get`:    GET `url` (the HTTP floor);
 *   - `insert`: the same row INSERTed as `postgres` straight into the database, one postgres.js
 *               connection per worker (prepared statement, autocommit, triggers included).
 * With `perSec` the load is paced instead (open loop): the workers together start `perSec`
 * operations a second on a fixed schedule, each worker its share, and a latency runs from
 * when the operation was due, so time spent waiting behind a slow one is counted too (no
 * coordinated omission).
 */
import postgres from "postgres";
import { summarize } from "./_stats.ts";
import { printResult } from "./_procs.ts";

export interface LoadConfig {
  mode: "post" | "get" | "insert";
  concurrency: number;
  seconds: number;
  warmup: number;
  url?: string;
  tokens?: string[];
  dbUrl?: string;
  /** Reach `dbUrl`'s server through this Unix socket, as the stack does. */
  dbSocket?: string;
  channelId?: string;
  senderIds?: string[];
  /** Paced: operations started per second by all workers together (default: back to back). */
  perSec?: number;
}

export interface LoadResult {
  mode: LoadConfig["mode"];
  /** Operations completed inside the measured window. */
  n: number;
  perSec: number;
  p50: number;
  p99: number;
  errors: number;
  firstError?: string;
}

/** Thrown to roll a warm-up transaction back. */
const ROLLBACK = Symbol("rollback");

const content = (w: number, k: number) =>
  `benchmark message ${k} from sender ${w}, a few ordinary words to moderate`;

async function run(cfg: LoadConfig): Promise<LoadResult> {
  // Sequence numbers (k) restart per worker; `run` keeps client_ids unique across runs.
  const ops: ((k: number) => Promise<void>)[] = [];
  const ends: (() => Promise<void>)[] = [];
  for (let w = 0; w < cfg.concurrency; w++) {
    if (cfg.mode === "post") {
      const token = cfg.tokens![w % cfg.tokens!.length]!;
      const run = crypto.randomUUID().slice(0, 8);
      ops.push(async (k) => {
        const res = await fetch(cfg.url!, {
          method: "POST",
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          body: JSON.stringify({ content: content(w, k), client_id: `load-${run}-${w}-${k}` }),
        });
        const text = await res.text();
        if (res.status !== 201) throw new Error(`${res.status} ${text.slice(0, 200)}`);
      });
    } else if (cfg.mode === "get") {
      ops.push(async () => {
        const res = await fetch(cfg.url!);
        const text = await res.text();
        if (res.status !== 200) throw new Error(`${res.status} ${text.slice(0, 200)}`);
      });
    } else {
      const sql = postgres(cfg.dbUrl!, {
        max: 1,
        onnotice: () => {},
        ...(cfg.dbSocket ? { path: cfg.dbSocket } : {}),
      });
      ends.push(() => sql.end());
      const sender = cfg.senderIds![w % cfg.senderIds!.length]!;
      const run = crypto.randomUUID().slice(0, 8);
      const insert = (q: postgres.Sql, k: number, clientId = `bare-${run}-${w}-${k}`) =>
        q`insert into public.messages
            (channel_id, sender_id, content, client_id, mentions, moderation, sentiment)
          values (${cfg.channelId!}, ${sender}, ${content(w, k)}, ${clientId},
            ${[]}::uuid[], 'ok', ${0})`;
      // Connected and warm before the clock starts, as the API's pooled connections are: a new
      // backend's first insert compiles the triggers' functions and fills its caches (tens of
      // ms each, 32 at once), which would otherwise put a paced load a second behind. The row
      // is rolled back.
      await sql.begin(async (tx) => {
        await insert(tx as unknown as postgres.Sql, 0, `bare-${run}-${w}-warm`);
        throw ROLLBACK;
      }).catch((e) => {
        if (e !== ROLLBACK) throw e;
      });
      ops.push((k) => insert(sql, k).then(() => {}));
    }
  }
  const start = performance.now();
  const from = start + cfg.warmup * 1000;
  const until = from + cfg.seconds * 1000;
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  // Paced: worker w's k-th operation is due at start + (k·concurrency + w) / perSec.
  const interval = cfg.perSec ? 1000 / cfg.perSec : 0;
  const dueAt = (w: number, k: number) => start + (k * ops.length + w) * interval;
  await Promise.all(ops.map(async (op, w) => {
    for (let k = 0; performance.now() < until; k++) {
      if (interval) {
        const wait = dueAt(w, k) - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        if (dueAt(w, k) >= until) break;
      }
      const t = interval ? dueAt(w, k) : performance.now();
      try {
        await op(k);
      } catch (e) {
        errors++;
        firstError ??= e instanceof Error ? `${e.message} ${e.cause ?? ""}` : String(e);
        continue;
      }
      const end = performance.now();
      if (end > from && end <= until) latencies.push(end - t);
    }
  }));
  await Promise.all(ends.map((end) => end()));
  const st = summarize(latencies);
  return {
    mode: cfg.mode,
    n: st.n,
    perSec: st.n / cfg.seconds,
    p50: st.p50,
    p99: st.p99,
    errors,
    ...(firstError ? { firstError } : {}),
  };
}

if (import.meta.main) {
  printResult(await run(JSON.parse(Deno.env.get("BENCH_LOAD") ?? "{}") as LoadConfig));
}
