/**
 * Realtime's wire protocol as realtime-js 2.119 speaks it (see supabase-facts.md §1): Phoenix
 * frames, `vsn=2.0.0` JSON arrays `[join_ref, ref, topic, event, payload]` (or `1.0.0` JSON
 * objects), and binary frames: kind 3 = a client's broadcast push. Server frames are sent as
 * JSON text, which the client accepts for broadcasts too.
 */

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
  /** A socket that sends no heartbeat for this long is closed (the client beats every 25 s). */
  heartbeatTimeoutMs: 60_000,
} as const;

export interface Frame {
  joinRef: string | null;
  ref: string | null;
  topic: string;
  event: string;
  payload: Record<string, unknown>;
}

export type Vsn = "1.0.0" | "2.0.0";

/** Decodes one client frame; undefined for anything malformed. */
export function decodeFrame(data: string | ArrayBuffer, vsn: Vsn): Frame | undefined {
  if (typeof data !== "string") return decodeBinary(new Uint8Array(data));
  let v: unknown;
  try {
    v = JSON.parse(data);
  } catch {
    return undefined;
  }
  if (Array.isArray(v) && vsn === "2.0.0") {
    const [joinRef, ref, topic, event, payload] = v;
    if (typeof topic !== "string" || typeof event !== "string") return undefined;
    return {
      joinRef: typeof joinRef === "string" ? joinRef : null,
      ref: typeof ref === "string" ? ref : null,
      topic,
      event,
      payload: isObject(payload) ? payload : {},
    };
  }
  if (isObject(v) && typeof v.topic === "string" && typeof v.event === "string") {
    return {
      joinRef: typeof v.join_ref === "string" ? v.join_ref : null,
      ref: typeof v.ref === "string" ? v.ref : null,
      topic: v.topic,
      event: v.event,
      payload: isObject(v.payload) ? v.payload : {},
    };
  }
  return undefined;
}

/** Kind 3: [3, len(join_ref), len(ref), len(topic), len(event), len(meta), encoding] strings payload. */
function decodeBinary(b: Uint8Array): Frame | undefined {
  if (b.length < 7 || b[0] !== 3) return undefined;
  const lens = [b[1]!, b[2]!, b[3]!, b[4]!, b[5]!];
  const encoding = b[6]!;
  let off = 7;
  const dec = new TextDecoder();
  const parts: string[] = [];
  for (const len of lens) {
    if (off + len > b.length) return undefined;
    parts.push(dec.decode(b.subarray(off, off + len)));
    off += len;
  }
  const [joinRef, ref, topic, event, meta] = parts as [string, string, string, string, string];
  const raw = b.subarray(off);
  let payload: unknown;
  if (encoding === 1) {
    try {
      payload = JSON.parse(dec.decode(raw));
    } catch {
      return undefined;
    }
  } else {
    // Binary payloads are relayed as base64 inside JSON text frames.
    payload = { _binary: btoa(String.fromCharCode(...raw)) };
  }
  let metaObj: Record<string, unknown> | undefined;
  if (meta) {
    try {
      metaObj = JSON.parse(meta);
    } catch {
      metaObj = undefined;
    }
  }
  return {
    joinRef: joinRef || null,
    ref: ref || null,
    topic,
    event: EVENTS.broadcast,
    payload: { type: "broadcast", event, payload, ...(metaObj ? { meta: metaObj } : {}) },
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

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
