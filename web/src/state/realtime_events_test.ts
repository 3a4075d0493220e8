import assert from "node:assert/strict";
import { BOB, CH, ME, member, message } from "./_fixtures.ts";
import type { MessagesState } from "./messages.ts";
import {
  dispatchChannelEvent,
  dispatchUserEvent,
  type EventTargets,
  messageOf,
} from "./realtime_events.ts";

/** Targets that record what reached them; `open` is a recording stand-in of the open channel. */
function targets(openId: string | null = CH, sees = true) {
  const calls: unknown[][] = [];
  const rec = (name: string) => (...args: unknown[]) => void calls.push([name, ...args]);
  const open = new Proxy({}, {
    get: (_, k: string) => k === "seesNewest" ? () => sees : rec(`open.${k}`),
  }) as unknown as MessagesState;
  const t: EventTargets = {
    myId: ME,
    list: {
      messageCreated: (m, seen) => (calls.push(["list.created", m.id, seen]), true),
      messageUpdated: rec("list.updated"),
      messageDeleted: rec("list.deleted"),
      memberChanged: rec("list.member"),
    },
    receipts: { delivered: rec("delivered") },
    notifications: { arrived: (m) => calls.push(["notify", m.id]), mentioned: rec("mentioned") },
    open: (id) => id === openId ? open : null,
    removed: rec("removed"),
    added: rec("added"),
  };
  return { t, calls };
}

Deno.test("message.created goes to the open channel, the list, the delivered receipt and notifications", () => {
  const { t, calls } = targets();
  dispatchChannelEvent(t, CH, "message.created", { message: message(5), prev_id: 4 });
  assert.deepEqual(calls.map((c) => c[0]), [
    "open.created",
    "list.created",
    "delivered",
    "notify",
  ]);
  assert.deepEqual(calls[0]!.slice(2), [4]);
  assert.deepEqual(calls[1], ["list.created", 5, true]);
  assert.deepEqual(calls[2], ["delivered", CH, 5]);
});

Deno.test("my own message is merged but neither delivered to me nor notified", () => {
  const { t, calls } = targets(null);
  dispatchChannelEvent(t, CH, "message.created", {
    message: message(5, { sender_id: ME }),
    prev_id: null,
  });
  assert.deepEqual(calls, [["list.created", 5, false]]);
});

Deno.test("a message for another channel than its topic's is dropped", () => {
  const { t, calls } = targets();
  dispatchChannelEvent(t, CH, "message.created", {
    message: message(5, { channel_id: "elsewhere" }),
    prev_id: 4,
  });
  dispatchChannelEvent(t, CH, "message.created", { message: { id: "x" }, prev_id: 4 });
  assert.deepEqual(calls, []);
});

Deno.test("an event without its data (an older server) is a hint: the open channel reads it", () => {
  const { t, calls } = targets();
  const row = { id: 7, channel_id: CH, sender_id: BOB, content: "hi", created_at: "x" };
  dispatchChannelEvent(t, CH, "message.created", { message: row });
  dispatchChannelEvent(t, CH, "message.updated", { message: row });
  dispatchChannelEvent(t, CH, "reaction.changed", { message_id: 7, emoji: "👍" });
  assert.deepEqual(calls.filter((c) => String(c[0]).startsWith("open.")).map((c) => c[0]), [
    "open.catchUp",
    "open.refresh",
    "open.refresh",
  ]);
  assert.equal(messageOf(row, CH)?.complete, false);
  assert.equal(messageOf(message(1), CH)?.complete, true);
});

Deno.test("deletes, reactions, members and receipts reach their models", () => {
  const { t, calls } = targets();
  dispatchChannelEvent(t, CH, "message.deleted", { id: 3, channel_id: CH, deleted_at: "d" });
  dispatchChannelEvent(t, CH, "reaction.changed", {
    message_id: 3,
    channel_id: CH,
    reactions: [],
  });
  dispatchChannelEvent(t, CH, "member.changed", {
    channel_id: CH,
    user_id: BOB,
    action: "added",
    role: "member",
    member_count: 3,
    member: member(BOB),
  });
  dispatchChannelEvent(t, CH, "receipt.updated", {
    channel_id: CH,
    user_id: BOB,
    last_delivered_message_id: 3,
    last_read_message_id: 3,
  });
  dispatchChannelEvent(t, CH, "receipt.summary", {
    channel_id: CH,
    member_count: 30,
    messages: [{ id: 3, delivered: 2, read: 1 }],
  });
  dispatchChannelEvent(t, CH, "typing", { user_id: BOB, typing: true });
  assert.deepEqual(calls.map((c) => c[0]), [
    "open.deleted",
    "list.deleted",
    "open.reactionsChanged",
    "open.memberChanged",
    "list.member",
    "open.receipt",
    "open.summary",
  ], "typing is not read from data topics");
});

Deno.test("my removal is reported; user events add channels and notify mentions", () => {
  const { t, calls } = targets(null);
  dispatchChannelEvent(t, CH, "member.changed", {
    channel_id: CH,
    user_id: ME,
    action: "removed",
    role: null,
    member_count: 2,
    member: null,
  });
  dispatchUserEvent(t, "channel.added", { channel: { id: CH } });
  dispatchUserEvent(t, "mention", { channel_id: CH, message_id: 9, content: "@me" });
  assert.deepEqual(calls.map((c) => c[0]), ["list.member", "removed", "added", "mentioned"]);
});
