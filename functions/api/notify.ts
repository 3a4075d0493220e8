/**
 * Notifications that people control: my do-not-disturb window and sound toggle, a level per
 * channel (all / mentions / muted), my Web Push subscriptions and the VAPID public key. The
 * push itself is sent by `push_dispatch.ts`, a hook of the send route.
 *
 * Push is on when VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY and VAPID_SUBJECT are set (`push_config.ts`,
 * through the API's config). Endpoints must be https; PUSH_ENDPOINT_ALLOW (comma-separated
 * origins) lets http ones in, for a local test push service.
 */
import { Hono } from "hono";
import { z } from "zod";
import { AppError } from "../_shared/errors.ts";
import type { Sql } from "../_shared/db.ts";
import type { RateLimiter } from "../_shared/rate_limit.ts";
import type { AuthEnv } from "./middleware/auth.ts";
import { callerRunner } from "./caller.ts";
import { rateLimit } from "./middleware/rate_limit.ts";
import { doc } from "./docs.ts";
import { body, parse, uuid } from "./validate.ts";
import { NOTIFY_LEVELS, TIME_OF_DAY } from "../_shared/notify_rules.ts";
import { endpointAllowed } from "./push_dispatch.ts";
import { PUSH_OFF, type PushConfig } from "../_shared/push_config.ts";

const hhmm = z.string().regex(TIME_OF_DAY, "HH:MM (24 h)");

export const PrefsBody = z.object({
  dnd_start: hhmm.nullable(),
  dnd_end: hhmm.nullable(),
  time_zone: z.string().min(1).max(64).refine((tz) => {
    try {
      new Intl.DateTimeFormat("en", { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  }, "an IANA time zone"),
  sound: z.boolean(),
}).strict().refine((b) => (b.dnd_start === null) === (b.dnd_end === null), {
  message: "dnd_start and dnd_end are set together",
});

export const LevelBody = z.object({ level: z.enum(NOTIFY_LEVELS) }).strict();

const b64key = (min: number, max: number) =>
  z.string().min(min).max(max).regex(/^[A-Za-z0-9_-]+=*$/, "base64url");

export const SubscriptionBody = z.object({
  endpoint: z.string().min(8).max(1024),
  keys: z.object({ p256dh: b64key(80, 100), auth: b64key(16, 32) }),
  expirationTime: z.number().nullable().optional(),
});

export function notifyRoutes(
  { sql, limiter, config = PUSH_OFF }: {
    sql: Sql;
    limiter: RateLimiter;
    /** VAPID keys and test origins (push is off without them). */
    config?: PushConfig;
  },
) {
  const app = new Hono<AuthEnv>();
  const run = callerRunner(sql);

  app.get("/push/vapid-public-key", doc("The VAPID public key (null: push is off)"), (c) =>
    c.json({
      enabled: !!config.vapid,
      publicKey: config.vapid?.publicKey ?? null,
      ...(config.vapid ? {} : { message: "Web Push is off: VAPID keys are not configured" }),
    }));

  app.get("/me/notification-prefs", doc("My notification settings"), async (c) => {
    const me = c.get("userId")!;
    const [prefs, levels] = await run(c, "read", async (tx) => [
      await tx`select to_char(dnd_start, 'HH24:MI') as dnd_start,
        to_char(dnd_end, 'HH24:MI') as dnd_end, time_zone, sound
        from public.notification_prefs where user_id = ${me}`,
      await tx`select channel_id, level from public.channel_notify_levels where user_id = ${me}`,
    ]);
    return c.json({
      prefs: prefs[0] ?? { dnd_start: null, dnd_end: null, time_zone: "UTC", sound: false },
      channels: Object.fromEntries(levels.map((l) => [l.channel_id, l.level])),
      push: !!config.vapid,
    });
  });

  app.put(
    "/me/notification-prefs",
    doc("Set my do-not-disturb window and sound", { body: PrefsBody }),
    rateLimit(limiter, "write"),
    async (c) => {
      const b = await body(c, PrefsBody);
      await run(
        c,
        "write",
        (tx) =>
          tx`insert into public.notification_prefs (user_id, dnd_start, dnd_end, time_zone, sound)
          values (${c.get("userId")!}, ${b.dnd_start}, ${b.dnd_end}, ${b.time_zone}, ${b.sound})
          on conflict (user_id) do update set dnd_start = excluded.dnd_start,
            dnd_end = excluded.dnd_end, time_zone = excluded.time_zone, sound = excluded.sound,
            updated_at = now()`,
      );
      return c.json({ prefs: b });
    },
  );

  app.put(
    "/channels/:id/notify",
    doc("Notify me for all messages, mentions only, or none of a channel", { body: LevelBody }),
    rateLimit(limiter, "write"),
    async (c) => {
      const channelId = parse(uuid, c.req.param("id"));
      const { level } = await body(c, LevelBody);
      const me = c.get("userId")!;
      const rows = await run(
        c,
        "write",
        (tx) =>
          tx`insert into public.channel_notify_levels (user_id, channel_id, level)
          select ${me}, ${channelId}, ${level}
          where exists (select 1 from public.channel_members m
                        where m.channel_id = ${channelId} and m.user_id = ${me})
          on conflict (user_id, channel_id) do update set level = excluded.level
          returning level`,
      );
      if (!rows.length) throw new AppError("not_found", "No such channel of yours");
      return c.json({ channel_id: channelId, level });
    },
  );

  app.post(
    "/me/push-subscriptions",
    doc("Add a Web Push subscription of this browser", { body: SubscriptionBody }),
    rateLimit(limiter, "write"),
    async (c) => {
      const b = await body(c, SubscriptionBody);
      // A 4xx: the server works, it is only not set up for push (GET /push/vapid-public-key).
      if (!config.vapid) throw new AppError("conflict", "Web Push is off on this server");
      if (!endpointAllowed(b.endpoint, config.allowHttp)) {
        throw new AppError("validation_failed", "The push endpoint must be an https URL");
      }
      await run(
        c,
        "write",
        (tx) =>
          tx`insert into public.push_subscriptions (user_id, endpoint, p256dh, auth)
          values (${c.get("userId")!}, ${b.endpoint}, ${b.keys.p256dh}, ${b.keys.auth})
          on conflict (user_id, endpoint) do update set p256dh = excluded.p256dh,
            auth = excluded.auth`,
      );
      return c.json({ endpoint: b.endpoint }, 201);
    },
  );

  app.delete(
    "/me/push-subscriptions",
    doc("Remove a Web Push subscription (body: { endpoint })"),
    rateLimit(limiter, "write"),
    async (c) => {
      const b = await body(c, z.object({ endpoint: z.string().min(1).max(1024) }));
      const n = await run(c, "write", (tx) =>
        tx`delete from public.push_subscriptions
          where user_id = ${c.get("userId")!} and endpoint = ${b.endpoint} returning 1`);
      return c.json({ removed: n.length });
    },
  );

  return app;
}
