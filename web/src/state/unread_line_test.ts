import assert from "node:assert/strict";
import { BOB, ME, message } from "./_fixtures.ts";
import { createMessageStore } from "./message_store.ts";
import { createUnreadLine } from "./unread_line.ts";

function setup(ids: number[], lastRead: number | null, older = false) {
  const store = createMessageStore({ myId: ME });
  store.merge(ids.map((id) => message(id, { sender_id: id % 5 === 0 ? ME : BOB })));
  store.hasOlder.value = older;
  let looking = true;
  const line = createUnreadLine({ store, myId: ME, lastRead, seesNewest: () => looking });
  return { store, line, look: (v: boolean) => (looking = v) };
}

Deno.test("the line goes above the first message from others after the watermark", () => {
  const { line } = setup([3, 4, 5, 6, 7], 4);
  assert.deepEqual(line.unread.value, { firstId: 6, count: 2, beyond: false }, "5 is mine");
  line.seen(7);
  assert.equal(line.unread.value.firstId, 6, "unread when first looked at: it holds");
});

Deno.test("a window that starts after the watermark cannot place it: the first unread is beyond", () => {
  assert.deepEqual(setup([11, 12], 4, true).line.unread.value, {
    firstId: null,
    count: 2,
    beyond: true,
  });
  assert.equal(setup([11, 12], 4, false).line.unread.value.firstId, 11, "the channel's start");
  assert.equal(setup([4, 11, 12], 4, true).line.unread.value.firstId, 11, "the watermark is in");
});

Deno.test("with nothing unread the line follows what is seen, and holds for what comes unseen", () => {
  const { store, line, look } = setup([1, 2], 2);
  line.seen(2);
  store.merge([message(3)]);
  line.came();
  line.seen(3);
  assert.equal(line.unread.value.firstId, null, "seen as it came");
  look(false);
  store.merge([message(4)]);
  line.came();
  look(true);
  line.seen(4);
  assert.equal(line.unread.value.firstId, 4, "came while looking elsewhere");
  line.answered(4);
  assert.equal(line.unread.value.firstId, null, "answering takes it away");
  store.merge([message(6)]);
  line.came();
  line.seen(6);
  assert.equal(line.unread.value.firstId, null, "and it follows again");
});

Deno.test("an unknown watermark draws nothing until known, and only the first counts", () => {
  const { line } = setup([1, 2, 3], null);
  line.seen(3);
  assert.equal(line.unread.value.firstId, null);
  line.knowRead(1);
  assert.equal(line.unread.value.firstId, 2);
  line.knowRead(0);
  assert.equal(line.after.value, 1);
});
