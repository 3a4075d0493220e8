/**
 * Live metrics, polled every few seconds while the page is visible: messages a second (from
 * the counters about messages), requests and their mean latency, and every gauge and counter.
 */
import { useEffect } from "preact/hooks";
import { useSignal } from "@preact/signals";
import type { Api } from "../../api.ts";
import { t } from "../../i18n/mod.ts";
import { errorText, formatDate, formatNumber } from "./_shared.ts";
import { AdminTable } from "./AdminTable.tsx";
import { ErrorText } from "./ErrorText.tsx";

const POLL_SECONDS = 5;

interface MetricsSnapshot {
  at: string;
  counters: Record<string, number>;
  gauges: Record<string, number>;
  requests: { count: number; mean_ms: number };
}

/** The sum of the counters about messages, or undefined when there are none. */
function messageCount(counters: Record<string, number>): number | undefined {
  let sum: number | undefined;
  for (const [name, v] of Object.entries(counters)) {
    if (name.toLowerCase().includes("message") && Number.isFinite(v)) sum = (sum ?? 0) + v;
  }
  return sum;
}

export function MetricsTab({ api }: { api: Api }) {
  const snap = useSignal<MetricsSnapshot | null>(null);
  const rate = useSignal<number | null>(null);
  const error = useSignal<string | null>(null);

  useEffect(() => {
    let stopped = false;
    let inFlight = false;
    let prev: { at: number; messages: number } | null = null;
    const poll = async () => {
      if (inFlight || (document.hidden && snap.peek() !== null)) return;
      inFlight = true;
      try {
        const s = await api.get<MetricsSnapshot>("/admin/metrics");
        if (stopped) return;
        const at = Date.parse(s.at);
        const messages = messageCount(s.counters);
        if (messages === undefined || Number.isNaN(at)) {
          rate.value = null;
          prev = null;
        } else {
          if (prev) {
            const dt = (at - prev.at) / 1000;
            const delta = messages - prev.messages;
            // A restarted server starts its counters again: wait for the next poll then.
            rate.value = dt > 0 && delta >= 0 ? delta / dt : null;
          }
          prev = { at, messages };
        }
        snap.value = s;
        error.value = null;
      } catch (e) {
        if (!stopped) error.value = errorText(e);
      } finally {
        inFlight = false;
      }
    };
    void poll();
    const h = setInterval(() => void poll(), POLL_SECONDS * 1000);
    return () => {
      stopped = true;
      clearInterval(h);
    };
  }, [api]);

  const s = snap.value;
  const hasMessages = s !== null && messageCount(s.counters) !== undefined;
  return (
    <div class="admin-metrics">
      <p class="muted admin-note">
        {t("admin.metrics.interval", { count: POLL_SECONDS })}
        {s && (
          <>
            {" "}
            <time dateTime={s.at}>{t("admin.metrics.updated", { date: formatDate(s.at) })}</time>
          </>
        )}
      </p>
      <ErrorText message={error.value} />
      {s === null ? (!error.value && <p class="muted">{t("admin.loading")}</p>) : (
        <>
          <dl class="admin-stats">
            {hasMessages && (
              <div class="admin-stat admin-rate">
                <dt>{t("admin.metrics.rate")}</dt>
                <dd>
                  {rate.value === null
                    ? <span class="muted">{t("admin.metrics.measuring")}</span>
                    : formatNumber(rate.value, 2)}
                </dd>
              </div>
            )}
            <div class="admin-stat">
              <dt>{t("admin.metrics.requests")}</dt>
              <dd>{formatNumber(s.requests.count)}</dd>
            </div>
            <div class="admin-stat">
              <dt>{t("admin.metrics.meanLatency")}</dt>
              <dd>
                {t("admin.metrics.ms", { value: formatNumber(s.requests.mean_ms, 1) })}
              </dd>
            </div>
          </dl>
          <MetricTable title={t("admin.metrics.gauges")} values={s.gauges} />
          <MetricTable title={t("admin.metrics.counters")} values={s.counters} />
        </>
      )}
    </div>
  );
}

function MetricTable({ title, values }: { title: string; values: Record<string, number> }) {
  return (
    <AdminTable
      class="admin-metric-table"
      list={Object.entries(values).sort(([a], [b]) => a.localeCompare(b))}
      caption={title}
      columns={["admin.metrics.name", { key: "admin.metrics.value", class: "admin-num" }]}
      empty={t("admin.metrics.none")}
      row={([name, v]) => (
        <tr key={name}>
          <th scope="row" class="admin-metric-name">{name}</th>
          <td class="admin-num">{formatNumber(v, 2)}</td>
        </tr>
      )}
    />
  );
}
