/**
 * Link previews (issue 14). When `POST /channels/:id/messages` has stored a message, the first
 * http(s) link of the new message is unfurled in the background (`unfurl.ts`: SSRF guard, 5 s,
 * 1 MB of HTML, 3 redirects, an image of at most 2 MB), its image cached in Storage beside the
 * channel's attachments, and the row written to `public.link_previews` with the API's own
 * connection; its trigger sends the message's new row as `message.updated`. The sender (or a
 * moderator) hides it with `PATCH /messages/:id/preview`.
 */
import { Hono } from "hono";
import { z } from "zod";
import { AppError, NotFoundError } from "../_shared/errors.ts";
import type { Sql } from "../_shared/db.ts";
import type { Logger } from "../_shared/log.ts";
import type { RateLimiter } from "../_shared/rate_limit.ts";
import type { StorageClient } from "../_shared/storage_client.ts";
import { LINK_PREVIEW } from "../_shared/limits.ts";
import { firstLink, unfurl, type Unfurled } from "../_shared/unfurl.ts";
import { FetchRefused } from "../_shared/safe_fetch.ts";
import type { AuthEnv } from "./middleware/auth.ts";
import { callerRunner } from "./caller.ts";
import { rateLimit } from "./middleware/rate_limit.ts";
import { doc } from "./docs.ts";
import { body, messageId, parse } from "./validate.ts";
import type { AfterSend, SentMessage } from "./messages.ts";

export const PreviewBody = z.object({ hidden: z.boolean() });

export interface LinkPreviewDeps {
  sql: Sql;
  limiter: RateLimiter;
  log: Logger;
  /** Where the preview's image is cached; without it previews have no image. */
  storage?: StorageClient | undefined;
  /** "host:port" targets let through the SSRF guard (LINK_PREVIEW_ALLOW). */
  allow?: readonly string[];
}

const EXT: Record<string, string> = {
  "image/png": "png",
  "image/jpeg": "jpg",
  "image/gif": "gif",
  "image/webp": "webp",
};

/**
 * Unfurls the message's first link and stores the preview; resolves true when one was stored.
 *
 * @example
 * await storeLinkPreview({ sql, storage, allow: [] }, message);
 */
export async function storeLinkPreview(
  { sql, storage, allow = [] }: Pick<LinkPreviewDeps, "sql" | "storage" | "allow">,
  m: SentMessage,
): Promise<boolean> {
  const link = firstLink(m.content);
  if (!link) return false;
  const p: Unfurled | undefined = await unfurl(link, { allow });
  if (!p) return false;
  let imagePath: string | null = null;
  if (p.image && storage) {
    imagePath = `${m.channel_id}/${m.sender_id}/link-preview-${m.id}.${EXT[p.image.mime]}`;
    await storage.upload("attachments", imagePath, p.image.bytes, p.image.mime);
  }
  const rows = await sql`
    insert into public.link_previews (message_id, channel_id, url, title, description, site_name,
      image_path, image_width, image_height)
    select m.id, m.channel_id, ${p.url}, ${p.title}, ${p.description}, ${p.siteName},
      ${imagePath}, ${imagePath ? p.image!.width : null}, ${imagePath ? p.image!.height : null}
    from public.messages m where m.id = ${m.id} and m.deleted_at is null
    on conflict (message_id) do nothing
    returning message_id`;
  if (!rows.length && imagePath) await storage!.remove("attachments", imagePath);
  return rows.length > 0;
}

/**
 * The send route's hook: the first link of a new message is unfurled in the background, at most
 * LINK_PREVIEW.concurrent at a time.
 *
 * @example
 * const hook = linkPreviewAfterSend({ sql, log, storage, allow: [] });
 */
export function linkPreviewAfterSend(
  { sql, log, storage, allow = [] }: Omit<LinkPreviewDeps, "limiter">,
): AfterSend {
  let inFlight = 0;
  return (message) => {
    if (!firstLink(message.content)) return;
    if (inFlight >= LINK_PREVIEW.concurrent) {
      log("warn", "link preview skipped: too many in flight", { message_id: message.id });
      return;
    }
    inFlight++;
    void storeLinkPreview({ sql, storage, allow }, message)
      .catch((e) =>
        log(e instanceof FetchRefused ? "info" : "warn", "link preview not made", {
          message_id: message.id,
          error: String(e),
        })
      )
      .finally(() => inFlight--);
  };
}

export function linkPreviewRoutes({ sql, limiter }: Pick<LinkPreviewDeps, "sql" | "limiter">) {
  const app = new Hono<AuthEnv>();
  const run = callerRunner(sql);

  app.patch(
    "/messages/:id/preview",
    doc("Hide (or show again) the link preview of my message; moderators any", {
      body: PreviewBody,
    }),
    rateLimit(limiter, "edit"),
    async (c) => {
      const id = parse(messageId, c.req.param("id"));
      const b = await body(c, PreviewBody);
      const message = await run(c, "write", async (tx) => {
        const [seen] = await tx`select 1 from public.link_previews where message_id = ${id}`;
        if (!seen) throw new NotFoundError("No link preview on such a message");
        const rows = await tx`update public.link_previews set hidden = ${b.hidden}
          where message_id = ${id} returning message_id`;
        if (!rows.length) {
          throw new AppError("forbidden", "Only the sender or a moderator may hide this preview");
        }
        const [m] = await tx`select * from public.message_views(${[id]}::bigint[])`;
        return m;
      });
      return c.json({ message });
    },
  );
  return app;
}
