/**
 * Realtime's own metrics on the stack's `/metrics`: open connections, connections opened and
 * closed, joins, frames sent, Broadcast from Database fan-out latency, and whether Realtime is
 * linked to the database. Read on each scrape from Realtime's counters (realtime/stats.ts).
 */
import type { Metrics } from "../functions/_shared/metrics.ts";
import type { createRealtime } from "./realtime/mod.ts";
import { FANOUT_BUCKETS } from "./realtime/stats.ts";

type Realtime = ReturnType<typeof createRealtime>;

/** Registers the gauges and counters; `realtime()` is undefined until Realtime has started. */
export function exportRealtimeMetrics(metrics: Metrics, realtime: () => Realtime | undefined) {
  const stat = (read: (r: Realtime) => number) => () => {
    const r = realtime();
    return r ? read(r) : 0;
  };
  metrics.gauge(
    "realtime_connections",
    "Open Realtime WebSocket connections.",
    stat((r) => r.connections),
  );
  metrics.gauge(
    "realtime_database_linked",
    "1 while Realtime streams Broadcast from Database off the database.",
    stat((r) => r.databaseLinked ? 1 : 0),
  );
  metrics.counter(
    "realtime_connections_opened_total",
    "Realtime WebSocket connections opened.",
    stat((r) => r.stats.connectionsOpened),
  );
  metrics.counter(
    "realtime_disconnects_total",
    "Realtime WebSocket connections closed (by either side).",
    stat((r) => r.stats.disconnects),
  );
  metrics.counter("realtime_joins_total", "Channel joins accepted.", stat((r) => r.stats.joins));
  metrics.counter(
    "realtime_frames_out_total",
    "Frames sent to clients (replies, broadcasts, presence, system messages).",
    stat((r) => r.stats.framesOut),
  );
  metrics.histogram(
    "realtime_fanout_seconds",
    "Broadcast from Database: from the committed row reaching Realtime to its frames written.",
    () =>
      realtime()?.stats.fanout() ??
        { bounds: FANOUT_BUCKETS, counts: FANOUT_BUCKETS.map(() => 0), count: 0, sum: 0 },
  );
}
