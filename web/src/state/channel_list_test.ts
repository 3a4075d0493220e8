import assert from "node:assert/strict";
import { BOB, CH, CH2, channel, ME, message } from "./_fixtures.ts";
import { createChannelList } from "./channel_list.ts";

const last = (id: number, sender = BOB) => ({
  id,
  sender_id: sender,
  kind: "text",
  content: `m${id}`,
  created_at: "2025-01-02T00:00:00Z",
  deleted: false,
});

Deno.test("a new message moves its channel to the top and counts as unread", () => {
  const list = createChannelList({ myId: ME });
  list.replace([
    channel(CH2, { last_message: last(10) }),
    channel(CH, { last_message: last(5) }),
  ]);
  assert.deepEqual(list.channels.value.map((c) => c.id), [CH2, CH]);
  assert.equal(list.messageCreated(message(11, { channel_id: CH }), false), true);
  assert.deepEqual(list.channels.value.map((c) => c.id), [CH, CH2]);
  const c = list.find(CH)!;
  assert.equal(c.unread_count, 1);
  assert.equal(c.last_message?.content, "m11");
  assert.equal(list.totalUnread.value, 1);
  assert.equal(list.messageCreated(message(11, { channel_id: CH }), false), false, "once");
  assert.equal(list.find(CH)!.unread_count, 1);
});

Deno.test("my own messages, messages seen as they come, and muted channels do not add to the total", () => {
  const list = createChannelList({ myId: ME });
  list.replace([channel(CH), channel(CH2, { muted: true })]);
  list.messageCreated(message(1, { sender_id: ME }), false);
  list.messageCreated(message(2), true);
  assert.equal(list.find(CH)!.unread_count, 0);
  list.messageCreated(message(3, { channel_id: CH2 }), false);
  assert.equal(list.find(CH2)!.unread_count, 1, "a muted channel still counts its own");
  assert.equal(list.totalUnread.value, 0, "but not in the total");
});

Deno.test("reading part of what came leaves the rest unread; reading all clears it", () => {
  const list = createChannelList({ myId: ME });
  list.replace([channel(CH, { unread_count: 2, last_message: last(4), last_read_message_id: 2 })]);
  for (const id of [5, 6, 7]) list.messageCreated(message(id), false);
  assert.equal(list.find(CH)!.unread_count, 5);
  list.read(CH, 5);
  assert.equal(list.find(CH)!.unread_count, 2, "6 and 7 are left");
  list.read(CH, 7);
  assert.equal(list.find(CH)!.unread_count, 0);
  assert.equal(list.find(CH)!.last_read_message_id, 7);
});

Deno.test("edits and deletes show in the preview; a deleted unread message stops counting", () => {
  const list = createChannelList({ myId: ME });
  list.replace([channel(CH)]);
  list.messageCreated(message(1), false);
  list.messageCreated(message(2), false);
  list.messageUpdated(message(2, { content: "edited" }));
  assert.equal(list.find(CH)!.last_message?.content, "edited");
  list.messageUpdated(message(1, { content: "not the last" }));
  assert.equal(list.find(CH)!.last_message?.content, "edited");
  list.messageDeleted({ id: 2, channel_id: CH, deleted_at: "2025-01-03T00:00:00Z" });
  assert.equal(list.find(CH)!.last_message?.deleted, true);
  assert.equal(list.find(CH)!.unread_count, 1);
});

Deno.test("member changes update the count; my removal drops the channel", () => {
  const list = createChannelList({ myId: ME });
  list.replace([channel(CH), channel(CH2)]);
  list.memberChanged({
    channel_id: CH,
    user_id: BOB,
    action: "added",
    role: "member",
    member_count: 4,
    member: null,
  });
  assert.equal(list.find(CH)!.member_count, 4);
  list.memberChanged({
    channel_id: CH,
    user_id: ME,
    action: "updated",
    role: "admin",
    member_count: 4,
    member: null,
  });
  assert.equal(list.find(CH)!.my_role, "admin");
  list.memberChanged({
    channel_id: CH2,
    user_id: ME,
    action: "removed",
    role: null,
    member_count: 2,
    member: null,
  });
  assert.deepEqual(list.channels.value.map((c) => c.id), [CH]);
});

Deno.test("reading the list again reports channels that moved meanwhile, and keeps the one being read at zero", () => {
  const list = createChannelList({ myId: ME });
  assert.deepEqual(list.replace([channel(CH, { last_message: last(3) }), channel(CH2)]), []);
  assert.equal(list.loaded.value, true);
  const moved = list.replace(
    [
      channel(CH, { last_message: last(9), unread_count: 6 }),
      channel(CH2, { last_message: last(8), unread_count: 1 }),
    ],
    CH,
  );
  assert.deepEqual(moved.map((c) => c.id), [CH, CH2]);
  assert.equal(list.find(CH)!.unread_count, 0);
  assert.equal(list.find(CH2)!.unread_count, 1);
});
