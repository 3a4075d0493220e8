/**
 * An object's two kinds of metadata, as Storage keeps them: the system metadata in
 * `storage.objects.metadata` (size, the Content-Type exactly as uploaded, cache control, eTag),
 * and the user's own in `user_metadata` (storage-js `metadata`: an `x-metadata` header holding
 * base64 JSON, or a `metadata` form field holding JSON). `/object/info` answers both in the
 * shape of Storage's `InfoRenderer` (supabase/storage `src/storage/renderer/info.ts`).
 */
import { invalid } from "./errors.ts";

export interface SystemMetadata {
  eTag: string;
  size: number;
  mimetype: string;
  cacheControl: string;
  lastModified: string;
  contentLength: number;
  httpStatusCode: number;
  [k: string]: unknown;
}

export interface ObjectRow {
  id: string;
  name: string;
  bucket_id: string;
  owner: string | null;
  owner_id: string | null;
  version: string | null;
  metadata: Partial<SystemMetadata> | null;
  user_metadata: Record<string, unknown> | null;
  created_at: Date;
  updated_at: Date;
  last_accessed_at: Date;
}

/** The system metadata of freshly written bytes. */
export function systemMetadata(
  f: { etag: string; size: number; mimetype: string; cacheControl: string },
): SystemMetadata {
  return {
    eTag: f.etag,
    size: f.size,
    mimetype: f.mimetype,
    cacheControl: f.cacheControl,
    lastModified: new Date().toISOString(),
    contentLength: f.size,
    httpStatusCode: 200,
  };
}

/** `text/plain;charset=UTF-8` → `text/plain`: parameters are not part of a media type. */
export function mediaTypeOf(contentType: string): string {
  return contentType.split(";")[0]!.trim().toLowerCase();
}

/**
 * Whether a bucket's `allowed_mime_types` let `type` in: exact `type/subtype` or `type/*`,
 * compared without parameters on either side (supabase/storage#1381).
 */
export function mimeAllowed(allowed: string[] | null, type: string): boolean {
  if (!allowed || allowed.length === 0) return true;
  const want = mediaTypeOf(type);
  return allowed.map(mediaTypeOf).some((a) =>
    a === want || (a.endsWith("/*") && want.startsWith(a.slice(0, -1)))
  );
}

/** The user metadata of an `x-metadata` header (base64 of a JSON object). */
export function userMetadataOfHeader(
  header: string | undefined,
): Record<string, unknown> | undefined {
  if (header === undefined) return undefined;
  let text: string;
  try {
    text = new TextDecoder().decode(Uint8Array.from(atob(header), (ch) => ch.charCodeAt(0)));
  } catch {
    throw invalid("Invalid metadata: x-metadata must be base64-encoded JSON");
  }
  return userMetadataOfJson(text);
}

/** The user metadata of a `metadata` form field (a JSON object). */
export function userMetadataOfJson(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalid("Invalid metadata: not JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw invalid("Invalid metadata: expected a JSON object");
  }
  return value as Record<string, unknown>;
}

/** `/object/info` as Storage answers it; storage-js `info()` camel-cases the keys. */
export function infoBody(row: ObjectRow) {
  const m = row.metadata ?? {};
  return {
    id: row.id,
    name: row.name,
    version: row.version,
    bucket_id: row.bucket_id,
    size: m.size ?? null,
    content_type: m.mimetype ?? null,
    cache_control: m.cacheControl ?? null,
    etag: m.eTag ?? null,
    metadata: row.user_metadata,
    last_modified: row.updated_at,
    created_at: row.created_at,
  };
}

/** The response headers of an object's bytes or info: type, caching, validators, length. */
export function objectHeaders(row: ObjectRow): Record<string, string> {
  const m = row.metadata ?? {};
  const headers: Record<string, string> = {
    "cache-control": String(m.cacheControl ?? "no-cache"),
    "last-modified": new Date(row.updated_at).toUTCString(),
  };
  if (m.eTag) headers.etag = String(m.eTag);
  return headers;
}
