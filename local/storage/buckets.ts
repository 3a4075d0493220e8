/**
 * Bucket routes as Storage answers them: read by whoever RLS on storage.buckets lets see them
 * (`GET /bucket/:id` with Storage's eight columns, sizes as numbers; `GET /bucket` with its
 * paging, search and sort); created, changed (only the fields sent), emptied and deleted only
 * by a caller the policies allow (no policies: the service key).
 */
import { type Context, Hono } from "hono";
import type postgres from "postgres";
import type { StorageCtx } from "./context.ts";
import { parseSize } from "./config.ts";
import {
  bucketExists,
  bucketNotEmpty,
  fromPg,
  invalid,
  invalidSizeLimit,
  noBucket,
  noContent,
  tooLarge,
} from "./errors.ts";
import { removeFiles } from "./files.ts";

/** The columns `GET /bucket/:id` answers (supabase/storage `routes/bucket/getBucket.ts`). */
const BUCKET_COLUMNS = "id, name, owner, public, created_at, updated_at, " +
  "file_size_limit::float8 as file_size_limit, allowed_mime_types";
const SORT_COLUMNS = new Set(["id", "name", "created_at", "updated_at"]);

export function bucketRoutes(ctx: StorageCtx) {
  const { sql, claimsOf, asCaller, deps } = ctx;
  const app = new Hono();

  app.get("/bucket", async (c) => {
    const claims = await claimsOf(c);
    const q = c.req.query();
    const column = SORT_COLUMNS.has(q.sortColumn ?? "") ? q.sortColumn! : "id";
    const order = q.sortOrder === "desc" ? "desc" : "asc";
    const limit = q.limit === undefined ? null : Math.max(0, Number(q.limit) || 0);
    const offset = Math.max(0, Number(q.offset ?? 0) || 0);
    const search = q.search ? `%${q.search.replace(/[\\%_]/g, "\\$&")}%` : "%";
    const rows = await asCaller(claims, (tx) =>
      tx.unsafe(
        `select ${BUCKET_COLUMNS}, type from storage.buckets where name ilike $1
         order by ${column} ${order} limit $2 offset $3`,
        [search, limit, offset],
      ));
    return c.json(rows);
  });
  app.get("/bucket/:id", async (c) => {
    const claims = await claimsOf(c);
    const [b] = await asCaller(
      claims,
      (tx) =>
        tx.unsafe(`select ${BUCKET_COLUMNS} from storage.buckets where id = $1`, [
          c.req.param("id"),
        ]),
    );
    if (!b) throw noBucket();
    return c.json(b);
  });

  /** A size limit as sent ("1MB", 1000000), checked against the global one. */
  const sizeLimit = (v: unknown): number => {
    let n: number | null;
    try {
      n = parseSize(v);
    } catch {
      throw invalidSizeLimit();
    }
    if (n === null || !Number.isFinite(n) || n < 0) throw invalidSizeLimit();
    if (n > deps.globalLimit) throw tooLarge();
    return n;
  };
  const mimeTypes = (v: unknown): string[] | null => {
    if (v === null) return null;
    if (!Array.isArray(v) || v.some((t) => typeof t !== "string")) {
      throw invalid("allowed_mime_types must be an array of strings");
    }
    return (v as string[]).filter(Boolean);
  };
  const asBucketAdmin = async <T>(c: Context, fn: (tx: postgres.TransactionSql) => Promise<T>) => {
    const claims = await claimsOf(c);
    try {
      return await asCaller(claims, fn);
    } catch (e) {
      throw fromPg(e, bucketExists);
    }
  };

  app.post("/bucket", async (c) => {
    const body = await c.req.json().catch(() => ({})) as Record<string, unknown>;
    const id = String(body.id ?? body.name ?? "");
    if (!/^[A-Za-z0-9_.-]{1,63}$/.test(id)) throw invalid("Bucket name invalid");
    const isPublic = body.public === true;
    const limit = body.file_size_limit === undefined || body.file_size_limit === null
      ? null
      : sizeLimit(body.file_size_limit);
    const types = body.allowed_mime_types === undefined ? null : mimeTypes(body.allowed_mime_types);
    await asBucketAdmin(
      c,
      (tx) =>
        tx`insert into storage.buckets (id, name, public, file_size_limit, allowed_mime_types)
         values (${id}, ${id}, ${isPublic}, ${limit}, ${types})`,
    );
    return c.json({ name: id });
  });

  // Only the fields sent change; `null` clears a limit, an absent field keeps it
  // (supabase/storage `Storage.updateBucket`).
  app.put("/bucket/:id", async (c) => {
    const body = await c.req.json().catch(() => ({})) as Record<string, unknown>;
    const sets: postgres.PendingQuery<postgres.Row[]>[] = [];
    const setOf = (tx: postgres.TransactionSql) => {
      if (typeof body.public === "boolean") sets.push(tx`public = ${body.public}`);
      if (body.file_size_limit !== undefined) {
        const v = body.file_size_limit === null ? null : sizeLimit(body.file_size_limit);
        sets.push(tx`file_size_limit = ${v}`);
      }
      if (body.allowed_mime_types !== undefined) {
        sets.push(tx`allowed_mime_types = ${mimeTypes(body.allowed_mime_types)}`);
      }
      return sets;
    };
    if (
      typeof body.public !== "boolean" && body.file_size_limit === undefined &&
      body.allowed_mime_types === undefined
    ) throw noContent();
    const rows = await asBucketAdmin(c, (tx) => {
      const fields = setOf(tx).reduce((all, s) => tx`${all}, ${s}`);
      return tx`update storage.buckets set ${fields}, updated_at = now()
        where id = ${c.req.param("id")} returning id`;
    });
    if (!rows.length) throw noBucket();
    return c.json({ message: "Successfully updated" });
  });

  app.post("/bucket/:id/empty", async (c) => {
    const id = c.req.param("id");
    const [b] = await sql`select id from storage.buckets where id = ${id}`;
    if (!b) throw noBucket();
    const removed = await asBucketAdmin(
      c,
      (tx) =>
        tx<{ name: string }[]>`delete from storage.objects where bucket_id = ${id} returning name`,
    );
    await removeFiles(deps.root, id, removed.map((r) => r.name));
    return c.json({ message: "Successfully emptied" });
  });
  app.delete("/bucket/:id", async (c) => {
    const id = c.req.param("id");
    const [b] = await sql`select id from storage.buckets where id = ${id}`;
    if (!b) throw noBucket();
    const [{ n }] = await sql<
      [{ n: number }]
    >`select count(*)::int as n from storage.objects where bucket_id = ${id}`;
    if (n > 0) throw bucketNotEmpty();
    const rows = await asBucketAdmin(
      c,
      (tx) => tx`delete from storage.buckets where id = ${id} returning id`,
    );
    if (!rows.length) throw noBucket();
    return c.json({ message: "Successfully deleted" });
  });

  return app;
}
