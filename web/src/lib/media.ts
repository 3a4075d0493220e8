/**
 * What the browser does to media before upload: a video's poster frame and a square avatar,
 * both drawn on a canvas and encoded as JPEG.
 */

function canvasBlob(canvas: HTMLCanvasElement, quality = 0.85): Promise<Blob> {
  return new Promise((resolve, reject) =>
    canvas.toBlob(
      (b) => b ? resolve(b) : reject(new Error("could not encode the image")),
      "image/jpeg",
      quality,
    )
  );
}

/** Resolves on `event`, rejects on error or after `ms` (a browser may never answer). */
function once(el: HTMLMediaElement, event: string, ms = 5000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} from the video`)), ms);
    el.addEventListener(event, () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
    el.addEventListener("error", () => {
      clearTimeout(timer);
      reject(new Error("the browser cannot read this video"));
    }, { once: true });
  });
}

/**
 * A frame a little into the video (half-way in a short one; the first frame when the length
 * is unknown, as in a MediaRecorder file), at most 640 px wide.
 */
export async function videoPoster(file: Blob): Promise<Blob> {
  const url = URL.createObjectURL(file);
  try {
    const video = document.createElement("video");
    video.muted = true;
    video.playsInline = true;
    video.preload = "auto";
    const loaded = once(video, "loadeddata");
    video.src = url;
    await loaded;
    const d = video.duration;
    const at = Number.isFinite(d) && d > 0 ? Math.min(1, d / 2) : 0;
    if (at > 0) {
      const seeked = once(video, "seeked");
      video.currentTime = at;
      await seeked;
    }
    const scale = Math.min(1, 640 / (video.videoWidth || 640));
    const canvas = document.createElement("canvas");
    canvas.width = Math.max(1, Math.round(video.videoWidth * scale));
    canvas.height = Math.max(1, Math.round(video.videoHeight * scale));
    canvas.getContext("2d")!.drawImage(video, 0, 0, canvas.width, canvas.height);
    return await canvasBlob(canvas);
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** The image cropped to a centred square of `size` px. */
export async function squareThumbnail(file: Blob, size = 256): Promise<Blob> {
  const bitmap = await createImageBitmap(file);
  try {
    const side = Math.min(bitmap.width, bitmap.height);
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = Math.min(size, side);
    canvas.getContext("2d")!.drawImage(
      bitmap,
      (bitmap.width - side) / 2,
      (bitmap.height - side) / 2,
      side,
      side,
      0,
      0,
      canvas.width,
      canvas.height,
    );
    return await canvasBlob(canvas, 0.9);
  } finally {
    bitmap.close();
  }
}

/**
 * A file's name as a Storage key part: letters, digits, `.`, `_` and `-` only (what the API
 * accepts), at most 120 characters, keeping the extension.
 */
export function storageName(file: { name: string; type: string }): string {
  const ext = /\.([A-Za-z0-9]{1,8})$/.exec(file.name)?.[1]?.toLowerCase() ||
    file.type.split("/")[1]?.replace(/[^a-z0-9]/g, "").slice(0, 8) || "bin";
  const base =
    file.name.replace(/\.[A-Za-z0-9]{1,8}$/, "").normalize("NFKD").replace(/\p{M}+/gu, "")
      .replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^[-.]+|[-.]+$/g, "").slice(0, 100) || "file";
  return `${base}.${ext}`;
}

/** The name to show for a stored file: its key without the upload's uuid prefix. */
export function displayName(path: string): string {
  const last = path.split("/").pop() ?? path;
  return last.replace(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}_/, "");
}

/** The largest box a message shows an image's thumbnail in, in CSS pixels. */
export const THUMB_BOX = { width: 320, height: 240 } as const;

/**
 * The size an image attachment is shown at: its own aspect ratio within `THUMB_BOX`, never
 * enlarged (4:3 when the size is unknown). Known before the image loads, so its place in the
 * message is kept from the start.
 *
 * @example thumbBox({ width: 1200, height: 600 }) // { width: 320, height: 160 }
 */
export function thumbBox(
  a: { width: number | null; height: number | null },
): { width: number; height: number } {
  const known = !!a.width && a.width > 0 && !!a.height && a.height > 0;
  const w = known ? a.width! : THUMB_BOX.width;
  const h = known ? a.height! : THUMB_BOX.height;
  const scale = Math.min(1, THUMB_BOX.width / w, THUMB_BOX.height / h);
  return {
    width: Math.max(1, Math.round(w * scale)),
    height: Math.max(1, Math.round(h * scale)),
  };
}
