/**
 * Uploads to Storage with progress: supabase-js has no progress callback, so the file goes
 * through XMLHttpRequest to the same endpoint (`POST /storage/v1/object/<bucket>/<path>`), with
 * the same headers supabase-js sends.
 */
export interface UploadTarget {
  supabaseUrl: string;
  anonKey: string;
  token: string;
}

export class UploadError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = "UploadError";
  }
}

export function uploadWithProgress(
  target: UploadTarget,
  bucket: string,
  path: string,
  body: Blob,
  onProgress: (fraction: number) => void,
  signal?: AbortSignal,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    const encoded = path.split("/").map(encodeURIComponent).join("/");
    xhr.open("POST", `${target.supabaseUrl}/storage/v1/object/${bucket}/${encoded}`);
    xhr.setRequestHeader("authorization", `Bearer ${target.token}`);
    xhr.setRequestHeader("apikey", target.anonKey);
    xhr.setRequestHeader("content-type", body.type || "application/octet-stream");
    xhr.setRequestHeader("x-upsert", "false");
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        resolve();
        return;
      }
      let message = xhr.statusText;
      try {
        const j = JSON.parse(xhr.responseText);
        message = j.message ?? j.error ?? message;
      } catch {
        // not JSON: keep the status text
      }
      reject(new UploadError(xhr.status, message));
    };
    xhr.onerror = () => reject(new UploadError(0, "network error"));
    xhr.onabort = () => reject(new UploadError(0, "cancelled"));
    signal?.addEventListener("abort", () => xhr.abort(), { once: true });
    xhr.send(body);
  });
}
