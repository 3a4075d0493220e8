/** The shapes the API returns (see functions/api and the read-model migration). */
export interface UserRef {
  id: string;
  username: string;
  display_name: string | null;
  avatar_path: string | null;
  deactivated?: boolean;
  last_seen_at?: string | null;
  status_text?: string | null;
}

export interface Profile extends UserRef {
  status_text: string | null;
  locale: string | null;
  role?: string;
}

export interface Attachment {
  id: string;
  path: string;
  mime_type: string;
  size_bytes: number;
  width: number | null;
  height: number | null;
  duration_ms?: number | null;
  thumb_path: string | null;
}

export interface Reaction {
  emoji: string;
  count: number;
  user_ids: string[];
  /** Derived by the client from `user_ids` (events do not carry it). */
  mine: boolean;
}

export interface Message {
  id: number;
  channel_id: string;
  sender_id: string | null;
  kind: string;
  content: string;
  reply_to_id: number | null;
  client_id: string | null;
  mentions?: string[] | null;
  created_at: string;
  edited_at: string | null;
  deleted_at: string | null;
  moderation: string;
  sender: UserRef | null;
  reply_to: { id: number; sender_id: string; content: string; deleted: boolean } | null;
  reactions: Reaction[];
  attachments: Attachment[];
  /** The first link's preview (issue 14); null when there is none. */
  preview?: LinkPreview | null;
}

/** What the server found at a message's first link (text only; the image in Storage). */
export interface LinkPreview {
  url: string;
  title: string | null;
  description: string | null;
  site_name: string;
  image_path: string | null;
  image_width: number | null;
  image_height: number | null;
  hidden: boolean;
}

/** A message on screen: from the server, or still on its way (optimistic). */
export interface Shown extends Omit<Message, "id"> {
  id: number | null;
  state: "sending" | "failed" | "sent";
  error?: string;
  /** Refused for good (moderation, not a member): sending again would not help. */
  refused?: boolean;
  /** Attachment ids and reply id to send again on retry. */
  retry?: { attachment_ids: string[]; reply_to_id?: number };
}

export interface Channel {
  id: string;
  kind: "direct" | "group";
  name: string | null;
  topic: string | null;
  is_private: boolean;
  created_by: string | null;
  my_role: "owner" | "admin" | "member";
  muted: boolean;
  last_read_message_id: number;
  last_delivered_message_id: number;
  member_count: number;
  created_at?: string;
  other_user: UserRef | null;
  unread_count: number;
  last_message:
    | {
      id: number;
      sender_id: string | null;
      kind: string;
      content: string;
      created_at: string;
      deleted: boolean;
    }
    | null;
}

export interface Member {
  user_id: string;
  role: "owner" | "admin" | "member";
  joined_at: string;
  last_delivered_message_id: number;
  last_read_message_id: number;
  username: string;
  display_name: string | null;
  avatar_path: string | null;
  deactivated: boolean;
}

export interface PublicChannel {
  id: string;
  name: string;
  topic: string | null;
  member_count: number;
  joined: boolean;
}

export interface SearchHit {
  id: number;
  channel_id: string;
  sender_id: string;
  created_at: string;
  archived: boolean;
  score: number;
  snippet: string;
}

/** Realtime event payloads on `channel:<id>` (README, "Realtime events"). */
export interface MessageCreated {
  message: Message;
  prev_id: number | null;
}

export interface MessageDeleted {
  id: number;
  channel_id: string;
  deleted_at: string;
}

export interface ReactionChanged {
  message_id: number;
  channel_id: string;
  reactions: Omit<Reaction, "mine">[];
}

export interface MemberChanged {
  channel_id: string;
  user_id: string;
  action: "added" | "updated" | "removed";
  role: Member["role"] | null;
  member_count: number;
  member: Member | null;
}

export interface ReceiptUpdated {
  channel_id: string;
  user_id: string;
  last_delivered_message_id: number;
  last_read_message_id: number;
}

export interface ReceiptSummary {
  channel_id: string;
  member_count: number;
  messages: { id: number; delivered: number; read: number }[];
}
