/**
 * What a client's frames do: join (token, RLS read check, revocation), leave, broadcast (RLS
 * write check, self/ack; a binary push stays bytes, see binary.ts), presence (RLS, size and rate
 * limits), access_token refresh. Denials use Supabase's reasons word for word
 * (supabase-facts.md §1.3-1.7).
 */
import type postgres from "postgres";
import { canRead, canWrite, type VerifyToken } from "./authz.ts";
import { type Conn, type Hub, Sub } from "./hub.ts";
import { EVENTS, type Frame, isObject, LIMITS, SYSTEM } from "./protocol.ts";
import { presenceTooBig, takePresenceCall } from "./presence.ts";
import type { createRevocations } from "./revoke.ts";

export interface ChannelDeps {
  sql: postgres.Sql;
  verify: VerifyToken;
  hub: Hub;
  revocations: ReturnType<typeof createRevocations>;
}

const flag = (v: unknown) => v === true || v === "true";
const cannotRead = (subtopic: string) =>
  `Unauthorized: You do not have permissions to read from this Channel topic: ${subtopic}`;

export function createChannels({ sql, verify, hub, revocations }: ChannelDeps) {
  async function tokenFor(conn: Conn, payload: Record<string, unknown>) {
    let token = payload.access_token ?? payload.user_token;
    if (typeof token !== "string" || !token || token.startsWith("sb_")) token = conn.apikeyToken;
    return await verify(token as string);
  }

  async function join(conn: Conn, f: Frame) {
    const subtopic = f.topic.startsWith("realtime:") ? f.topic.slice("realtime:".length) : "";
    if (!subtopic) {
      return hub.reply(conn, f, "error", {
        reason: "TopicNameRequired: You must provide a topic name",
      });
    }
    const existing = conn.subs.get(f.topic);
    if (!existing && conn.subs.size >= LIMITS.channelsPerSocket) {
      return hub.reply(conn, f, "error", { reason: "ChannelRateLimitReached: Too many channels" });
    }
    const config = isObject(f.payload.config) ? f.payload.config : {};
    const bc = isObject(config.broadcast) ? config.broadcast : {};
    const pc = isObject(config.presence) ? config.presence : {};
    const bindings = Array.isArray(config.postgres_changes)
      ? config.postgres_changes.filter(isObject)
      : [];
    const verified = await tokenFor(conn, f.payload);
    if (verified.error !== undefined) {
      return hub.reply(conn, f, "error", { reason: verified.error });
    }
    const claims = verified.claims;
    const isPrivate = flag(config.private);
    const wantsPresence = flag(pc.enabled);
    const revision = revocations.revision;
    if (
      (await revocations.revoked(claims)) ||
      (isPrivate && !(await canRead(sql, claims, subtopic, wantsPresence)))
    ) {
      return hub.reply(conn, f, "error", { reason: cannotRead(subtopic) });
    }
    if (conn.ws.readyState !== WebSocket.OPEN) return;
    const current = conn.subs.get(f.topic);
    if (current) hub.remove(current);
    if (!current && conn.subs.size >= LIMITS.channelsPerSocket) {
      return hub.reply(conn, f, "error", { reason: "ChannelRateLimitReached: Too many channels" });
    }
    const sub = new Sub({
      conn,
      topic: f.topic,
      joinRef: f.joinRef ?? f.ref ?? "",
      private: isPrivate,
      self: flag(bc.self),
      ack: flag(bc.ack),
      presence: wantsPresence,
      presenceKey: typeof pc.key === "string" && pc.key ? pc.key : undefined,
      claims,
    });
    hub.add(sub);
    hub.reply(conn, f, "ok", { postgres_changes: bindings.map((b, i) => ({ ...b, id: i + 1 })) });
    if (sub.presence) {
      hub.send(conn, {
        joinRef: sub.joinRef,
        ref: null,
        topic: f.topic,
        event: EVENTS.presenceState,
        payload: hub.presence.get(f.topic)?.state() ?? {},
      });
    }
    revocations.since(revision, sub);
  }

  async function allowed(sub: Sub, ext: "broadcast" | "presence"): Promise<boolean> {
    if (!sub.private) return true;
    if (ext === "broadcast") {
      return sub.canBroadcast ??= await canWrite(sql, sub.claims, sub.subtopic, ext);
    }
    return sub.canPresence ??= await canWrite(sql, sub.claims, sub.subtopic, ext);
  }

  async function presence(conn: Conn, sub: Sub, f: Frame) {
    const action = f.payload.event;
    if (action !== "track" && action !== "untrack") return hub.reply(conn, f, "ok");
    if (!takePresenceCall(conn.presenceCalls ??= [], Date.now())) {
      return hub.close(sub, SYSTEM.presenceRate);
    }
    const payload = f.payload.payload;
    if (action === "track") {
      if (!isObject(payload)) {
        return hub.reply(conn, f, "error", { reason: "Presence track payload must be a map" });
      }
      if (presenceTooBig(payload)) return hub.close(sub, SYSTEM.presenceSize);
    }
    if (!(await allowed(sub, "presence"))) {
      return hub.reply(conn, f, "error", {
        reason:
          `Unauthorized: You do not have permissions to write to this Channel topic: ${sub.subtopic}`,
      });
    }
    if (!hub.active(sub)) return;
    const p = hub.presenceOf(sub.topic);
    const key = sub.presenceKey ??= crypto.randomUUID();
    const diff = action === "track"
      ? p.track(key, sub, payload as Record<string, unknown>)
      : p.untrack(key, sub);
    if (diff) hub.presenceDiff(sub.topic, diff);
    if (p.empty) hub.presence.delete(sub.topic);
    hub.reply(conn, f, "ok");
  }

  async function accessToken(sub: Sub, f: Frame) {
    const verified = await tokenFor(sub.conn, f.payload);
    if (verified.error !== undefined) return hub.close(sub, verified.error.replace(/^\w+: /, ""));
    if (!hub.active(sub)) return;
    sub.claims = verified.claims;
    sub.forgetRights();
    hub.armExpiry(sub);
    if (
      (await revocations.revoked(sub.claims)) ||
      (sub.private && !(await canRead(sql, sub.claims, sub.subtopic, sub.presence)))
    ) {
      hub.close(sub, SYSTEM.noLongerAllowed(sub.subtopic));
    }
  }

  /** Handles one decoded frame. Database failures become an error reply; other throws are bugs. */
  async function onFrame(conn: Conn, f: Frame) {
    conn.lastSeen = Date.now();
    if (f.topic === "phoenix" && f.event === EVENTS.heartbeat) return hub.reply(conn, f, "ok");
    try {
      if (f.event === EVENTS.join) return await join(conn, f);
      const sub = conn.subs.get(f.topic);
      if (!sub) return hub.reply(conn, f, "error", { reason: "unmatched topic" });
      switch (f.event) {
        case EVENTS.leave:
          hub.remove(sub);
          return hub.reply(conn, f, "ok");
        case EVENTS.broadcast: {
          if (!(await allowed(sub, "broadcast"))) return; // denied writes are dropped silently, as Supabase does
          const except = sub.self ? undefined : sub;
          if (f.user) hub.fanoutUser(sub.topic, sub.private, f.user, except);
          else {
            const { type: _t, ...rest } = f.payload;
            hub.fanout(sub.topic, sub.private, { type: "broadcast", ...rest }, except);
          }
          if (sub.ack) hub.reply(conn, f, "ok");
          return;
        }
        case EVENTS.presence:
          return await presence(conn, sub, f);
        case EVENTS.accessToken:
          return await accessToken(sub, f);
        default:
          return; // unknown events are ignored
      }
    } catch (e) {
      if (!isDatabaseError(e)) throw e;
      // Postgres is unreachable or refused: the client retries (a join rejoins by itself).
      hub.reply(conn, f, "error", { reason: "Unknown Error on Channel" });
    }
  }

  return { onFrame };
}

/** postgres.js errors: a server error (`PostgresError`) or a connection failure (`code`). */
function isDatabaseError(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  const code = (e as { code?: unknown }).code;
  return e.name === "PostgresError" ||
    (typeof code === "string" && /^(CONNECT|CONNECTION|ECONN|ETIMEDOUT|EPIPE)/.test(code));
}
