/**
 * Realtime's wire protocol as realtime-js 2.119 speaks it (see supabase-facts.md §1): Phoenix
 * frames, `vsn=2.0.0` JSON arrays `[join_ref, ref, topic, event, payload]` (or `1.0.0` JSON
 * objects), and on 2.0.0 binary frames (binary.ts): kind 3 = a client's broadcast push, kind 4 =
 * a broadcast to a client. Every other server frame is JSON text. Every limit and close code of
 * the local Realtime lives here, so the numbers are defined once.
 */
import { decodeUserBroadcastPush, KIND, type UserBroadcast } from "./binary.ts";

export const EVENTS = {
  join: "phx_join",
  leave: "phx_leave",
  reply: "phx_reply",
  close: "phx_close",
  error: "phx_error",
  heartbeat: "heartbeat",
  accessToken: "access_token",
  broadcast: "broadcast",
  presence: "presence",
  presenceState: "presence_state",
  presenceDiff: "presence_diff",
  system: "system",
  postgresChanges: "postgres_changes",
} as const;

export const LIMITS = {
  /** Channels one socket may join (Supabase: 100 on every plan). */
  channelsPerSocket: 100,
  /** Largest frame accepted, in bytes (Supabase: 3,000 KB payloads on paid plans). */
  maxFrameBytes: 3_000_000,
  /**
   * Deepest JSON nesting accepted in a frame or REST body. Re-encoding deeper values
   * (JSON.stringify recurses) could exhaust the stack; real payloads nest a handful of levels.
   */
  maxJsonDepth: 64,
  /** A socket that sends no heartbeat for this long is closed (the client beats every 25 s). */
  heartbeatTimeoutMs: 60_000,
  /**
   * Largest presence payload, as UTF-8 JSON bytes. Supabase allows the broadcast size; every
   * tracked payload is sent to every presence subscriber of the topic (and again to each one
   * that joins), so it is kept small here: the web client tracks `{ online_at }` (~40 bytes).
   */
  presencePayloadBytes: 4_096,
  /**
   * Presence calls (track and untrack) per socket and window. Supabase allows 5 per 30 s per
   * client; 10 per 10 s leaves room for typing carried by presence (one track per 2 s).
   */
  presenceCalls: 10,
  presenceWindowMs: 10_000,
  /** Broadcast-from-Database rows read by one query, at most (notices that came together). */
  dbReadBatch: 500,
  /** Broadcast-from-Database rows replayed after the database link came back, at most. */
  replayMaxRows: 2_000,
  /**
   * Rows are replayed from this long before the last one delivered: `inserted_at` is the
   * inserting transaction's start, so a long transaction can commit a row older than a row
   * already delivered.
   */
  replayMarginMs: 60_000,
  /** Ids of delivered rows remembered, so that a replay delivers nothing twice. */
  replayDedupeIds: 20_000,
  /** Backoff of the database link's reconnection, first and last. */
  relistenMinMs: 200,
  relistenMaxMs: 2_000,
  /** Messages in one REST batch broadcast. */
  restMessagesPerRequest: 1_000,
} as const;

/** WebSocket close codes (RFC 6455 §7.4.1) the server uses. */
export const CLOSE = {
  normal: 1000,
  goingAway: 1001,
  /** A frame that cannot be decoded: bad UTF-8, a kind-3 frame whose lengths lie, bad JSON in it. */
  invalidData: 1007,
  /** A frame over LIMITS.maxFrameBytes. */
  tooBig: 1009,
  /** The server failed handling a frame (a bug): only that socket is closed. */
  internalError: 1011,
} as const;

/** Texts of `system` messages (Supabase's words where Supabase has them). */
export const SYSTEM = {
  presenceRate: "Client presence rate limit exceeded",
  presenceSize: "Track message size exceeded",
  noLongerAllowed: (subtopic: string) =>
    `You no longer have permission to read from this Channel topic: ${subtopic}`,
  /**
   * Local only: the database link was lost and what was missed could not be replayed. Sent
   * with status "error", followed by `phx_error`, so realtime-js rejoins the channel and the
   * app refetches on the new SUBSCRIBED.
   */
  catchUp: "Realtime missed messages on this topic: fetch what you missed",
} as const;

export interface Frame {
  joinRef: string | null;
  ref: string | null;
  topic: string;
  event: string;
  payload: Record<string, unknown>;
  /**
   * A kind-3 push: the broadcast with its payload as bytes (`payload` then holds only `type` and
   * `event`).
   */
  user?: UserBroadcast;
}

export type Vsn = "1.0.0" | "2.0.0";

/**
 * A decoded client frame; `ignored` for well-formed frames the server does not act on (text
 * that is not a Phoenix frame, unknown binary kinds), `invalid` for bytes that cannot be
 * decoded (the socket is closed with 1007).
 */
export type Decoded = { frame: Frame } | { ignored: string } | { invalid: string };

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Decodes one client frame. Never throws. A vsn 1.0.0 socket speaks JSON only: its binary frames
 * are read as JSON text, as Phoenix's V1 serializer reads every frame, so a kind-3 frame is not
 * understood there.
 */
export function decodeFrame(data: string | ArrayBuffer, vsn: Vsn): Decoded {
  try {
    if (typeof data === "string") return decodeText(data, vsn);
    const bytes = new Uint8Array(data);
    return vsn === "1.0.0" ? decodeText(utf8.decode(bytes), vsn) : decodeBinary(bytes);
  } catch (e) {
    return { invalid: `undecodable frame: ${e instanceof Error ? e.name : "error"}` };
  }
}

function decodeText(data: string, vsn: Vsn): Decoded {
  const parsed = parseJson(data);
  if (parsed.error === "too_deep") return { invalid: "JSON nested too deeply" };
  if (parsed.error) return { ignored: "not JSON" };
  const v = parsed.value;
  if (Array.isArray(v) && vsn === "2.0.0") {
    const [joinRef, ref, topic, event, payload] = v;
    if (typeof topic !== "string" || typeof event !== "string") return { ignored: "not a frame" };
    return {
      frame: {
        joinRef: typeof joinRef === "string" ? joinRef : null,
        ref: typeof ref === "string" ? ref : null,
        topic,
        event,
        payload: isObject(payload) ? payload : {},
      },
    };
  }
  if (isObject(v) && typeof v.topic === "string" && typeof v.event === "string") {
    return {
      frame: {
        joinRef: typeof v.join_ref === "string" ? v.join_ref : null,
        ref: typeof v.ref === "string" ? v.ref : null,
        topic: v.topic,
        event: v.event,
        payload: isObject(v.payload) ? v.payload : {},
      },
    };
  }
  return { ignored: "not a frame" };
}

/** vsn 2.0.0 binary: kind 3 is understood, any other kind ignored. */
function decodeBinary(b: Uint8Array): Decoded {
  if (b.length === 0 || b[0] !== KIND.userBroadcastPush) return { ignored: "unknown binary kind" };
  const decoded = decodeUserBroadcastPush(b);
  if ("invalid" in decoded) return decoded;
  const { joinRef, ref, topic, user } = decoded.push;
  return {
    frame: {
      joinRef,
      ref,
      topic,
      event: EVENTS.broadcast,
      payload: { type: "broadcast", event: user.event },
      user,
    },
  };
}

export function encodeFrame(f: Frame, vsn: Vsn): string {
  return vsn === "2.0.0"
    ? JSON.stringify([f.joinRef, f.ref, f.topic, f.event, f.payload])
    : JSON.stringify({
      join_ref: f.joinRef,
      ref: f.ref,
      topic: f.topic,
      event: f.event,
      payload: f.payload,
    });
}

/**
 * A frame whose payload is already JSON text (spliced in as it is, not parsed and encoded again).
 *
 * @example
 * encodeFrameJson({ joinRef: null, ref: null, topic: "t", event: "e" }, '{"a":1}', "2.0.0");
 * // '[null,null,"t","e",{"a":1}]'
 */
export function encodeFrameJson(f: Omit<Frame, "payload">, payloadJson: string, vsn: Vsn): string {
  const [joinRef, ref, topic, event] = [f.joinRef, f.ref, f.topic, f.event].map((v) =>
    JSON.stringify(v)
  );
  return vsn === "2.0.0"
    ? `[${joinRef},${ref},${topic},${event},${payloadJson}]`
    : `{"join_ref":${joinRef},"ref":${ref},"topic":${topic},"event":${event},"payload":${payloadJson}}`;
}

/**
 * JSON.parse with a nesting bound (LIMITS.maxJsonDepth), so that whatever is accepted can be
 * encoded again. Never throws.
 *
 * @example
 * parseJson('{"a":[1]}'); // { value: { a: [1] } }
 * parseJson("[".repeat(100) + "]".repeat(100)); // { error: "too_deep" }
 */
export function parseJson(text: string): { value: unknown; error?: undefined } | {
  error: "invalid" | "too_deep";
  value?: undefined;
} {
  if (jsonDepth(text) > LIMITS.maxJsonDepth) return { error: "too_deep" };
  try {
    return { value: JSON.parse(text) };
  } catch {
    return { error: "invalid" };
  }
}

/** Deepest bracket nesting outside strings (an upper bound for malformed text). */
function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      if (++depth > max) max = depth;
    } else if (c === 93 || c === 125) depth--;
  }
  return max;
}

/** UTF-8 length of a string, without allocating the bytes. */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
