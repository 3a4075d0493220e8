/**
 * `GET /metrics`: Prometheus text, behind the METRICS_TOKEN bearer token. Each scrape also pings
 * the database on its own connection (`db_up`, `db_ping_seconds`), so an alert can tell a dead
 * or slow database from a dead process (`up`). Counters the alert rules rely on are declared at
 * zero, so that they exist before their first event.
 */
import type { Context } from "hono";
import { AppError } from "../_shared/errors.ts";
import { pingDb, type Sql } from "../_shared/db.ts";
import type { Metrics } from "../_shared/metrics.ts";

/** Help texts of the counters the API increments (defined once, used where they grow). */
export const COUNTER_HELP = {
  messages_sent_total: "Messages stored (rate: messages per second).",
  rate_limited_total: "Requests refused by the rate limiter.",
  push_notifications_total:
    "Web Push per recipient subscription, by result (sent, skipped by their rules, refused " +
    "endpoint, gone, failed).",
} as const;

export interface MetricsRouteDeps {
  metrics: Metrics;
  /** Bearer token (METRICS_TOKEN); unset → the route answers 404. */
  token: string | undefined;
  /** Brings the gauges read on scrape up to date (the database ping). */
  refresh: () => Promise<void>;
}

/**
 * `db_up` and `db_ping_seconds`, measured by `refresh()` on a connection of their own (a busy
 * pool is not a dead database); every reader of the metrics calls it first.
 */
export function dbPingGauges(metrics: Metrics, pingSql: Sql) {
  const ping = { up: 0, seconds: 0 };
  metrics.gauge("db_up", "1 when the database answered the last scrape's ping.", () => ping.up);
  metrics.gauge(
    "db_ping_seconds",
    "How long the last scrape's database ping took (its timeout when down).",
    () => ping.seconds,
  );
  return {
    async refresh() {
      const t = performance.now();
      ping.up = await pingDb(pingSql) ? 1 : 0;
      ping.seconds = (performance.now() - t) / 1000;
    },
  };
}

export function metricsRoute({ metrics, token, refresh }: MetricsRouteDeps) {
  for (const [name, help] of Object.entries(COUNTER_HELP)) metrics.inc(name, help, {}, 0);
  return async (c: Context) => {
    // Switched off is a choice, not an outage: a 5xx here would read as the service failing.
    if (!token) throw new AppError("not_found", "Metrics are off: set METRICS_TOKEN");
    if (c.req.header("authorization") !== `Bearer ${token}`) {
      throw new AppError("unauthorized", "Metrics need the METRICS_TOKEN bearer token");
    }
    await refresh();
    return c.text(metrics.render(), 200, { "content-type": "text/plain; version=0.0.4" });
  };
}
