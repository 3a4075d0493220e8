/**
 * What every Storage route shares: the caller's claims (Kong has already checked the API key),
 * running a query as the caller so RLS on storage.objects decides, object names checked once,
 * and serving an object's bytes.
 */
import type { Context } from "hono";
import { jwtVerify, type JWTVerifyGetKey } from "jose";
import type postgres from "postgres";
import { join } from "node:path";
import { denied, invalid, invalidJwt, invalidKey, noBucket, notFound } from "./errors.ts";
import { objectHeaders, type ObjectRow } from "./metadata.ts";

export type { ObjectRow } from "./metadata.ts";

export interface StorageDeps {
  /** A superuser connection; requests switch to the caller's role for every query. */
  sql: postgres.Sql;
  /** Signs and checks signed URLs; verifies user tokens too unless `jwt` is given. */
  jwtSecret: string;
  /**
   * How to verify callers' tokens when the project also signs them with asymmetric keys
   * (a key resolver by header, and the algorithms accepted); HS256 with `jwtSecret` if absent.
   */
  jwt?: { getKey: JWTVerifyGetKey; algorithms: string[] };
  keys: { anon: string; serviceRole: string };
  /** Where the bytes live. */
  root: string;
  /** Global upload limit in bytes (`[storage] file_size_limit`). */
  globalLimit: number;
}

export interface Claims {
  role: string;
  sub?: string;
  [k: string]: unknown;
}

export interface BucketRow {
  id: string;
  public: boolean;
  file_size_limit: number | null;
  allowed_mime_types: string[] | null;
}

const SAFE_PATH = /^(?!\/)(?!.*\/\/)(?!.*(^|\/)\.\.?(\/|$))[^\0\\]{1,1024}$/;
/** What a file system stores in one name, and S3's (and so Storage's) longest key, in bytes. */
export const MAX_SEGMENT_BYTES = 255;
export const MAX_KEY_BYTES = 1024;

const utf8 = new TextEncoder();

/**
 * Refuses a name the store cannot keep, before anything is written: a path segment over 255
 * bytes (the file system's limit) or a key over 1024 bytes (S3's), as Storage's `InvalidKey`.
 */
export function checkKey(name: string): void {
  if (utf8.encode(name).length > MAX_KEY_BYTES) throw invalidKey(name);
  for (const segment of name.split("/")) {
    if (utf8.encode(segment).length > MAX_SEGMENT_BYTES) throw invalidKey(name);
  }
}

/** Checks an object name from a request body (move, copy) as one from a URL. */
export function checkName(name: unknown, field: string): string {
  if (typeof name !== "string" || !SAFE_PATH.test(name)) {
    throw invalid(`The ${field} contains invalid characters or is empty`);
  }
  checkKey(name);
  return name;
}

export type StorageCtx = ReturnType<typeof makeCtx>;

export function makeCtx(deps: StorageDeps) {
  const { sql } = deps;
  const key = utf8.encode(deps.jwtSecret);

  const fileOf = (bucket: string, name: string) => join(deps.root, bucket, name);

  async function claimsOf(c: Context): Promise<Claims> {
    const apikey = c.req.header("apikey") ?? c.req.query("apikey");
    const bearer = /^Bearer\s+(\S+)$/i.exec(c.req.header("authorization") ?? "")?.[1];
    const token = bearer ?? apikey;
    if (!token) throw invalidJwt("headers must have required property 'authorization'");
    try {
      const { payload } = deps.jwt
        ? await jwtVerify(token, deps.jwt.getKey, { algorithms: deps.jwt.algorithms })
        : await jwtVerify(token, key, { algorithms: ["HS256"] });
      if (typeof payload.role !== "string") throw new Error("no role");
      return payload as Claims;
    } catch (e) {
      throw invalidJwt((e as Error).message.includes("exp") ? "jwt expired" : "invalid signature");
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

  /** A bucket's limits, read with Storage's own rights. */
  async function bucketOf(id: string): Promise<BucketRow> {
    const [b] = await sql<BucketRow[]>`
      select id, public, file_size_limit::float8 as file_size_limit, allowed_mime_types
      from storage.buckets where id = ${id}`;
    if (!b) throw noBucket();
    return b;
  }

  /** The bucket and object name after `prefix` in the URL, checked as a storable key. */
  function objectPath(c: Context, prefix: string): { bucket: string; name: string } {
    let rest: string;
    try {
      const path = new URL(c.req.url).pathname;
      const at = path.indexOf(prefix);
      rest = decodeURIComponent(at < 0 ? "" : path.slice(at + prefix.length));
    } catch {
      throw invalid("The object name is not valid percent-encoded UTF-8");
    }
    const slash = rest.indexOf("/");
    const bucket = slash < 0 ? rest : rest.slice(0, slash);
    const name = slash < 0 ? "" : rest.slice(slash + 1);
    if (!bucket || !SAFE_PATH.test(name)) {
      throw invalid("The object name contains invalid characters or is empty");
    }
    checkKey(name);
    return { bucket, name };
  }

  const rowIn = async (
    q: postgres.Sql | postgres.TransactionSql,
    bucket: string,
    name: string,
  ) =>
    (await q<ObjectRow[]>`select * from storage.objects
      where bucket_id = ${bucket} and name = ${name}`)[0];
  /** The object's row as the caller sees it under the policies. */
  const findAs = (claims: Claims, bucket: string, name: string) =>
    asCaller(claims, (tx) => rowIn(tx, bucket, name));
  /** The object's row with Storage's own rights (public buckets, signed URLs). */
  const findUnchecked = (bucket: string, name: string) => rowIn(sql, bucket, name);

  /** The object's bytes, with the Content-Type exactly as it was uploaded. */
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
      ...objectHeaders(row),
      "content-type": String(meta.mimetype ?? "application/octet-stream"),
      "content-length": String((await file.stat()).size),
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

  return {
    deps,
    sql,
    key,
    fileOf,
    claimsOf,
    asCaller,
    bucketOf,
    objectPath,
    rowIn,
    findAs,
    findUnchecked,
    serve,
  };
}
