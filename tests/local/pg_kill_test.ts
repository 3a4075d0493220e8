/**
 * Fault tests on a real `deno task start`, under concurrent sends from four people:
 *
 * - Postgres SIGKILLed: every acknowledged message (201 or 200) is in the table afterwards; while
 *   the database is gone sends are answered 503 `dependency_down` within 2 s; the stack restarts
 *   Postgres by itself (crash recovery) and sends succeed again. The time from the kill to the
 *   first successful send is printed.
 * - Postgres hung (every one of its processes SIGSTOPped for 3 s): sends are answered 503 within
 *   2 s, and none of them commits when the server resumes (nothing queued runs later).
 *
 * In both, a send answered 503 never commits after its answer: its row, if any, is older.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import postgres from "postgres";
import { createClient } from "@supabase/supabase-js";
import { processAlive, readPostmasterPid } from "../../local/db/cluster.ts";
import { newDataDir, type Running, start, stopWith } from "../_helpers/start_process.ts";

const SENDERS_PER_USER = 3;
/** How much longer the load waits for the first success after a fault (see underLoad). */
const RECOVERY_WAIT_MS = 20_000;
const USERS = ["alice", "bob", "carol", "dave"];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Outcome {
  clientId: string;
  status: number;
  code?: string;
  id?: number;
  sentAt: number;
  answeredAt: number;
}

interface Sender {
  token: string;
  channelId: string;
}

async function signIn(r: Running, api: string): Promise<Sender[]> {
  const anonKey = /anon key: (\S+)/.exec(r.output())![1]!;
  return await Promise.all(USERS.map(async (name) => {
    const supabase = createClient(r.url, anonKey, { auth: { persistSession: false } });
    const { data, error } = await supabase.auth.signInWithPassword({
      email: `${name}@example.com`,
      password: "chat-demo-2024",
    });
    assert.ifError(error);
    const token = data.session!.access_token;
    const res = await fetch(`${api}/channels`, { headers: { authorization: `Bearer ${token}` } });
    const { channels } = await res.json() as { channels: { id: string }[] };
    return { token, channelId: channels[0]!.id };
  }));
}

/** Sends from every person at once while `fault` runs, and for `afterMs` after it. */
async function underLoad(
  api: string,
  people: Sender[],
  fault: () => Promise<number>,
  afterMs: number,
) {
  const outcomes: Outcome[] = [];
  let sending = true;
  const send = async (who: Sender, n: number) => {
    for (let i = 0; sending; i++) {
      const clientId = crypto.randomUUID();
      const sentAt = Date.now();
      try {
        const res = await fetch(`${api}/channels/${who.channelId}/messages`, {
          method: "POST",
          headers: { authorization: `Bearer ${who.token}`, "content-type": "application/json" },
          body: JSON.stringify({ content: `fault test ${n}.${i}`, client_id: clientId }),
          signal: AbortSignal.timeout(10_000),
        });
        const body = await res.json();
        outcomes.push({
          clientId,
          status: res.status,
          code: body?.error?.code,
          id: body?.message?.id,
          sentAt,
          answeredAt: Date.now(),
        });
        if (res.status >= 500) await sleep(50); // a client backs off a little
      } catch (e) {
        outcomes.push({ clientId, status: 0, code: String(e), sentAt, answeredAt: Date.now() });
      }
    }
  };
  const senders = people.flatMap((p, u) =>
    Array.from({ length: SENDERS_PER_USER }, (_, k) => send(p, u * 10 + k))
  );
  await sleep(1000);
  const faultAt = await fault();
  await sleep(afterMs);
  // On a loaded machine crash recovery can outlast `afterMs`: the load goes on until a send
  // succeeds again, for at most RECOVERY_WAIT_MS more (the test then reports what it saw).
  const until = Date.now() + RECOVERY_WAIT_MS;
  while (
    Date.now() < until &&
    !outcomes.some((o) => o.sentAt >= faultAt && (o.status === 200 || o.status === 201))
  ) await sleep(100);
  sending = false;
  await Promise.all(senders);
  return { outcomes, faultAt };
}

/** What the table holds for these sends, by client id. */
async function storedRows(db: postgres.Sql, outcomes: Outcome[]) {
  const rows = await db<{ client_id: string; id: string; created_at: Date }[]>`
    select client_id::text, id::text, created_at from public.messages
    where client_id::text = any(${outcomes.map((o) => o.clientId)}::text[])`;
  return new Map(rows.map((r) => [r.client_id, r]));
}

/** The common verdict: only 2xx and fast 503s, nothing acknowledged lost, nothing late. */
async function judge(db: postgres.Sql, outcomes: Outcome[]) {
  const acked = outcomes.filter((o) => o.status === 200 || o.status === 201);
  const refused = outcomes.filter((o) => o.status === 503);
  const others = outcomes.filter((o) => ![200, 201, 503].includes(o.status));
  assert.deepEqual(
    others.map((o) => `${o.status} ${o.code} after ${o.answeredAt - o.sentAt} ms`),
    [],
    "only 2xx and 503 answers",
  );
  for (const o of refused) {
    assert.equal(o.code, "dependency_down");
    assert.ok(
      o.answeredAt - o.sentAt < 2000,
      `503 within 2 s (took ${o.answeredAt - o.sentAt} ms)`,
    );
  }
  const stored = await storedRows(db, outcomes);
  const lost = acked.filter((o) => String(stored.get(o.clientId)?.id) !== String(o.id));
  assert.deepEqual(lost, [], "every acknowledged message is stored, with the id it was answered");
  const late = refused.filter((o) => {
    const row = stored.get(o.clientId);
    return row && row.created_at.getTime() > o.answeredAt + 50;
  });
  assert.deepEqual(late, [], "nothing answered 503 ran after its answer");
  const slowest = Math.max(0, ...refused.map((o) => o.answeredAt - o.sentAt));
  return { acked: acked.length, refused: refused.length, slowest };
}

/** "201 ×120, 503 dependency_down ×8, …" in the order they first came. */
function tally(outcomes: Outcome[]): string {
  const counts = new Map<string, number>();
  for (const o of outcomes) {
    const key = `${o.status}${o.code ? ` ${o.code}` : ""}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => `${k} ×${n}`).join(", ") || "no answers";
}

/** The postmaster's children (backends, checkpointer, …), from /proc. */
function childrenOf(pid: number): number[] {
  const kids: number[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const ppid = /PPid:\s+(\d+)/.exec(readFileSync(`/proc/${entry.name}/status`, "utf8"))?.[1];
      if (Number(ppid) === pid) kids.push(Number(entry.name));
    } catch { /* gone meanwhile */ }
  }
  return kids;
}

Deno.test("Postgres killed or hung under concurrent sends: no acknowledged message lost, 503 within 2 s, back by itself", async (t) => {
  const dataDir = newDataDir();
  const pgDir = join(dataDir, "db");
  const r = await start(dataDir, false, { API_RATE_LIMITS: "off" });
  let db: postgres.Sql | undefined;
  try {
    const api = `${r.url}/functions/v1/api`;
    const people = await signIn(r, api);
    db = postgres(/DB URL: (\S+)/.exec(r.output())![1]!, { max: 1, onnotice: () => {} });

    const killed = await t.step(
      "SIGKILL: restarted with crash recovery, zero acknowledged messages lost",
      async () => {
        const pgPid = readPostmasterPid(pgDir)!;
        const { outcomes, faultAt } = await underLoad(api, people, () => {
          Deno.kill(pgPid, "SIGKILL");
          return Promise.resolve(Date.now());
        }, 4000);
        const firstOk = outcomes.find((o) => o.sentAt >= faultAt && o.status === 201);
        assert.ok(
          firstOk,
          `sends succeed again after the kill, with no one restarting anything; after it: ${
            tally(outcomes.filter((o) => o.sentAt >= faultAt))
          }`,
        );
        assert.ok(!processAlive(pgPid), "the killed postmaster is gone");
        const newPid = readPostmasterPid(pgDir);
        assert.ok(newPid && newPid !== pgPid && processAlive(newPid), "a new postmaster runs");
        assert.match(r.output(), /Postgres died \(SIGKILL\); restarting/);
        const v = await judge(db!, outcomes);
        console.log(
          `pg SIGKILL: ${v.acked} acknowledged, 0 lost; ${v.refused} answered 503 (slowest ` +
            `${v.slowest} ms); first successful send ${
              firstOk.answeredAt - faultAt
            } ms after the kill`,
        );
      },
    );

    const hung = await t.step(
      "SIGSTOP for 3 s: 503 within 2 s, and nothing queued commits on SIGCONT",
      async () => {
        const pgPid = readPostmasterPid(pgDir)!;
        const frozen = [pgPid, ...childrenOf(pgPid)];
        // A backend may end between the listing and the signal: skip it, never stop half-way
        // (a Postgres left stopped would hang the rest of the test).
        const signal = (sig: Deno.Signal) => {
          for (const pid of frozen) {
            try {
              Deno.kill(pid, sig);
            } catch { /* already gone */ }
          }
        };
        const { outcomes, faultAt } = await underLoad(api, people, async () => {
          const at = Date.now();
          try {
            signal("SIGSTOP");
            await sleep(3000);
          } finally {
            signal("SIGCONT");
          }
          return at;
        }, 2500);
        const during = outcomes.filter((o) => o.sentAt >= faultAt && o.sentAt < faultAt + 2500);
        assert.ok(during.length > 0 && during.every((o) => o.status === 503), "refused while hung");
        const v = await judge(db!, outcomes);
        const firstOk = outcomes.find((o) => o.sentAt >= faultAt + 3000 && o.status === 201);
        assert.ok(firstOk, "sends succeed again once the server resumes");
        console.log(
          `pg SIGSTOP 3 s: ${v.acked} acknowledged, 0 lost; ${v.refused} answered 503 (slowest ` +
            `${v.slowest} ms); first successful send ${
              firstOk.answeredAt - faultAt - 3000
            } ms after SIGCONT`,
        );
      },
    );

    if (!killed || !hung) throw new Error("a step failed");
    const pgPid = readPostmasterPid(pgDir)!;
    assert.equal(await stopWith(r, "SIGINT"), 0);
    assert.ok(!processAlive(pgPid), "Postgres stopped with the stack");
  } catch (e) {
    // The stack's own account of what happened, without the request log.
    // Requests that took over 2 s are kept: they are what a hang looks like.
    const slow = (l: string) => Number(/"duration_ms":([\d.]+)/.exec(l)?.[1] ?? 0) > 2000;
    const lines = r.output().split("\n").filter((l) => !l.includes('"msg":"request"') || slow(l));
    console.error(lines.slice(-40).join("\n"));
    throw e;
  } finally {
    await db?.end();
    try {
      r.child.kill("SIGKILL");
    } catch { /* already stopped */ }
    await r.child.status;
    const pid = readPostmasterPid(pgDir);
    if (pid && processAlive(pid)) Deno.kill(pid, "SIGKILL");
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  }
});
