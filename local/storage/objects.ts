/**
 * Object routes: uploads, public and authenticated downloads, object info (public,
 * authenticated, and the route storage-js `info()` calls) and removal. Every read and write
 * runs as the caller, so RLS decides; public buckets are read with Storage's own rights.
 */
import { type Context, Hono } from "hono";
import type { Claims, StorageCtx } from "./context.ts";
import { upload } from "./upload.ts";
import { badBody, noBucket, notFound } from "./errors.ts";
import { removeFiles } from "./files.ts";
import { infoBody, objectHeaders, type ObjectRow } from "./metadata.ts";

export function objectRoutes(ctx: StorageCtx) {
  const { sql, claimsOf, asCaller, bucketOf, objectPath, findAs, findUnchecked, serve } = ctx;
  const app = new Hono();

  app.get("/object/public/*", async (c) => {
    const { bucket, name } = objectPath(c, "/object/public/");
    const b = await bucketOf(bucket);
    if (!b.public) throw notFound();
    return await serve(c, bucket, name, await findUnchecked(bucket, name));
  });

  /**
   * Object info as Storage's `getObjectInfo` reads it: a public bucket (or the public route)
   * with Storage's rights, any other as the caller; without a valid token only public buckets.
   */
  async function info(c: Context, prefix: string, who: "public" | "caller" | "caller-or-none") {
    const { bucket, name } = objectPath(c, prefix);
    let claims: Claims | undefined;
    if (who === "caller") claims = await claimsOf(c);
    if (who === "caller-or-none") claims = await claimsOf(c).catch(() => undefined);
    const [b] = await sql<{ public: boolean }[]>`
      select public from storage.buckets where id = ${bucket}`;
    if (!b || (!claims && !b.public)) throw noBucket();
    const row = b.public || !claims
      ? await findUnchecked(bucket, name)
      : await findAs(claims, bucket, name);
    if (!row) throw notFound();
    return c.json(infoBody(row), 200, objectHeaders(row));
  }
  app.get("/object/info/public/*", (c) => info(c, "/object/info/public/", "public"));
  app.get("/object/info/authenticated/*", (c) => info(c, "/object/info/authenticated/", "caller"));
  app.get("/object/info/*", (c) => info(c, "/object/info/", "caller-or-none"));

  app.delete("/object/:bucket", async (c) => {
    const claims = await claimsOf(c);
    const bucket = c.req.param("bucket");
    const body = await c.req.json().catch(() => ({})) as { prefixes?: unknown };
    if (!Array.isArray(body.prefixes)) throw badBody("must have required property 'prefixes'");
    if (body.prefixes.length === 0) throw badBody("prefixes must NOT have fewer than 1 items");
    // storage-js 2.119 may name an entry `{ path, versionId }`; there are no versions here.
    const names = body.prefixes.map((p) =>
      typeof p === "string" ? p : String((p as { path?: unknown })?.path ?? "")
    );
    const removed = await asCaller(
      claims,
      (tx) =>
        tx<ObjectRow[]>`delete from storage.objects where bucket_id = ${bucket}
          and name = any(${names}) returning *`,
    );
    await removeFiles(ctx.deps.root, bucket, removed.map((r) => r.name));
    return c.json(removed);
  });
  app.delete("/object/*", async (c) => {
    const claims = await claimsOf(c);
    const { bucket, name } = objectPath(c, "/object/");
    const removed = await asCaller(
      claims,
      (tx) =>
        tx<ObjectRow[]>`delete from storage.objects where bucket_id = ${bucket}
          and name = ${name} returning name`,
    );
    if (!removed.length) throw notFound();
    await removeFiles(ctx.deps.root, bucket, [name]);
    return c.json({ message: "Successfully deleted" });
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
