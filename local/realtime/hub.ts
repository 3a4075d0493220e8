/**
 * The hub: which sockets are open, which subscriptions each holds, and fan-out to a topic's
 * subscribers. It knows nothing of Postgres; sending never throws (a socket that went away
 * between the check and the send must not break a fan-out to everyone else).
 */
import { CLOSE, encodeFrame, EVENTS, type Frame, SYSTEM, type Vsn } from "./protocol.ts";
import { PresenceTopic } from "./presence.ts";
import type { Claims } from "./authz.ts";

export interface Conn {
  ws: WebSocket;
  vsn: Vsn;
  apikeyToken: string;
  subs: Map<string, Sub>;
  lastSeen: number;
  /** Times of this socket's recent presence calls (rate limit). */
  presenceCalls: number[];
}

export interface Sub {
  id: string;
  conn: Conn;
  topic: string;
  subtopic: string;
  joinRef: string;
  private: boolean;
  self: boolean;
  ack: boolean;
  presence: boolean;
  presenceKey: string;
  claims: Claims;
  can: { broadcast?: boolean; presence?: boolean };
  expiry: ReturnType<typeof setTimeout> | undefined;
}

const MAX_TIMER = 2 ** 31 - 1;

export function log(msg: string, e?: unknown) {
  console.error(JSON.stringify({
    level: "error",
    msg: `realtime: ${msg}`,
    ...(e === undefined ? {} : { error: e instanceof Error ? e.stack ?? e.message : String(e) }),
  }));
}

function sendText(ws: WebSocket, text: string) {
  if (ws.readyState !== WebSocket.OPEN) return;
  try {
    ws.send(text);
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
  readonly topics = new Map<string, Set<Sub>>();
  readonly presence = new Map<string, PresenceTopic>();
  readonly conns = new Set<Conn>();

  send(conn: Conn, f: Frame) {
    sendText(conn.ws, encodeFrame(f, conn.vsn));
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

  /** One frame to many connections: encoded once per protocol version, not per subscriber. */
  sendToMany(subs: Iterable<Sub>, f: Frame) {
    const encoded = new Map<Vsn, string>();
    for (const s of subs) {
      if (s.conn.ws.readyState !== WebSocket.OPEN) continue;
      let text = encoded.get(s.conn.vsn);
      if (text === undefined) encoded.set(s.conn.vsn, text = encodeFrame(f, s.conn.vsn));
      sendText(s.conn.ws, text);
    }
  }

  subscribers(topic: string): Sub[] {
    return [...(this.topics.get(topic) ?? [])];
  }

  /** Every subscription on this node. */
  *allSubs(): Generator<Sub> {
    for (const set of this.topics.values()) yield* set;
  }

  fanout(topic: string, isPrivate: boolean, payload: Record<string, unknown>, except?: Sub) {
    const subs = this.subscribers(topic).filter((s) => s.private === isPrivate && s !== except);
    this.sendToMany(subs, { joinRef: null, ref: null, topic, event: EVENTS.broadcast, payload });
  }

  presenceDiff(topic: string, diff: { joins: unknown; leaves: unknown }) {
    this.sendToMany(this.subscribers(topic).filter((s) => s.presence), {
      joinRef: null,
      ref: null,
      topic,
      event: EVENTS.presenceDiff,
      payload: diff as Record<string, unknown>,
    });
  }

  presenceOf(topic: string): PresenceTopic {
    let p = this.presence.get(topic);
    if (!p) this.presence.set(topic, p = new PresenceTopic());
    return p;
  }

  add(sub: Sub) {
    sub.conn.subs.set(sub.topic, sub);
    const set = this.topics.get(sub.topic) ?? new Set<Sub>();
    set.add(sub);
    this.topics.set(sub.topic, set);
    this.armExpiry(sub);
  }

  remove(sub: Sub) {
    clearTimeout(sub.expiry);
    if (sub.conn.subs.get(sub.topic) === sub) sub.conn.subs.delete(sub.topic);
    const set = this.topics.get(sub.topic);
    if (!set?.delete(sub)) return;
    if (set.size === 0) this.topics.delete(sub.topic);
    const p = this.presence.get(sub.topic);
    const diff = p?.untrack(sub.presenceKey, sub.id);
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

  armExpiry(sub: Sub) {
    clearTimeout(sub.expiry);
    const ms = sub.claims.exp * 1000 - Date.now();
    if (ms > MAX_TIMER) return;
    sub.expiry = setTimeout(
      () => this.close(sub, "Token has expired 0 seconds ago"),
      Math.max(0, ms),
    );
  }

  closeAll() {
    for (const c of this.conns) closeSocket(c.ws, CLOSE.goingAway, "server shutting down");
  }
}
