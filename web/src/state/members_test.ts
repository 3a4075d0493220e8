import assert from "node:assert/strict";
import type { Member, Shown } from "../types.ts";
import { BOB, CAROL, CH, ME, member, message } from "./_fixtures.ts";
import { createMembers, statusOf } from "./members.ts";

const mine = (id: number): Shown => ({ ...message(id, { sender_id: ME }), state: "sent" });

Deno.test("per-person receipts turn a message's ticks from sent to delivered to read", () => {
  const ms = createMembers({ myId: ME });
  ms.set([member(ME), member(BOB), member(CAROL)]);
  assert.equal(ms.tickOf(mine(5)).tick, "sent");
  const receipt = (user_id: string, d: number, r: number) =>
    ms.receipt({
      channel_id: CH,
      user_id,
      last_delivered_message_id: d,
      last_read_message_id: r,
    });
  receipt(BOB, 5, 5);
  assert.deepEqual(ms.tickOf(mine(5)), { tick: "sent", readBy: 1, others: 2 });
  receipt(CAROL, 5, 0);
  assert.equal(ms.tickOf(mine(5)).tick, "delivered");
  receipt(CAROL, 5, 6);
  assert.deepEqual(ms.tickOf(mine(5)), { tick: "read", readBy: 2, others: 2 });
  receipt(CAROL, 1, 1);
  assert.equal(ms.tickOf(mine(5)).tick, "read", "watermarks never go back");
  receipt("stranger", 9, 9); // not a member: nothing
  assert.equal(ms.members.value.length, 3);
});

Deno.test("a summary gives 'read by N' in a large channel", () => {
  const ms = createMembers({ myId: ME });
  ms.set([member(ME), member(BOB)]);
  ms.summarized({
    channel_id: CH,
    member_count: 40,
    messages: [{ id: 5, delivered: 39, read: 12 }, { id: 6, delivered: 39, read: 39 }],
  });
  assert.deepEqual(ms.tickOf(mine(5)), { tick: "delivered", readBy: 12, others: 39 });
  assert.equal(ms.tickOf(mine(6)).tick, "read");
  ms.summarized({ channel_id: CH, member_count: 40, messages: [{ id: 6, delivered: 1, read: 1 }] });
  assert.equal(ms.tickOf(mine(5)).readBy, 12, "kept from the earlier summary");
  assert.equal(ms.tickOf(mine(6)).tick, "read", "counts never go back");
});

Deno.test("member changes add, update and remove people without reading the list", () => {
  const ms = createMembers({ myId: ME });
  ms.set([member(ME), member(BOB)]);
  ms.changed({
    channel_id: CH,
    user_id: CAROL,
    action: "added",
    role: "member",
    member_count: 3,
    member: member(CAROL),
  });
  assert.equal(ms.isMember(CAROL), true);
  ms.changed({
    channel_id: CH,
    user_id: BOB,
    action: "updated",
    role: "admin",
    member_count: 3,
    member: member(BOB, { role: "admin" }),
  });
  assert.equal(ms.members.value.find((m) => m.user_id === BOB)?.role, "admin");
  ms.changed({
    channel_id: CH,
    user_id: BOB,
    action: "removed",
    role: null,
    member_count: 2,
    member: null,
  });
  assert.deepEqual(ms.members.value.map((m) => m.user_id), [ME, CAROL]);
  assert.equal(ms.memberCount.value, 2);
});

Deno.test("unsent messages tick as sending or failed", () => {
  const ms = createMembers({ myId: ME });
  assert.equal(ms.tickOf({ ...mine(1), id: null, state: "failed" }).tick, "failed");
  assert.equal(ms.tickOf({ ...mine(1), id: null, state: "sending" }).tick, "sending");
});

Deno.test("someone deactivated keeps the ticks of what they read, and is not waited for after", () => {
  const ms = createMembers({ myId: ME });
  ms.set([
    member(ME),
    member(BOB, { last_delivered_message_id: 6, last_read_message_id: 5, deactivated: true }),
  ]);
  assert.deepEqual(ms.tickOf(mine(5)), { tick: "read", readBy: 1, others: 1 }, "read before");
  assert.equal(ms.tickOf(mine(6)).tick, "delivered", "received before");
  assert.deepEqual(ms.tickOf(mine(7)), { tick: "sent", readBy: 0, others: 0 }, "after: sent");
  ms.set([
    member(ME),
    member(BOB, { last_delivered_message_id: 6, last_read_message_id: 5, deactivated: true }),
    member(CAROL, { last_delivered_message_id: 7, last_read_message_id: 7 }),
  ]);
  assert.deepEqual(ms.tickOf(mine(7)), { tick: "read", readBy: 1, others: 1 });
  assert.deepEqual(ms.tickOf(mine(5)), { tick: "read", readBy: 2, others: 2 });
});

Deno.test("a member's status text comes with the row or its event, and a row without it keeps it", () => {
  const ms = createMembers({ myId: ME });
  ms.set([member(ME), member(BOB)]);
  ms.changed({
    channel_id: CH,
    user_id: CAROL,
    action: "added",
    role: "member",
    member_count: 3,
    member: { ...member(CAROL), status_text: "in a meeting" } as Member,
  });
  const carol = () => ms.members.value.find((m) => m.user_id === CAROL)!;
  assert.equal(statusOf(carol()), "in a meeting");
  ms.set([member(ME), member(BOB), member(CAROL)]); // read again from a server without it
  assert.equal(statusOf(carol()), "in a meeting");
  ms.set([member(ME), member(BOB), { ...member(CAROL), status_text: null } as Member]);
  assert.equal(statusOf(carol()), "", "a server that lists it says it is gone");
});
