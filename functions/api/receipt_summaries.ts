/**
 * The `receipt.summary` flusher: large channels' read ticks are aggregated ("read by N") and
 * broadcast at most once a second per channel by `private.flush_receipt_summaries()` (migration
 * `…_create_realtime_events.sql`). The API process calls it on a timer; where pg_cron exists it
 * runs there too, and an advisory lock keeps one caller at a time.
 */
import type { Sql } from "../_shared/db.ts";
import { RECEIPT_SUMMARY_INTERVAL_MS } from "../_shared/limits.ts";

/** How often the flusher looks for due summaries: a quarter of the interval they respect. */
const TICK_MS = Math.max(50, Math.floor(RECEIPT_SUMMARY_INTERVAL_MS / 4));

/**
 * Starts flushing; returns a function that stops it (and waits for a flush in flight).
 *
 * @example
 * const stop = startReceiptSummaries(sql);
 * await stop();
 */
export function startReceiptSummaries(
  sql: Sql,
  onError: (e: unknown) => void = () => {},
): () => Promise<void> {
  let stopped = false;
  let inFlight: Promise<void> = Promise.resolve();
  let failures = 0;
  const tick = () => {
    if (stopped) return;
    inFlight = sql`select private.flush_receipt_summaries() as sent`.then(
      () => void (failures = 0),
      (e) => {
        // The database is away: say so once, not four times a second.
        if (failures++ === 0) onError(e);
      },
    ).finally(() => {
      if (!stopped) timer = setTimeout(tick, TICK_MS);
    });
  };
  let timer = setTimeout(tick, TICK_MS);
  return async () => {
    stopped = true;
    clearTimeout(timer);
    await inFlight;
  };
}
