import assert from "node:assert/strict";
import { fakeApi } from "./_fake_api.ts";
import { CH } from "./_fixtures.ts";
import { createMessagePages, PAGE } from "./message_pages.ts";
import { createMessageStore } from "./message_store.ts";

function setup(count: number) {
  const srv = fakeApi();
  for (let i = 1; i <= count; i++) srv.add();
  const store = createMessageStore({ myId: "me" });
  const arrived: number[] = [];
  const pages = createMessagePages({
    api: srv.api,
    channelId: CH,
    store,
    onArrived: (msgs) => arrived.push(...msgs.map((m) => m.id)),
  });
  return { srv, store, pages, arrived };
}

Deno.test("open reads the latest page; older pages follow until the start", async () => {
  const { store, pages } = setup(PAGE + 10);
  await pages.open();
  assert.equal(pages.loading.value, false);
  assert.equal(store.server.value.length, PAGE);
  assert.equal(store.hasOlder.value, true);
  await pages.loadOlder();
  assert.equal(store.server.value.length, PAGE + 10);
  assert.equal(store.hasOlder.value, false);
});

Deno.test("catch-ups asked for while one runs fold into it", async () => {
  const { srv, pages, arrived } = setup(5);
  await pages.open();
  srv.add();
  srv.add();
  await Promise.all([pages.catchUp(), pages.catchUp(), pages.catchUp()]);
  const afters = srv.reads().filter((r) => r.path.includes("after="));
  assert.equal(afters.length, 2, "the one running and one more for what came meanwhile");
  assert.deepEqual(arrived, [6, 7]);
});

Deno.test("refresh reads only a message that is held", async () => {
  const { srv, pages } = setup(3);
  await pages.open();
  const before = srv.log.length;
  await pages.refresh(1e12);
  assert.equal(srv.log.length, before);
  await pages.refresh(2);
  assert.equal(srv.log.length, before + 1);
});

Deno.test("a window around a message marks both edges", async () => {
  const { store, pages } = setup(200);
  await pages.around(100);
  assert.ok(store.has(100));
  assert.equal(store.hasOlder.value, true);
  assert.equal(store.hasNewer.value, true);
  await pages.loadNewer();
  assert.ok(store.has(150));
});

Deno.test("a jump reads one around page: half older, the message, the rest newer", async () => {
  const { srv, store, pages } = setup(200);
  const before = srv.log.length;
  await pages.around(100);
  assert.equal(srv.log.length, before + 1);
  assert.match(srv.log.at(-1)!.path, /[?&]around=100\b/);
  const held = store.server.value.map((m) => m.id!);
  assert.equal(Math.min(...held), 100 - PAGE / 2);
  assert.equal(Math.max(...held), 100 + PAGE / 2 - 1);
  await pages.around(199);
  assert.equal(store.hasNewer.value, false, "a short newer half: nothing newer");
  assert.equal(store.hasOlder.value, true);
});

Deno.test("the page from a message starts with it; newer and older pages follow from there", async () => {
  const { store, pages } = setup(PAGE * 3);
  await pages.after(40);
  const ids = store.server.value.map((m) => m.id);
  assert.equal(ids[0], 40, "the last message read is in it, so the line goes below it");
  assert.equal(ids.length, PAGE);
  assert.equal(store.hasOlder.value, true);
  assert.equal(store.hasNewer.value, true);
  await pages.loadNewer();
  assert.equal(store.server.value.at(-1)!.id, 40 + 2 * PAGE - 1);
  await pages.loadOlder();
  assert.equal(store.server.value[0]!.id, 1);
});

Deno.test("the page from nothing read is the channel's first", async () => {
  const { store, pages } = setup(PAGE + 5);
  await pages.after(0);
  assert.equal(store.server.value[0]!.id, 2, "the API's ids start at 1 (after=1)");
  assert.equal(store.hasOlder.value, false);
});
