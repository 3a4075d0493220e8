/**
 * The part of supabase-js Realtime the state uses, behind a small interface the models take
 * (so their tests run without a socket): join a private topic with its listeners, send a
 * broadcast, read and track presence, leave.
 */
import type { SupabaseClient } from "@supabase/supabase-js";

export interface JoinOptions {
  /** Presence key (the user id) when the topic carries presence. */
  presenceKey?: string;
  onBroadcast?: (event: string, payload: Record<string, unknown>) => void;
  onPresenceSync?: () => void;
  /** realtime-js statuses: SUBSCRIBED, CHANNEL_ERROR, TIMED_OUT, CLOSED. */
  onStatus?: (status: string) => void;
}

export interface Joined {
  send(event: string, payload: Record<string, unknown>): void;
  presenceKeys(): string[];
  track(meta: Record<string, unknown>): Promise<void>;
  leave(): void;
}

export interface Realtime {
  join(topic: string, opts: JoinOptions): Joined;
  isConnected(): boolean;
  connect(): void;
  disconnect(): void;
  leaveAll(): void;
}

/** Realtime over a supabase-js client: every topic private, my own broadcasts not echoed. */
export function supabaseRealtime(sb: SupabaseClient): Realtime {
  return {
    join(topic, opts) {
      const ch = sb.channel(topic, {
        config: {
          private: true,
          broadcast: { self: false },
          ...(opts.presenceKey ? { presence: { key: opts.presenceKey } } : {}),
        },
      });
      const { onBroadcast, onPresenceSync, onStatus } = opts;
      if (onBroadcast) {
        ch.on("broadcast", { event: "*" }, (m) => onBroadcast(m.event, m.payload ?? {}));
      }
      if (onPresenceSync) ch.on("presence", { event: "sync" }, onPresenceSync);
      // Before the join (or after a drop) realtime-js would send over HTTP instead: not then.
      // The latest of each event waits for the join instead (typing that starts right after a
      // channel opens still shows).
      let live = false;
      const waiting = new Map<string, Record<string, unknown>>();
      const push = (event: string, payload: Record<string, unknown>) =>
        ch.send({ type: "broadcast", event, payload }).catch(() => {
          // typing is best effort
        });
      ch.subscribe((s) => {
        live = s === "SUBSCRIBED";
        if (live) {
          for (const [event, payload] of waiting) void push(event, payload);
          waiting.clear();
        }
        onStatus?.(s);
      });
      return {
        send(event, payload) {
          if (live) void push(event, payload);
          else waiting.set(event, payload);
        },
        presenceKeys: () => Object.keys(ch.presenceState()),
        track: async (meta) => {
          await ch.track(meta);
        },
        leave: () => void sb.removeChannel(ch),
      };
    },
    isConnected: () => sb.realtime.isConnected(),
    connect: () => sb.realtime.connect(),
    disconnect: () => sb.realtime.disconnect(),
    leaveAll: () => void sb.removeAllChannels(),
  };
}
