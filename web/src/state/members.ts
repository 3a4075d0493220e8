/**
 * The open channel's members and what they have received and read, for ticks: read from
 * `GET /channels/:id` when the channel opens, then kept by events alone — `member.changed`
 * (joins, roles, leaves), `receipt.updated` (each person's watermarks, in channels of at most
 * RECEIPT_DETAIL_MAX_MEMBERS) and `receipt.summary` (in larger ones: how many have received
 * and read each of the newest messages, "read by N").
 */
import { signal } from "@preact/signals";
import type {
  Member,
  MemberChanged,
  ReceiptSummary,
  ReceiptUpdated,
  Shown,
  UserRef,
} from "../types.ts";

export type Tick = "sending" | "failed" | "sent" | "delivered" | "read";

export const userOf = (m: Member): UserRef => ({
  id: m.user_id,
  username: m.username,
  display_name: m.display_name,
  avatar_path: m.avatar_path,
});

export function createMembers({ myId }: { myId: string }) {
  const members = signal<Member[]>([]);
  const memberCount = signal(0);
  /** Per message id: members other than its sender who have it / have read it. */
  const summary = signal<ReadonlyMap<number, { delivered: number; read: number }>>(new Map());

  function set(list: Member[]) {
    members.value = list;
    memberCount.value = list.length;
  }

  const isMember = (userId: string) => members.value.some((m) => m.user_id === userId);

  function changed(p: MemberChanged) {
    memberCount.value = p.member_count;
    const rest = members.value.filter((m) => m.user_id !== p.user_id);
    if (p.action === "removed" || !p.member) members.value = rest;
    else {
      const at = members.value.findIndex((m) => m.user_id === p.user_id);
      members.value = at < 0
        ? [...rest, p.member]
        : members.value.map((m) => m.user_id === p.user_id ? p.member! : m);
    }
  }

  function receipt(p: ReceiptUpdated) {
    if (!isMember(p.user_id)) return;
    members.value = members.value.map((m) =>
      m.user_id === p.user_id
        ? {
          ...m,
          last_delivered_message_id: Math.max(
            m.last_delivered_message_id,
            p.last_delivered_message_id,
          ),
          last_read_message_id: Math.max(m.last_read_message_id, p.last_read_message_id),
        }
        : m
    );
  }

  function summarized(p: ReceiptSummary) {
    memberCount.value = p.member_count;
    const next = new Map(summary.value);
    for (const m of p.messages) {
      const had = next.get(m.id);
      next.set(m.id, {
        delivered: Math.max(had?.delivered ?? 0, m.delivered),
        read: Math.max(had?.read ?? 0, m.read),
      });
    }
    // Only the newest ones matter (a summary covers the newest messages).
    const keep = [...next.keys()].sort((a, b) => b - a).slice(0, 200);
    summary.value = new Map(keep.map((id) => [id, next.get(id)!]));
  }

  /** A message's ticks: read by every other member → read; received by all → delivered. */
  function tickOf(m: Shown): { tick: Tick; readBy: number; others: number } {
    if (m.id === null) {
      return { tick: m.state === "failed" ? "failed" : "sending", readBy: 0, others: 0 };
    }
    const counted = summary.value.get(m.id);
    let others: number, readBy: number, delivered: number;
    if (counted) {
      others = Math.max(0, memberCount.value - 1);
      readBy = counted.read;
      delivered = counted.delivered;
    } else {
      const rest = members.value.filter((x) => x.user_id !== myId && !x.deactivated);
      others = rest.length;
      readBy = rest.filter((o) => o.last_read_message_id >= m.id!).length;
      delivered = rest.filter((o) => o.last_delivered_message_id >= m.id!).length;
    }
    const tick: Tick = others && readBy >= others
      ? "read"
      : others && delivered >= others
      ? "delivered"
      : "sent";
    return { tick, readBy, others };
  }

  return { members, memberCount, summary, set, isMember, changed, receipt, summarized, tickOf };
}

export type Members = ReturnType<typeof createMembers>;
