/**
 * Signed URLs for private Storage objects (attachments, avatars), cached until shortly before
 * they expire so a list of 50 images asks once per file.
 */
import { useEffect, useState } from "preact/hooks";
import type { SupabaseClient } from "@supabase/supabase-js";

const TTL = 3600;
/** How many times a signed address is asked for before the file shows without one. */
const SIGN_ATTEMPTS = 4;
const cache = new Map<string, { url: string; until: number } | Promise<string | null>>();

export function signedUrl(
  sb: SupabaseClient,
  bucket: string,
  path: string,
): Promise<string | null> {
  const key = `${bucket}/${path}`;
  const hit = cache.get(key);
  if (hit instanceof Promise) return hit;
  if (hit && hit.until > Date.now()) return Promise.resolve(hit.url);
  const p = sb.storage.from(bucket).createSignedUrl(path, TTL).then(({ data }) => {
    if (data?.signedUrl) {
      cache.set(key, { url: data.signedUrl, until: Date.now() + (TTL - 300) * 1000 });
      return data.signedUrl;
    }
    cache.delete(key);
    return null;
  }, () => {
    cache.delete(key);
    return null;
  });
  cache.set(key, p);
  return p;
}

export function useSignedUrl(
  sb: SupabaseClient,
  bucket: string,
  path: string | null | undefined,
): string | null {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    setUrl(null);
    // A passing fault (Storage or the database restarting) is asked again a few times, 2 s
    // apart and then longer, rather than leaving the file without an address for good.
    const ask = (attempt: number) => {
      if (!path) return;
      signedUrl(sb, bucket, path).then((u) => {
        if (!live) return;
        if (u) setUrl(u);
        else if (attempt < SIGN_ATTEMPTS) {
          timer = setTimeout(() => ask(attempt + 1), 2000 * attempt);
        }
      });
    };
    ask(1);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [bucket, path]);
  return url;
}
