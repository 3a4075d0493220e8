/**
 * The local stack's Supabase Realtime (`/realtime/v1`): Phoenix channels over WebSocket with
 * broadcast (self/ack), presence, private topics authorized by RLS on realtime.messages,
 * Broadcast from Database (rows written by `realtime.send` reach subscribers after commit), and
 * the REST broadcast endpoints. The hub only tracks sockets and subscriptions and fans out;
 * framing is in protocol.ts, authorization in authz.ts, presence in presence.ts.
 */
import { Hono } from "hono";
import type postgres from "postgres";
import { decodeFrame, encodeFrame, EVENTS, type Frame, LIMITS, type Vsn } from "./protocol.ts";
import { canRead, canWrite, type Claims, verifyToken } from "./authz.ts";
import { PresenceTopic } from "./presence.ts";

export interface RealtimeDeps {
  /** A superuser connection (Realtime's own rights), for authorization and reading broadcasts. */
  sql: postgres.Sql;
  jwtSecret: string;
}

interface Conn {
  ws: WebSocket;
  vsn: Vsn;
  apikeyToken: string;
  subs: Map<string, Sub>;
  lastSeen: number;
}

interface Sub {
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

export function createRealtime({ sql, jwtSecret }: RealtimeDeps) {
  const topics = new Map<string, Set<Sub>>();
  const presence = new Map<string, PresenceTopic>();
  const conns = new Set<Conn>();

  const send = (conn: Conn, f: Frame) => {
    if (conn.ws.readyState === WebSocket.OPEN) conn.ws.send(encodeFrame(f, conn.vsn));
  };
  const reply = (
    conn: Conn,
    f: Frame,
    status: "ok" | "error",
    response: Record<string, unknown> = {},
  ) =>
    send(conn, {
      joinRef: f.joinRef,
      ref: f.ref,
      topic: f.topic,
      event: EVENTS.reply,
      payload: { status, response },
    });

  /** One frame to many connections: encoded once per protocol version, not per subscriber. */
  const sendToMany = (subs: Iterable<Sub>, f: Frame) => {
    const encoded = new Map<Vsn, string>();
    for (const s of subs) {
      if (s.conn.ws.readyState !== WebSocket.OPEN) continue;
      let text = encoded.get(s.conn.vsn);
      if (text === undefined) encoded.set(s.conn.vsn, text = encodeFrame(f, s.conn.vsn));
      s.conn.ws.send(text);
    }
  };

  function fanout(
    topic: string,
    isPrivate: boolean,
    payload: Record<string, unknown>,
    except?: Sub,
  ) {
    const subs = [...(topics.get(topic) ?? [])].filter((s) =>
      s.private === isPrivate && s !== except
    );
    sendToMany(subs, { joinRef: null, ref: null, topic, event: EVENTS.broadcast, payload });
  }

  function presenceDiff(topic: string, diff: { joins: unknown; leaves: unknown }) {
    sendToMany([...(topics.get(topic) ?? [])].filter((s) => s.presence), {
      joinRef: null,
      ref: null,
      topic,
      event: EVENTS.presenceDiff,
      payload: diff as Record<string, unknown>,
    });
  }

  function removeSub(sub: Sub) {
    clearTimeout(sub.expiry);
    sub.conn.subs.delete(sub.topic);
    const set = topics.get(sub.topic);
    set?.delete(sub);
    if (set && set.size === 0) topics.delete(sub.topic);
    const p = presence.get(sub.topic);
    const diff = p?.untrack(sub.presenceKey, sub.id);
    if (diff) presenceDiff(sub.topic, diff);
    if (p?.empty) presence.delete(sub.topic);
  }

  function closeSub(sub: Sub, message: string) {
    send(sub.conn, {
      joinRef: sub.joinRef,
      ref: null,
      topic: sub.topic,
      event: EVENTS.system,
      payload: { extension: "system", status: "error", message, channel: sub.subtopic },
    });
    send(sub.conn, {
      joinRef: sub.joinRef,
      ref: null,
      topic: sub.topic,
      event: EVENTS.close,
      payload: {},
    });
    removeSub(sub);
  }

  function armExpiry(sub: Sub) {
    clearTimeout(sub.expiry);
    const ms = sub.claims.exp * 1000 - Date.now();
    if (ms > MAX_TIMER) return;
    sub.expiry = setTimeout(
      () => closeSub(sub, "Token has expired 0 seconds ago"),
      Math.max(0, ms),
    );
  }

  async function tokenFor(conn: Conn, payload: Record<string, unknown>) {
    let token = (payload.access_token ?? payload.user_token) as string | undefined;
    if (!token || token.startsWith("sb_")) token = conn.apikeyToken;
    return await verifyToken(token, jwtSecret);
  }

  async function join(conn: Conn, f: Frame) {
    const subtopic = f.topic.startsWith("realtime:") ? f.topic.slice("realtime:".length) : "";
    if (!subtopic) {
      return reply(conn, f, "error", {
        reason: "TopicNameRequired: You must provide a topic name",
      });
    }
    const existing = conn.subs.get(f.topic);
    if (!existing && conn.subs.size >= LIMITS.channelsPerSocket) {
      return reply(conn, f, "error", { reason: "ChannelRateLimitReached: Too many channels" });
    }
    const config = (f.payload.config ?? {}) as Record<
      string,
      Record<string, unknown> | boolean | unknown[]
    >;
    const bc = (config.broadcast ?? {}) as Record<string, unknown>;
    const pc = (config.presence ?? {}) as Record<string, unknown>;
    const bindings = Array.isArray(config.postgres_changes)
      ? config.postgres_changes as Record<string, unknown>[]
      : [];
    const flag = (v: unknown) => v === true || v === "true";
    const verified = await tokenFor(conn, f.payload);
    if (verified.error !== undefined) return reply(conn, f, "error", { reason: verified.error });
    const claims = verified.claims;
    const isPrivate = flag(config.private);
    const wantsPresence = flag(pc.enabled);
    if (isPrivate && !(await canRead(sql, claims, subtopic, wantsPresence))) {
      return reply(conn, f, "error", {
        reason:
          `Unauthorized: You do not have permissions to read from this Channel topic: ${subtopic}`,
      });
    }
    if (existing) removeSub(existing);
    const sub: Sub = {
      id: crypto.randomUUID(),
      conn,
      topic: f.topic,
      subtopic,
      joinRef: f.joinRef ?? f.ref ?? "",
      private: isPrivate,
      self: flag(bc.self),
      ack: flag(bc.ack),
      presence: wantsPresence,
      presenceKey: typeof pc.key === "string" && pc.key ? pc.key : crypto.randomUUID(),
      claims,
      can: {},
      expiry: undefined,
    };
    conn.subs.set(f.topic, sub);
    const set = topics.get(f.topic) ?? new Set<Sub>();
    set.add(sub);
    topics.set(f.topic, set);
    armExpiry(sub);
    reply(conn, f, "ok", { postgres_changes: bindings.map((b, i) => ({ ...b, id: i + 1 })) });
    if (sub.presence) {
      const state = presence.get(f.topic)?.state() ?? {};
      send(conn, {
        joinRef: sub.joinRef,
        ref: null,
        topic: f.topic,
        event: EVENTS.presenceState,
        payload: state,
      });
    }
  }

  async function allowed(sub: Sub, ext: "broadcast" | "presence"): Promise<boolean> {
    if (!sub.private) return true;
    sub.can[ext] ??= await canWrite(sql, sub.claims, sub.subtopic, ext);
    return sub.can[ext]!;
  }

  async function onFrame(conn: Conn, f: Frame) {
    conn.lastSeen = Date.now();
    if (f.topic === "phoenix" && f.event === EVENTS.heartbeat) return reply(conn, f, "ok");
    if (f.event === EVENTS.join) return await join(conn, f);
    const sub = conn.subs.get(f.topic);
    if (!sub) return reply(conn, f, "error", { reason: "unmatched topic" });
    switch (f.event) {
      case EVENTS.leave:
        removeSub(sub);
        return reply(conn, f, "ok");
      case EVENTS.broadcast: {
        if (!(await allowed(sub, "broadcast"))) return; // denied writes are dropped silently, as Supabase does
        const { type: _t, ...rest } = f.payload;
        fanout(sub.topic, sub.private, { type: "broadcast", ...rest }, sub.self ? undefined : sub);
        if (sub.ack) reply(conn, f, "ok");
        return;
      }
      case EVENTS.presence: {
        const action = f.payload.event;
        if (!(await allowed(sub, "presence"))) {
          return reply(conn, f, "error", {
            reason:
              `Unauthorized: You do not have permissions to write to this Channel topic: ${sub.subtopic}`,
          });
        }
        const p = presence.get(sub.topic) ?? new PresenceTopic();
        presence.set(sub.topic, p);
        if (action === "track") {
          const payload = f.payload.payload;
          if (typeof payload !== "object" || payload === null || Array.isArray(payload)) {
            return reply(conn, f, "error", { reason: "Presence track payload must be a map" });
          }
          presenceDiff(
            sub.topic,
            p.track(sub.presenceKey, sub.id, payload as Record<string, unknown>),
          );
        } else if (action === "untrack") {
          const diff = p.untrack(sub.presenceKey, sub.id);
          if (diff) presenceDiff(sub.topic, diff);
        }
        return reply(conn, f, "ok");
      }
      case EVENTS.accessToken: {
        const verified = await tokenFor(conn, f.payload);
        if (verified.error !== undefined) {
          return closeSub(sub, verified.error.replace(/^\w+: /, ""));
        }
        const claims = verified.claims;
        sub.claims = claims;
        sub.can = {};
        armExpiry(sub);
        if (sub.private && !(await canRead(sql, claims, sub.subtopic, sub.presence))) {
          closeSub(
            sub,
            `You no longer have permission to read from this Channel topic: ${sub.subtopic}`,
          );
        }
        return;
      }
      default:
        return; // unknown events are ignored
    }
  }

  // Broadcast from Database: the platform layer's trigger NOTIFYs the id of each committed row.
  let chain = Promise.resolve();
  const listening = sql.listen("realtime_local_broadcast", (note) => {
    const id = note.split(" ")[0]!;
    chain = chain.then(async () => {
      const [row] = await sql<
        {
          topic: string;
          event: string;
          payload: Record<string, unknown>;
          private: boolean;
          id: string;
        }[]
      >`
        select topic, event, payload, private, id from realtime.messages where id = ${id} limit 1`;
      if (!row) return;
      fanout(`realtime:${row.topic}`, row.private, {
        type: "broadcast",
        event: row.event,
        payload: row.payload,
        meta: { id: row.id },
      });
      // Someone removed from a channel stops hearing it at once, not when their token expires.
      const p = row.payload as { action?: string; user_id?: string };
      if (row.event === "member.changed" && p.action === "removed" && p.user_id) {
        for (const sub of [...(topics.get(`realtime:${row.topic}`) ?? [])]) {
          if (sub.private && sub.claims.sub === p.user_id) {
            closeSub(
              sub,
              `You no longer have permission to read from this Channel topic: ${sub.subtopic}`,
            );
          }
        }
      }
    }).catch((e) =>
      console.error(
        JSON.stringify({
          level: "error",
          msg: "realtime: broadcast from database failed",
          error: String(e),
        }),
      )
    );
  });

  const sweeper = setInterval(() => {
    const now = Date.now();
    for (const c of conns) {
      if (now - c.lastSeen > LIMITS.heartbeatTimeoutMs) c.ws.close(1000, "heartbeat timeout");
    }
  }, 10_000);

  const app = new Hono();
  app.get("/websocket", async (c) => {
    const apikey = c.req.query("apikey") ?? c.req.header("x-api-key") ?? "";
    if (!apikey) return c.json({ error: "Token is required" }, 401);
    const verified = await verifyToken(apikey, jwtSecret);
    if (verified.error !== undefined) return c.json({ error: verified.error }, 401);
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
      return c.json({ error: "Expected a WebSocket upgrade" }, 400);
    }
    const vsn: Vsn = c.req.query("vsn") === "2.0.0" ? "2.0.0" : "1.0.0";
    const { socket, response } = Deno.upgradeWebSocket(c.req.raw, { idleTimeout: 0 });
    socket.binaryType = "arraybuffer";
    const conn: Conn = {
      ws: socket,
      vsn,
      apikeyToken: apikey,
      subs: new Map(),
      lastSeen: Date.now(),
    };
    socket.onopen = () => conns.add(conn);
    let queue = Promise.resolve();
    socket.onmessage = (ev) => {
      const data = ev.data as string | ArrayBuffer;
      const size = typeof data === "string" ? data.length : data.byteLength;
      if (size > LIMITS.maxFrameBytes) return socket.close(1009, "frame too large");
      const f = decodeFrame(data, vsn);
      if (!f) return; // malformed frames are ignored; the socket stays open
      // One frame at a time per socket, in order.
      queue = queue.then(() => onFrame(conn, f)).catch((e) =>
        console.error(
          JSON.stringify({ level: "error", msg: "realtime: frame failed", error: String(e) }),
        )
      );
    };
    socket.onclose = () => {
      conns.delete(conn);
      for (const s of [...conn.subs.values()]) removeSub(s);
    };
    socket.onerror = () => {};
    return response;
  });

  // REST broadcast: batch, and one event per request (realtime-js `send` when not joined, `httpSend`).
  async function restClaims(
    c: { req: { header(n: string): string | undefined; query(n: string): string | undefined } },
  ) {
    const bearer = /^Bearer\s+(\S+)$/i.exec(c.req.header("authorization") ?? "")?.[1];
    const token = bearer && !bearer.startsWith("sb_")
      ? bearer
      : c.req.header("apikey") ?? c.req.query("apikey");
    if (!token) return undefined;
    return (await verifyToken(token, jwtSecret)).claims;
  }
  app.post("/api/broadcast", async (c) => {
    const claims = await restClaims(c);
    if (!claims) return c.json({ message: "Unauthorized" }, 401);
    const body = await c.req.json().catch(() => undefined) as { messages?: unknown } | undefined;
    if (!body || !Array.isArray(body.messages)) {
      return c.json({ message: "messages must be a list" }, 422);
    }
    for (const m of body.messages as Record<string, unknown>[]) {
      if (typeof m?.topic !== "string" || typeof m.event !== "string") continue;
      const isPrivate = m.private === true;
      if (isPrivate && !(await canWrite(sql, claims, m.topic, "broadcast"))) continue; // skipped, as Supabase does
      fanout(`realtime:${m.topic}`, isPrivate, {
        type: "broadcast",
        event: m.event,
        payload: m.payload ?? {},
      });
    }
    return c.body(null, 202);
  });
  app.post("/api/broadcast/:topic/events/:event", async (c) => {
    const claims = await restClaims(c);
    if (!claims) return c.json({ message: "Unauthorized" }, 401);
    const topic = c.req.param("topic");
    const isPrivate = c.req.query("private") === "true";
    if (isPrivate && !(await canWrite(sql, claims, topic, "broadcast"))) {
      return c.json({ message: "Unauthorized" }, 403);
    }
    const payload = await c.req.json().catch(() => ({}));
    fanout(`realtime:${topic}`, isPrivate, {
      type: "broadcast",
      event: c.req.param("event"),
      payload,
    });
    return c.body(null, 202);
  });

  return {
    app,
    /** Sockets open right now (for /metrics and tests). */
    get connections() {
      return conns.size;
    },
    async close() {
      clearInterval(sweeper);
      for (const c of conns) c.ws.close(1001, "server shutting down");
      await (await listening).unlisten();
    },
  };
}
