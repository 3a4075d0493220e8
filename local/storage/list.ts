/**
 * Listing, as Storage answers it, every row read as the caller (RLS decides what is seen):
 * - `list` (`POST /object/list/:bucket`, supabase/storage `storage.search`): one level under a
 *   prefix, folders folded, `search` a case-insensitive prefix of the names, `offset`/`limit`,
 *   `sortBy` name (folders among files) or a timestamp (folders first);
 * - `listV2` (`POST /object/list-v2/:bucket`, `ObjectStorage.listObjectsV2`): pages of at most
 *   1000 behind an opaque `cursor`, every key under the prefix, or with `with_delimiter` the
 *   level's `folders` and `objects`.
 */
import { Hono } from "hono";
import type postgres from "postgres";
import type { StorageCtx } from "./context.ts";
import { badBody, invalidParameter } from "./errors.ts";
import type { ObjectRow } from "./metadata.ts";
import { decodeCursor, encodeCursor, type ListCursor } from "./list_cursor.ts";

type Entry = Record<string, unknown> & { name: string; id: string | null };
type Row = Pick<
  ObjectRow,
  "id" | "name" | "metadata" | "user_metadata" | "created_at" | "updated_at" | "last_accessed_at"
>;

const LIST_SORT = ["name", "updated_at", "created_at", "last_accessed_at"] as const;
const V2_SORT = ["name", "updated_at", "created_at"] as const;

/** `LIKE` pattern for names starting with `prefix`. */
const startsWith = (prefix: string) => prefix.replace(/[\\%_]/g, "\\$&") + "%";
/** Code point order, which is the byte order `COLLATE "C"` gives UTF-8 names. */
function byBytes(a: string, b: string): number {
  const x = [...a], y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
    if (d) return d;
  }
  return x.length - y.length;
}

function checkLimit(v: unknown, field: string): number | undefined {
  if (v === undefined) return undefined;
  if (!Number.isInteger(v) || (v as number) < (field === "offset" ? 0 : 1)) {
    throw badBody(`${field} must be ${field === "offset" ? ">= 0" : ">= 1"}`);
  }
  return v as number;
}

function checkSort<T extends string>(v: unknown, columns: readonly T[]) {
  if (v === undefined) return undefined;
  const s = v as { column?: unknown; order?: unknown };
  if (typeof s !== "object" || s === null || !columns.includes(s.column as T)) {
    throw badBody("sortBy/column must be equal to one of the allowed values");
  }
  if (s.order !== undefined && s.order !== "asc" && s.order !== "desc") {
    throw badBody("sortBy/order must be equal to one of the allowed values");
  }
  return { column: s.column as T, order: (s.order ?? "asc") as "asc" | "desc" };
}

export function listRoutes(ctx: StorageCtx) {
  const { claimsOf, asCaller } = ctx;
  const app = new Hono();

  app.post("/object/list/:bucket", async (c) => {
    const claims = await claimsOf(c);
    const bucket = c.req.param("bucket");
    const body = await c.req.json().catch(() => ({})) as Record<string, unknown>;
    if (typeof body.prefix !== "string") throw badBody("must have required property 'prefix'");
    const limit = Math.min(checkLimit(body.limit, "limit") ?? 100, 1500);
    const offset = checkLimit(body.offset, "offset") ?? 0;
    const sort = checkSort(body.sortBy, LIST_SORT) ?? { column: "name", order: "asc" };
    const search = typeof body.search === "string" ? body.search : "";
    // The prefix is a folder (storage `searchObjects`); `search` narrows the names inside it.
    const prefix = body.prefix && !body.prefix.endsWith("/") ? `${body.prefix}/` : body.prefix;
    const full = (prefix + search).toLowerCase();
    const entries: Entry[] = [];
    const folderOf = (r: Row) => {
      const slash = r.name.indexOf("/", full.length);
      return slash < 0 ? undefined : r.name.slice(0, slash);
    };
    const folderEntry = (name: string): Entry => ({
      name: name.slice(prefix.length),
      id: null,
      updated_at: null,
      created_at: null,
      last_accessed_at: null,
      metadata: null,
    });
    const fileEntry = (r: Row): Entry => ({
      name: r.name.slice(prefix.length),
      id: r.id,
      updated_at: r.updated_at,
      created_at: r.created_at,
      last_accessed_at: r.last_accessed_at,
      metadata: r.metadata,
    });
    await asCaller(claims, async (tx) => {
      const rows = (dir: "asc" | "desc") =>
        tx<Row[]>`select id, name, metadata, created_at, updated_at, last_accessed_at
          from storage.objects where bucket_id = ${bucket}
            and lower(name) like ${startsWith(full)}
          order by lower(name) collate "C" ${dir === "desc" ? tx`desc` : tx`asc`}`;
      if (sort.column === "name") {
        // Folders among files in name order; stop reading once the page is full.
        let seen = 0;
        let lastFolder: string | undefined;
        for await (const batch of rows(sort.order).cursor(500)) {
          for (const r of batch) {
            const folder = folderOf(r);
            if (folder !== undefined && folder.toLowerCase() === lastFolder) continue;
            lastFolder = folder?.toLowerCase();
            if (seen++ < offset) continue;
            entries.push(folder === undefined ? fileEntry(r) : folderEntry(folder));
            if (entries.length >= limit) return;
          }
        }
        return;
      }
      // By a timestamp: the folders first, by name, then the files by that column.
      const folders = new Map<string, string>();
      const files: Row[] = [];
      for (const r of await rows("asc")) {
        const folder = folderOf(r);
        if (folder === undefined) files.push(r);
        else if (!folders.has(folder.toLowerCase())) folders.set(folder.toLowerCase(), folder);
      }
      const dir = sort.order === "desc" ? -1 : 1;
      const col = sort.column as "created_at" | "updated_at" | "last_accessed_at";
      files.sort((a, b) => (+a[col] - +b[col]) * dir || byBytes(a.name, b.name) * dir);
      const all = [
        ...[...folders.values()].sort((a, b) => byBytes(a, b) * dir).map(folderEntry),
        ...files.map(fileEntry),
      ];
      entries.push(...all.slice(offset, offset + limit));
    });
    return c.json(entries);
  });

  app.post("/object/list-v2/:bucket", async (c) => {
    const claims = await claimsOf(c);
    const bucket = c.req.param("bucket");
    const body = await c.req.json().catch(() => ({})) as Record<string, unknown>;
    if (body.prefix !== undefined && typeof body.prefix !== "string") {
      throw badBody("prefix must be string");
    }
    if (body.cursor !== undefined && typeof body.cursor !== "string") {
      throw badBody("cursor must be string");
    }
    const limit = Math.min(checkLimit(body.limit, "limit") ?? 1000, 1000);
    const sort = checkSort(body.sortBy, V2_SORT);
    const cursor = body.cursor ? decodeCursor(body.cursor) : undefined;
    if (body.cursor && !cursor) throw invalidParameter("continuation token");
    const q: V2Query = {
      bucket,
      prefix: (body.prefix as string | undefined) ?? "",
      limit,
      // A cursor keeps the order it was made with.
      order: (cursor?.sortOrder ?? sort?.order ?? "asc") as "asc" | "desc",
      column: (cursor?.sortColumn ?? sort?.column ?? "name") as V2Query["column"],
      cursor,
    };
    const delimited = body.with_delimiter === true;
    const page = await asCaller(
      claims,
      (tx) => delimited ? delimitedPage(tx, q) : flatPage(tx, q),
    );
    const more = page.length > limit;
    const shown = page.slice(0, limit);
    const levels = q.prefix ? q.prefix.split("/").length : 1;
    const keyOf = (name: string) => name.split("/")[levels - 1] ?? "";
    const folders = shown.filter((e) => e.id === null).map((e) => ({
      key: keyOf(e.name),
      ...e,
      name: `${e.name}/`,
    }));
    const objects = shown.filter((e) => e.id !== null).map((e) =>
      delimited ? { key: keyOf(e.name), ...e } : e
    );
    const last = shown[shown.length - 1];
    const next: ListCursor | undefined = more && last
      ? {
        startAfter: last.name,
        sortOrder: q.order,
        sortColumn: q.column,
        ...(q.column !== "name" && last[q.column]
          ? { sortColumnAfter: new Date(last[q.column] as Date).toISOString() }
          : {}),
      }
      : undefined;
    return c.json({
      hasNext: more,
      ...(next ? { nextCursor: encodeCursor(next), nextCursorKey: next.startAfter } : {}),
      folders,
      objects,
    });
  });

  return app;
}

interface V2Query {
  bucket: string;
  prefix: string;
  limit: number;
  order: "asc" | "desc";
  column: "name" | "created_at" | "updated_at";
  cursor: ListCursor | undefined;
}

/** Every key under the prefix, one page (and one row more, to know if there is a next). */
function flatPage(tx: postgres.TransactionSql, q: V2Query): Promise<Entry[]> {
  const dir = q.order === "desc" ? tx`desc` : tx`asc`;
  const op = q.order === "desc" ? tx`<` : tx`>`;
  const start = q.cursor?.startAfter;
  const after = start === undefined
    ? tx``
    : q.column !== "name" && q.cursor?.sortColumnAfter
    ? tx`and (date_trunc('milliseconds', ${tx(q.column)}), name collate "C") ${op}
        (${q.cursor.sortColumnAfter}::timestamptz, ${start})`
    : tx`and name collate "C" ${op} ${start}`;
  return tx<Entry[]>`select id, name, metadata, updated_at, created_at, last_accessed_at
    from storage.objects where bucket_id = ${q.bucket} and name like ${startsWith(q.prefix)}
    ${after}
    order by ${q.column === "name" ? tx`` : tx`${tx(q.column)} ${dir},`} name collate "C" ${dir}
    limit ${q.limit + 1}`;
}

/**
 * One level under the prefix: a key with a `/` after the prefix folds into its folder (named
 * without the slash here). By name (`storage.list_objects_with_delimiter`) folders sit among
 * the keys; by a timestamp (`storage.search_by_timestamp`) a folder takes its oldest key's
 * `created_at`.
 */
async function delimitedPage(tx: postgres.TransactionSql, q: V2Query): Promise<Entry[]> {
  const folderOf = (name: string) => {
    const slash = name.indexOf("/", q.prefix.length);
    return slash < 0 ? undefined : name.slice(0, slash);
  };
  const leaf = (r: Row): Entry => ({
    name: r.name,
    id: r.id,
    updated_at: r.updated_at,
    created_at: r.created_at,
    last_accessed_at: r.last_accessed_at,
    metadata: r.metadata,
    user_metadata: r.user_metadata,
  });
  const folder = (name: string, createdAt: Date | null = null): Entry => ({
    name,
    id: null,
    updated_at: createdAt,
    created_at: createdAt,
    last_accessed_at: null,
    metadata: null,
    user_metadata: null,
  });
  const under = tx`bucket_id = ${q.bucket} and name like ${startsWith(q.prefix)}`;
  const select = tx`select id, name, metadata, user_metadata, created_at, updated_at,
    last_accessed_at from storage.objects`;
  const out: Entry[] = [];
  if (q.column === "name") {
    const desc = q.order === "desc";
    const start = q.cursor?.startAfter;
    let bound = tx``;
    if (start !== undefined) {
      // A cursor naming a folder resumes after everything inside it.
      const [isFolder] = await tx`select 1 from storage.objects
        where bucket_id = ${q.bucket} and name like ${startsWith(`${start}/`)} limit 1`;
      bound = desc
        ? tx`and name collate "C" < ${isFolder ? `${start}/` : start}`
        : tx`and name collate "C" > ${start}`;
    }
    let lastFolder: string | undefined;
    const rows = tx<Row[]>`${select} where ${under} ${bound}
      order by name collate "C" ${desc ? tx`desc` : tx`asc`}`;
    for await (const batch of rows.cursor(500)) {
      for (const r of batch) {
        if (start !== undefined && !desc && r.name.startsWith(`${start}/`)) continue;
        const f = folderOf(r.name);
        if (f !== undefined && f === lastFolder) continue;
        lastFolder = f;
        out.push(f === undefined ? leaf(r) : folder(f));
        if (out.length > q.limit) return out;
      }
    }
    return out;
  }
  const folders = new Map<string, Date>();
  for (const r of await tx<Row[]>`${select} where ${under}`) {
    const f = folderOf(r.name);
    if (f === undefined) out.push(leaf(r));
    else if (!folders.has(f) || +folders.get(f)! > +r.created_at) folders.set(f, r.created_at);
  }
  for (const [name, at] of folders) out.push(folder(name, at));
  const col = q.column;
  const ms = (e: Entry) => Math.floor(+((e[col] as Date | null) ?? 0));
  const dir = q.order === "desc" ? -1 : 1;
  const cmp = (a: Entry, b: Entry) => ((ms(a) - ms(b)) || byBytes(a.name, b.name)) * dir;
  const c = q.cursor;
  const afterCursor = (e: Entry) =>
    !c ||
    cmp(e, { name: c.startAfter, id: null, [col]: new Date(c.sortColumnAfter ?? 0) }) > 0;
  return out.filter(afterCursor).sort(cmp).slice(0, q.limit + 1);
}
