/** Timing helpers for benchmarks: run a function n times, report percentiles in ms. */
export interface Stats {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  mean: number;
}

export async function measure(n: number, fn: (i: number) => Promise<unknown>): Promise<Stats> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn(i);
    times.push(performance.now() - t);
  }
  return summarize(times);
}

export function summarize(times: number[]): Stats {
  const s = [...times].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] ?? NaN;
  return {
    n: s.length,
    p50: at(0.5),
    p95: at(0.95),
    p99: at(0.99),
    mean: s.reduce((a, b) => a + b, 0) / s.length,
  };
}

export function row(name: string, st: Stats, baseline?: Stats): string {
  let ratio = "  (baseline)";
  if (baseline) {
    const r = baseline.p50 / st.p50;
    ratio = r >= 1
      ? `  ${r.toFixed(1)}x faster than baseline (p50)`
      : `  ${(1 / r).toFixed(1)}x slower than baseline (p50)`;
  }
  return `${name.padEnd(48)} n=${String(st.n).padStart(4)}  p50 ${
    st.p50.toFixed(2).padStart(9)
  } ms  p95 ${st.p95.toFixed(2).padStart(9)} ms${ratio}`;
}
