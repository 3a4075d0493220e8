/**
 * Realtime's binary frames (vsn 2.0.0), laid out as supabase/realtime's `V2Serializer` and
 * realtime-js 2.119's `serializer.ts` lay them out. Every length is one byte (at most 255).
 *
 * - kind 3, a client's broadcast push:
 *   `[3, len(join_ref), len(ref), len(topic), len(event), len(meta), encoding]`
 *   then join_ref, ref, topic, event, meta (JSON, or empty) and the payload;
 * - kind 4, a broadcast to a client:
 *   `[4, len(topic), len(event), len(meta), encoding]` then topic, event, meta and the payload.
 *
 * encoding 0: the payload is raw bytes (realtime-js hands it over as an ArrayBuffer); any other
 * value: UTF-8 JSON (the server reads every non-zero byte as JSON, as Supabase's does; clients
 * send 1). Supabase drops a push's metadata (it only decides persistence), so kind-4 frames go
 * out without any. A payload that is not valid JSON, or nested deeper than LIMITS.maxJsonDepth,
 * is refused rather than relayed: every receiving client would fail to parse it.
 *
 * Sockets that speak vsn 1.0.0 get JSON-encoded user broadcasts as JSON text and binary ones not
 * at all, as Supabase's dispatcher does ("User payload encoding is not JSON").
 */
import { parseJson } from "./protocol.ts";

export const KIND = { userBroadcastPush: 3, userBroadcast: 4 } as const;
export const ENCODING = { binary: 0, json: 1 } as const;
/** Largest topic, event, ref or metadata in a binary frame, in bytes. */
export const MAX_FIELD_BYTES = 255;

/** A broadcast whose payload travels as bytes: a kind-3 push, or the per-event REST endpoint. */
export interface UserBroadcast {
  event: string;
  encoding: "json" | "binary";
  /** The payload as it goes on the wire (UTF-8 JSON text when `encoding` is "json"). */
  bytes: Uint8Array;
  /** The payload's JSON text ("json" only), for the sockets that get JSON text. */
  json: string | undefined;
}

/** A decoded kind-3 frame. */
export interface UserBroadcastPush {
  joinRef: string | null;
  ref: string | null;
  topic: string;
  user: UserBroadcast;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });
const enc = new TextEncoder();

/**
 * A user broadcast of a JSON value.
 *
 * @example
 * jsonBroadcast("typing", '{"a":1}').bytes; // the UTF-8 bytes of {"a":1}
 */
export function jsonBroadcast(event: string, json: string): UserBroadcast {
  return { event, encoding: "json", bytes: enc.encode(json), json };
}

/** A user broadcast of raw bytes. */
export function binaryBroadcast(event: string, bytes: Uint8Array): UserBroadcast {
  return { event, encoding: "binary", bytes, json: undefined };
}

/**
 * Decodes a kind-3 frame (its first byte already checked). Throws a TypeError on fields that are
 * not UTF-8 (the caller turns any throw into "invalid").
 */
export function decodeUserBroadcastPush(
  b: Uint8Array,
): { push: UserBroadcastPush } | { invalid: string } {
  if (b.length < 7) return { invalid: "kind 3 header cut short" };
  let off = 7;
  const fields: string[] = [];
  for (let i = 1; i <= 5; i++) {
    const len = b[i]!;
    if (off + len > b.length) return { invalid: "field lengths past the end of the frame" };
    fields.push(utf8.decode(b.subarray(off, off + len)));
    off += len;
  }
  const [joinRef, ref, topic, event, meta] = fields as [string, string, string, string, string];
  if (meta) {
    const parsed = parseJson(meta);
    if (parsed.error) return { invalid: `metadata: ${parsed.error}` };
  }
  // A copy: the frame's buffer is not kept alive by the payload, nor changed under it.
  const bytes = b.slice(off);
  let user: UserBroadcast;
  if (b[6] === ENCODING.binary) user = binaryBroadcast(event, bytes);
  else {
    const json = utf8.decode(bytes);
    const parsed = parseJson(json);
    if (parsed.error) return { invalid: `payload: ${parsed.error}` };
    user = { event, encoding: "json", bytes, json };
  }
  return { push: { joinRef: joinRef || null, ref: ref || null, topic, user } };
}

/**
 * The kind-4 frame of a user broadcast on `topic`; undefined when the topic or event is longer
 * than a length byte can say.
 *
 * @example
 * encodeUserBroadcast("realtime:room", jsonBroadcast("e", "{}"));
 * // [4, 13, 1, 0, 1, ...'realtime:room', ...'e', ...'{}']
 */
export function encodeUserBroadcast(topic: string, ub: UserBroadcast): Uint8Array | undefined {
  const t = enc.encode(topic);
  const e = enc.encode(ub.event);
  if (t.length > MAX_FIELD_BYTES || e.length > MAX_FIELD_BYTES) return undefined;
  const out = new Uint8Array(5 + t.length + e.length + ub.bytes.length);
  out[0] = KIND.userBroadcast;
  out[1] = t.length;
  out[2] = e.length;
  out[3] = 0; // no metadata
  out[4] = ub.encoding === "json" ? ENCODING.json : ENCODING.binary;
  out.set(t, 5);
  out.set(e, 5 + t.length);
  out.set(ub.bytes, 5 + t.length + e.length);
  return out;
}

/**
 * The `broadcast` payload of a JSON user broadcast, as JSON text (its payload spliced in as it
 * came, not parsed and encoded again); undefined for a binary one, which JSON cannot carry.
 */
export function userBroadcastPayloadJson(ub: UserBroadcast): string | undefined {
  if (ub.json === undefined) return undefined;
  return `{"type":"broadcast","event":${JSON.stringify(ub.event)},"payload":${ub.json}}`;
}

/** Is `s` at most MAX_FIELD_BYTES in UTF-8? */
export function fitsField(s: string): boolean {
  return s.length <= MAX_FIELD_BYTES && enc.encode(s).length <= MAX_FIELD_BYTES;
}
