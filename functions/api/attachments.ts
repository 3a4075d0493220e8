/**
 * POST /attachments: after the client uploaded to Storage, check the object — its real type by
 * magic bytes against the bucket's allowed types and against the type it was uploaded as
 * (either mismatch deletes the object: 415), size, sha256, image dimensions (25 MP at most) —
 * make a thumbnail beside it, and record the row.
 */
import { Hono } from "hono";
import { z } from "zod";
import { AppError, DependencyDownError } from "../_shared/errors.ts";
import type { Sql } from "../_shared/db.ts";
import { callerRunner } from "./caller.ts";
import { imageSize, MAX_PIXELS, sameMediaType, sniff, thumbnail } from "../_shared/media.ts";
import type { RateLimiter } from "../_shared/rate_limit.ts";
import type { StorageClient } from "../_shared/storage_client.ts";
import type { AuthEnv } from "./middleware/auth.ts";
import { rateLimit } from "./middleware/rate_limit.ts";
import { POSTER_MAX_BYTES } from "../_shared/limits.ts";
import { doc } from "./docs.ts";
import { body } from "./validate.ts";

const Body = z.object({
  bucket: z.literal("attachments"),
  path: z.string().regex(
    /^[0-9a-f-]{36}\/[0-9a-f-]{36}\/[A-Za-z0-9._-]{1,200}$/,
    "must be <channel_id>/<your user id>/<file name>",
  ),
  /** A video's poster frame, taken in the browser and uploaded beside it as `<path>.poster.jpg`. */
  poster_path: z.string().max(300).optional(),
}).refine(
  (b) => b.poster_path === undefined || b.poster_path === `${b.path}.poster.jpg`,
  { message: "poster_path must be <path>.poster.jpg", path: ["poster_path"] },
);

const allowed = (list: string[] | null, mime: string) =>
  !list?.length ||
  list.some((a) => a === mime || (a.endsWith("/*") && mime.startsWith(a.slice(0, -1))));

async function sha256Hex(b: Uint8Array): Promise<string> {
  const d = await crypto.subtle.digest("SHA-256", b as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(d)].map((x) => x.toString(16).padStart(2, "0")).join("");
}

/** The poster must really be a JPEG of sane size; anything else is deleted and refused. */
async function checkedPoster(storage: StorageClient, bucket: string, path: string) {
  const poster = await storage.download(bucket, path);
  if (!poster) throw new AppError("not_found", "No such uploaded poster");
  const type = await sniff(poster.bytes);
  const dims = type === "image/jpeg" ? imageSize(poster.bytes, type) : undefined;
  if (!dims || dims.width * dims.height > MAX_PIXELS || poster.bytes.length > POSTER_MAX_BYTES) {
    await storage.remove(bucket, path);
    throw new AppError(
      "unsupported_media_type",
      `The poster must be a JPEG of at most ${POSTER_MAX_BYTES / 1024 / 1024} MiB`,
    );
  }
  return path;
}

export function attachmentRoutes(
  { sql, limiter, storage }: { sql: Sql; limiter: RateLimiter; storage: StorageClient },
) {
  const app = new Hono<AuthEnv>();
  // Through the request's deadline and database gate: nothing commits after a 503.
  const run = callerRunner(sql);
  app.post(
    "/attachments",
    doc("Record an uploaded file after checking it by content", { body: Body }),
    rateLimit(limiter, "upload"),
    async (c) => {
      const b = await body(c, Body);
      const [channelId, owner] = b.path.split("/") as [string, string, string];
      if (owner !== c.get("userId")) {
        throw new AppError("forbidden", "You can only record your own uploads");
      }
      // The caller must be able to read it under the storage policies (a member of the channel).
      const [visible] = await run(
        c,
        "read",
        (tx) =>
          tx`select 1 from storage.objects where bucket_id = ${b.bucket} and name = ${b.path}`,
      );
      if (!visible) throw new AppError("not_found", "No such uploaded object");
      const object = await storage.download(b.bucket, b.path);
      if (!object) throw new AppError("not_found", "No such uploaded object");
      const bucket = await storage.bucket(b.bucket);
      if (!bucket) throw new DependencyDownError("The bucket is missing");
      const real = await sniff(object.bytes);
      if (!real || !allowed(bucket.allowed_mime_types, real)) {
        await storage.remove(b.bucket, b.path);
        throw new AppError(
          "unsupported_media_type",
          `The file's content (${real ?? "unknown"}) is not an allowed type; it was deleted`,
        );
      }
      // The type it was uploaded as is what Storage serves it as: it must be what it is.
      if (!sameMediaType(object.mimetype, real)) {
        await storage.remove(b.bucket, b.path);
        throw new AppError(
          "unsupported_media_type",
          `The file was uploaded as ${
            object.mimetype || "no type"
          } but its content is ${real}; it was deleted`,
        );
      }
      let dims: { width: number; height: number } | undefined;
      let thumbPath: string | null = null;
      if (real.startsWith("image/")) {
        dims = imageSize(object.bytes, real);
        if (!dims || dims.width * dims.height > MAX_PIXELS) {
          await storage.remove(b.bucket, b.path);
          throw new AppError(
            "unsupported_media_type",
            dims ? "Images may have at most 25 megapixels" : "The image is corrupt",
          );
        }
        if (real === "image/jpeg" || real === "image/png" || real === "image/gif") {
          try {
            const t = await thumbnail(object.bytes, real);
            thumbPath = `${b.path}.thumb.${t.mime === "image/jpeg" ? "jpg" : "png"}`;
            await storage.upload(b.bucket, thumbPath, t.bytes, t.mime);
          } catch (e) {
            if (e instanceof DependencyDownError) throw e;
            await storage.remove(b.bucket, b.path);
            throw new AppError("unsupported_media_type", "The image is corrupt");
          }
        }
      }
      if (real.startsWith("video/") && b.poster_path) {
        thumbPath = await checkedPoster(storage, b.bucket, b.poster_path);
      }
      const sha = await sha256Hex(object.bytes);
      const [row] = await run(c, "write", (tx) =>
        tx`
        insert into public.attachments (channel_id, uploaded_by, bucket, path, mime_type, size_bytes, width, height, thumb_path, sha256)
        values (${channelId}, ${owner}, ${b.bucket}, ${b.path}, ${real}, ${object.bytes.length}, ${
          dims?.width ?? null
        },
          ${dims?.height ?? null}, ${thumbPath}, ${sha})
        returning *`);
      return c.json({ attachment: row }, 201);
    },
  );
  return app;
}
