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

/** A frame a little into the video (or the first, if it is shorter), at most 640 px wide. */
export async function videoPoster(file: Blob): Promise<Blob> {
  const url = URL.createObjectURL(file);
  try {
    const video = document.createElement("video");
    video.muted = true;
    video.preload = "auto";
    video.src = url;
    await new Promise<void>((resolve, reject) => {
      video.onloadedmetadata = () => resolve();
      video.onerror = () => reject(new Error("the browser cannot read this video"));
    });
    video.currentTime = Math.min(1, (video.duration || 0) / 2);
    await new Promise<void>((resolve, reject) => {
      video.onseeked = () => resolve();
      video.onerror = () => reject(new Error("the browser cannot read this video"));
    });
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
