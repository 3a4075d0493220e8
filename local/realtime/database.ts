/**
 * Broadcast from Database: the platform layer's trigger NOTIFYs each committed
 * `realtime.messages` broadcast row (id, insertion time in microseconds, topic); the row is read
 * by id (payloads are not bound by NOTIFY's 8 KB) only when this node has subscribers to its
 * topic, and fanned out in order.
 *
 * NOTIFYs sent while the LISTEN connection was down are lost, so after each reconnection the
 * rows inserted since shortly before the last one delivered are read again and whatever was not
 * delivered yet (ids of delivered rows are remembered, a bounded set) is replayed in order, with
 * `meta.replayed: true` as Supabase marks replayed messages. When more than
 * LIMITS.replayMaxRows were missed, each subscriber of an affected topic is told to catch up
 * instead (hub.catchUp: a system error message, then phx_error).
 */
import type postgres from "postgres";
import { LIMITS } from "./protocol.ts";
import { type Hub, log } from "./hub.ts";

interface Row {
  id: string;
  topic: string;
  event: string;
  payload: Record<string, unknown>;
  private: boolean;
  us: string;
}

/** A database broadcast, for deciding whether subscriptions must be authorized again. */
export interface DbMessage {
  topic: string;
  event: string;
  payload: Record<string, unknown>;
}

export interface DbBroadcastDeps {
  sql: postgres.Sql;
  hub: Hub;
  /** Called after each delivered row (e.g. to re-check who may still read its topic). */
  afterDelivery?: (m: DbMessage & { private: boolean }) => void;
}

interface Note {
  id: string;
  us?: bigint;
  topic?: string;
}

const MICROS = 1000n;

/** The trigger's `{"id","us","topic"?}` (local/platform/007_realtime_notify_topic.sql). */
function parseNote(text: string): Note | undefined {
  try {
    const v = JSON.parse(text) as { id?: unknown; us?: unknown; topic?: unknown };
    if (typeof v.id !== "string") return undefined;
    return {
      id: v.id,
      ...(typeof v.us === "string" && /^\d+$/.test(v.us) ? { us: BigInt(v.us) } : {}),
      ...(typeof v.topic === "string" ? { topic: v.topic } : {}),
    };
  } catch {
    return undefined;
  }
}

export function createDbBroadcasts({ sql, hub, afterDelivery }: DbBroadcastDeps) {
  /** id → insertion time (µs) of delivered (or deliberately skipped) rows, oldest first. */
  const delivered = new Map<string, bigint>();
  let lastUs = 0n;
  let newestEvictedUs = 0n;
  let listenedAtUs = 0n;
  let chain = Promise.resolve();
  const enqueue = (fn: () => Promise<void>) => {
    chain = chain.then(fn).catch((e) => log("broadcast from database failed", e));
  };

  function remember(id: string, us: bigint) {
    delivered.set(id, us);
    if (us > lastUs) lastUs = us;
    while (delivered.size > LIMITS.replayDedupeIds) {
      const [oldId, oldUs] = delivered.entries().next().value!;
      delivered.delete(oldId);
      if (oldUs > newestEvictedUs) newestEvictedUs = oldUs;
    }
  }

  function deliver(row: Row, replayed: boolean) {
    remember(row.id, BigInt(row.us));
    hub.fanout(`realtime:${row.topic}`, row.private, {
      type: "broadcast",
      event: row.event,
      payload: row.payload,
      meta: replayed ? { id: row.id, replayed: true } : { id: row.id },
    });
    afterDelivery?.(row);
  }

  const columns = () =>
    sql`id::text, topic, event, payload, private,
    (extract(epoch from inserted_at) * 1000000)::bigint::text as us`;

  function onNotify(text: string) {
    const note = parseNote(text);
    if (!note || delivered.has(note.id)) return;
    // Nobody here listens to that topic: no need to read the row.
    if (
      note.topic !== undefined && note.us !== undefined && !hub.topics.has(`realtime:${note.topic}`)
    ) {
      enqueue(() => Promise.resolve(remember(note.id, note.us!)));
      return;
    }
    enqueue(async () => {
      if (delivered.has(note.id)) return;
      const [row] = await sql<Row[]>`
        select ${columns()} from realtime.messages where id = ${note.id}::uuid limit 1`;
      if (row) deliver(row, false);
    });
  }

  async function replay() {
    const margin = BigInt(LIMITS.replayMarginMs) * MICROS;
    let lower = lastUs - margin;
    if (listenedAtUs > lower) lower = listenedAtUs;
    if (newestEvictedUs > lower) lower = newestEvictedUs;
    const cap = LIMITS.replayDedupeIds + LIMITS.replayMaxRows + 1;
    const seen = await sql<{ id: string; topic: string; us: string }[]>`
      select id::text, topic, (extract(epoch from inserted_at) * 1000000)::bigint::text as us
      from realtime.messages
      where extension = 'broadcast'
        and inserted_at > timestamp 'epoch' + ${lower.toString()}::bigint * interval '1 microsecond'
      order by local_seq
      limit ${cap}`;
    const missed = seen.filter((r) => !delivered.has(r.id));
    if (missed.length === 0) return;
    if (missed.length > LIMITS.replayMaxRows || seen.length === cap) {
      const affected = seen.length === cap
        ? new Set(hub.topics.keys())
        : new Set(missed.map((r) => `realtime:${r.topic}`));
      for (const r of missed) remember(r.id, BigInt(r.us));
      for (const topic of affected) for (const sub of hub.subscribers(topic)) hub.catchUp(sub);
      log(`${missed.length} database broadcasts missed: ${affected.size} topics told to catch up`);
      return;
    }
    const wanted = missed.filter((r) => hub.topics.has(`realtime:${r.topic}`));
    const unheard = missed.filter((r) => !hub.topics.has(`realtime:${r.topic}`));
    for (const r of unheard) remember(r.id, BigInt(r.us));
    if (wanted.length === 0) return;
    const rows = await sql<Row[]>`
      select ${columns()} from realtime.messages
      where id = any(${wanted.map((r) => r.id)}::uuid[])
      order by local_seq`;
    for (const row of rows) if (!delivered.has(row.id)) deliver(row, true);
  }

  function onListen(first: boolean) {
    enqueue(async () => {
      if (first) {
        const [r] = await sql<{ us: string }[]>`
          select (extract(epoch from localtimestamp) * 1000000)::bigint::text as us`;
        listenedAtUs = BigInt(r!.us);
        return;
      }
      if (listenedAtUs === 0n && lastUs === 0n) {
        // The first start time could not be read: nothing tells where a gap began.
        return onListen(true);
      }
      await replay();
    });
  }

  return {
    onNotify,
    onListen,
    /** Resolves when every queued delivery is done (tests, shutdown). */
    settled: () => chain,
  };
}
