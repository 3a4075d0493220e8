/** The caller's profile, deactivation, and finding people; search over messages. */
import { Hono } from "hono";
import type postgres from "postgres";
import { z } from "zod";
import { AppError } from "../_shared/errors.ts";
import type { Sql } from "../_shared/db.ts";
import type { RateLimiter } from "../_shared/rate_limit.ts";
import type { AuthEnv } from "./middleware/auth.ts";
import { callerRunner } from "./caller.ts";
import { rateLimit } from "./middleware/rate_limit.ts";
import { SEARCH_PAGE } from "../_shared/limits.ts";
import { doc } from "./docs.ts";
import { body, escapeLike, isoInstant, parse, searchCursor, uuid } from "./validate.ts";

export const UpdateMe = z.object({
  username: z.string().regex(/^[A-Za-z0-9_.]{3,32}$/, "3-32 characters of a-z, 0-9, _ and .")
    .optional(),
  display_name: z.string().trim().max(64).optional(),
  status_text: z.string().max(140).optional(),
  locale: z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$/).optional(),
  avatar_path: z.string().max(512).nullable().optional(),
}).strict();

/** `GET /search`: the words, then filters, each optional (see the route's doc). */
export const SearchQuery = z.object({
  q: z.string().trim().min(1, "q is required").max(200),
  channel_id: uuid.optional(),
  sender_id: uuid.optional(),
  after: isoInstant.optional(),
  before: isoInstant.optional(),
  limit: z.coerce.number().int().min(1).max(SEARCH_PAGE.max).default(SEARCH_PAGE.default),
  cursor: searchCursor.optional(),
  archive: z.enum(["true", "false"]).optional(),
  has: z.enum(["attachment"]).optional(),
  in: z.enum(["thread"]).optional(),
  mentions: z.enum(["me"]).optional(),
  sort: z.enum(["relevance", "recent"]).default("relevance"),
});

export function meRoutes({ sql, limiter }: { sql: Sql; limiter: RateLimiter }) {
  const app = new Hono<AuthEnv>();
  const run = callerRunner(sql);
  const me = (tx: postgres.TransactionSql, id: string) =>
    tx`select p.*, coalesce(r.role, 'user') as role from public.profiles p
       left join public.user_roles r on r.user_id = p.id where p.id = ${id}`;

  app.get("/me", doc("My profile and role"), async (c) => {
    const [profile] = await run(c, "read", (tx) => me(tx, c.get("userId")!));
    if (!profile) throw new AppError("forbidden", "This account is deactivated");
    return c.json({ profile });
  });

  app.patch(
    "/me",
    doc("Update my profile", { body: UpdateMe }),
    rateLimit(limiter, "write"),
    async (c) => {
      const b = await body(c, UpdateMe);
      const profile = await run(c, "write", async (tx) => {
        const rows = await tx`update public.profiles set
          username = coalesce(${b.username?.toLowerCase() ?? null}, username),
          display_name = coalesce(${b.display_name ?? null}, display_name),
          status_text = coalesce(${b.status_text ?? null}, status_text),
          locale = coalesce(${b.locale ?? null}, locale),
          avatar_path = case when ${b.avatar_path !== undefined} then ${
          b.avatar_path ?? null
        } else avatar_path end
        where id = ${c.get("userId")!} returning id`;
        if (!rows.length) throw new AppError("forbidden", "This account is deactivated");
        return (await me(tx, c.get("userId")!))[0];
      });
      return c.json({ profile });
    },
  );

  // "Last seen": the client says so while it is connected (about once a minute); the time is
  // the server's, and a row is written at most every 30 s per person.
  app.post(
    "/me/seen",
    doc("I am here: last_seen_at becomes now (at most every 30 s)"),
    rateLimit(limiter, "receipt"),
    async (c) => {
      // One statement: write now() if the last write is 30 s old, and read the value either way
      // (a deactivated caller sees no row at all under RLS).
      const me = c.get("userId")!;
      const [row] = await run(c, "write", (tx) =>
        tx`
        with touched as (
          update public.profiles set last_seen_at = now()
          where id = ${me} and (last_seen_at is null or last_seen_at < now() - interval '30 seconds')
          returning last_seen_at)
        select coalesce((select last_seen_at from touched), p.last_seen_at) as last_seen_at
        from public.profiles p where p.id = ${me}`);
      if (!row) throw new AppError("forbidden", "This account is deactivated");
      return c.json({ last_seen_at: row.last_seen_at });
    },
  );

  app.delete("/me", doc("Deactivate my account"), rateLimit(limiter, "write"), async (c) => {
    await run(
      c,
      "write",
      (tx) => tx`update public.profiles set deactivated_at = now() where id = ${c.get("userId")!}`,
    );
    return c.json({ deactivated: true });
  });

  app.get("/users", doc("Find people by username or display name (?q=)"), async (c) => {
    const q = parse(z.string().trim().min(1).max(64), c.req.query("q") ?? "");
    const users = await run(c, "read", (tx) =>
      tx`
      select id, username, display_name, avatar_path, status_text, last_seen_at from public.profiles
      where deactivated_at is null and (username ilike ${escapeLike(q) + "%"}
        or lower(display_name) like ${"%" + escapeLike(q.toLowerCase()) + "%"})
      order by username limit 20`);
    return c.json({ users });
  });

  app.get(
    "/search",
    doc(
      "Search my channels as I type: q (words; the last one may be a prefix; Japanese, Chinese, " +
        'Korean and Thai match any part of a word; "phrase", or, -word), and optionally ' +
        "channel_id, sender_id, after and before (ISO instants), has=attachment (messages with " +
        "files), in=thread (threads: roots and replies, and replies quoting a message and the " +
        "message quoted), mentions=me, archive=true (the archive too, ranked alike), " +
        "sort=relevance (default: the newest 300 hits ranked) or sort=recent (newest first), " +
        "limit, cursor (next_cursor of the previous page). Hits carry a snippet with matches " +
        "between U+0002 and U+0003.",
    ),
    rateLimit(limiter, "search"),
    async (c) => {
      const q = parse(SearchQuery, c.req.query());
      const hits = await run(c, "read", (tx) =>
        tx`
      select * from public.search_messages(p_query => ${q.q},
        p_channel_id => ${q.channel_id ?? null}, p_sender_id => ${q.sender_id ?? null},
        p_after => ${q.after ?? null}, p_before => ${q.before ?? null}, p_limit => ${q.limit},
        p_cursor_score => ${q.cursor?.score ?? null}::real,
        p_cursor_id => ${q.cursor?.id ?? null}::bigint,
        p_include_archive => ${q.archive === "true"},
        p_has_attachment => ${q.has === "attachment"}, p_in_thread => ${q.in === "thread"},
        p_mentions_me => ${q.mentions === "me"}, p_sort => ${q.sort})`);
      const last = hits.at(-1);
      return c.json({
        hits,
        next_cursor: hits.length === q.limit && last ? `${last.score}:${last.id}` : null,
      });
    },
  );

  return app;
}
