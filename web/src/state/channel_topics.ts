/**
 * One private subscription per channel on `channel:<id>` (the most recent channels and the
 * open one): events go to `onEvent`; each topic's joins are reported (a rejoin after a drop is
 * when the client fetches what it missed). Nothing is ever sent on these topics.
 */
import type { ConnectionState, Joining } from "./connection.ts";
import type { Joined, Realtime } from "./realtime.ts";

/** Channels kept live at once (besides the open one). */
export const LIVE_CHANNELS = 100;

export interface ChannelTopicsDeps {
  realtime: Realtime;
  connection: ConnectionState;
  onEvent: (channelId: string, event: string, payload: Record<string, unknown>) => void;
  onJoined: (channelId: string, joining: Exclude<Joining, null>) => void;
}

export function createChannelTopics(
  { realtime, connection, onEvent, onJoined }: ChannelTopicsDeps,
) {
  const subs = new Map<string, Joined>();

  function join(id: string) {
    const key = `channel:${id}`;
    subs.set(
      id,
      realtime.join(key, {
        onBroadcast: (event, payload) => onEvent(id, event, payload),
        onStatus: (s) => {
          const joining = connection.report(key, s);
          if (joining) onJoined(id, joining);
        },
      }),
    );
  }

  /** Keeps exactly these channels live. */
  function sync(ids: Iterable<string>) {
    const want = new Set(ids);
    for (const [id, sub] of subs) {
      if (!want.has(id)) {
        sub.leave();
        subs.delete(id);
        connection.forget(`channel:${id}`);
      }
    }
    for (const id of want) if (!subs.has(id)) join(id);
    connection.refresh();
  }

  const live = () => [...subs.keys()];

  function dispose() {
    for (const sub of subs.values()) sub.leave();
    subs.clear();
  }

  return { sync, live, dispose };
}

export type ChannelTopics = ReturnType<typeof createChannelTopics>;
