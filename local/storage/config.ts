/**
 * Buckets as `supabase/config.toml` declares them (`[storage.buckets.*]`: public, size limit,
 * allowed MIME types), created or updated at start as `supabase start` does.
 */
import type postgres from "postgres";

export interface BucketConfig {
  id: string;
  public: boolean;
  fileSizeLimit: number | null;
  allowedMimeTypes: string[] | null;
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
