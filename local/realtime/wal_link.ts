/**
 * Broadcast from Database off the WAL, as Supabase Realtime reads it: inserts into
 * `realtime.messages` streamed through a temporary logical replication slot on the publication
 * `supabase_realtime_messages_publication` (local/platform/009_realtime_wal.sql), in commit
 * order, whole rows (no read per broadcast, no NOTIFY on the writers' side).
 *
 * The stream is reopened with backoff whenever it is lost (postgres.js' `subscribe`, with the
 * vendored patch that keeps retrying), and `onStream()` says so each time, so the caller can
 * replay what was committed in between (a temporary slot starts at its creation).
 */
import postgres from "postgres";
import { LIMITS } from "./protocol.ts";
import { log } from "./hub.ts";
import type { DbLink } from "./db_link.ts";

export const WAL_PUBLICATION = "supabase_realtime_messages_publication";

/** A `realtime.messages` row as the stream gives it. */
export interface WalRow {
  id: string;
  topic: string;
  event: string | null;
  extension: string;
  payload: Record<string, unknown> | null;
  private: boolean | null;
  /** `timestamp` (UTC): postgres.js reads it as a local wall-clock time. */
  inserted_at: Date | string;
}

/**
 * Microseconds since the epoch of a row's `inserted_at` (a `timestamp` holding UTC). postgres.js
 * reads a `timestamp` as local wall-clock time: its local fields are the UTC ones. Millisecond
 * precision, which is what the replay window needs.
 */
export function walMicros(t: Date | string): bigint | undefined {
  const d = typeof t === "string" ? new Date(t) : t;
  const ms = Date.UTC(
    d.getFullYear(),
    d.getMonth(),
    d.getDate(),
    d.getHours(),
    d.getMinutes(),
    d.getSeconds(),
    d.getMilliseconds(),
  );
  return Number.isFinite(ms) ? BigInt(ms) * 1000n : undefined;
}

/** Does this database publish `realtime.messages` for local Realtime to stream? */
export async function walPublished(sql: postgres.Sql): Promise<boolean> {
  const [row] = await sql<{ ok: boolean }[]>`
    select exists (select 1 from pg_publication where pubname = ${WAL_PUBLICATION})
      and current_setting('wal_level') = 'logical' as ok`;
  return row?.ok === true;
}

/**
 * Streams committed `realtime.messages` inserts to `onRow`, over a replication connection with
 * `sql`'s settings (its role needs REPLICATION). `onStream()` runs each time the stream is
 * (re)established.
 */
export function streamForever(
  sql: postgres.Sql,
  onRow: (row: WalRow) => void,
  onStream: () => void,
): DbLink {
  let client: postgres.Sql | undefined;
  let up = false;
  let stopped = false;
  let delay: number = LIMITS.relistenMinMs;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const subscribed = () => {
    up = true;
    delay = LIMITS.relistenMinMs;
    try {
      onStream();
    } catch (e) {
      log("after the WAL stream opened", e);
    }
  };

  async function open() {
    if (stopped || client) return;
    const c = postgres({
      ...sql.options,
      publications: WAL_PUBLICATION,
      connect_timeout: 5,
      onnotice: () => {},
    } as unknown as postgres.Options<Record<string, never>>);
    client = c;
    try {
      await c.subscribe(
        "insert:realtime.messages",
        (row) => {
          try {
            onRow(row as unknown as WalRow);
          } catch (e) {
            log("a streamed broadcast failed", e);
          }
        },
        subscribed,
        () => {
          up = false;
        },
      );
    } catch {
      // Not streaming yet (the database is away): start over with a fresh client.
      client = undefined;
      up = false;
      c.end({ timeout: 0 }).catch(() => {});
      if (stopped) return;
      timer = setTimeout(open, delay);
      delay = Math.min(delay * 2, LIMITS.relistenMaxMs);
    }
  }
  void open();

  return {
    get up() {
      return up;
    },
    async close() {
      stopped = true;
      clearTimeout(timer);
      const c = client;
      client = undefined;
      up = false;
      await c?.end({ timeout: 1 }).catch(() => {});
    },
  };
}
