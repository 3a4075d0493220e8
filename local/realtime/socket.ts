/**
 * The WebSocket transport: the upgrade at `/websocket`, one queue of frames per socket, and a
 * guard around every event handler. No frame can end the process (an exception escaping a
 * WebSocket event handler would): an undecodable frame closes its socket with 1007, a frame
 * over LIMITS.maxFrameBytes with 1009, and a failure while handling a frame with 1011; other
 * sockets are not affected. Deno's WebSocket layer itself buffers a frame whole (up to 64 MiB)
 * before Realtime sees it, and drops the connection without a close frame (the client sees
 * 1006) on text that is not UTF-8, a reserved opcode, or a frame over 64 MiB.
 */
import type { Context } from "hono";
import type { VerifyToken } from "./authz.ts";
import { closeSocket, type Conn, type Hub, log } from "./hub.ts";
import { CLOSE, decodeFrame, type Frame, LIMITS, utf8Length, type Vsn } from "./protocol.ts";

export interface SocketDeps {
  hub: Hub;
  verify: VerifyToken;
  onFrame: (conn: Conn, f: Frame) => Promise<void>;
}

/** The Hono handler of `GET /websocket`. */
export function websocketHandler({ hub, verify, onFrame }: SocketDeps) {
  /** Forgets the socket and its subscriptions (once). */
  const drop = (conn: Conn) => {
    const wasOpen = hub.conns.delete(conn);
    if (wasOpen) hub.stats.disconnects++;
    if (!wasOpen && conn.subs.size === 0) return;
    for (const s of [...conn.subs.values()]) hub.remove(s);
  };
  const fail = (conn: Conn, code: number, reason: string) => {
    closeSocket(conn.ws, code, reason);
    drop(conn);
  };
  const handle = (conn: Conn, f: Frame) => () => onFrame(conn, f);
  const failed = (conn: Conn) => (e: unknown) => {
    log("frame failed; closing its socket", e);
    fail(conn, CLOSE.internalError, "internal error");
  };

  function onMessage(conn: Conn, data: string | ArrayBuffer) {
    try {
      const size = typeof data === "string" ? utf8Length(data) : data.byteLength;
      if (size > LIMITS.maxFrameBytes) return fail(conn, CLOSE.tooBig, "frame too large");
      const decoded = decodeFrame(data, conn.vsn);
      if ("invalid" in decoded) return fail(conn, CLOSE.invalidData, decoded.invalid);
      if ("ignored" in decoded) return;
      // One frame at a time per socket, in order.
      conn.queue = conn.queue.then(handle(conn, decoded.frame)).catch(failed(conn));
    } catch (e) {
      failed(conn)(e);
    }
  }

  function onClose(conn: Conn) {
    try {
      drop(conn);
    } catch (e) {
      log("socket cleanup failed", e);
    }
  }

  return async (c: Context) => {
    const apikey = c.req.query("apikey") ?? c.req.header("x-api-key") ?? "";
    if (!apikey) return c.json({ error: "Token is required" }, 401);
    const verified = await verify(apikey);
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
      apikeyToken: verified.token,
      subs: new Map(),
      lastSeen: Date.now(),
      presenceCalls: undefined,
      queue: Promise.resolve(),
    };
    // Listeners, not `on…` handler properties (each of those adds a wrapper and a map); the
    // open listener goes away once run, and an error is always followed by a close.
    socket.addEventListener("open", () => {
      hub.conns.add(conn);
      hub.stats.connectionsOpened++;
    }, { once: true });
    socket.addEventListener("message", (ev) => onMessage(conn, ev.data));
    socket.addEventListener("close", () => onClose(conn));
    return response;
  };
}
