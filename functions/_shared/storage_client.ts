/**
 * The few Storage calls the API makes with the service key, after it has checked that the
 * caller may act on the object (Supabase's Storage API over HTTP).
 */
import { DependencyDownError } from "./errors.ts";

export interface StorageClient {
  /** The object's bytes and declared type, or undefined if it does not exist. */
  download(
    bucket: string,
    path: string,
  ): Promise<{ bytes: Uint8Array; mimetype: string } | undefined>;
  upload(bucket: string, path: string, bytes: Uint8Array, mimetype: string): Promise<void>;
  remove(bucket: string, path: string): Promise<void>;
  /** The bucket's limits. */
  bucket(
    id: string,
  ): Promise<{ allowed_mime_types: string[] | null; file_size_limit: number | null } | undefined>;
}

export function storageClient(supabaseUrl: string, serviceKey: string): StorageClient {
  const base = `${supabaseUrl}/storage/v1`;
  const headers = { apikey: serviceKey, authorization: `Bearer ${serviceKey}` };
  const enc = (p: string) => p.split("/").map(encodeURIComponent).join("/");
  const fail = async (what: string, res: Response) => {
    throw new DependencyDownError(`Storage ${what} failed: ${res.status} ${await res.text()}`);
  };
  return {
    async download(bucket, path) {
      const res = await fetch(`${base}/object/${bucket}/${enc(path)}`, { headers });
      if (res.status === 400 || res.status === 404) {
        await res.body?.cancel();
        return undefined;
      }
      if (!res.ok) return await fail("download", res);
      return {
        bytes: new Uint8Array(await res.arrayBuffer()),
        mimetype: res.headers.get("content-type") ?? "",
      };
    },
    async upload(bucket, path, bytes, mimetype) {
      const res = await fetch(`${base}/object/${bucket}/${enc(path)}`, {
        method: "POST",
        headers: { ...headers, "content-type": mimetype, "x-upsert": "true" },
        body: new Blob([bytes as Uint8Array<ArrayBuffer>]),
      });
      if (!res.ok) return await fail("upload", res);
      await res.body?.cancel();
    },
    async remove(bucket, path) {
      const res = await fetch(`${base}/object/${bucket}`, {
        method: "DELETE",
        headers: { ...headers, "content-type": "application/json" },
        body: JSON.stringify({ prefixes: [path] }),
      });
      if (!res.ok) return await fail("remove", res);
      await res.body?.cancel();
    },
    async bucket(id) {
      const res = await fetch(`${base}/bucket/${encodeURIComponent(id)}`, { headers });
      if (!res.ok) {
        await res.body?.cancel();
        return undefined;
      }
      return await res.json();
    },
  };
}
