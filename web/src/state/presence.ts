/**
 * Who is online: presence on the private `online` topic, keyed by user id (every active user
 * reads and tracks there). Someone who leaves was last seen now, which the list, the DM
 * header and the members panel show without asking the server (`left`), to the second, where
 * the server's `last_seen_at` is written only every half minute.
 */
import { signal } from "@preact/signals";
import type { ConnectionState } from "./connection.ts";
import type { Realtime } from "./realtime.ts";

export interface PresenceDeps {
  realtime: Realtime;
  connection: ConnectionState;
  myId: string;
  now: () => number;
  /** People who just went offline, and when. */
  onLeft?: (ids: string[], at: string) => void;
}

export function createPresence({ realtime, connection, myId, now, onLeft }: PresenceDeps) {
  const online = signal<ReadonlySet<string>>(new Set());
  /** When people went offline while this client watched (ISO times, by user id). */
  const left = signal<ReadonlyMap<string, string>>(new Map());
  const topic = realtime.join("online", {
    presenceKey: myId,
    onPresenceSync: () => {
      const next = new Set(topic.presenceKeys());
      const gone = [...online.value].filter((id) => !next.has(id));
      online.value = next;
      if (gone.length) {
        const at = new Date(now()).toISOString();
        const seen = new Map(left.value);
        for (const id of gone) seen.set(id, at);
        left.value = seen;
        onLeft?.(gone, at);
      }
    },
    onStatus: (s) => {
      connection.report("online", s);
      if (s === "SUBSCRIBED") {
        topic.track({ online_at: new Date(now()).toISOString() }).catch(() => {
          // tracked again on the next join
        });
      }
    },
  });

  /** The network went: presence is unknown until the next sync. */
  function unknown() {
    online.value = new Set();
  }

  return { online, left, unknown, dispose: () => topic.leave() };
}

export type Presence = ReturnType<typeof createPresence>;

/** The latest of some times (ISO strings in any of the forms the API writes), or null. */
export function latestOf(times: readonly (string | null | undefined)[]): string | null {
  let latest: string | null = null;
  for (const at of times) {
    if (at && (!latest || Date.parse(at) > Date.parse(latest))) latest = at;
  }
  return latest;
}
