/**
 * Threads (issue 14): a thread's root and its replies, and my read watermark in it. Replies are
 * sent through `POST /channels/:id/messages` with `thread_root_id` (and `also_in_channel`);
 * the database keeps the root's summary and who takes part (migration
 * 20251124005800_create_threads.sql). RLS decides what the caller sees: a root they cannot see
 * is a 404, as is a message that is itself a reply.
 */
import { Hono } from "hono";
import { z } from "zod";
import { NotFoundError } from "../_shared/errors.ts";
import type { Sql } from "../_shared/db.ts";
import { MESSAGE_PAGE } from "../_shared/limits.ts";
import type { RateLimiter } from "../_shared/rate_limit.ts";
import type { AuthEnv } from "./middleware/auth.ts";
import { callerRunner } from "./caller.ts";
import { rateLimit } from "./middleware/rate_limit.ts";
import { doc } from "./docs.ts";
import { body, messageId, parse } from "./validate.ts";

const ThreadQuery = z.object({
  /** Replies after this one (catching up); from the first reply when absent. */
  after: messageId.optional(),
  limit: z.coerce.number().int().min(1).max(MESSAGE_PAGE.max).default(MESSAGE_PAGE.default),
});
export const ThreadReadBody = z.object({ read_up_to: z.number().int().positive() });

export function threadRoutes({ sql, limiter }: { sql: Sql; limiter: RateLimiter }) {
  const app = new Hono<AuthEnv>();
  const run = callerRunner(sql);

  app.get(
    "/messages/:id/thread",
    doc(
      "A thread: its root, its replies oldest first (?after=&limit=) and my read watermark " +
        "(null when I take no part in it)",
    ),
    async (c) => {
      const id = parse(messageId, c.req.param("id"));
      const q = parse(ThreadQuery, c.req.query());
      const out = await run(c, "read", async (tx) => {
        const [root] = await tx`select * from public.message_views(${[id]}::bigint[])`;
        if (!root || root.thread_root_id !== null) throw new NotFoundError("No such thread");
        const replies = await tx`select * from public.thread_messages(${id}, ${
          q.after ?? 0
        }, ${q.limit})`;
        return { root, replies };
      });
      return c.json({
        root: out.root,
        messages: out.replies,
        last_read_id: out.root.thread_last_read_id ?? null,
      });
    },
  );

  app.post(
    "/messages/:id/thread/read",
    doc("Move my read watermark in a thread I take part in forward", { body: ThreadReadBody }),
    rateLimit(limiter, "receipt"),
    async (c) => {
      const id = parse(messageId, c.req.param("id"));
      const b = await body(c, ThreadReadBody);
      const row = await run(c, "write", async (tx) => {
        // Never past the thread's last reply; only forward (no write when nothing moves).
        const [r] = await tx`
          update public.thread_reads t set last_read_id = least(${b.read_up_to},
            (select coalesce(s.last_reply_id, 0) from public.message_threads s
             where s.root_id = t.root_id))
          where t.root_id = ${id} and t.user_id = (select private.caller_id())
            and t.last_read_id < least(${b.read_up_to}, (select coalesce(s.last_reply_id, 0)
              from public.message_threads s where s.root_id = t.root_id))
          returning t.last_read_id`;
        if (r) return r;
        const [cur] = await tx`select last_read_id from public.thread_reads
          where root_id = ${id} and user_id = (select private.caller_id())`;
        return cur;
      });
      return c.json({ last_read_id: row ? Number(row.last_read_id) : null });
    },
  );

  return app;
}
