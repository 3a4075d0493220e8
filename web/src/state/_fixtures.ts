/** Rows as the API and the events carry them, for the state's unit tests. */
import type { Channel, Member, Message } from "../types.ts";

export const ME = "11111111-1111-4111-8111-111111111111";
export const BOB = "22222222-2222-4222-8222-222222222222";
export const CAROL = "44444444-4444-4444-8444-444444444444";
export const CH = "33333333-3333-4333-8333-333333333333";
export const CH2 = "55555555-5555-4555-8555-555555555555";

export function message(id: number, fields: Partial<Message> = {}): Message {
  return {
    id,
    channel_id: CH,
    sender_id: BOB,
    kind: "text",
    content: `m${id}`,
    reply_to_id: null,
    client_id: null,
    mentions: [],
    created_at: new Date(1_700_000_000_000 + id * 1000).toISOString(),
    edited_at: null,
    deleted_at: null,
    moderation: "ok",
    sender: { id: fields.sender_id ?? BOB, username: "bob", display_name: null, avatar_path: null },
    reply_to: null,
    reactions: [],
    attachments: [],
    ...fields,
  };
}

export function channel(id: string, fields: Partial<Channel> = {}): Channel {
  return {
    id,
    kind: "group",
    name: `group ${id.slice(0, 4)}`,
    topic: null,
    is_private: false,
    created_by: ME,
    my_role: "member",
    muted: false,
    last_read_message_id: 0,
    last_delivered_message_id: 0,
    member_count: 3,
    created_at: "2025-01-01T00:00:00Z",
    other_user: null,
    unread_count: 0,
    last_message: null,
    ...fields,
  };
}

export function member(user_id: string, fields: Partial<Member> = {}): Member {
  return {
    user_id,
    role: "member",
    joined_at: "2025-01-01T00:00:00Z",
    last_delivered_message_id: 0,
    last_read_message_id: 0,
    username: user_id.slice(0, 4),
    display_name: null,
    avatar_path: null,
    deactivated: false,
    ...fields,
  };
}
