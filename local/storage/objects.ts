/**
 * Object routes: public and authenticated downloads, info, list (folders folded as Storage
 * does), remove, and uploads. Every read and write runs as the caller, so RLS decides.
 */
import { Hono } from "hono";
import type { ObjectRow, StorageCtx } from "./context.ts";
import { upload } from "./upload.ts";
import { invalid, notFound } from "./errors.ts";

export function objectRoutes(ctx: StorageCtx) {
  const { fileOf, claimsOf, asCaller, bucketOf, objectPath, findAs, findUnchecked, serve } = ctx;
  const app = new Hono();

  app.get("/object/public/*", async (c) => {
    const { bucket, name } = objectPath(c, "/object/public/");
    const b = await bucketOf(bucket);
    if (!b.public) throw notFound();
    return await serve(c, bucket, name, await findUnchecked(bucket, name));
  });

  app.get("/object/info/*", async (c) => {
    const claims = await claimsOf(c);
    const { bucket, name } = objectPath(c, "/object/info/");
    const row = await findAs(claims, bucket, name);
    if (!row) throw notFound();
    const m = row.metadata ?? {};
    return c.json({
      id: row.id,
      name: row.name,
      bucket_id: row.bucket_id,
      size: m.size,
      content_type: m.mimetype,
      cache_control: m.cacheControl,
      etag: m.eTag,
      last_modified: row.updated_at,
      created_at: row.created_at,
      metadata: m,
    });
  });

  app.post("/object/list/:bucket", async (c) => {
    const claims = await claimsOf(c);
    const bucket = c.req.param("bucket");
    await bucketOf(bucket);
    const body = await c.req.json().catch(() => ({})) as {
      prefix?: string;
      limit?: number;
      offset?: number;
      search?: string;
      sortBy?: { column?: string; order?: string };
    };
    const prefix = (body.prefix ?? "").replace(/^\/+/, "");
    const base = prefix && !prefix.endsWith("/") ? `${prefix}/` : prefix;
    const rows = await asCaller(
      claims,
      (tx) =>
        tx<ObjectRow[]>`select * from storage.objects where bucket_id = ${bucket}
        and name like ${base.replace(/[\\%_]/g, "\\$&") + "%"} order by name`,
    );
    const seen = new Map<string, Record<string, unknown>>();
    for (const r of rows) {
      const rest = r.name.slice(base.length);
      const slash = rest.indexOf("/");
      const entry = slash < 0 ? rest : rest.slice(0, slash);
      if (body.search && !entry.toLowerCase().includes(body.search.toLowerCase())) continue;
      if (slash >= 0) {
        if (!seen.has(entry)) {
          seen.set(entry, {
            name: entry,
            id: null,
            updated_at: null,
            created_at: null,
            last_accessed_at: null,
            metadata: null,
          });
        }
      } else {
        seen.set(entry, {
          name: entry,
          id: r.id,
          updated_at: r.updated_at,
          created_at: r.created_at,
          last_accessed_at: r.last_accessed_at,
          metadata: r.metadata,
        });
      }
    }
    let list = [...seen.values()];
    const desc = body.sortBy?.order === "desc";
    list.sort((a, b) => String(a.name).localeCompare(String(b.name)) * (desc ? -1 : 1));
    const offset = Math.max(0, Number(body.offset ?? 0));
    list = list.slice(offset, offset + Math.min(1000, Math.max(1, Number(body.limit ?? 100))));
    return c.json(list);
  });

  app.delete("/object/:bucket", async (c) => {
    const claims = await claimsOf(c);
    const bucket = c.req.param("bucket");
    const body = await c.req.json().catch(() => ({})) as { prefixes?: string[] };
    if (!Array.isArray(body.prefixes)) throw invalid("prefixes is required");
    const removed = await asCaller(
      claims,
      (tx) =>
        tx<
          ObjectRow[]
        >`delete from storage.objects where bucket_id = ${bucket} and name = any(${body
          .prefixes!}) returning *`,
    );
    for (const r of removed) await Deno.remove(fileOf(bucket, r.name)).catch(() => {});
    return c.json(removed.map((r) => ({ ...r, bucket_id: bucket })));
  });

  app.post("/object/*", (c) => upload(ctx, c, "create"));
  app.put("/object/*", (c) => upload(ctx, c, "update"));
  app.get("/object/authenticated/*", async (c) => {
    const claims = await claimsOf(c);
    const { bucket, name } = objectPath(c, "/object/authenticated/");
    return await serve(c, bucket, name, await findAs(claims, bucket, name));
  });
  app.get("/object/*", async (c) => {
    const claims = await claimsOf(c);
    const { bucket, name } = objectPath(c, "/object/");
    return await serve(c, bucket, name, await findAs(claims, bucket, name));
  });

  return app;
}
