/**
 * Realtime's REST broadcast: the batch endpoint (realtime-js `send` before joining; JSON only)
 * and one event per request (`httpSend`; JSON or `application/octet-stream`), with Supabase's
 * status codes (202, 401, 403, 415, 422, 429) and open CORS (Supabase's `open_cors`). Bodies are
 * bounded by LIMITS.maxFrameBytes (413) and LIMITS.maxJsonDepth (400); any other failure answers
 * 500 to that request alone.
 *
 * As supabase/realtime reads them (Plug.Parsers, `BroadcastSingleController`): a JSON body that
 * is not an object is delivered as `{"_json": value}`, a request without a Content-Type as `{}`;
 * a per-event broadcast goes out as a user broadcast (binary.ts), so a binary payload reaches
 * vsn 2.0.0 subscribers as bytes and 1.0.0 subscribers not at all.
 */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import type postgres from "postgres";
import { canWrite, type Claims, type VerifyToken } from "./authz.ts";
import { binaryBroadcast, fitsField, jsonBroadcast, type UserBroadcast } from "./binary.ts";
import { type Hub, log } from "./hub.ts";
import { isObject, LIMITS, parseJson } from "./protocol.ts";

/** Supabase's answer to any other Content-Type on the per-event endpoint. */
export const UNSUPPORTED_MEDIA_TYPE =
  "Unsupported Media Type. Use application/json or application/octet-stream";

type BodyKind = "json" | "binary" | "none" | "other";

/** What a Content-Type header makes of the body. */
function bodyKind(contentType: string | undefined): BodyKind {
  if (contentType === undefined) return "none";
  const [type = "", subtype = ""] = contentType.split(";")[0]!.trim().toLowerCase().split("/");
  if (type !== "application") return "other";
  if (subtype === "json" || subtype.endsWith("+json")) return "json";
  return subtype === "octet-stream" ? "binary" : "other";
}

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

  app.use("/api/*", cors({ origin: "*" }));

  app.post("/api/broadcast", limit, async (c) => {
    const claims = await restClaims(c);
    if (!claims) return c.json({ message: "Unauthorized" }, 401);
    // Only a JSON body is read (any other is no body at all): no `messages`, 422.
    const json = bodyKind(c.req.header("content-type")) === "json";
    const parsed = json ? parseJson(await c.req.text()) : { value: {} };
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
        ...(typeof m.id === "string" ? { meta: { id: m.id } } : {}),
      });
    }
    return c.body(null, 202);
  });

  app.post("/api/broadcast/:topic/events/:event", limit, async (c) => {
    const kind = bodyKind(c.req.header("content-type"));
    if (kind === "other") return c.json({ error: UNSUPPORTED_MEDIA_TYPE }, 415);
    const claims = await restClaims(c);
    if (!claims) return c.json({ message: "Unauthorized" }, 401);
    const topic = c.req.param("topic");
    const event = c.req.param("event");
    if (!fitsField(`realtime:${topic}`) || !fitsField(event)) {
      return c.json({ message: "topic and event must each be at most 255 bytes" }, 422);
    }
    let user: UserBroadcast;
    if (kind === "binary") user = binaryBroadcast(event, new Uint8Array(await c.req.arrayBuffer()));
    else {
      const text = kind === "json" ? await c.req.text() : "";
      if (text.trim() === "") user = jsonBroadcast(event, "{}");
      else {
        const parsed = parseJson(text);
        if (parsed.error === "too_deep") return c.json({ message: "JSON nested too deeply" }, 400);
        if (parsed.error) return c.json({ message: "Bad Request" }, 400);
        // An object goes out as it came; anything else wrapped, as Plug.Parsers wraps it.
        const v = parsed.value;
        user = jsonBroadcast(event, isObject(v) ? text : JSON.stringify({ _json: v }));
      }
    }
    const isPrivate = c.req.query("private") === "true";
    if (isPrivate && !(await canWrite(sql, claims, topic, "broadcast"))) {
      return c.json({ message: "Unauthorized" }, 403);
    }
    hub.fanoutUser(`realtime:${topic}`, isPrivate, user);
    return c.body(null, 202);
  });

  app.onError((e, c) => {
    log(`${c.req.method} ${c.req.path} failed`, e);
    return c.json({ message: "Internal Server Error" }, 500);
  });
}
