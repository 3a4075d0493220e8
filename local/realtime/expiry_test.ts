import assert from "node:assert/strict";
import { Expiries } from "./expiry.ts";

interface Item {
  name: string;
  at: number;
  expiryIndex: number;
}

const item = (name: string, at: number): Item => ({ name, at, expiryIndex: -1 });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

Deno.test("Expiries: items expire in time order with one timer; deleted ones never do", async () => {
  const expired: string[] = [];
  const e = new Expiries<Item>((i) => i.at, (i) => expired.push(i.name));
  const now = Date.now();
  const [a, b, c, d] = [
    item("a", now + 60),
    item("b", now + 20),
    item("c", now + 40),
    item("d", 0),
  ];
  for (const i of [a, b, c, d]) e.set(i);
  assert.equal(e.size, 4);
  e.delete(c);
  assert.equal(c.expiryIndex, -1);
  await sleep(100);
  assert.deepEqual(expired, ["d", "b", "a"]);
  assert.equal(e.size, 0);
});

Deno.test("Expiries: set again moves an item whose time changed; clear stops everything", async () => {
  const expired: string[] = [];
  const e = new Expiries<Item>((i) => i.at, (i) => expired.push(i.name));
  const now = Date.now();
  const items = Array.from({ length: 50 }, (_, k) => item(`i${k}`, now + 10_000 + k));
  for (const i of items) e.set(i);
  const last = items[49]!;
  last.at = now + 10;
  e.set(last);
  assert.equal(e.size, 50, "moved, not added twice");
  await sleep(60);
  assert.deepEqual(expired, ["i49"]);
  e.clear();
  assert.equal(e.size, 0);
  assert.ok(items.every((i) => i.expiryIndex === -1));
});

Deno.test("Expiries: through random sets and deletes, what expires is what is left, in time order", async () => {
  const order: number[] = [];
  const e = new Expiries<Item>((i) => i.at, (i) => order.push(i.at));
  const live = new Set<Item>();
  let seed = 7;
  const rnd = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
  const all = Array.from({ length: 300 }, (_, k) => item(`i${k}`, 0));
  const past = Date.now() - 1e6;
  // All synchronous: nothing expires before the loop ends, although every time is past.
  for (let step = 0; step < 3000; step++) {
    const i = all[Math.floor(rnd() * all.length)]!;
    if (rnd() < 0.6) {
      i.at = past + Math.floor(rnd() * 1e5);
      e.set(i);
      live.add(i);
    } else {
      e.delete(i);
      live.delete(i);
    }
    assert.equal(e.size, live.size);
  }
  await sleep(20);
  assert.deepEqual(order, [...live].map((i) => i.at).sort((x, y) => x - y));
  assert.equal(e.size, 0);
});
