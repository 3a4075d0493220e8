/**
 * Realtime's REST broadcast: the batch endpoint (realtime-js `send` before joining) and one
 * event per request (`httpSend`), with Supabase's status codes (202, 401, 403, 422, 429). Bodies
 * are bounded by LIMITS.maxFrameBytes (413) and LIMITS.maxJsonDepth (400); any other failure
 * answers 500 to that request alone.
 */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type postgres from "postgres";
import { canWrite, type Claims, type VerifyToken } from "./authz.ts";
import { type Hub, log } from "./hub.ts";
import { isObject, LIMITS, parseJson } from "./protocol.ts";

export function restRoutes(app: Hono, { sql, hub, verify }: {
  sql: postgres.Sql;
  hub: Hub;
  verify: VerifyToken;
}) {
  async function restClaims(
    c: { req: { header(n: string): string | undefined; query(n: string): string | undefined } },
  ): Promise<Claims | undefined> {
    const bearer = /^Bearer\s+(\S+)$/i.exec(c.req.header("authorization") ?? "")?.[1];
    const token = bearer && !bearer.startsWith("sb_")
      ? bearer
      : c.req.header("apikey") ?? c.req.query("apikey");
    if (!token) return undefined;
    return (await verify(token)).claims;
  }

  const limit = bodyLimit({
    maxSize: LIMITS.maxFrameBytes,
    onError: (c) => c.json({ message: "Payload too large" }, 413),
  });

  app.post("/api/broadcast", limit, async (c) => {
    const claims = await restClaims(c);
    if (!claims) return c.json({ message: "Unauthorized" }, 401);
    const parsed = parseJson(await c.req.text());
    if (parsed.error === "too_deep") return c.json({ message: "JSON nested too deeply" }, 400);
    const body = parsed.value;
    if (!isObject(body) || !Array.isArray(body.messages)) {
      return c.json({ message: "messages must be a list" }, 422);
    }
    if (body.messages.length > LIMITS.restMessagesPerRequest) {
      return c.json({ message: "You have exceeded your rate limit" }, 429);
    }
    const may = new Map<string, boolean>();
    for (const m of body.messages) {
      if (!isObject(m) || typeof m.topic !== "string" || typeof m.event !== "string") continue;
      const isPrivate = m.private === true;
      if (isPrivate) {
        if (!may.has(m.topic)) may.set(m.topic, await canWrite(sql, claims, m.topic, "broadcast"));
        if (!may.get(m.topic)) continue; // skipped, as Supabase does
      }
      hub.fanout(`realtime:${m.topic}`, isPrivate, {
        type: "broadcast",
        event: m.event,
        payload: m.payload ?? {},
      });
    }
    return c.body(null, 202);
  });

  app.post("/api/broadcast/:topic/events/:event", limit, async (c) => {
    const claims = await restClaims(c);
    if (!claims) return c.json({ message: "Unauthorized" }, 401);
    const topic = c.req.param("topic");
    const isPrivate = c.req.query("private") === "true";
    if (isPrivate && !(await canWrite(sql, claims, topic, "broadcast"))) {
      return c.json({ message: "Unauthorized" }, 403);
    }
    const parsed = parseJson(await c.req.text());
    if (parsed.error === "too_deep") return c.json({ message: "JSON nested too deeply" }, 400);
    hub.fanout(`realtime:${topic}`, isPrivate, {
      type: "broadcast",
      event: c.req.param("event"),
      payload: parsed.error ? {} : parsed.value as Record<string, unknown>,
    });
    return c.body(null, 202);
  });

  app.onError((e, c) => {
    log(`${c.req.method} ${c.req.path} failed`, e);
    return c.json({ message: "Internal Server Error" }, 500);
  });
}
