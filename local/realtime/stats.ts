/**
 * Realtime's own counters, for Prometheus: connections opened and closed, joins, frames sent,
 * and the fan-out latency of Broadcast from Database (from the committed row reaching Realtime,
 * off the WAL or a notice, to its frames being written to every subscriber's socket; reading a
 * row a notice did not carry is part of it). Plain numbers: whoever serves /metrics renders them.
 */

/** Upper bounds (seconds) of the fan-out latency histogram's buckets. */
export const FANOUT_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export interface HistogramSnapshot {
  /** Upper bounds, ascending. */
  bounds: readonly number[];
  /** Observations ≤ each bound (cumulative, as Prometheus counts them). */
  counts: readonly number[];
  count: number;
  sum: number;
}

export class RealtimeStats {
  connectionsOpened = 0;
  disconnects = 0;
  joins = 0;
  framesOut = 0;
  readonly #fanout = { counts: FANOUT_BUCKETS.map(() => 0), count: 0, sum: 0 };

  observeFanout(seconds: number): void {
    const f = this.#fanout;
    f.count++;
    f.sum += seconds;
    for (let i = FANOUT_BUCKETS.length - 1; i >= 0 && seconds <= FANOUT_BUCKETS[i]!; i--) {
      f.counts[i]!++;
    }
  }

  fanout(): HistogramSnapshot {
    const f = this.#fanout;
    return { bounds: FANOUT_BUCKETS, counts: [...f.counts], count: f.count, sum: f.sum };
  }
}
