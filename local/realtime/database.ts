/**
 * Broadcast from Database. Where the database publishes `realtime.messages` (wal_link.ts), each
 * committed row arrives whole off the WAL, in commit order (`onRow`). Elsewhere the platform
 * layer's trigger NOTIFYs each committed `realtime.messages` broadcast row (id, insertion time in microseconds, topic); the row is read
 * by id (payloads are not bound by NOTIFY's 8 KB) only when this node has subscribers to its
 * topic, and fanned out in the order the notices came (commit order). Notices that arrive while
 * rows are being read are read together by the next query, one query per batch rather than
 * one per row, so a busy database costs a round trip per batch.
 *
 * NOTIFYs sent while the LISTEN connection was down are lost, so after each reconnection the
 * rows inserted since shortly before the last one delivered are read again and whatever was not
 * delivered yet (ids of delivered rows are remembered, a bounded set) is replayed in order, with
 * `meta.replayed: true` as Supabase marks replayed messages. When more than
 * LIMITS.replayMaxRows were missed, each subscriber of an affected topic is told to catch up
 * instead (hub.catchUp: a system error message, then phx_error).
 */
import type postgres from "postgres";
import { isObject, LIMITS } from "./protocol.ts";
import { type Hub, log } from "./hub.ts";
import { walMicros, type WalRow } from "./wal_link.ts";

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
  /** The row itself, when the notice carries it (a small payload): nothing to read. */
  row?: Row;
  /** When it reached Realtime (performance.now()), for the fan-out latency. */
  at: number;
}

const MICROS = 1000n;

/**
 * The trigger's `{"id","us","topic"?}` (local/platform/007_realtime_notify_topic.sql); a notice
 * that also carries `event`, `private` and `payload` (a trigger may send them when they fit in
 * NOTIFY's 8 KB) is delivered as it is, without reading the row.
 */
function parseNote(text: string): Note | undefined {
  try {
    const v = JSON.parse(text) as Record<string, unknown>;
    if (typeof v.id !== "string") return undefined;
    const us = typeof v.us === "string" && /^\d+$/.test(v.us) ? v.us : undefined;
    const topic = typeof v.topic === "string" ? v.topic : undefined;
    const whole = us !== undefined && topic !== undefined && typeof v.event === "string" &&
      typeof v.private === "boolean" && isObject(v.payload);
    return {
      id: v.id,
      at: performance.now(),
      ...(us !== undefined ? { us: BigInt(us) } : {}),
      ...(topic !== undefined ? { topic } : {}),
      ...(whole
        ? {
          row: {
            id: v.id,
            topic: topic!,
            event: v.event as string,
            payload: v.payload as Record<string, unknown>,
            private: v.private as boolean,
            us: us!,
          },
        }
        : {}),
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

  function deliver(row: Row, replayed: boolean, receivedAt?: number) {
    remember(row.id, BigInt(row.us));
    hub.fanout(`realtime:${row.topic}`, row.private, {
      type: "broadcast",
      event: row.event,
      payload: row.payload,
      meta: replayed ? { id: row.id, replayed: true } : { id: row.id },
    });
    if (receivedAt !== undefined) hub.stats.observeFanout((performance.now() - receivedAt) / 1000);
    afterDelivery?.(row);
  }

  const columns = () =>
    sql`id::text, topic, event, payload, private,
    (extract(epoch from inserted_at) * 1000000)::bigint::text as us`;

  /** Notices not handled yet, in arrival order; a drain is queued whenever this is not empty. */
  let pending: Note[] = [];

  function onNotify(text: string) {
    const note = parseNote(text);
    if (!note || delivered.has(note.id)) return;
    pending.push(note);
    if (pending.length === 1) enqueue(drain);
  }

  /**
   * Delivers every pending notice, in order: the rows with subscribers here that the notices do
   * not carry are read by one query.
   */
  async function drain() {
    const notes = pending.length > LIMITS.dbReadBatch
      ? pending.splice(0, LIMITS.dbReadBatch)
      : pending;
    if (notes === pending) pending = [];
    else enqueue(drain); // the rest next, in order
    const wanted: Note[] = [];
    const toRead: string[] = [];
    for (const note of notes) {
      if (delivered.has(note.id)) continue;
      // Nobody here listens to that topic: no need to read the row.
      if (
        note.topic !== undefined && note.us !== undefined &&
        !hub.topics.has(`realtime:${note.topic}`)
      ) {
        remember(note.id, note.us);
        continue;
      }
      wanted.push(note);
      if (!note.row) toRead.push(note.id);
    }
    const read = new Map<string, Row>();
    if (toRead.length === 1) {
      const [row] = await sql<Row[]>`
        select ${columns()} from realtime.messages where id = ${toRead[0]!}::uuid limit 1`;
      if (row) read.set(row.id, row);
    } else if (toRead.length > 1) {
      const rows = await sql<Row[]>`
        select ${columns()} from realtime.messages where id = any(${toRead}::uuid[])`;
      for (const row of rows) read.set(row.id, row);
    }
    for (const note of wanted) {
      const row = note.row ?? read.get(note.id);
      if (row && !delivered.has(row.id)) deliver(row, false, note.at);
    }
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

  /** A row streamed off the WAL (wal_link.ts): it carries itself, nothing to read. */
  function onRow(r: WalRow) {
    if (r.extension !== "broadcast" || delivered.has(r.id)) return;
    const us = walMicros(r.inserted_at);
    if (us === undefined) return;
    const row: Row = {
      id: r.id,
      topic: r.topic,
      event: r.event ?? "",
      payload: isObject(r.payload) ? r.payload as Record<string, unknown> : {},
      private: r.private === true,
      us: us.toString(),
    };
    pending.push({ id: r.id, us, topic: r.topic, row, at: performance.now() });
    if (pending.length === 1) enqueue(drain);
  }

  return {
    onNotify,
    onRow,
    onListen,
    /** Resolves when every queued delivery is done (tests, shutdown). */
    settled: () => chain,
  };
}
