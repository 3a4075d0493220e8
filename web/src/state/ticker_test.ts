import assert from "node:assert/strict";
import { fakeEnv } from "./_fake_env.ts";
import { createTicker } from "./ticker.ts";

Deno.test("the ticker moves with the clock every interval, and stops when disposed", async () => {
  const f = fakeEnv();
  const start = f.env.now();
  const ticker = createTicker(f.env, 5000);
  assert.equal(ticker.now.value, start);
  await f.advance(4999);
  assert.equal(ticker.now.value, start, "not before the interval");
  await f.advance(1);
  assert.equal(ticker.now.value, start + 5000);
  await f.advance(10_000);
  assert.equal(ticker.now.value, start + 15_000);
  ticker.dispose();
  await f.advance(10_000);
  assert.equal(ticker.now.value, start + 15_000);
  assert.equal(f.pending(), 0);
});
