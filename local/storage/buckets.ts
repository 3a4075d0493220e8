/**
 * Bucket routes: read by whoever RLS on storage.buckets lets see them; created, changed,
 * emptied and deleted only by a caller the policies allow (no policies: the service key).
 */
import { type Context, Hono } from "hono";
import type postgres from "postgres";
import type { ObjectRow, StorageCtx } from "./context.ts";
import { parseSize } from "./config.ts";
import { denied, invalid, noBucket, StorageError } from "./errors.ts";

export function bucketRoutes(ctx: StorageCtx) {
  const { sql, fileOf, claimsOf, asCaller } = ctx;
  const app = new Hono();

  app.get("/bucket", async (c) => {
    const claims = await claimsOf(c);
    return c.json(await asCaller(claims, (tx) => tx`select * from storage.buckets order by id`));
  });
  app.get("/bucket/:id", async (c) => {
    const claims = await claimsOf(c);
    const [b] = await asCaller(
      claims,
      (tx) => tx`select * from storage.buckets where id = ${c.req.param("id")}`,
    );
    if (!b) throw noBucket();
    return c.json(b);
  });

  // Bucket management: allowed by RLS on storage.buckets (no policies: the service key only).
  const bucketFields = (b: Record<string, unknown>) => ({
    public: b.public === true,
    file_size_limit: b.file_size_limit === undefined || b.file_size_limit === null
      ? null
      : parseSize(b.file_size_limit),
    allowed_mime_types: Array.isArray(b.allowed_mime_types)
      ? b.allowed_mime_types as string[]
      : null,
  });
  const asBucketAdmin = async <T>(c: Context, fn: (tx: postgres.TransactionSql) => Promise<T>) => {
    const claims = await claimsOf(c);
    try {
      return await asCaller(claims, fn);
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === "42501") throw denied();
      if (code === "23505") {
        throw new StorageError(
          409,
          "ResourceAlreadyExists",
          "Duplicate",
          "The resource already exists",
        );
      }
      throw e;
    }
  };
  app.post("/bucket", async (c) => {
    const body = await c.req.json().catch(() => ({})) as Record<string, unknown>;
    const id = String(body.id ?? body.name ?? "");
    if (!/^[A-Za-z0-9_.-]{1,63}$/.test(id)) throw invalid("Bucket name invalid");
    const f = bucketFields(body);
    await asBucketAdmin(
      c,
      (tx) =>
        tx`insert into storage.buckets (id, name, public, file_size_limit, allowed_mime_types)
         values (${id}, ${id}, ${f.public}, ${f.file_size_limit}, ${f.allowed_mime_types})`,
    );
    return c.json({ name: id });
  });
  app.put("/bucket/:id", async (c) => {
    const body = await c.req.json().catch(() => ({})) as Record<string, unknown>;
    const f = bucketFields(body);
    const rows = await asBucketAdmin(
      c,
      (tx) =>
        tx`update storage.buckets set public = ${f.public}, file_size_limit = ${f.file_size_limit},
           allowed_mime_types = ${f.allowed_mime_types}, updated_at = now() where id = ${
          c.req.param("id")
        } returning id`,
    );
    if (!rows.length) throw noBucket();
    return c.json({ message: "Successfully updated" });
  });
  app.post("/bucket/:id/empty", async (c) => {
    const id = c.req.param("id");
    const removed = await asBucketAdmin(
      c,
      (tx) => tx<ObjectRow[]>`delete from storage.objects where bucket_id = ${id} returning name`,
    );
    for (const r of removed) await Deno.remove(fileOf(id, r.name)).catch(() => {});
    return c.json({ message: "Successfully emptied" });
  });
  app.delete("/bucket/:id", async (c) => {
    const id = c.req.param("id");
    const [{ n }] = await sql<
      [{ n: number }]
    >`select count(*)::int as n from storage.objects where bucket_id = ${id}`;
    if (n > 0) {
      throw new StorageError(
        409,
        "InvalidRequest",
        "Bucket not empty",
        "The bucket you tried to delete is not empty",
      );
    }
    const rows = await asBucketAdmin(
      c,
      (tx) => tx`delete from storage.buckets where id = ${id} returning id`,
    );
    if (!rows.length) throw noBucket();
    return c.json({ message: "Successfully deleted" });
  });

  return app;
}
