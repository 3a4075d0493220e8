/**
 * Prometheus metrics in the text exposition format: request counts and latency histograms by
 * route, domain counters, and gauges read on scrape (e.g. open Realtime connections).
 */
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

type Labels = Record<string, string>;

/** A histogram kept elsewhere, read on scrape (cumulative counts per upper bound). */
export interface HistogramReading {
  bounds: readonly number[];
  counts: readonly number[];
  count: number;
  sum: number;
}
const key = (l: Labels) =>
  Object.entries(l).sort().map(([k, v]) => `${k}="${v.replace(/["\\\n]/g, "_")}"`).join(",");

export class Metrics {
  #counters = new Map<string, { help: string; values: Map<string, number> }>();
  #hist = new Map<string, { count: number; sum: number; buckets: number[] }>();
  #gauges = new Map<string, { help: string; read: () => number }>();
  #readCounters = new Map<string, { help: string; read: () => number }>();
  #readHistograms = new Map<string, { help: string; read: () => HistogramReading }>();

  inc(name: string, help: string, labels: Labels = {}, by = 1): void {
    const c = this.#counters.get(name) ?? { help, values: new Map() };
    const k = key(labels);
    c.values.set(k, (c.values.get(k) ?? 0) + by);
    this.#counters.set(name, c);
  }

  observeRequest(labels: Labels, seconds: number): void {
    this.inc("http_requests_total", "HTTP requests by method, route and status.", labels);
    const k = key({ method: labels.method ?? "", route: labels.route ?? "" });
    const h = this.#hist.get(k) ?? { count: 0, sum: 0, buckets: BUCKETS.map(() => 0) };
    h.count++;
    h.sum += seconds;
    BUCKETS.forEach((b, i) => {
      if (seconds <= b) h.buckets[i]!++;
    });
    this.#hist.set(k, h);
  }

  gauge(name: string, help: string, read: () => number): void {
    this.#gauges.set(name, { help, read });
  }

  /** A counter kept elsewhere (it only grows), read on scrape. */
  counter(name: string, help: string, read: () => number): void {
    this.#readCounters.set(name, { help, read });
  }

  /** A histogram kept elsewhere, read on scrape. */
  histogram(name: string, help: string, read: () => HistogramReading): void {
    this.#readHistograms.set(name, { help, read });
  }

  /**
   * Every counter and gauge as plain numbers (label sets summed), plus request counts and mean
   * latency: what the admin view shows live.
   *
   * @example
   * const m = new Metrics();
   * m.inc("messages_sent_total", "Messages sent.");
   * m.snapshot().counters.messages_sent_total; // 1
   */
  snapshot(): {
    counters: Record<string, number>;
    gauges: Record<string, number>;
    requests: { count: number; mean_ms: number };
  } {
    const counters: Record<string, number> = {};
    for (const [name, c] of this.#counters) {
      counters[name] = [...c.values.values()].reduce((a, b) => a + b, 0);
    }
    const gauges: Record<string, number> = {};
    for (const [name, g] of this.#gauges) gauges[name] = g.read();
    for (const [name, c] of this.#readCounters) counters[name] = c.read();
    let count = 0;
    let sum = 0;
    for (const h of this.#hist.values()) {
      count += h.count;
      sum += h.sum;
    }
    return { counters, gauges, requests: { count, mean_ms: count ? (sum / count) * 1000 : 0 } };
  }

  render(): string {
    const out: string[] = [];
    for (const [name, c] of this.#counters) {
      out.push(`# HELP ${name} ${c.help}`, `# TYPE ${name} counter`);
      for (const [k, v] of c.values) out.push(`${name}${k ? `{${k}}` : ""} ${v}`);
    }
    out.push("# HELP http_request_duration_seconds Request latency by method and route.");
    out.push("# TYPE http_request_duration_seconds histogram");
    for (const [k, h] of this.#hist) {
      BUCKETS.forEach((b, i) =>
        out.push(`http_request_duration_seconds_bucket{${k},le="${b}"} ${h.buckets[i]}`)
      );
      out.push(`http_request_duration_seconds_bucket{${k},le="+Inf"} ${h.count}`);
      out.push(
        `http_request_duration_seconds_sum{${k}} ${h.sum}`,
        `http_request_duration_seconds_count{${k}} ${h.count}`,
      );
    }
    for (const [name, g] of this.#gauges) {
      out.push(`# HELP ${name} ${g.help}`, `# TYPE ${name} gauge`, `${name} ${g.read()}`);
    }
    for (const [name, c] of this.#readCounters) {
      out.push(`# HELP ${name} ${c.help}`, `# TYPE ${name} counter`, `${name} ${c.read()}`);
    }
    for (const [name, h] of this.#readHistograms) {
      const r = h.read();
      out.push(`# HELP ${name} ${h.help}`, `# TYPE ${name} histogram`);
      r.bounds.forEach((b, i) => out.push(`${name}_bucket{le="${b}"} ${r.counts[i]}`));
      out.push(`${name}_bucket{le="+Inf"} ${r.count}`, `${name}_sum ${r.sum}`);
      out.push(`${name}_count ${r.count}`);
    }
    return out.join("\n") + "\n";
  }
}
