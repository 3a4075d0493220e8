/**
 * Uploads (`POST`/`PUT /object/{bucket}/{name}`, and signed upload URLs). The body is streamed
 * to a temporary file first; the row is written as the caller (so RLS decides), and the file is
 * put in place inside that same transaction: if placing it fails, the row is rolled back, and
 * if the commit fails, the file that was there before comes back. No row without its file, no
 * file the row does not describe.
 */
import type { Context } from "hono";
import type postgres from "postgres";
import { createHash } from "node:crypto";
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import {
  MaxFileSizeExceededError,
  MaxTotalSizeExceededError,
  MultipartParseError,
  parseMultipartRequest,
} from "@remix-run/multipart-parser";
import {
  denied,
  duplicate,
  invalid,
  invalidKey,
  notFound,
  StorageError,
  tooLarge,
} from "./errors.ts";
import type { Claims, ObjectRow, StorageCtx } from "./context.ts";

function mimeAllowed(allowed: string[] | null, type: string): boolean {
  if (!allowed || allowed.length === 0) return true;
  return allowed.some((a) => a === type || (a.endsWith("/*") && type.startsWith(a.slice(0, -1))));
}

/** Streams the request body (raw, or the file part of a multipart form) to a temp file. */
async function receive(ctx: StorageCtx, c: Context, limit: number) {
  const ctype = c.req.header("content-type") ?? "application/octet-stream";
  let stream: ReadableStream<Uint8Array> | null = c.req.raw.body;
  let mimetype = ctype.split(";")[0]!.trim().toLowerCase();
  let cacheControl = c.req.header("cache-control") ?? "max-age=3600";
  let userMetadata: unknown = undefined;
  const metaHeader = c.req.header("x-metadata");
  if (metaHeader) {
    try {
      userMetadata = JSON.parse(atob(metaHeader));
    } catch {
      throw invalid("x-metadata must be base64-encoded JSON");
    }
  }
  if (mimetype === "multipart/form-data") {
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
        else if (part.name === "metadata") userMetadata = JSON.parse(part.text);
      }
    } catch (e) {
      if (e instanceof MaxFileSizeExceededError || e instanceof MaxTotalSizeExceededError) {
        throw tooLarge();
      }
      if (e instanceof MultipartParseError || e instanceof SyntaxError) {
        throw invalid(`Malformed multipart body: ${e.message}`);
      }
      throw e;
    }
    if (!file) throw invalid("No file found in the request");
    mimetype = (file.type || "application/octet-stream").split(";")[0]!.toLowerCase();
    stream = new Blob([file.bytes as Uint8Array<ArrayBuffer>]).stream();
  }
  const tmpDir = join(ctx.deps.root, ".tmp");
  mkdirSync(tmpDir, { recursive: true });
  const tmp = join(tmpDir, crypto.randomUUID());
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

/** A name the file system cannot hold here (too long, or a file where a folder must be). */
function isPathClash(e: unknown): boolean {
  const code = (e as { code?: string }).code ?? "";
  return ["ENAMETOOLONG", "ENOTDIR", "EISDIR", "ENOTEMPTY", "EEXIST"].includes(code) ||
    e instanceof Deno.errors.NotADirectory || e instanceof Deno.errors.IsADirectory ||
    e instanceof Deno.errors.AlreadyExists;
}

/**
 * Moves `tmp` to `dest`, keeping what was there aside; returns how to undo it (before the
 * commit fails) and how to finish (after it succeeded).
 */
async function place(ctx: StorageCtx, tmp: string, dest: string, name: string) {
  const backup = join(ctx.deps.root, ".tmp", `${crypto.randomUUID()}.old`);
  let kept = false;
  try {
    mkdirSync(dirname(dest), { recursive: true });
    try {
      const st = await Deno.lstat(dest);
      if (st.isDirectory) throw invalidKey(name);
      await Deno.rename(dest, backup);
      kept = true;
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
    await Deno.rename(tmp, dest);
  } catch (e) {
    if (kept) await Deno.rename(backup, dest).catch(() => {});
    if (e instanceof StorageError) throw e;
    if (isPathClash(e)) throw invalidKey(name);
    throw e;
  }
  return {
    undo: async () => {
      await Deno.remove(dest).catch(() => {});
      if (kept) await Deno.rename(backup, dest).catch(() => {});
    },
    finish: async () => {
      if (kept) await Deno.remove(backup).catch(() => {});
    },
  };
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
    if (!mimeAllowed(b.allowed_mime_types, body.mimetype)) {
      throw new StorageError(
        415,
        "InvalidMimeType",
        "invalid_mime_type",
        `mime type ${body.mimetype} is not supported`,
      );
    }
    const metadata = {
      eTag: body.etag,
      size: body.size,
      mimetype: body.mimetype,
      cacheControl: body.cacheControl,
      lastModified: new Date().toISOString(),
      contentLength: body.size,
      httpStatusCode: 200,
    };
    const userMeta = (tx: postgres.TransactionSql) =>
      body.userMetadata === undefined ? null : tx.json(body.userMetadata as postgres.JSONValue);
    let placed: Awaited<ReturnType<typeof place>> | undefined;
    let row: ObjectRow;
    try {
      row = await ctx.asCaller(claims, async (tx) => {
        let r: ObjectRow | undefined;
        try {
          if (mode === "update") {
            [r] = await tx<ObjectRow[]>`
              update storage.objects set metadata = ${tx.json(metadata)}, user_metadata = ${
              userMeta(tx)
            }, updated_at = now(), last_accessed_at = now()
              where bucket_id = ${bucket} and name = ${name} returning *`;
            if (!r) throw notFound();
          } else {
            [r] = await tx<ObjectRow[]>`
              insert into storage.objects (bucket_id, name, owner_id, metadata, user_metadata)
              values (${bucket}, ${name}, ${claims.sub ?? null}, ${tx.json(metadata)}, ${
              userMeta(tx)
            })
              ${
              upsert
                ? tx`on conflict (bucket_id, name) do update set metadata = excluded.metadata,
                       user_metadata = excluded.user_metadata, owner_id = excluded.owner_id, updated_at = now()`
                : tx``
            }
              returning *`;
          }
        } catch (e) {
          const code = (e as { code?: string }).code;
          if (code === "23505") throw duplicate();
          if (code === "42501") throw denied();
          throw e;
        }
        // The row is locked until the commit: a second upload of this name waits here.
        placed = await place(ctx, body.tmp, ctx.fileOf(bucket, name), name);
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
