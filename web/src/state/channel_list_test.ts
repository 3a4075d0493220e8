import assert from "node:assert/strict";
import { BOB, CH, CH2, channel, ME, message } from "./_fixtures.ts";
import { createChannelList, mentionsOf } from "./channel_list.ts";
import type { MemberChanged } from "../types.ts";

/** A `member.changed` event as the database sends it (without the member's profile). */
const memberEvent = (
  channel_id: string,
  user_id: string,
  action: MemberChanged["action"],
  role: MemberChanged["role"],
  member_count: number,
): MemberChanged => ({ channel_id, user_id, action, role, member_count, member: null });

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
  list.memberChanged(memberEvent(CH, BOB, "added", "member", 4));
  assert.equal(list.find(CH)!.member_count, 4);
  list.memberChanged(memberEvent(CH, ME, "updated", "admin", 4));
  assert.equal(list.find(CH)!.my_role, "admin");
  list.memberChanged(memberEvent(CH2, ME, "removed", null, 2));
  assert.deepEqual(list.channels.value.map((c) => c.id), [CH]);
});

Deno.test("a list read begun before a member event keeps the event's count; one begun after takes the server's", () => {
  const list = createChannelList({ myId: ME });
  list.replace([channel(CH), channel(CH2)]);
  const before = list.mark();
  list.memberChanged(memberEvent(CH, BOB, "added", "member", 4));
  // The read's answer predates the invite: 3 members, as before it.
  list.replace([channel(CH), channel(CH2, { member_count: 5 })], null, before);
  assert.equal(list.find(CH)!.member_count, 4, "the event is not taken back");
  assert.equal(list.find(CH2)!.member_count, 5, "other channels follow the answer");
  list.replace([channel(CH, { member_count: 2 })], null, list.mark());
  assert.equal(list.find(CH)!.member_count, 2, "a read begun after the event is believed");
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

Deno.test("unread mentions of me are counted apart, from the list and then from messages", () => {
  const list = createChannelList({ myId: ME });
  list.replace([
    {
      ...channel(CH, { unread_count: 3, last_message: last(4), last_read_message_id: 1 }),
      mention_count: 1,
    },
    channel(CH2, { muted: true }),
  ]);
  assert.equal(mentionsOf(list.find(CH)), 1);
  list.messageCreated(message(5, { mentions: [ME] }), false);
  list.messageCreated(message(6, { mentions: [BOB] }), false);
  list.messageCreated(message(7, { mentions: [ME], sender_id: ME }), false);
  list.messageCreated(message(8, { channel_id: CH2, mentions: [ME] }), false);
  assert.equal(mentionsOf(list.find(CH)), 2, "mine and others' mentions of others do not count");
  assert.equal(mentionsOf(list.find(CH2)), 1, "a muted channel counts a mention");
  assert.equal(list.totalMentions.value, 3, "and so does the total: a mention is meant for me");
  list.messageCreated(message(9, { mentions: [ME] }), true);
  assert.equal(mentionsOf(list.find(CH)), 2, "seen as it came: not unread");
  list.messageDeleted({ id: 5, channel_id: CH, deleted_at: "2025-01-02T00:00:00Z" });
  assert.equal(mentionsOf(list.find(CH)), 1, "a deleted mention stops counting");
  list.read(CH, 9);
  assert.equal(mentionsOf(list.find(CH)), 0);
  assert.equal(list.find(CH)!.unread_count, 0);
});

Deno.test("an edit that adds or takes away a mention of me in an unread message counts", () => {
  const list = createChannelList({ myId: ME });
  list.replace([channel(CH, { last_message: last(1) })]);
  list.messageCreated(message(2), false);
  list.messageCreated(message(3), false);
  list.messageUpdated(message(2, { mentions: [ME], content: "@me now" }));
  assert.equal(mentionsOf(list.find(CH)), 1);
  assert.equal(list.find(CH)!.last_message?.content, "m3", "not the last: the preview stays");
  list.messageUpdated(message(2, { mentions: [], content: "nobody" }));
  assert.equal(mentionsOf(list.find(CH)), 0);
  list.read(CH, 2);
  list.messageUpdated(message(3, { mentions: [ME], content: "@me" }));
  assert.equal(mentionsOf(list.find(CH)), 1, "3 is still unread");
  list.read(CH, 3);
  assert.equal(mentionsOf(list.find(CH)), 0);
});

Deno.test("reading part of the list's own count leaves the mentions after it", () => {
  const list = createChannelList({ myId: ME });
  list.replace([
    {
      ...channel(CH, { unread_count: 5, last_message: last(10), last_read_message_id: 5 }),
      mention_count: 2,
    },
  ]);
  list.read(CH, 7);
  assert.equal(mentionsOf(list.find(CH)), 2, "which of them were read is not known: they stay");
  list.read(CH, 10);
  assert.equal(mentionsOf(list.find(CH)), 0);
});

Deno.test("the channel being read gets no count from the list's answer, mentions included", () => {
  const list = createChannelList({ myId: ME });
  list.replace(
    [{ ...channel(CH, { unread_count: 2, last_message: last(3) }), mention_count: 1 }],
    CH,
  );
  assert.equal(list.find(CH)!.unread_count, 0);
  assert.equal(mentionsOf(list.find(CH)), 0);
});

Deno.test("my own send, edit and delete show in the preview at once, without their events", () => {
  const list = createChannelList({ myId: ME });
  list.replace([channel(CH2, { last_message: last(10) }), channel(CH, { last_message: last(4) })]);
  list.mine(message(11, { sender_id: ME, content: "hello" }), "created");
  assert.equal(list.channels.value[0]!.id, CH, "moved to the top");
  assert.equal(list.find(CH)!.last_message?.content, "hello");
  assert.equal(list.find(CH)!.unread_count, 0);
  list.mine(message(11, { sender_id: ME, content: "hello, edited" }), "updated");
  assert.equal(list.find(CH)!.last_message?.content, "hello, edited");
  assert.equal(
    list.messageCreated(message(11, { sender_id: ME }), false),
    false,
    "its event: once",
  );
  list.mine(
    message(11, { sender_id: ME, content: "", deleted_at: "2025-01-03T00:00:00Z" }),
    "deleted",
  );
  assert.equal(list.find(CH)!.last_message?.deleted, true);
});

Deno.test("a list read before the newest message arrived keeps that message, and its edits", () => {
  const list = createChannelList({ myId: ME });
  list.replace([channel(CH, { last_message: last(4) })]);
  list.mine(message(5, { sender_id: ME, content: "see you there" }), "created");
  // The answer of a reload sent before message 5 was stored.
  list.replace([channel(CH, { last_message: last(4) })]);
  assert.equal(list.find(CH)!.last_message?.id, 5);
  list.mine(message(5, { sender_id: ME, content: "see you at one" }), "updated");
  assert.equal(list.find(CH)!.last_message?.content, "see you at one");
  // A newer list wins.
  list.replace([channel(CH, { last_message: last(6) })]);
  assert.equal(list.find(CH)!.last_message?.id, 6);
});

Deno.test("a list read before a burst arrived keeps the burst's unread count, and reads it", () => {
  const list = createChannelList({ myId: ME });
  list.replace([channel(CH, { last_message: last(4), last_read_message_id: 4 })]);
  // Messages 5..7 come by events (7 mentions me) while a reload is on its way ...
  for (const id of [5, 6]) list.messageCreated(message(id), false);
  list.messageCreated(message(7, { mentions: [ME] }), false);
  // ... whose answer was read before they were stored; 8 comes after it.
  list.replace([channel(CH, { last_message: last(4), last_read_message_id: 4 })]);
  list.messageCreated(message(8), false);
  const c = list.find(CH)!;
  assert.equal(c.unread_count, 4, "5, 6, 7 and 8");
  assert.equal(mentionsOf(c), 1);
  list.read(CH, 6);
  assert.equal(list.find(CH)!.unread_count, 2, "7 and 8 are left");
  // An answer that holds them counts them once.
  list.replace([
    channel(CH, { last_message: last(8), last_read_message_id: 6, unread_count: 2 }),
  ]);
  list.messageCreated(message(9), false);
  assert.equal(list.find(CH)!.unread_count, 3);
});
