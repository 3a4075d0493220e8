/**
 * The connection as the reader sees it (the offline banner): online when the network is up and
 * every joined topic is subscribed, offline when the network is down, connecting otherwise.
 * It also tells a topic's first join from a rejoin after a drop, after which the client
 * fetches what it missed.
 */
import { signal } from "@preact/signals";
import type { BrowserEnv } from "./env.ts";

export type Connection = "online" | "offline" | "connecting";

/** What a status report means for its topic. */
export type Joining = "first" | "again" | null;

export function createConnection({ env }: { env: Pick<BrowserEnv, "online"> }) {
  const connection = signal<Connection>(env.online() ? "connecting" : "offline");
  const status = new Map<string, string>();
  const ever = new Set<string>();

  function refresh() {
    if (!env.online()) connection.value = "offline";
    else {
      const states = [...status.values()];
      connection.value = states.length && states.every((s) => s === "SUBSCRIBED")
        ? "online"
        : "connecting";
    }
  }

  /** A topic's status (realtime-js: SUBSCRIBED, CHANNEL_ERROR, TIMED_OUT, CLOSED). */
  function report(key: string, s: string): Joining {
    status.set(key, s);
    let joining: Joining = null;
    if (s === "SUBSCRIBED") {
      joining = ever.has(key) ? "again" : "first";
      ever.add(key);
    }
    refresh();
    return joining;
  }

  /** A topic left on purpose: it no longer counts. */
  function forget(key: string) {
    status.delete(key);
    ever.delete(key);
    refresh();
  }

  /** The network went: every topic is down, whatever the socket has noticed. */
  function dropped() {
    for (const k of status.keys()) status.set(k, "CLOSED");
    refresh();
  }

  return { connection, report, forget, dropped, refresh };
}

export type ConnectionState = ReturnType<typeof createConnection>;
