/** The bounded message window: paging far one way lets the far side go, and reads it again. */
import assert from "node:assert/strict";
import { fakeApi } from "./_fake_api.ts";
import { CH } from "./_fixtures.ts";
import { createMessagePages, PAGE, WINDOW } from "./message_pages.ts";
import { createMessageStore } from "./message_store.ts";

function setup(count: number) {
  const srv = fakeApi();
  for (let i = 1; i <= count; i++) srv.add();
  const store = createMessageStore({ myId: "me" });
  const pages = createMessagePages({ api: srv.api, channelId: CH, store });
  return { srv, store, pages };
}
const ids = (store: ReturnType<typeof createMessageStore>) => store.server.value.map((m) => m.id!);

Deno.test("scrolling up through history holds at most WINDOW messages, the oldest read", async () => {
  const { store, pages } = setup(20 * PAGE);
  await pages.open();
  let max = 0;
  while (store.hasOlder.value) {
    await pages.loadOlder();
    max = Math.max(max, store.server.value.length);
  }
  assert.equal(max, WINDOW);
  assert.equal(ids(store)[0], 1, "the channel's first message is held");
  assert.equal(ids(store).length, WINDOW);
  assert.equal(store.hasNewer.value, true, "the newest went: there is more below again");
  // Back down: newer pages follow without a hole, and the oldest go in turn.
  while (store.hasNewer.value) {
    const last = ids(store).at(-1)!;
    await pages.loadNewer();
    const now = ids(store);
    if (now.at(-1) !== last) assert.ok(now.includes(last + 1), "the next page follows on");
    assert.ok(now.length <= WINDOW);
    for (let i = 1; i < now.length; i++) assert.equal(now[i], now[i - 1]! + 1);
  }
  assert.equal(ids(store).at(-1), 20 * PAGE, "back at the newest");
  assert.equal(store.hasOlder.value, true);
});

Deno.test("trim keeps the side that grew and marks the other", () => {
  const store = createMessageStore({ myId: "me" });
  const srv = fakeApi();
  for (let i = 1; i <= 10; i++) srv.add();
  store.merge(srv.rows, { contiguous: true });
  store.trim(4, "older");
  assert.deepEqual(ids(store), [1, 2, 3, 4]);
  assert.equal(store.hasNewer.value, true);
  assert.equal(store.contiguousId(), 4, "newer pages start after what is held");
  store.merge(srv.rows, { contiguous: true });
  store.trim(3, "newer");
  assert.deepEqual(ids(store), [8, 9, 10]);
  assert.equal(store.hasOlder.value, true);
  store.trim(5, "newer");
  assert.deepEqual(ids(store), [8, 9, 10], "within the cap nothing goes");
});
