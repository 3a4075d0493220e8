import assert from "node:assert/strict";
import { ApiError } from "../api.ts";
import type { SearchHit } from "../types.ts";
import { BOB, CH } from "./_fixtures.ts";
import { fakeEnv, settle } from "./_fake_env.ts";
import { createSearch, SEARCH_DEBOUNCE_MS, type SearchPage } from "./search.ts";
import { chipOf, type SearchParams } from "./search_query.ts";

const hit = (id: number): SearchHit => ({
  id,
  channel_id: CH,
  sender_id: BOB,
  created_at: "2025-01-01T00:00:00Z",
  archived: false,
  score: 1,
  snippet: `hit ${id}`,
});

/** A server whose answers the test releases one by one, in any order. */
function setup() {
  const f = fakeEnv();
  const asked: (SearchParams & { cursor?: string })[] = [];
  const waiting: { resolve: (p: SearchPage) => void; reject: (e: unknown) => void }[] = [];
  const search = createSearch({
    fetch: (p) => {
      asked.push(p);
      return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
    },
    resolve: {
      channel: () => CH,
      user: (u) => Promise.resolve(u === "bob" ? BOB : null),
    },
    clock: f.env,
  });
  const answer = async (i: number, ids: number[], next: string | null = null) => {
    waiting[i]!.resolve({ hits: ids.map(hit), next_cursor: next });
    await settle();
  };
  const ids = () => search.hits.value.map((h) => h.id);
  return { f, search, asked, waiting, answer, ids };
}

Deno.test("typing sends one request after a pause, for what is typed last", async () => {
  const { f, search, asked } = setup();
  for (const w of ["ze", "zeb", "zebr", "zebra"]) {
    search.set(w, []);
    await f.advance(SEARCH_DEBOUNCE_MS - 50);
  }
  assert.equal(asked.length, 0, "nothing while keys keep coming");
  assert.equal(search.status.value, "loading");
  await f.advance(50);
  assert.deepEqual(asked.map((p) => p.q), ["zebra"]);
});

Deno.test("a slower earlier answer never replaces the results of the newer query", async () => {
  const { f, search, answer, ids, asked } = setup();
  search.set("zeb", []);
  await f.advance(SEARCH_DEBOUNCE_MS);
  search.set("zebracorn", []);
  await f.advance(SEARCH_DEBOUNCE_MS);
  assert.deepEqual(asked.map((p) => p.q), ["zeb", "zebracorn"]);
  await answer(1, [7]);
  assert.deepEqual(ids(), [7]);
  await answer(0, [1, 2, 3]); // the first, slow answer arrives last
  assert.deepEqual(ids(), [7]);
  assert.equal(search.status.value, "done");
});

Deno.test("an answer for a query changed before it was even sent is dropped too", async () => {
  const { f, search, answer, ids } = setup();
  search.set("zeb", []);
  await f.advance(SEARCH_DEBOUNCE_MS);
  search.set("zebra", []); // still waiting for the pause when the first answer comes
  await answer(0, [1]);
  assert.deepEqual(ids(), []);
  assert.equal(search.status.value, "loading");
  await f.advance(SEARCH_DEBOUNCE_MS);
  await answer(1, [2]);
  assert.deepEqual(ids(), [2]);
});

Deno.test("too short a query, or the same one again, costs no request", async () => {
  const { f, search, asked, answer } = setup();
  search.set("z", []);
  assert.equal(search.status.value, "short");
  search.set("", []);
  assert.equal(search.status.value, "idle");
  search.set("", [chipOf("from:bob")!]);
  assert.equal(search.status.value, "short", "filters alone need words");
  await f.advance(1000);
  assert.equal(asked.length, 0);
  search.set("zebra", []);
  await f.advance(SEARCH_DEBOUNCE_MS);
  await answer(0, [1]);
  search.set("zebra ", []);
  search.set("zebra", [], { now: true });
  await f.advance(1000);
  assert.equal(asked.length, 1);
});

Deno.test("Enter searches at once, and chips become parameters", async () => {
  const { f, search, asked } = setup();
  search.set("zebra", [chipOf("from:bob")!, chipOf("has:attachment")!], { now: true });
  await f.advance(0);
  assert.deepEqual(asked, [{ q: "zebra", sender_id: BOB, has: "attachment" }]);
});

Deno.test("a chip that cannot be resolved stops the search and says which", async () => {
  const { f, search, asked } = setup();
  search.set("zebra", [chipOf("from:nobody")!]);
  await f.advance(SEARCH_DEBOUNCE_MS);
  assert.equal(asked.length, 0);
  assert.equal(search.status.value, "invalid");
  assert.equal(search.problem.value?.chip.value, "nobody");
  assert.equal(search.problem.value?.reason, "search.bad.user");
});

Deno.test("an error is kept with its code; a 429 tries again after Retry-After", async () => {
  const { f, search, asked, waiting, answer, ids } = setup();
  search.set("zebra", []);
  await f.advance(SEARCH_DEBOUNCE_MS);
  waiting[0]!.reject(new ApiError(429, "rate_limited", "Too many requests", 2));
  await settle();
  assert.equal(search.status.value, "error");
  assert.equal(search.error.value?.code, "rate_limited");
  await f.advance(1999);
  assert.equal(asked.length, 1);
  await f.advance(1);
  assert.equal(asked.length, 2);
  await answer(1, [5]);
  assert.deepEqual(ids(), [5]);
  assert.equal(search.error.value, null);

  search.set("other", []);
  await f.advance(SEARCH_DEBOUNCE_MS);
  waiting[2]!.reject(new ApiError(500, "internal_error", "boom"));
  await settle();
  const code = (e: ApiError | null) => e?.code;
  assert.equal(code(search.error.value), "internal_error");
  await f.advance(10_000);
  assert.equal(asked.length, 3, "no retry but for 429");
});

Deno.test("more results append to the same query and are dropped once it changed", async () => {
  const { f, search, asked, answer, ids } = setup();
  search.set("zebra", []);
  await f.advance(SEARCH_DEBOUNCE_MS);
  await answer(0, [9, 8], "1:8");
  search.more();
  assert.equal(asked[1]!.cursor, "1:8");
  await answer(1, [7]);
  assert.deepEqual(ids(), [9, 8, 7]);
  assert.equal(search.cursor.value, null);

  search.set("zebras", []);
  await f.advance(SEARCH_DEBOUNCE_MS);
  await answer(2, [4], "1:4");
  search.more();
  search.set("zebrass", []);
  await answer(3, [3]);
  assert.deepEqual(ids(), [4]);
});

Deno.test("the keyboard moves within the hits; new results start from none", async () => {
  const { f, search, answer } = setup();
  search.move(1);
  assert.equal(search.active.value, -1, "nothing to move over");
  search.set("zebra", []);
  await f.advance(SEARCH_DEBOUNCE_MS);
  await answer(0, [3, 2, 1]);
  search.move(1);
  search.move(1);
  search.move(1);
  search.move(1);
  assert.equal(search.active.value, 2);
  search.move(-5);
  assert.equal(search.active.value, 0);
});
