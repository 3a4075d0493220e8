/**
 * Realtime's LISTEN connection to Postgres, kept alive for as long as Realtime runs. postgres.js'
 * own `sql.listen` re-listens after a dropped connection, but gives up for good when Postgres
 * stays unreachable past its connect timeout (measured: a 40 s outage ends delivery until a
 * restart). Here a dedicated connection is reopened with backoff until it listens again, and
 * `onListen` says so each time, so the caller can replay what was missed in between.
 */
import postgres from "postgres";
import { LIMITS } from "./protocol.ts";
import { log } from "./hub.ts";

export interface DbLink {
  /** True while LISTEN is in effect. */
  readonly up: boolean;
  close(): Promise<void>;
}

/**
 * Listens on `channels` (name → handler) over a connection with `sql`'s settings.
 * `onListen(first)` runs after each successful LISTEN (`first` only the very first time).
 */
export function listenForever(
  sql: postgres.Sql,
  channels: Record<string, (payload: string) => void>,
  onListen: (first: boolean) => void,
): DbLink {
  let conn: postgres.Sql | undefined;
  let up = false;
  let stopped = false;
  let first = true;
  let delay: number = LIMITS.relistenMinMs;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const lost = (c: postgres.Sql) => {
    if (c !== conn) return; // an older connection, already replaced
    conn = undefined;
    up = false;
    c.end({ timeout: 0 }).catch(() => {});
    if (stopped) return;
    timer = setTimeout(open, delay);
    delay = Math.min(delay * 2, LIMITS.relistenMaxMs);
  };

  async function open() {
    if (stopped || conn) return;
    // `onnotify` is the option postgres.js' own listen uses; it is not in its public types.
    const options = {
      ...sql.options,
      max: 1,
      idle_timeout: null,
      max_lifetime: null,
      fetch_types: false,
      connect_timeout: 5,
      onnotice: () => {},
      onnotify: (channel: string, payload: string) => {
        try {
          channels[channel]?.(payload);
        } catch (e) {
          log(`notification on ${channel} failed`, e);
        }
      },
      onclose: () => lost(c),
    };
    const c: postgres.Sql = postgres(options as unknown as postgres.Options<Record<string, never>>);
    conn = c;
    try {
      for (const name of Object.keys(channels)) {
        await c.unsafe(`listen "${name.replaceAll('"', '""')}"`);
      }
    } catch {
      return lost(c);
    }
    if (c !== conn) return;
    up = true;
    delay = LIMITS.relistenMinMs;
    const wasFirst = first;
    first = false;
    try {
      onListen(wasFirst);
    } catch (e) {
      log("after listen", e);
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
      const c = conn;
      conn = undefined;
      up = false;
      await c?.end({ timeout: 1 }).catch(() => {});
    },
  };
}
