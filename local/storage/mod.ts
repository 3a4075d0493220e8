/**
 * The local stack's Supabase Storage (`/storage/v1`), as storage-js 2.119 uses it: buckets
 * from `config.toml` (size limit, allowed MIME types), objects in `storage.objects` with every
 * access judged by its RLS policies as the caller, bytes under `.local/storage/`. A row and its
 * file are written together (files.ts): a failed or aborted write leaves nothing behind.
 *
 * Where each behaviour lives: buckets.ts (bucket routes), upload.ts (uploads), objects.ts
 * (downloads, info, removal), list.ts (list, listV2), move_copy.ts (move, copy), signed.ts
 * (signed URLs), metadata.ts (system and user metadata, info shape, MIME rules), files.ts
 * (bytes on disk), context.ts (caller, RLS, names), errors.ts (Storage's error shapes).
 */
import { Hono } from "hono";
import { makeCtx, type StorageDeps } from "./context.ts";
import { errorBody, StorageError } from "./errors.ts";
import { signedRoutes } from "./signed.ts";
import { objectRoutes } from "./objects.ts";
import { bucketRoutes } from "./buckets.ts";
import { listRoutes } from "./list.ts";
import { moveCopyRoutes } from "./move_copy.ts";

export { type BucketConfig, bucketsFromToml, parseSize, syncBuckets } from "./config.ts";
export { checkKey, MAX_KEY_BYTES, MAX_SEGMENT_BYTES, type StorageDeps } from "./context.ts";

export function createStorage(deps: StorageDeps) {
  const ctx = makeCtx(deps);
  const app = new Hono();

  // Kong in front of Storage: every request carries a project API key (signed URLs excepted).
  app.use("*", async (c, next) => {
    const p = new URL(c.req.url).pathname;
    if (
      c.req.method === "OPTIONS" ||
      /\/object\/(sign|public|info\/public|upload\/sign)\//.test(p) && c.req.method !== "POST"
    ) return await next();
    const key = c.req.header("apikey") ?? c.req.query("apikey");
    if (!key) return c.json({ message: "No API key found in request" }, 401);
    if (key !== deps.keys.anon && key !== deps.keys.serviceRole) {
      return c.json({ message: "Invalid authentication credentials" }, 401);
    }
    await next();
  });

  // Order matters: the specific /object/… routes before the catch-all /object/*.
  app.route("/", signedRoutes(ctx));
  app.route("/", listRoutes(ctx));
  app.route("/", moveCopyRoutes(ctx));
  app.route("/", objectRoutes(ctx));
  app.route("/", bucketRoutes(ctx));

  app.notFound((c) =>
    c.json(errorBody(new StorageError(404, "NotFound", "Not Found", "Route not found")), 400)
  );
  app.onError((err, c) => {
    if (err instanceof StorageError) return c.json(errorBody(err), 400);
    console.error(
      JSON.stringify({ level: "error", msg: "storage: unhandled error", error: String(err) }),
    );
    return c.json({
      statusCode: "500",
      code: "InternalError",
      error: "internal",
      message: "Internal Server Error",
    }, 500);
  });
  return app;
}
