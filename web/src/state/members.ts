/**
 * The open channel's members and what they have received and read, for ticks: read from
 * `GET /channels/:id` when the channel opens, then kept by events alone — `member.changed`
 * (joins, roles, leaves), `receipt.updated` (each person's watermarks, in channels of at most
 * RECEIPT_DETAIL_MAX_MEMBERS) and `receipt.summary` (in larger ones: how many have received
 * and read each of the newest messages, "read by N"). Someone deactivated reads nothing more,
 * so they are not waited for; but what they received and read before still counts, so a
 * message they read keeps its read ticks.
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

/** A member with the status text they set (events carry it; older servers may not). */
export type MemberRow = Member & { status_text?: string | null };

export const statusOf = (m: Member): string => (m as MemberRow).status_text?.trim() ?? "";

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
    // A row without the status text (a server that does not list it) keeps what an event said.
    const had = new Map(members.value.map((m) => [m.user_id, m as MemberRow]));
    members.value = list.map((m) => {
      const before = had.get(m.user_id);
      return "status_text" in m || before?.status_text == null
        ? m
        : { ...m, status_text: before.status_text };
    });
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
      // The deactivated count for what they had received when they went.
      const rest = members.value.filter((x) =>
        x.user_id !== myId && (!x.deactivated || x.last_delivered_message_id >= m.id!)
      );
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
