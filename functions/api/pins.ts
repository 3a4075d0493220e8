/**
 * Pinned messages (per channel, seen by its members) and saved messages (the caller's own
 * bookmarks). RLS and the triggers of `…_create_pins_and_saved.sql` decide who may pin, unpin
 * and save, and hold the caps; these routes tell a message the caller cannot see (404) from one
 * they see but may not change (403). Changes reach other clients as `pin.changed` on
 * `channel:<id>` and `saved.changed` on `user:<id>` (README "Realtime events").
 */
import { Hono } from "hono";
import type postgres from "postgres";
import { z } from "zod";
import { AppError, NotFoundError } from "../_shared/errors.ts";
import type { Sql } from "../_shared/db.ts";
import type { RateLimiter } from "../_shared/rate_limit.ts";
import { SAVED_PAGE } from "../_shared/limits.ts";
import type { AuthEnv } from "./middleware/auth.ts";
import { callerRunner } from "./caller.ts";
import { rateLimit } from "./middleware/rate_limit.ts";
import { doc } from "./docs.ts";
import { messageId, parse, uuid } from "./validate.ts";

/** `<microseconds since 1970>.<message id>` of the last item of an earlier page. */
export const savedCursor = z.string().max(40).regex(
  /^\d{1,17}\.\d{1,16}$/,
  "not a cursor from an earlier page",
).transform((s) => {
  const [us, id] = s.split(".");
  return { us: us!, id: Number(id) };
});

export const SavedQuery = z.object({
  cursor: savedCursor.optional(),
  limit: z.coerce.number().int().min(1).max(SAVED_PAGE.max).default(SAVED_PAGE.default),
});

type Tx = postgres.TransactionSql;
type Row = Record<string, unknown>;

/** Messages as the page route shows them, by id. */
async function messagesById(tx: Tx, ids: number[]): Promise<Map<number, Row>> {
  if (!ids.length) return new Map();
  const rows = await tx`select * from public.message_views(${ids}::bigint[])`;
  return new Map(rows.map((m) => [Number(m.id), m]));
}

/** The message's channel, or 404 when the caller cannot see the message. */
async function visibleMessage(tx: Tx, id: number): Promise<{ channel_id: string }> {
  const [m] = await tx<{ channel_id: string; deleted_at: Date | null }[]>`
    select channel_id, deleted_at from public.messages where id = ${id}`;
  if (!m || m.deleted_at) throw new NotFoundError("No such message");
  return m;
}

/** Pins with their messages (`withMessages`: read as `authenticated`, as the page route reads). */
async function pinsOf(
  tx: Tx,
  where: { channelId: string } | { messageId: number },
  withMessages = true,
) {
  const rows = await tx`
    select p.message_id, p.channel_id, p.pinned_by, p.pinned_at,
      coalesce(nullif(u.display_name, ''), u.username) as pinned_by_name
    from public.message_pins p left join public.profiles u on u.id = p.pinned_by
    where ${
    "channelId" in where
      ? tx`p.channel_id = ${where.channelId}`
      : tx`p.message_id = ${where.messageId}`
  }
    order by p.pinned_at desc, p.message_id desc`;
  if (!withMessages) return rows;
  const messages = await messagesById(tx, rows.map((r) => Number(r.message_id)));
  return rows.map((r) => ({ ...r, message: messages.get(Number(r.message_id)) ?? null }));
}

export function pinRoutes({ sql, limiter }: { sql: Sql; limiter: RateLimiter }) {
  const app = new Hono<AuthEnv>();
  const run = callerRunner(sql);

  app.put(
    "/messages/:id/pin",
    doc(
      "Pin a message in its channel (any member who may post; at most 50 per channel); " +
        "the pin without its message (pin.changed and GET /channels/:id/pins carry it)",
    ),
    rateLimit(limiter, "write"),
    async (c) => {
      const id = parse(messageId, c.req.param("id"));
      const pin = await run(c, "write", async (tx) => {
        await visibleMessage(tx, id);
        await tx`insert into public.message_pins (message_id, pinned_by)
                 values (${id}, ${c.get("userId")!}) on conflict (message_id) do nothing`;
        const [p] = await pinsOf(tx, { messageId: id }, false);
        if (!p) throw new NotFoundError("No such message");
        return p;
      });
      return c.json({ pin });
    },
  );

  app.delete(
    "/messages/:id/pin",
    doc("Unpin a message (its pinner, a channel owner/admin, or a moderator)"),
    rateLimit(limiter, "write"),
    async (c) => {
      const id = parse(messageId, c.req.param("id"));
      await run(c, "write", async (tx) => {
        const [m] = await tx`select channel_id from public.messages where id = ${id}`;
        if (!m) throw new NotFoundError("No such message");
        const gone = await tx`delete from public.message_pins where message_id = ${id} returning 1`;
        if (!gone.length) {
          const [still] = await tx`select 1 from public.message_pins where message_id = ${id}`;
          if (still) {
            throw new AppError(
              "forbidden",
              "Only the one who pinned it or a channel admin may unpin this message",
            );
          }
        }
      });
      return c.json({ message_id: id, pinned: false });
    },
  );

  app.get(
    "/channels/:id/pins",
    doc("The channel's pinned messages, newest pin first"),
    async (c) => {
      const channelId = parse(uuid, c.req.param("id"));
      const pins = await run(c, "read", async (tx) => {
        const [row] = await tx`
          select exists (select 1 from public.channel_members m where m.channel_id = c.id
                         and m.user_id = (select auth.uid())) as member
          from public.channels c where c.id = ${channelId}`;
        if (!row) throw new NotFoundError("No such channel");
        if (!row.member) throw new AppError("forbidden", "You are not a member of this channel");
        return await pinsOf(tx, { channelId });
      });
      return c.json({ pins });
    },
  );

  app.put(
    "/messages/:id/save",
    doc("Save a message for later (mine alone; at most 1000)"),
    rateLimit(limiter, "write"),
    async (c) => {
      const id = parse(messageId, c.req.param("id"));
      const saved = await run(c, "write", async (tx) => {
        await visibleMessage(tx, id);
        await tx`insert into public.saved_messages (message_id, user_id)
                 values (${id}, ${c.get("userId")!}) on conflict (user_id, message_id) do nothing`;
        const [s] = await tx`select message_id, channel_id, saved_at from public.saved_messages
                             where user_id = ${c.get("userId")!} and message_id = ${id}`;
        if (!s) throw new NotFoundError("No such message");
        return s;
      });
      return c.json({ saved });
    },
  );

  app.delete(
    "/messages/:id/save",
    doc("Forget a saved message"),
    rateLimit(limiter, "write"),
    async (c) => {
      const id = parse(messageId, c.req.param("id"));
      await run(c, "write", (tx) =>
        tx`delete from public.saved_messages
           where user_id = ${c.get("userId")!} and message_id = ${id}`);
      return c.json({ message_id: id, saved: false });
    },
  );

  app.get(
    "/me/saved",
    doc("My saved messages, newest first (?cursor=&limit=), in channels I am still in"),
    async (c) => {
      const q = parse(SavedQuery, c.req.query());
      const page = await run(c, "read", async (tx) => {
        const rows = await tx`
          select s.message_id, s.channel_id, s.saved_at,
            (extract(epoch from s.saved_at) * 1000000)::bigint::text as us
          from public.saved_messages s
          join public.channel_members m on m.channel_id = s.channel_id and m.user_id = s.user_id
          where s.user_id = ${c.get("userId")!} ${
          q.cursor
            ? tx`and (s.saved_at, s.message_id) <
                 (timestamptz 'epoch' + (${q.cursor.us} || ' microseconds')::interval, ${q.cursor.id})`
            : tx``
        }
          order by s.saved_at desc, s.message_id desc limit ${q.limit + 1}`;
        const more = rows.length > q.limit;
        const items = rows.slice(0, q.limit);
        const messages = await messagesById(tx, items.map((r) => Number(r.message_id)));
        const last = items.at(-1);
        return {
          items: items.map(({ us: _us, ...r }) => ({
            ...r,
            message: messages.get(Number(r.message_id)) ?? null,
          })),
          next_cursor: more && last ? `${last.us}.${last.message_id}` : null,
        };
      });
      return c.json(page);
    },
  );

  app.get(
    "/me/saved/ids",
    doc("The ids of all my saved messages (for marking them), in channels I am still in"),
    async (c) => {
      const rows = await run(c, "read", (tx) =>
        tx<{ message_id: string }[]>`
          select s.message_id from public.saved_messages s
          join public.channel_members m on m.channel_id = s.channel_id and m.user_id = s.user_id
          where s.user_id = ${c.get("userId")!}`);
      return c.json({ ids: rows.map((r) => Number(r.message_id)) });
    },
  );

  return app;
}
