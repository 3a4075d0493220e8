/**
 * Move and copy (`POST /object/move`, `POST /object/copy`, across buckets with
 * `destinationBucket`) under the policies as Storage applies them (supabase/storage
 * `ObjectStorage.moveObject`, `copyObject`): both read the source as the caller (SELECT); a move
 * then renames the row as the caller (UPDATE: the policy's USING judges the source, its WITH
 * CHECK the destination), a copy inserts the new row as the caller (INSERT; UPDATE too when
 * `x-upsert` overwrites). A taken destination is 409. The bytes move, or are copied, inside
 * the same transaction (files.ts).
 */
import { type Context, Hono } from "hono";
import type postgres from "postgres";
import { type BucketRow, checkName, type StorageCtx } from "./context.ts";
import { badBody, duplicate, fromPg, invalidMime, notFound, tooLarge } from "./errors.ts";
import { copyInto, place, type Placed } from "./files.ts";
import {
  mimeAllowed,
  type ObjectRow,
  type SystemMetadata,
  userMetadataOfHeader,
} from "./metadata.ts";
import { uuidOrNull } from "./upload.ts";

interface Transfer {
  bucket: string;
  source: string;
  destBucket: string;
  dest: string;
  body: Record<string, unknown>;
}

async function transferOf(c: Context): Promise<Transfer> {
  const body = await c.req.json().catch(() => ({})) as Record<string, unknown>;
  for (const field of ["bucketId", "sourceKey", "destinationKey"]) {
    if (typeof body[field] !== "string") throw badBody(`must have required property '${field}'`);
  }
  if (body.destinationBucket !== undefined && typeof body.destinationBucket !== "string") {
    throw badBody("destinationBucket must be string");
  }
  const bucket = body.bucketId as string;
  return {
    bucket,
    source: checkName(body.sourceKey, "source object name"),
    destBucket: (body.destinationBucket as string | undefined) || bucket,
    dest: checkName(body.destinationKey, "destination object name"),
    body,
  };
}

export function moveCopyRoutes(ctx: StorageCtx) {
  const { sql, claimsOf, asCaller, bucketOf, rowIn, fileOf, deps } = ctx;
  const app = new Hono();

  /** Whether the destination is taken, seen with Storage's own rights (not the caller's). */
  const taken = async (bucket: string, name: string) =>
    (await sql`select 1 from storage.objects where bucket_id = ${bucket} and name = ${name}`)
      .length > 0;

  /** The destination bucket's size limit and allowed types, for bytes already stored. */
  const checkLimits = (b: BucketRow, m: Partial<SystemMetadata>) => {
    if (Number(m.size ?? 0) > Math.min(deps.globalLimit, b.file_size_limit ?? Infinity)) {
      throw tooLarge();
    }
    const type = String(m.mimetype ?? "application/octet-stream");
    if (!mimeAllowed(b.allowed_mime_types, type)) throw invalidMime(type);
  };

  /** Runs a write as the caller, with the bytes placed inside it; undone if it fails. */
  async function withBytes<T>(
    claims: Awaited<ReturnType<typeof claimsOf>>,
    fn: (tx: postgres.TransactionSql, placing: (p: Promise<Placed>) => Promise<void>) => Promise<T>,
  ): Promise<T> {
    let placed: Placed | undefined;
    let out: T;
    try {
      out = await asCaller(claims, (tx) => fn(tx, async (p) => void (placed = await p)));
    } catch (e) {
      await placed?.undo();
      throw fromPg(e);
    }
    await placed?.finish();
    return out;
  }

  app.post("/object/move", async (c) => {
    const claims = await claimsOf(c);
    const t = await transferOf(c);
    await bucketOf(t.bucket);
    const destBucket = await bucketOf(t.destBucket);
    const samePath = t.bucket === t.destBucket && t.source === t.dest;
    const moved = await withBytes(claims, async (tx, placing) => {
      const src = await rowIn(tx, t.bucket, t.source);
      if (!src) throw notFound();
      if (samePath) return src;
      // Into another bucket, the bytes must fit that bucket's limits (stricter than Storage,
      // which checks only the policies): an avatar bucket does not take a 25 MB PDF this way.
      if (t.destBucket !== t.bucket) checkLimits(destBucket, src.metadata ?? {});
      if (await taken(t.destBucket, t.dest)) throw duplicate();
      const owner = claims.sub ?? null;
      const [row] = await tx<ObjectRow[]>`update storage.objects
        set bucket_id = ${t.destBucket}, name = ${t.dest}, version = ${crypto.randomUUID()},
          owner = ${uuidOrNull(owner)}, owner_id = ${owner},
          metadata = coalesce(metadata, '{}') || jsonb_build_object('lastModified', now())
        where bucket_id = ${t.bucket} and name = ${t.source} returning *`;
      // The update policy hides the source from this caller: nothing to move.
      if (!row) throw notFound();
      const from = fileOf(t.bucket, t.source);
      await placing(
        place(deps.root, from, fileOf(t.destBucket, t.dest), t.dest, { returnTo: from }),
      );
      return row;
    });
    return c.json({ message: "Successfully moved", Id: moved.id, Key: moved.name });
  });

  app.post("/object/copy", async (c) => {
    const claims = await claimsOf(c);
    const t = await transferOf(c);
    await bucketOf(t.bucket);
    const destBucket = await bucketOf(t.destBucket);
    const copyMetadata = t.body.copyMetadata !== false;
    const given = (t.body.metadata ?? {}) as { cacheControl?: unknown; mimetype?: unknown };
    const userMetadata = userMetadataOfHeader(c.req.header("x-metadata"));
    const upsert = c.req.header("x-upsert") === "true";
    const copied = await withBytes(claims, async (tx, placing) => {
      const src = await rowIn(tx, t.bucket, t.source);
      if (!src) throw notFound();
      // Without copyMetadata, a type or cache control sent replaces the source's own.
      const metadata = { ...src.metadata, lastModified: new Date().toISOString() };
      if (!copyMetadata && typeof given.cacheControl === "string") {
        metadata.cacheControl = given.cacheControl;
      }
      if (!copyMetadata && typeof given.mimetype === "string") metadata.mimetype = given.mimetype;
      checkLimits(destBucket, metadata);
      if (!upsert && await taken(t.destBucket, t.dest)) throw duplicate();
      const user = copyMetadata ? src.user_metadata : userMetadata ?? null;
      const owner = claims.sub ?? null;
      const [row] = await tx<ObjectRow[]>`insert into storage.objects
          (bucket_id, name, owner, owner_id, metadata, user_metadata, version)
        values (${t.destBucket}, ${t.dest}, ${uuidOrNull(owner)}, ${owner},
          ${tx.json(metadata as postgres.JSONValue)},
          ${user === null ? null : tx.json(user as postgres.JSONValue)}, ${crypto.randomUUID()})
        ${
        upsert
          ? tx`on conflict (bucket_id, name) do update set metadata = excluded.metadata,
              user_metadata = excluded.user_metadata, version = excluded.version,
              owner = excluded.owner, owner_id = excluded.owner_id, updated_at = now()`
          : tx``
      }
        returning *`;
      await placing(
        copyInto(deps.root, fileOf(t.bucket, t.source), fileOf(t.destBucket, t.dest), t.dest),
      );
      return row!;
    });
    return c.json({ Id: copied.id, Key: `${t.destBucket}/${t.dest}`, ...copied });
  });

  return app;
}
