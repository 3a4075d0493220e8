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
import { verifyToken } from "./authz.ts";
import { closeSocket, type Conn, type Hub, log } from "./hub.ts";
import { CLOSE, decodeFrame, type Frame, LIMITS, utf8Length, type Vsn } from "./protocol.ts";

export interface SocketDeps {
  hub: Hub;
  jwtSecret: string;
  onFrame: (conn: Conn, f: Frame) => Promise<void>;
}

/** The Hono handler of `GET /websocket`. */
export function websocketHandler({ hub, jwtSecret, onFrame }: SocketDeps) {
  return async (c: Context) => {
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
      presenceCalls: [],
    };
    const fail = (code: number, reason: string) => {
      closeSocket(socket, code, reason);
      drop();
    };
    const drop = () => {
      if (!hub.conns.delete(conn) && conn.subs.size === 0) return;
      for (const s of [...conn.subs.values()]) hub.remove(s);
    };
    let queue = Promise.resolve();
    socket.onopen = () => hub.conns.add(conn);
    socket.onmessage = (ev) => {
      try {
        const data = ev.data as string | ArrayBuffer;
        const size = typeof data === "string" ? utf8Length(data) : data.byteLength;
        if (size > LIMITS.maxFrameBytes) return fail(CLOSE.tooBig, "frame too large");
        const decoded = decodeFrame(data, vsn);
        if ("invalid" in decoded) return fail(CLOSE.invalidData, decoded.invalid);
        if ("ignored" in decoded) return;
        const f = decoded.frame;
        // One frame at a time per socket, in order.
        queue = queue.then(() => onFrame(conn, f)).catch((e) => {
          log("frame failed; closing its socket", e);
          fail(CLOSE.internalError, "internal error");
        });
      } catch (e) {
        log("frame failed; closing its socket", e);
        fail(CLOSE.internalError, "internal error");
      }
    };
    socket.onclose = () => {
      try {
        drop();
      } catch (e) {
        log("socket cleanup failed", e);
      }
    };
    socket.onerror = () => {};
    return response;
  };
}
