/**
 * The hub: which sockets are open, which subscriptions each holds, and fan-out to a topic's
 * subscribers. It knows nothing of Postgres; sending never throws (a socket that went away
 * between the check and the send must not break a fan-out to everyone else).
 *
 * Every idle joined connection costs what its Conn and Sub hold, so they hold little: one
 * timer for all token expiries (expiry.ts), one topic string per topic, rights and presence
 * state made only when used. A fan-out walks the topic's set once and encodes the frame once
 * per protocol version. A user broadcast (a binary push, or the per-event REST endpoint) goes to
 * vsn 2.0.0 sockets as a kind-4 binary frame and to 1.0.0 sockets as JSON text, or not at all
 * when its payload is binary (binary.ts).
 */
import {
  CLOSE,
  encodeFrame,
  encodeFrameJson,
  EVENTS,
  type Frame,
  SYSTEM,
  type Vsn,
} from "./protocol.ts";
import { encodeUserBroadcast, type UserBroadcast, userBroadcastPayloadJson } from "./binary.ts";
import { PresenceTopic } from "./presence.ts";
import { Expiries } from "./expiry.ts";
import type { Claims } from "./authz.ts";
import { RealtimeStats } from "./stats.ts";

export interface Conn {
  ws: WebSocket;
  vsn: Vsn;
  apikeyToken: string;
  subs: Map<string, Sub>;
  lastSeen: number;
  /** Times of this socket's recent presence calls (rate limit); made by the first call. */
  presenceCalls: number[] | undefined;
  /** The frames of this socket, handled one at a time in order. */
  queue: Promise<void>;
}

/** What a join asked for. */
export interface SubInit {
  conn: Conn;
  topic: string;
  joinRef: string;
  private: boolean;
  self: boolean;
  ack: boolean;
  presence: boolean;
  /** The client's presence key; a random one is made when it tracks without one. */
  presenceKey: string | undefined;
  claims: Claims;
}

/** One channel joined on one socket. */
export class Sub {
  readonly conn: Conn;
  /** `realtime:<subtopic>`; the hub's own string for it once added. */
  topic: string;
  readonly joinRef: string;
  readonly private: boolean;
  readonly self: boolean;
  readonly ack: boolean;
  readonly presence: boolean;
  presenceKey: string | undefined;
  claims: Claims;
  /** Write rights asked of RLS (undefined until asked; forgotten when the token changes). */
  canBroadcast: boolean | undefined = undefined;
  canPresence: boolean | undefined = undefined;
  /** Position in the hub's expiry heap. */
  expiryIndex = -1;

  constructor(init: SubInit) {
    this.conn = init.conn;
    this.topic = init.topic;
    this.joinRef = init.joinRef;
    this.private = init.private;
    this.self = init.self;
    this.ack = init.ack;
    this.presence = init.presence;
    this.presenceKey = init.presenceKey;
    this.claims = init.claims;
  }

  /** The topic without `realtime:`, as RLS and system messages name it. */
  get subtopic(): string {
    return this.topic.slice(TOPIC_PREFIX.length);
  }

  forgetRights() {
    this.canBroadcast = undefined;
    this.canPresence = undefined;
  }
}

const TOPIC_PREFIX = "realtime:";

/** A topic's subscriptions, with the one string every subscription of the topic shares. */
class TopicSubs extends Set<Sub> {
  constructor(readonly topic: string) {
    super();
  }
}

export function log(msg: string, e?: unknown) {
  console.error(JSON.stringify({
    level: "error",
    msg: `realtime: ${msg}`,
    ...(e === undefined ? {} : { error: e instanceof Error ? e.stack ?? e.message : String(e) }),
  }));
}

function sendText(ws: WebSocket, text: string, stats: RealtimeStats) {
  if (ws.readyState !== WebSocket.OPEN) return;
  try {
    ws.send(text);
    stats.framesOut++;
  } catch {
    // closed meanwhile: its close handler cleans up
  }
}

/** Closes a socket; never throws. */
export function closeSocket(ws: WebSocket, code: number, reason: string) {
  try {
    ws.close(code, reason.slice(0, 120));
  } catch {
    // already closing
  }
}

export class Hub {
  readonly topics = new Map<string, TopicSubs>();
  readonly presence = new Map<string, PresenceTopic>();
  readonly conns = new Set<Conn>();
  readonly stats = new RealtimeStats();
  readonly #expiries = new Expiries<Sub>(
    (s) => s.claims.exp * 1000,
    (s) => this.close(s, "Token has expired 0 seconds ago"),
  );

  send(conn: Conn, f: Frame) {
    sendText(conn.ws, encodeFrame(f, conn.vsn), this.stats);
  }

  reply(conn: Conn, f: Frame, status: "ok" | "error", response: Record<string, unknown> = {}) {
    this.send(conn, {
      joinRef: f.joinRef,
      ref: f.ref,
      topic: f.topic,
      event: EVENTS.reply,
      payload: { status, response },
    });
  }

  /**
   * One frame to the subscriptions of `topic` that `where` picks, encoded once per protocol
   * version (`encode` answers null: nothing for sockets of that version), without copying the set.
   */
  #sendWhere(
    topic: string,
    encode: (vsn: Vsn) => string | Uint8Array | null,
    where: (s: Sub) => boolean,
  ) {
    const set = this.topics.get(topic);
    if (!set) return;
    let v2: string | Uint8Array | null | undefined;
    let v1: string | Uint8Array | null | undefined;
    for (const s of set) {
      if (!where(s)) continue;
      const { ws, vsn } = s.conn;
      if (ws.readyState !== WebSocket.OPEN) continue;
      const data = vsn === "2.0.0"
        ? (v2 === undefined ? (v2 = encode("2.0.0")) : v2)
        : (v1 === undefined ? (v1 = encode("1.0.0")) : v1);
      if (data === null) continue;
      try {
        ws.send(data);
        this.stats.framesOut++;
      } catch {
        // closed meanwhile: its close handler cleans up
      }
    }
  }

  /** A copy of a topic's subscriptions (for loops that may remove some, or await). */
  subscribers(topic: string): Sub[] {
    return [...(this.topics.get(topic) ?? [])];
  }

  /** Every subscription on this node. */
  *allSubs(): Generator<Sub> {
    for (const set of this.topics.values()) yield* set;
  }

  fanout(topic: string, isPrivate: boolean, payload: Record<string, unknown>, except?: Sub) {
    const f: Frame = { joinRef: null, ref: null, topic, event: EVENTS.broadcast, payload };
    this.#sendWhere(
      topic,
      (vsn) => encodeFrame(f, vsn),
      (s) => s.private === isPrivate && s !== except,
    );
  }

  /** A broadcast whose payload travels as bytes (JSON text or binary), as Supabase sends it. */
  fanoutUser(topic: string, isPrivate: boolean, ub: UserBroadcast, except?: Sub) {
    this.#sendWhere(
      topic,
      (vsn) => {
        if (vsn === "2.0.0") {
          const bin = encodeUserBroadcast(topic, ub);
          if (bin) return bin;
        }
        const payload = userBroadcastPayloadJson(ub);
        if (payload === undefined) return null; // binary: JSON text cannot carry it
        return encodeFrameJson(
          { joinRef: null, ref: null, topic, event: EVENTS.broadcast },
          payload,
          vsn,
        );
      },
      (s) => s.private === isPrivate && s !== except,
    );
  }

  presenceDiff(topic: string, diff: { joins: unknown; leaves: unknown }) {
    const f: Frame = {
      joinRef: null,
      ref: null,
      topic,
      event: EVENTS.presenceDiff,
      payload: diff as Record<string, unknown>,
    };
    this.#sendWhere(topic, (vsn) => encodeFrame(f, vsn), (s) => s.presence);
  }

  presenceOf(topic: string): PresenceTopic {
    let p = this.presence.get(topic);
    if (!p) this.presence.set(topic, p = new PresenceTopic());
    return p;
  }

  add(sub: Sub) {
    let set = this.topics.get(sub.topic);
    if (!set) this.topics.set(sub.topic, set = new TopicSubs(sub.topic));
    sub.topic = set.topic;
    set.add(sub);
    sub.conn.subs.set(sub.topic, sub);
    this.#expiries.set(sub);
    this.stats.joins++;
  }

  remove(sub: Sub) {
    this.#expiries.delete(sub);
    if (sub.conn.subs.get(sub.topic) === sub) sub.conn.subs.delete(sub.topic);
    const set = this.topics.get(sub.topic);
    if (!set?.delete(sub)) return;
    if (set.size === 0) this.topics.delete(sub.topic);
    if (sub.presenceKey === undefined) return;
    const p = this.presence.get(sub.topic);
    const diff = p?.untrack(sub.presenceKey, sub);
    if (diff) this.presenceDiff(sub.topic, diff);
    if (p?.empty) this.presence.delete(sub.topic);
  }

  /** Live? (a subscription replaced or closed meanwhile is not) */
  active(sub: Sub): boolean {
    return this.topics.get(sub.topic)?.has(sub) === true;
  }

  systemMessage(sub: Sub, status: "ok" | "error", message: string) {
    this.send(sub.conn, {
      joinRef: sub.joinRef,
      ref: null,
      topic: sub.topic,
      event: EVENTS.system,
      payload: { extension: "system", status, message, channel: sub.subtopic },
    });
  }

  /** Supabase's channel shutdown: a system error, then phx_close; the client does not rejoin. */
  close(sub: Sub, message: string) {
    if (!this.active(sub)) return;
    this.systemMessage(sub, "error", message);
    this.send(sub.conn, {
      joinRef: sub.joinRef,
      ref: null,
      topic: sub.topic,
      event: EVENTS.close,
      payload: {},
    });
    this.remove(sub);
  }

  /** Tells the subscriber it missed messages; phx_error makes realtime-js rejoin (and refetch). */
  catchUp(sub: Sub) {
    if (!this.active(sub)) return;
    this.systemMessage(sub, "error", SYSTEM.catchUp);
    this.send(sub.conn, {
      joinRef: sub.joinRef,
      ref: null,
      topic: sub.topic,
      event: EVENTS.error,
      payload: {},
    });
    this.remove(sub);
  }

  /** The subscription's token changed: its expiry too. */
  armExpiry(sub: Sub) {
    if (this.active(sub)) this.#expiries.set(sub);
  }

  closeAll() {
    this.#expiries.clear();
    for (const c of this.conns) closeSocket(c.ws, CLOSE.goingAway, "server shutting down");
  }
}
