import assert from "node:assert/strict";
import { Metrics } from "./metrics.ts";

Deno.test("Metrics renders counters and histograms kept elsewhere in the exposition format", () => {
  const m = new Metrics();
  let joins = 3;
  m.counter("joins_total", "Joins.", () => joins);
  m.histogram("lag_seconds", "Lag.", () => ({
    bounds: [0.1, 1],
    counts: [2, 3],
    count: 4,
    sum: 5.5,
  }));
  joins = 4;
  const text = m.render();
  assert.match(text, /# TYPE joins_total counter\njoins_total 4\n/);
  assert.match(text, /# TYPE lag_seconds histogram\n/);
  assert.match(text, /lag_seconds_bucket\{le="0\.1"\} 2\nlag_seconds_bucket\{le="1"\} 3\n/);
  assert.match(
    text,
    /lag_seconds_bucket\{le="\+Inf"\} 4\nlag_seconds_sum 5\.5\nlag_seconds_count 4\n/,
  );
  assert.equal(m.snapshot().counters.joins_total, 4);
});
