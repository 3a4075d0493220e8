/**
 * Realtime events into the models (README, "Realtime events"). Only the database writes on
 * `channel:` and `user:` topics, so every event is trusted and carries its data: it is merged
 * into the channel list, the open channel, the receipts and the notifications without a
 * request. An event that comes without its data (a server from before events carried it) is
 * a hint instead: the open channel reads what it names.
 */
import type {
  MemberChanged,
  Message,
  MessageDeleted,
  ReactionChanged,
  ReceiptSummary,
  ReceiptUpdated,
} from "../types.ts";
import type { ChannelList } from "./channel_list.ts";
import type { MessagesState } from "./messages.ts";
import type { Notifications } from "./notifications.ts";
import type { Receipts } from "./receipts.ts";

export interface EventTargets {
  myId: string;
  list: Pick<ChannelList, "messageCreated" | "messageUpdated" | "messageDeleted" | "memberChanged">;
  receipts: Pick<Receipts, "delivered">;
  notifications: Pick<Notifications, "arrived" | "mentioned">;
  /** The open channel's state when `channelId` is the open channel. */
  open: (channelId: string) => MessagesState | null;
  /** I was removed from a channel. */
  removed: (channelId: string) => void;
  /** I was added to a channel (`channel.added`): the list is read again. */
  added: () => void;
}

type Payload = Record<string, unknown>;
const isObject = (v: unknown): v is Payload => typeof v === "object" && v !== null;
const isId = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

/** A message of this channel, with `complete` false when it lacks what the API's rows have. */
export function messageOf(
  v: unknown,
  channelId: string,
): { message: Message; complete: boolean } | null {
  if (!isObject(v) || !isId(v.id) || v.channel_id !== channelId) return null;
  if (typeof v.content !== "string") return null;
  const complete = Array.isArray(v.reactions) && Array.isArray(v.attachments) && "sender" in v;
  const message = {
    reply_to_id: null,
    client_id: null,
    edited_at: null,
    deleted_at: null,
    moderation: "ok",
    sender: null,
    reply_to: null,
    ...v,
    reactions: Array.isArray(v.reactions) ? v.reactions : [],
    attachments: Array.isArray(v.attachments) ? v.attachments : [],
  } as Message;
  return { message, complete };
}

export function dispatchChannelEvent(
  t: EventTargets,
  channelId: string,
  event: string,
  p: Payload,
): void {
  const open = t.open(channelId);
  switch (event) {
    case "message.created": {
      const got = messageOf(p.message, channelId);
      if (!got) return;
      const m = got.message;
      const prevId = p.prev_id === null || isId(p.prev_id) ? p.prev_id : undefined;
      if (open) {
        if (got.complete && prevId !== undefined) open.created(m, prevId);
        else open.catchUp();
      }
      t.list.messageCreated(m, !!open && open.seesNewest());
      if (m.sender_id !== t.myId) {
        t.receipts.delivered(channelId, m.id);
        t.notifications.arrived(m);
      }
      return;
    }
    case "message.updated": {
      const got = messageOf(p.message, channelId);
      if (!got) return;
      if (got.complete) open?.updated(got.message);
      else open?.refresh(got.message.id);
      t.list.messageUpdated(got.message);
      return;
    }
    case "message.deleted": {
      // `{ id, channel_id, deleted_at }` (earlier servers sent the row as `message`).
      const row = isObject(p.message) ? p.message : p;
      if (!isId(row.id)) return;
      const d: MessageDeleted = {
        id: row.id,
        channel_id: channelId,
        deleted_at: typeof row.deleted_at === "string" ? row.deleted_at : new Date().toISOString(),
      };
      open?.deleted(d);
      t.list.messageDeleted(d);
      return;
    }
    case "reaction.changed": {
      if (!isId(p.message_id)) return;
      if (Array.isArray(p.reactions)) {
        open?.reactionsChanged({ ...p, channel_id: channelId } as unknown as ReactionChanged);
      } else open?.refresh(p.message_id);
      return;
    }
    case "member.changed": {
      if (typeof p.user_id !== "string") return;
      const c = { ...p, channel_id: channelId } as unknown as MemberChanged;
      if (open) {
        open.memberChanged(c);
        if (!c.member && c.action !== "removed") open.loadMembers();
      }
      if (isId(p.member_count)) t.list.memberChanged(c);
      if (c.user_id === t.myId && c.action === "removed") t.removed(channelId);
      return;
    }
    case "receipt.updated":
      if (typeof p.user_id === "string") {
        open?.receipt({ ...p, channel_id: channelId } as unknown as ReceiptUpdated);
      }
      return;
    case "receipt.summary":
      if (Array.isArray(p.messages) && isId(p.member_count)) {
        open?.summary({ ...p, channel_id: channelId } as unknown as ReceiptSummary);
      }
      return;
  }
}

/** `user:<me>`: `channel.added` and `mention`. */
export function dispatchUserEvent(t: EventTargets, event: string, p: Payload): void {
  if (event === "channel.added") t.added();
  else if (event === "mention" && typeof p.channel_id === "string" && isId(p.message_id)) {
    t.notifications.mentioned({
      channel_id: p.channel_id,
      message_id: p.message_id,
      content: String(p.content ?? ""),
    });
  }
}
