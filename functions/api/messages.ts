/**
 * Messages: pages of a channel, the send pipeline (validate → rate limit → moderate → insert as
 * chat_api → broadcast by trigger), edits (moderated again), deletes (tombstones), reactions
 * and read receipts. RLS decides membership; these routes turn its refusals into 403/404.
 */
import { Hono } from "hono";
import type postgres from "postgres";
import { z } from "zod";
import { AppError, NotFoundError } from "../_shared/errors.ts";
import type { Sql } from "../_shared/db.ts";
import { hasVisibleText, type Moderator, normalizeText } from "../_shared/moderation.ts";
import {
  ATTACHMENTS_PER_MESSAGE,
  MESSAGE_MAX_CHARS,
  MESSAGE_PAGE,
  SUMMARY_MESSAGES,
} from "../_shared/limits.ts";
import type { RateLimiter } from "../_shared/rate_limit.ts";
import type { AuthEnv, Claims } from "./middleware/auth.ts";
import { callerRunner } from "./caller.ts";
import { type AiProvider, localAi } from "../_shared/ai.ts";
import type { Metrics } from "../_shared/metrics.ts";
import { rateLimit } from "./middleware/rate_limit.ts";
import { doc } from "./docs.ts";
import { body, messageId, parse, uuid } from "./validate.ts";
import { COUNTER_HELP } from "./metrics_route.ts";

/** A message as the send route returns it (the fields its hooks read). */
export interface SentMessage extends Record<string, unknown> {
  id: number;
  channel_id: string;
  sender_id: string;
  content: string;
}

/**
 * Work after a message is stored (201), such as Web Push or a link preview: called once,
 * before the answer goes out; it must return at once and never throw.
 */
export type AfterSend = (message: SentMessage, claims: Claims) => void;

export interface MessageDeps {
  sql: Sql;
  limiter: RateLimiter;
  moderator: Moderator;
  ai: AiProvider;
  metrics?: Metrics;
  afterSend?: readonly AfterSend[];
}

const content = z.string().transform(normalizeText).pipe(
  z.string().min(1, "must not be empty")
    .max(MESSAGE_MAX_CHARS, `must be at most ${MESSAGE_MAX_CHARS} characters`)
    .refine(hasVisibleText, "must contain visible characters, not only invisible ones"),
);
export const SendBody = z.object({
  content,
  client_id: z.string().min(1).max(64),
  reply_to_id: z.number().int().positive().optional(),
  attachment_ids: z.array(uuid).max(ATTACHMENTS_PER_MESSAGE).optional(),
  /** A reply in the thread of this message (issue 14). */
  thread_root_id: z.number().int().positive().optional(),
  /** A thread reply that also shows in the channel's main flow. */
  also_in_channel: z.boolean().optional(),
});
export const EditBody = z.object({ content });
const PageQuery = z.object({
  before: messageId.optional(),
  after: messageId.optional(),
  /** The page centred on this message (a jump to a search hit); not with before/after. */
  around: messageId.optional(),
  limit: z.coerce.number().int().min(1).max(MESSAGE_PAGE.max).default(MESSAGE_PAGE.default),
}).refine(
  (q) => q.around === undefined || (q.before === undefined && q.after === undefined),
  "around cannot be combined with before or after",
);
export const ReceiptBody = z.object({
  delivered_up_to: z.number().int().nonnegative().optional(),
  read_up_to: z.number().int().nonnegative().optional(),
}).refine(
  (b) => b.delivered_up_to !== undefined || b.read_up_to !== undefined,
  "give delivered_up_to or read_up_to",
);
const emoji = z.string().min(1).max(32).refine(
  (e) => !/[\s<>\p{Cc}]/u.test(e),
  "not an emoji",
);

/** The @assistant user (migration 20251124001400). */
export const ASSISTANT = "00000000-0000-4000-8000-00000000a551";

// Type oids of the arrays' elements: typed arrays go out with the statement, undescribed.
const TEXT = 25;
const UUID = 2950;

const MENTION = /(?:^|[^\w.@])@([a-z0-9_.]{3,32})/gi;

async function viewOf(tx: postgres.TransactionSql, id: number | string) {
  const [m] = await tx`select * from public.message_views(${[Number(id)]}::bigint[])`;
  return m;
}

export function messageRoutes(
  { sql, limiter, moderator, ai, metrics, afterSend = [] }: MessageDeps,
) {
  // Sentiment per message comes from the lexicon (cheap, local); the provider scores summaries.
  const lexicon = localAi();
  const counted = (outcome: string) => {
    if (outcome !== "ok") {
      metrics?.inc(
        "moderation_actions_total",
        "Messages rejected, masked or flagged by moderation.",
        { outcome },
      );
    }
  };
  const app = new Hono<AuthEnv>();
  const run = callerRunner(sql);

  /**
   * 404 when the caller cannot see the channel, 403 when they see it but are not in it; run
   * inside the route's own transaction.
   */
  async function requireMember(tx: postgres.TransactionSql, channelId: string) {
    const [row] = await tx`
      select c.id, exists (select 1 from public.channel_members m where m.channel_id = c.id
                           and m.user_id = (select auth.uid())) as member
      from public.channels c where c.id = ${channelId}`;
    if (!row) throw new NotFoundError("No such channel");
    if (!row.member) throw new AppError("forbidden", "You are not a member of this channel");
  }

  /** Finds what the channel says about the question (search, as the asker) and replies. */
  async function answerAsAssistant(
    claims: Record<string, unknown>,
    questionId: number,
    text: string,
  ) {
    const question = text.replace(/@assistant\b/gi, "").trim();
    const hits = question.length >= 3
      ? await run({ get: () => claims }, "read", (tx) =>
        tx`
          select m.content, m.sender ->> 'username' as author
          from public.search_messages(${question}, (select channel_id from public.messages where id = ${questionId})) h
          join lateral public.message_views(array[h.id]) m on true
          where h.id <> ${questionId} and m.sender_id is distinct from ${ASSISTANT}::uuid limit 5`)
      : [];
    const answer = await ai.answer(
      question,
      hits.map((h) => ({ author: String(h.author), content: String(h.content) })),
    );
    await run(
      { get: () => claims },
      "write",
      (tx) => tx`select private.assistant_reply(${questionId}, ${answer})`,
    );
  }

  app.get(
    "/channels/:id/messages",
    doc(
      "Keyset pages of a channel, newest first (?before=&after=&limit=), or the page around one " +
        "message (?around=&limit=: limit/2 older, the message, the rest newer; 404 if not there)",
    ),
    async (c) => {
      const id = parse(uuid, c.req.param("id"));
      const q = parse(PageQuery, c.req.query());
      const rows = await run(c, "read", async (tx) => {
        await requireMember(tx, id);
        if (q.around !== undefined) {
          const page =
            await tx`select * from public.channel_messages_around(${id}, ${q.around}, ${q.limit})`;
          if (!page.length) throw new NotFoundError("No such message in this channel");
          return page;
        }
        return await tx`select * from public.channel_messages(${id}, ${q.before ?? null}, ${
          q.after ?? null
        }, ${q.limit})`;
      });
      return c.json({ messages: rows });
    },
  );

  app.post(
    "/channels/:id/messages",
    doc("Send a message (201; 200 with the stored message when client_id repeats)", {
      body: SendBody,
    }),
    rateLimit(limiter, "send"),
    async (c) => {
      const channelId = parse(uuid, c.req.param("id"));
      const b = await body(c, SendBody);
      const verdict = await moderator.check(b.content);
      if (verdict.outcome === "ok" && ai.review && (await ai.review(verdict.text)) === "flag") {
        verdict.outcome = "flagged";
      }
      const mood = await lexicon.sentiment(verdict.text);
      counted(verdict.outcome);
      if (verdict.outcome === "rejected") {
        throw new AppError("content_rejected", `Message rejected: ${verdict.reason}`);
      }
      const usernames = [
        ...new Set([...verdict.text.matchAll(MENTION)].map((m) => m[1]!.toLowerCase())),
      ];
      // One statement (public.send_message): mentions, the idempotent insert, attachments and
      // the message as the page route shows it.
      const result = await run(c, "write", async (tx) => {
        const [row] = await tx<{ created: boolean; message: SentMessage }[]>`
          select created, message from public.send_message(
          ${channelId}::uuid, ${verdict.text}, ${b.client_id}, ${b.reply_to_id ?? null}::bigint,
          ${tx.array(usernames, TEXT)}, ${verdict.outcome === "ok" ? "ok" : verdict.outcome},
          ${mood.score}::real, ${tx.array(b.attachment_ids ?? [], UUID)},
          ${b.thread_root_id ?? null}::bigint, ${b.also_in_channel ?? false})`;
        if (!row) throw new Error("send_message returned no row");
        return row;
      });
      if (result.created) {
        metrics?.inc("messages_sent_total", COUNTER_HELP.messages_sent_total);
        for (const hook of afterSend) hook(result.message, c.get("claims"));
      }
      if (
        result.created && (result.message?.mentions as string[] | undefined)?.includes(ASSISTANT)
      ) {
        // Answered after the response, so the sender is not kept waiting for the model.
        const claims = c.get("claims");
        void answerAsAssistant(claims, Number(result.message!.id), verdict.text).catch((e) =>
          console.error(
            JSON.stringify({ level: "error", msg: "assistant failed", error: String(e) }),
          )
        );
      }
      return c.json({ message: result.message }, result.created ? 201 : 200);
    },
  );

  app.patch(
    "/messages/:id",
    doc("Edit my message (moderated again)", { body: EditBody }),
    rateLimit(limiter, "edit"),
    async (c) => {
      const id = parse(messageId, c.req.param("id"));
      const b = await body(c, EditBody);
      const verdict = await moderator.check(b.content);
      counted(verdict.outcome);
      if (verdict.outcome === "rejected") {
        throw new AppError("content_rejected", `Edit rejected: ${verdict.reason}`);
      }
      const message = await run(c, "write", async (tx) => {
        const rows = await tx`update public.messages set content = ${verdict.text},
        moderation = ${verdict.outcome === "ok" ? "ok" : verdict.outcome},
        sentiment = ${(await lexicon.sentiment(verdict.text)).score}
        where id = ${id} and sender_id = ${c.get("userId")!} and deleted_at is null returning id`;
        if (!rows.length) throw new NotFoundError("No such message of yours");
        return await viewOf(tx, id);
      });
      return c.json({ message });
    },
  );

  app.delete(
    "/messages/:id",
    doc("Delete a message (tombstone); moderators may delete any"),
    rateLimit(limiter, "edit"),
    async (c) => {
      const id = parse(messageId, c.req.param("id"));
      const message = await run(c, "write", async (tx) => {
        const rows =
          await tx`update public.messages set deleted_at = now() where id = ${id} and deleted_at is null returning id`;
        if (!rows.length) throw new NotFoundError("No such message you may delete");
        return await viewOf(tx, id);
      });
      return c.json({ message });
    },
  );

  for (const method of ["put", "delete"] as const) {
    app[method](
      "/messages/:id/reactions/:emoji",
      doc(method === "put" ? "Add a reaction" : "Remove my reaction"),
      rateLimit(limiter, "react"),
      async (c) => {
        const id = parse(messageId, c.req.param("id"));
        const e = parse(emoji, c.req.param("emoji")); // already decoded by the router
        const message = await run(c, "write", async (tx) => {
          if (method === "put") {
            await tx`insert into public.message_reactions (message_id, user_id, emoji)
                   values (${id}, ${c.get("userId")!}, ${e}) on conflict do nothing`;
          } else {
            await tx`delete from public.message_reactions where message_id = ${id} and user_id = ${c
              .get("userId")!} and emoji = ${e}`;
          }
          const m = await viewOf(tx, id);
          if (!m) throw new NotFoundError("No such message");
          return m;
        });
        return c.json({ message });
      },
    );
  }

  // Summary of recent messages, with their overall mood (the AI provider: local by default).
  app.get(
    "/channels/:id/summary",
    doc("Summary and mood of recent messages (?limit=)"),
    rateLimit(limiter, "search"),
    async (c) => {
      const id = parse(uuid, c.req.param("id"));
      const limit = parse(
        z.coerce.number().int().min(1).max(SUMMARY_MESSAGES.max)
          .default(SUMMARY_MESSAGES.default),
        c.req.query("limit"),
      );
      const rows = await run(c, "read", async (tx) => {
        await requireMember(tx, id);
        return await tx`select content, sender ->> 'username' as author
          from public.channel_messages(${id}, null, null, ${limit})
          where deleted_at is null order by id`;
      });
      const messages = rows.map((r) => ({
        author: String(r.author ?? "someone"),
        content: String(r.content),
      }));
      const [summary, mood] = await Promise.all([
        ai.summarize(messages),
        ai.sentiment(messages.map((m) => m.content).join("\n")),
      ]);
      return c.json({
        provider: ai.name,
        message_count: messages.length,
        summary,
        sentiment: mood,
      });
    },
  );

  app.post(
    "/channels/:id/receipts",
    doc("Move my delivered/read watermarks forward", { body: ReceiptBody }),
    rateLimit(limiter, "receipt"),
    async (c) => {
      const channelId = parse(uuid, c.req.param("id"));
      const b = await body(c, ReceiptBody);
      const row = await run(c, "write", async (tx) => {
        // Written only when a watermark moves forward: repeated or late receipts cost no write
        // and no broadcast. Never past the channel's newest message (no pre-reading the future).
        const [r] = await tx`
        with cur as (
          select m.last_delivered_message_id, m.last_read_message_id,
            least(private.last_message_id(${channelId}), greatest(m.last_delivered_message_id,
              ${b.delivered_up_to ?? 0}, ${b.read_up_to ?? 0})) as delivered,
            least(private.last_message_id(${channelId}),
              greatest(m.last_read_message_id, ${b.read_up_to ?? 0})) as read
          from public.channel_members m
          where m.channel_id = ${channelId} and m.user_id = ${c.get("userId")!}
        ), moved as (
          -- Compared with the row as it is when locked, so a slower, older receipt never moves
          -- a watermark back past a concurrent newer one.
          update public.channel_members m set
            last_delivered_message_id = greatest(m.last_delivered_message_id, cur.delivered),
            last_read_message_id = greatest(m.last_read_message_id, cur.read)
          from cur
          where m.channel_id = ${channelId} and m.user_id = ${c.get("userId")!}
            and (cur.delivered > m.last_delivered_message_id or cur.read > m.last_read_message_id)
          returning m.last_delivered_message_id, m.last_read_message_id
        )
        select * from moved
        union all
        select last_delivered_message_id, last_read_message_id from cur
        where not exists (select 1 from moved)`;
        if (!r) throw new NotFoundError("You are not in this channel");
        return r;
      });
      return c.json(row);
    },
  );

  return app;
}
