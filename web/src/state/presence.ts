/**
 * Who is online: presence on the private `online` topic, keyed by user id (every active user
 * reads and tracks there). Someone who leaves was last seen now, which the list and the DM
 * header show without asking the server.
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
  const topic = realtime.join("online", {
    presenceKey: myId,
    onPresenceSync: () => {
      const next = new Set(topic.presenceKeys());
      const gone = [...online.value].filter((id) => !next.has(id));
      online.value = next;
      if (gone.length) onLeft?.(gone, new Date(now()).toISOString());
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

  return { online, unknown, dispose: () => topic.leave() };
}

export type Presence = ReturnType<typeof createPresence>;
