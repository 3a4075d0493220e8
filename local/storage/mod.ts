/**
 * The local stack's Supabase Storage (`/storage/v1`), as storage-js 2.119 uses it: buckets
 * from `config.toml` (size limit, allowed MIME types), objects in `storage.objects` with every
 * access judged by its RLS policies as the caller, bytes under `.local/storage/`. Uploads are
 * streamed to a temporary file and moved into place only after the row is committed, so a
 * failed or aborted upload leaves nothing behind.
 */
import { type Context, Hono } from "hono";
import { jwtVerify, SignJWT } from "jose";
import type postgres from "postgres";
import { createHash } from "node:crypto";
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { denied, errorBody, invalid, noBucket, notFound, StorageError } from "./errors.ts";
import {
  MaxFileSizeExceededError,
  MaxTotalSizeExceededError,
  MultipartParseError,
  parseMultipartRequest,
} from "@remix-run/multipart-parser";

export interface BucketConfig {
  id: string;
  public: boolean;
  fileSizeLimit: number | null;
  allowedMimeTypes: string[] | null;
}

export interface StorageDeps {
  /** A superuser connection; requests switch to the caller's role for every query. */
  sql: postgres.Sql;
  jwtSecret: string;
  keys: { anon: string; serviceRole: string };
  /** Where the bytes live. */
  root: string;
  /** Global upload limit in bytes (`[storage] file_size_limit`). */
  globalLimit: number;
}

/** "50MiB", "25MB", "1024" → bytes. */
export function parseSize(v: unknown): number | null {
  if (v === undefined || v === null || v === "") return null;
  if (typeof v === "number") return v;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(B|KB|KiB|MB|MiB|GB|GiB)?\s*$/i.exec(String(v));
  if (!m) throw new Error(`invalid size "${v}"`);
  const unit: Record<string, number> = {
    b: 1,
    kb: 1e3,
    kib: 1024,
    mb: 1e6,
    mib: 1024 ** 2,
    gb: 1e9,
    gib: 1024 ** 3,
  };
  return Math.floor(Number(m[1]) * unit[(m[2] ?? "b").toLowerCase()]!);
}

/** The `[storage.buckets.*]` of config.toml. */
export function bucketsFromToml(toml: Record<string, unknown>): BucketConfig[] {
  const storage = (toml.storage ?? {}) as Record<string, unknown>;
  const buckets = (storage.buckets ?? {}) as Record<string, Record<string, unknown>>;
  return Object.entries(buckets).map(([id, b]) => ({
    id,
    public: b.public === true,
    fileSizeLimit: parseSize(b.file_size_limit),
    allowedMimeTypes: Array.isArray(b.allowed_mime_types) ? b.allowed_mime_types as string[] : null,
  }));
}

/** Creates or updates the configured buckets, as `supabase start` does. */
export async function syncBuckets(sql: postgres.Sql, buckets: BucketConfig[]): Promise<void> {
  for (const b of buckets) {
    await sql`
      insert into storage.buckets (id, name, public, file_size_limit, allowed_mime_types)
      values (${b.id}, ${b.id}, ${b.public}, ${b.fileSizeLimit}, ${b.allowedMimeTypes})
      on conflict (id) do update set public = excluded.public, file_size_limit = excluded.file_size_limit,
        allowed_mime_types = excluded.allowed_mime_types, updated_at = now()`;
  }
}

interface Claims {
  role: string;
  sub?: string;
  [k: string]: unknown;
}

interface ObjectRow {
  id: string;
  name: string;
  bucket_id: string;
  owner_id: string | null;
  metadata: Record<string, unknown> | null;
  created_at: Date;
  updated_at: Date;
  last_accessed_at: Date;
}

const SAFE_PATH = /^(?!\/)(?!.*\/\/)(?!.*(^|\/)\.\.?(\/|$))[^\0\\]{1,1024}$/;

class Rollback extends Error {}

export function createStorage(deps: StorageDeps) {
  const { sql } = deps;
  const key = new TextEncoder().encode(deps.jwtSecret);
  const app = new Hono();

  const fileOf = (bucket: string, name: string) => join(deps.root, bucket, name);

  async function claimsOf(c: Context): Promise<Claims> {
    const apikey = c.req.header("apikey") ?? c.req.query("apikey");
    const bearer = /^Bearer\s+(\S+)$/i.exec(c.req.header("authorization") ?? "")?.[1];
    const token = bearer ?? apikey;
    if (!token) {
      throw new StorageError(
        400,
        "InvalidJWT",
        "Unauthorized",
        "headers must have required property 'authorization'",
      );
    }
    try {
      const { payload } = await jwtVerify(token, key, { algorithms: ["HS256"] });
      if (typeof payload.role !== "string") throw new Error("no role");
      return payload as Claims;
    } catch (e) {
      throw new StorageError(
        400,
        "InvalidJWT",
        "Unauthorized",
        (e as Error).message.includes("exp") ? "jwt expired" : "invalid signature",
      );
    }
  }

  /** Runs `fn` as the caller: their role and claims set, so RLS judges every statement. */
  function asCaller<T>(
    claims: Claims,
    fn: (tx: postgres.TransactionSql) => Promise<T>,
  ): Promise<T> {
    return sql.begin(async (tx) => {
      await tx`select set_config('request.jwt.claims', ${JSON.stringify(claims)}, true)`;
      if (!/^[a-z_][a-z0-9_]*$/.test(claims.role)) throw denied();
      await tx.unsafe(`set local role ${claims.role}`);
      return await fn(tx);
    }) as Promise<T>;
  }

  async function bucketOf(id: string) {
    const [b] = await sql<
      {
        id: string;
        public: boolean;
        file_size_limit: number | null;
        allowed_mime_types: string[] | null;
      }[]
    >`
      select id, public, file_size_limit, allowed_mime_types from storage.buckets where id = ${id}`;
    if (!b) throw noBucket();
    return b;
  }

  function objectPath(c: Context, prefix: string): { bucket: string; name: string } {
    const rest = decodeURIComponent(new URL(c.req.url).pathname.split(prefix)[1] ?? "");
    const slash = rest.indexOf("/");
    const bucket = slash < 0 ? rest : rest.slice(0, slash);
    const name = slash < 0 ? "" : rest.slice(slash + 1);
    if (!bucket || !SAFE_PATH.test(name)) {
      throw invalid("The object name contains invalid characters or is empty");
    }
    return { bucket, name };
  }

  function mimeAllowed(allowed: string[] | null, type: string): boolean {
    if (!allowed || allowed.length === 0) return true;
    return allowed.some((a) => a === type || (a.endsWith("/*") && type.startsWith(a.slice(0, -1))));
  }

  /** Streams the request body (raw, or the file part of a multipart form) to a temp file. */
  async function receive(c: Context, limit: number) {
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
    mkdirSync(join(deps.root, ".tmp"), { recursive: true });
    const tmp = join(deps.root, ".tmp", crypto.randomUUID());
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

  const tooLarge = () =>
    new StorageError(
      413,
      "EntityTooLarge",
      "Payload too large",
      "The object exceeded the maximum allowed size",
    );

  async function upload(
    c: Context,
    mode: "create" | "update",
    claimsOverride?: Claims,
    target?: { bucket: string; name: string },
    upsertOverride?: boolean,
  ) {
    const claims = claimsOverride ?? await claimsOf(c);
    const { bucket, name } = target ?? objectPath(c, "/object/");
    const b = await bucketOf(bucket);
    const limit = Math.min(deps.globalLimit, b.file_size_limit ?? Infinity);
    const declared = Number(c.req.header("content-length") ?? 0);
    if (!c.req.header("content-type")?.startsWith("multipart/") && declared > limit) {
      throw tooLarge();
    }
    const upsert = mode === "update" || (upsertOverride ?? c.req.header("x-upsert") === "true");
    const body = await receive(c, limit);
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
      const row = await asCaller(claims, async (tx) => {
        try {
          if (mode === "update") {
            const [r] = await tx<ObjectRow[]>`
              update storage.objects set metadata = ${tx.json(metadata)}, user_metadata = ${
              body.userMetadata === undefined
                ? null
                : tx.json(body.userMetadata as postgres.JSONValue)
            }, updated_at = now(), last_accessed_at = now()
              where bucket_id = ${bucket} and name = ${name} returning *`;
            if (!r) throw notFound();
            return r;
          }
          const [r] = await tx<ObjectRow[]>`
            insert into storage.objects (bucket_id, name, owner_id, metadata, user_metadata)
            values (${bucket}, ${name}, ${claims.sub ?? null}, ${tx.json(metadata)}, ${
            body.userMetadata === undefined
              ? null
              : tx.json(body.userMetadata as postgres.JSONValue)
          })
            ${
            upsert
              ? tx`on conflict (bucket_id, name) do update set metadata = excluded.metadata,
                     user_metadata = excluded.user_metadata, owner_id = excluded.owner_id, updated_at = now()`
              : tx``
          }
            returning *`;
          return r!;
        } catch (e) {
          const code = (e as { code?: string }).code;
          if (code === "23505") {
            throw new StorageError(
              409,
              "KeyAlreadyExists",
              "Duplicate",
              "The resource already exists",
            );
          }
          if (code === "42501") throw denied();
          throw e;
        }
      });
      const dest = fileOf(bucket, name);
      mkdirSync(dirname(dest), { recursive: true });
      await Deno.rename(body.tmp, dest);
      return c.json({ Id: row.id, Key: `${bucket}/${name}` });
    } finally {
      await Deno.remove(body.tmp).catch(() => {});
    }
  }

  async function serve(c: Context, bucket: string, name: string, row: ObjectRow | undefined) {
    if (!row) throw notFound();
    let file: Deno.FsFile;
    try {
      file = await Deno.open(fileOf(bucket, name));
    } catch {
      throw notFound();
    }
    const meta = row.metadata ?? {};
    const headers: Record<string, string> = {
      "content-type": String(meta.mimetype ?? "application/octet-stream"),
      "cache-control": String(meta.cacheControl ?? "no-cache"),
      etag: String(meta.eTag ?? ""),
      "last-modified": new Date(row.updated_at).toUTCString(),
      "content-length": String(meta.size ?? ""),
      "x-content-type-options": "nosniff",
    };
    const download = c.req.query("download");
    if (download !== undefined) {
      headers["content-disposition"] = `attachment; filename="${
        (download || name.split("/").pop()!).replace(/"/g, "")
      }"`;
    }
    return new Response(file.readable, { headers });
  }

  const findAs = (claims: Claims, bucket: string, name: string) =>
    asCaller(
      claims,
      async (tx) =>
        (await tx<
          ObjectRow[]
        >`select * from storage.objects where bucket_id = ${bucket} and name = ${name}`)[0],
    );

  // Kong in front of Storage: every request carries a project API key (signed URLs excepted).
  app.use("*", async (c, next) => {
    const p = new URL(c.req.url).pathname;
    if (
      c.req.method === "OPTIONS" ||
      /\/object\/(sign|public|upload\/sign)\//.test(p) && c.req.method !== "POST"
    ) return await next();
    const key = c.req.header("apikey") ?? c.req.query("apikey");
    if (!key) return c.json({ message: "No API key found in request" }, 401);
    if (key !== deps.keys.anon && key !== deps.keys.serviceRole) {
      return c.json({ message: "Invalid authentication credentials" }, 401);
    }
    await next();
  });

  app.post("/object/sign/:bucket", async (c) => {
    const claims = await claimsOf(c);
    const body = await c.req.json().catch(() => ({})) as { expiresIn?: number; paths?: string[] };
    const bucket = c.req.param("bucket");
    if (!Array.isArray(body.paths) || !(Number(body.expiresIn) > 0)) {
      throw invalid("paths and expiresIn are required");
    }
    const out = [];
    for (const path of body.paths) {
      const row = await findAs(claims, bucket, path);
      out.push(
        row
          ? { error: null, path, signedURL: await signedUrl(bucket, path, Number(body.expiresIn)) }
          : {
            error: "Either the object does not exist or you do not have access to it",
            path,
            signedURL: null,
          },
      );
    }
    return c.json(out);
  });

  /** At most 7 days: a signed URL must not outlive the signer's access for long. */
  const MAX_EXPIRY = 7 * 24 * 3600;

  async function signedUrl(
    bucket: string,
    name: string,
    expiresIn: number,
    upload?: { role: string; sub: string | undefined; upsert: boolean },
  ) {
    const token = await new SignJWT({
      url: `${bucket}/${name}`,
      // An upload URL carries its signer: the upload runs as them, under the same policies.
      ...(upload
        ? { upload: true, signer: { role: upload.role, sub: upload.sub }, upsert: upload.upsert }
        : {}),
    })
      .setProtectedHeader({ alg: "HS256", typ: "JWT" }).setIssuedAt().setExpirationTime(
        Math.floor(Date.now() / 1000) + Math.min(expiresIn, MAX_EXPIRY),
      )
      .sign(key);
    const encoded = name.split("/").map(encodeURIComponent).join("/");
    return `/object/${upload ? "upload/sign" : "sign"}/${bucket}/${encoded}?token=${token}`;
  }

  async function checkSigned(c: Context, bucket: string, name: string, upload: boolean) {
    try {
      const { payload } = await jwtVerify(c.req.query("token") ?? "", key, {
        algorithms: ["HS256"],
      });
      if (payload.url !== `${bucket}/${name}` || Boolean(payload.upload) !== upload) {
        throw new Error("url");
      }
      return payload;
    } catch (e) {
      const expired = (e as { code?: string }).code === "ERR_JWT_EXPIRED";
      throw new StorageError(
        400,
        "InvalidJWT",
        "InvalidJWT",
        expired ? "jwt expired" : "invalid signature",
      );
    }
  }

  app.post("/object/sign/*", async (c) => {
    const claims = await claimsOf(c);
    const { bucket, name } = objectPath(c, "/object/sign/");
    const body = await c.req.json().catch(() => ({})) as { expiresIn?: number };
    if (!(Number(body.expiresIn) > 0)) throw invalid("expiresIn must be a positive number");
    if (!(await findAs(claims, bucket, name))) throw notFound();
    return c.json({ signedURL: await signedUrl(bucket, name, Number(body.expiresIn)) });
  });
  app.get("/object/sign/*", async (c) => {
    const { bucket, name } = objectPath(c, "/object/sign/");
    await checkSigned(c, bucket, name, false);
    const [row] = await sql<
      ObjectRow[]
    >`select * from storage.objects where bucket_id = ${bucket} and name = ${name}`;
    return await serve(c, bucket, name, row);
  });

  app.post("/object/upload/sign/*", async (c) => {
    const claims = await claimsOf(c);
    const { bucket, name } = objectPath(c, "/object/upload/sign/");
    await bucketOf(bucket);
    const upsert = c.req.header("x-upsert") === "true";
    // Only someone who may create the object (under its policies) gets a URL to do it.
    const allowed = await asCaller(claims, async (tx) => {
      try {
        await tx.savepoint((sp) =>
          sp`insert into storage.objects (bucket_id, name, owner_id, metadata) values (${bucket}, ${name}, ${
            claims.sub ?? null
          }, '{}') on conflict (bucket_id, name) do nothing`.then(() => {
            throw new Rollback();
          })
        );
      } catch (e) {
        if (e instanceof Rollback) return true;
        if ((e as { code?: string }).code === "42501") return false;
        throw e;
      }
      return true;
    });
    if (!allowed) throw denied();
    const url = await signedUrl(bucket, name, 2 * 3600, {
      role: claims.role,
      sub: claims.sub,
      upsert,
    });
    return c.json({ url, token: new URL(url, "http://x").searchParams.get("token") });
  });
  app.put("/object/upload/sign/*", async (c) => {
    const { bucket, name } = objectPath(c, "/object/upload/sign/");
    const payload = await checkSigned(c, bucket, name, true);
    const signer = payload.signer as { role?: string; sub?: string } | undefined;
    if (!signer?.role) throw new StorageError(400, "InvalidJWT", "InvalidJWT", "invalid signature");
    const claims: Claims = { role: signer.role, ...(signer.sub ? { sub: signer.sub } : {}) };
    // Written as the signer, so the storage policies judge it exactly as a direct upload;
    // upsert only if it was asked for when signing.
    return await upload(c, "create", claims, { bucket, name }, payload.upsert === true);
  });

  app.get("/object/public/*", async (c) => {
    const { bucket, name } = objectPath(c, "/object/public/");
    const b = await bucketOf(bucket);
    if (!b.public) throw notFound();
    const [row] = await sql<
      ObjectRow[]
    >`select * from storage.objects where bucket_id = ${bucket} and name = ${name}`;
    return await serve(c, bucket, name, row);
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

  app.post("/object/*", (c) => upload(c, "create"));
  app.put("/object/*", (c) => upload(c, "update"));
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
