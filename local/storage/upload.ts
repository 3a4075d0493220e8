/**
 * Uploads (`POST`/`PUT /object/{bucket}/{name}`, and signed upload URLs). The body is streamed
 * to a temporary file first; the row is written as the caller (so RLS decides), with a new
 * `version`, the Content-Type as sent and the user's metadata; the file is put in place inside
 * that same transaction (files.ts): a failed or aborted upload leaves nothing behind.
 */
import type { Context } from "hono";
import type postgres from "postgres";
import { createHash } from "node:crypto";
import {
  MaxFileSizeExceededError,
  MaxTotalSizeExceededError,
  MultipartParseError,
  parseMultipartRequest,
} from "@remix-run/multipart-parser";
import { fromPg, invalid, invalidMime, notFound, tooLarge } from "./errors.ts";
import type { Claims, StorageCtx } from "./context.ts";
import { place, type Placed, tmpPath } from "./files.ts";
import {
  mediaTypeOf,
  mimeAllowed,
  type ObjectRow,
  systemMetadata,
  userMetadataOfHeader,
  userMetadataOfJson,
} from "./metadata.ts";

/** Streams the request body (raw, or the file part of a multipart form) to a temp file. */
async function receive(ctx: StorageCtx, c: Context, limit: number) {
  const ctype = c.req.header("content-type") || "application/octet-stream";
  let stream: ReadableStream<Uint8Array> | null = c.req.raw.body;
  // A raw body keeps its Content-Type as sent, parameters included (Storage stores the header).
  let mimetype = ctype;
  let cacheControl = c.req.header("cache-control") ?? "no-cache";
  let userMetadata = userMetadataOfHeader(c.req.header("x-metadata"));
  if (mediaTypeOf(ctype) === "multipart/form-data") {
    const declared = Number(c.req.header("content-length") ?? 0);
    if (declared > limit + 64 * 1024) throw tooLarge();
    // Parsed with @remix-run/multipart-parser, not Request.formData(): supabase-js names the
    // file part "" (`form.append("", file)`), and the platform's FormData drops such parts.
    let file: { bytes: Uint8Array; type: string } | undefined;
    try {
      for await (
        const part of parseMultipartRequest(c.req.raw, {
          maxFileSize: limit + 1,
          maxTotalSize: limit + 64 * 1024,
        })
      ) {
        if (part.isFile && !file) {
          file = { bytes: part.bytes, type: part.mediaType ?? "" };
        } else if (part.name === "cacheControl") cacheControl = `max-age=${part.text}`;
        else if (part.name === "metadata") userMetadata = userMetadataOfJson(part.text);
      }
    } catch (e) {
      if (e instanceof MaxFileSizeExceededError || e instanceof MaxTotalSizeExceededError) {
        throw tooLarge();
      }
      if (e instanceof MultipartParseError) {
        throw invalid(`Malformed multipart body: ${e.message}`);
      }
      throw e;
    }
    if (!file) throw invalid("No file found in the request");
    // A form part's type as Storage's multipart parser (busboy) reads it: no parameters.
    mimetype = mediaTypeOf(file.type || "application/octet-stream");
    stream = new Blob([file.bytes as Uint8Array<ArrayBuffer>]).stream();
  }
  const tmp = tmpPath(ctx.deps.root);
  const out = await Deno.open(tmp, { write: true, create: true, truncate: true });
  const md5 = createHash("md5");
  let size = 0;
  try {
    if (stream) {
      for await (const chunk of stream) {
        size += chunk.byteLength;
        if (size > limit) throw tooLarge();
        md5.update(chunk);
        await out.write(chunk);
      }
    }
  } catch (e) {
    out.close();
    await Deno.remove(tmp).catch(() => {});
    throw e;
  }
  out.close();
  return { tmp, size, mimetype, cacheControl, userMetadata, etag: `"${md5.digest("hex")}"` };
}

export async function upload(
  ctx: StorageCtx,
  c: Context,
  mode: "create" | "update",
  claimsOverride?: Claims,
  target?: { bucket: string; name: string },
  upsertOverride?: boolean,
) {
  const claims = claimsOverride ?? await ctx.claimsOf(c);
  const { bucket, name } = target ?? ctx.objectPath(c, "/object/");
  const b = await ctx.bucketOf(bucket);
  const limit = Math.min(ctx.deps.globalLimit, b.file_size_limit ?? Infinity);
  const declared = Number(c.req.header("content-length") ?? 0);
  if (!c.req.header("content-type")?.startsWith("multipart/") && declared > limit) {
    throw tooLarge();
  }
  const upsert = mode === "update" || (upsertOverride ?? c.req.header("x-upsert") === "true");
  const body = await receive(ctx, c, limit);
  try {
    if (!mimeAllowed(b.allowed_mime_types, body.mimetype)) throw invalidMime(body.mimetype);
    const metadata = systemMetadata(body) as postgres.JSONValue;
    const version = crypto.randomUUID();
    // Absent user metadata leaves an overwritten object's own in place, as Storage does.
    const given = body.userMetadata !== undefined;
    const userMeta = (tx: postgres.TransactionSql) =>
      given ? tx.json(body.userMetadata as postgres.JSONValue) : null;
    const owner = claims.sub ?? null;
    let placed: Placed | undefined;
    let row: ObjectRow;
    try {
      row = await ctx.asCaller(claims, async (tx) => {
        let r: ObjectRow | undefined;
        try {
          if (mode === "update") {
            [r] = await tx<ObjectRow[]>`
              update storage.objects set metadata = ${tx.json(metadata)}, version = ${version},
                user_metadata = case when ${given} then ${
              userMeta(tx)
            }::jsonb else user_metadata end,
                updated_at = now(), last_accessed_at = now()
              where bucket_id = ${bucket} and name = ${name} returning *`;
            if (!r) throw notFound();
          } else {
            [r] = await tx<ObjectRow[]>`
              insert into storage.objects
                (bucket_id, name, owner, owner_id, metadata, user_metadata, version)
              values (${bucket}, ${name}, ${uuidOrNull(owner)}, ${owner}, ${tx.json(metadata)},
                ${userMeta(tx)}, ${version})
              ${
              upsert
                ? tx`on conflict (bucket_id, name) do update set metadata = excluded.metadata,
                    user_metadata = case when ${given} then excluded.user_metadata
                      else storage.objects.user_metadata end,
                    version = excluded.version, owner = excluded.owner,
                    owner_id = excluded.owner_id, updated_at = now()`
                : tx``
            }
              returning *`;
          }
        } catch (e) {
          throw fromPg(e);
        }
        // The row is locked until the commit: a second upload of this name waits here.
        placed = await place(ctx.deps.root, body.tmp, ctx.fileOf(bucket, name), name);
        return r!;
      });
    } catch (e) {
      await placed?.undo();
      throw e;
    }
    await placed?.finish();
    return c.json({ Id: row.id, Key: `${bucket}/${name}` });
  } finally {
    await Deno.remove(body.tmp).catch(() => {});
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** The deprecated `owner uuid` column: the caller's id when it is a uuid. */
export const uuidOrNull = (id: string | null) => id && UUID.test(id) ? id : null;
