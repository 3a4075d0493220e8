import assert from "node:assert/strict";
import { signal } from "@preact/signals";
import type { Shown } from "../types.ts";
import { BOB, CH, ME, message } from "./_fixtures.ts";
import { createMessageStore } from "./message_store.ts";

const ids = (s: { items: { value: Shown[] } }) => s.items.value.map((m) => m.id);

Deno.test("messages merge by id, in order, each once in its latest form", () => {
  const s = createMessageStore({ myId: ME });
  s.merge([message(3), message(1), message(2)]);
  s.merge([message(2, { content: "again" }), message(4)]);
  assert.deepEqual(ids(s), [1, 2, 3, 4]);
  assert.equal(s.find(2)?.content, "again");
  assert.equal(s.newestId.value, 4);
  s.merge([message(9)], { onlyKnown: true });
  assert.equal(s.has(9), false, "an edit of a message not held adds nothing");
  s.merge([message(7)], { replace: true });
  assert.deepEqual(ids(s), [7]);
});

Deno.test("a created message that follows what is held merges; a missing prev_id is a gap", () => {
  const s = createMessageStore({ myId: ME });
  s.merge([message(10), message(11)], { contiguous: true });
  assert.equal(s.created(message(12), 11), "merged");
  assert.equal(s.created(message(12), 11), "merged", "the same event twice is harmless");
  assert.equal(s.contiguousId(), 12);
  assert.equal(s.created(message(15), 14), "gap");
  assert.equal(s.has(15), true, "shown at once; what is missing comes after");
  assert.equal(s.contiguousId(), 12, "a catch-up starts after 12");
  s.merge([message(13), message(14), message(15)], { contiguous: true });
  assert.equal(s.contiguousId(), 15);
  assert.deepEqual(ids(s), [10, 11, 12, 13, 14, 15]);
});

Deno.test("my own stored message does not hide a hole before it", () => {
  const s = createMessageStore({ myId: ME });
  s.merge([message(1), message(2)], { contiguous: true });
  // Back online: my outbox's send is answered (id 6) before 3-5, written meanwhile, are read.
  s.merge([message(6, { sender_id: ME })]);
  assert.equal(s.newestId.value, 6);
  assert.equal(s.contiguousId(), 2);
  assert.equal(s.created(message(7), 6), "gap");
});

Deno.test("the first message of a channel has no prev_id; an empty window that misses one sees a gap", () => {
  const s = createMessageStore({ myId: ME });
  assert.equal(s.created(message(1), null), "merged");
  const empty = createMessageStore({ myId: ME });
  assert.equal(empty.created(message(2), 1), "gap");
});

Deno.test("while the reader is in the past, new messages wait for the newer pages", () => {
  const s = createMessageStore({ myId: ME });
  s.merge([message(1), message(2)]);
  s.hasNewer.value = true;
  assert.equal(s.created(message(50), 49), "ignored");
  assert.equal(s.has(50), false);
});

Deno.test("an outbox entry gives way to the stored message with its client_id", () => {
  const outbox = signal<Shown[]>([{
    ...message(0, { sender_id: ME, client_id: "c1", content: "hi" }),
    id: null,
    state: "sending",
  }]);
  const s = createMessageStore({ myId: ME, outbox });
  s.merge([message(5)]);
  assert.deepEqual(ids(s), [5, null], "unsent ones come last");
  s.created(message(6, { sender_id: ME, client_id: "c1", content: "hi" }), 5);
  assert.deepEqual(ids(s), [5, 6]);
  assert.equal(outbox.value.length, 0);
  // Someone else's message with the same client_id is not mine.
  outbox.value = [{ ...message(0, { sender_id: ME, client_id: "c2" }), id: null, state: "failed" }];
  s.created(message(7, { sender_id: BOB, client_id: "c2" }), 6);
  assert.deepEqual(ids(s), [5, 6, 7, null]);
});

Deno.test("mine comes from user_ids, whatever the payload says", () => {
  const s = createMessageStore({ myId: ME });
  s.merge([message(1, {
    reactions: [{ emoji: "👍", count: 2, user_ids: [BOB, ME], mine: false }],
  })]);
  assert.equal(s.find(1)?.reactions[0]?.mine, true);
  s.reactions({
    message_id: 1,
    channel_id: CH,
    reactions: [{ emoji: "👍", count: 1, user_ids: [BOB] }, {
      emoji: "🎉",
      count: 1,
      user_ids: [ME],
    }],
  });
  assert.deepEqual(s.find(1)?.reactions.map((r) => [r.emoji, r.mine]), [["👍", false], [
    "🎉",
    true,
  ]]);
  s.reactions({ message_id: 99, channel_id: CH, reactions: [] }); // not held: nothing
});

Deno.test("a deleted message becomes a tombstone", () => {
  const s = createMessageStore({ myId: ME });
  s.merge([message(1, { content: "secret" })]);
  s.deleted(1, "2025-01-01T00:00:00Z");
  const m = s.find(1)!;
  assert.equal(m.content, "");
  assert.equal(m.deleted_at, "2025-01-01T00:00:00Z");
  s.updated(message(1, { content: "edited" }));
  assert.equal(s.find(1)?.content, "edited", "updates replace the held message");
});
