/**
 * What an uploaded file really is, and thumbnails of images. The type comes from the bytes
 * (npm `file-type`), never from the name or the declared type. Thumbnails use imagescript's
 * WASM JPEG decoder, its JS PNG codec and its v2 framebuffer (linear resize, rotation): the
 * path Supabase's hosted runtime can run, which loads no native addons. Where imagescript's
 * native encoder loads, thumbnails are JPEG (smaller and faster); otherwise PNG.
 */
import { fileTypeFromBuffer } from "file-type";
import jpegWasm from "imagescript/wasm/node/jpeg.js";
import gifWasm from "imagescript/wasm/node/gif.js";
import pngCodec from "imagescript/png/node.js";
import framebufferModule from "imagescript/v2/framebuffer.js";

// deno-lint-ignore no-explicit-any
const Framebuffer = ((framebufferModule as any).default ?? framebufferModule) as any;
// deno-lint-ignore no-explicit-any
const png = pngCodec as any;

export const MAX_PIXELS = 25_000_000;
export const THUMB_SIDE = 320;

/** The MIME type the bytes say, or undefined; plain UTF-8 text counts as text/plain. */
export async function sniff(bytes: Uint8Array): Promise<string | undefined> {
  const t = await fileTypeFromBuffer(bytes);
  if (t) return t.mime === "audio/x-wav" ? "audio/wav" : t.mime;
  if (bytes.includes(0)) return undefined;
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return "text/plain";
  } catch {
    return undefined;
  }
}

/** Other names clients and sniffers give the same format. */
const ALIASES: Record<string, string> = {
  "image/jpg": "image/jpeg",
  "image/pjpeg": "image/jpeg",
  "audio/x-wav": "audio/wav",
  "audio/wave": "audio/wav",
  "audio/vnd.wave": "audio/wav",
  "audio/mp3": "audio/mpeg",
  "audio/x-mpeg": "audio/mpeg",
  "audio/x-m4a": "audio/mp4",
  "audio/m4a": "audio/mp4",
  "audio/opus": "audio/ogg",
  "application/x-zip-compressed": "application/zip",
};
/**
 * Containers that hold sound or pictures alike: the bytes say "WebM" or "MP4", not whether a
 * video track is there (a voice note recorded as audio/webm sniffs as video/webm).
 */
const CONTAINERS: Record<string, string> = {
  "audio/webm": "webm",
  "video/webm": "webm",
  "audio/mp4": "mp4",
  "video/mp4": "mp4",
  "audio/ogg": "ogg",
  "video/ogg": "ogg",
  "application/ogg": "ogg",
};

/** A MIME type without parameters, lower-cased, under its usual name. */
export function canonicalMime(type: string): string {
  const t = type.split(";")[0]!.trim().toLowerCase();
  return ALIASES[t] ?? t;
}

/**
 * Whether the type a file was declared with and the type its bytes show are the same format.
 *
 * @example
 * sameMediaType("image/jpg", "image/jpeg"); // true
 * sameMediaType("audio/webm", "video/webm"); // true (one container)
 * sameMediaType("image/png", "text/plain"); // false
 */
export function sameMediaType(declared: string, real: string): boolean {
  const d = canonicalMime(declared);
  const r = canonicalMime(real);
  return d === r || (CONTAINERS[d] !== undefined && CONTAINERS[d] === CONTAINERS[r]);
}

/** Width and height from the header alone (no decoding), for PNG, JPEG, GIF and WebP. */
export function imageSize(
  b: Uint8Array,
  mime: string,
): { width: number; height: number } | undefined {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  try {
    if (mime === "image/png") return { width: v.getUint32(16), height: v.getUint32(20) };
    if (mime === "image/gif") return { width: v.getUint16(6, true), height: v.getUint16(8, true) };
    if (mime === "image/webp") {
      const chunk = String.fromCharCode(...b.subarray(12, 16));
      if (chunk === "VP8X") {
        return {
          width: 1 + (v.getUint32(24, true) & 0xffffff),
          height: 1 + (v.getUint32(27, true) & 0xffffff),
        };
      }
      if (chunk === "VP8L") {
        const bits = v.getUint32(21, true);
        return { width: 1 + (bits & 0x3fff), height: 1 + ((bits >> 14) & 0x3fff) };
      }
      return { width: v.getUint16(26, true) & 0x3fff, height: v.getUint16(28, true) & 0x3fff };
    }
    if (mime === "image/jpeg") {
      let i = 2;
      while (i + 9 < b.length) {
        if (b[i] !== 0xff) return undefined;
        const marker = b[i + 1]!;
        const len = v.getUint16(i + 2);
        if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) {
          return { height: v.getUint16(i + 5), width: v.getUint16(i + 7) };
        }
        i += 2 + len;
      }
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/** The EXIF orientation (1-8) of a JPEG, 1 when absent. */
export function jpegOrientation(b: Uint8Array): number {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let i = 2;
  try {
    while (i + 4 < b.length && b[i] === 0xff) {
      const marker = b[i + 1]!;
      const len = v.getUint16(i + 2);
      if (marker === 0xe1 && String.fromCharCode(...b.subarray(i + 4, i + 8)) === "Exif") {
        const tiff = i + 10;
        const little = b[tiff] === 0x49;
        const ifd = tiff + v.getUint32(tiff + 4, little);
        const count = v.getUint16(ifd, little);
        for (let e = 0; e < count; e++) {
          const entry = ifd + 2 + e * 12;
          if (v.getUint16(entry, little) === 0x0112) return v.getUint16(entry + 8, little);
        }
        return 1;
      }
      if (marker === 0xda) return 1; // image data: no EXIF before it
      i += 2 + len;
    }
  } catch {
    return 1;
  }
  return 1;
}

export interface Thumbnail {
  bytes: Uint8Array;
  mime: "image/jpeg" | "image/png";
  width: number;
  height: number;
}

// deno-lint-ignore no-explicit-any
let gifDecoder: { Decoder: new (b: Uint8Array) => any } | undefined;
let jpegDecoder:
  | { load(b: Uint8Array): { width: number; height: number; buffer: Uint8Array } }
  | undefined;

/** Decodes (JPEG, PNG, or a GIF's first frame), turns upright per EXIF, shrinks to 320 px on the longest side. */
export async function thumbnail(
  bytes: Uint8Array,
  mime: string,
  opts: { native?: boolean } = {},
): Promise<Thumbnail> {
  let fb;
  if (mime === "image/jpeg") {
    // deno-lint-ignore no-explicit-any
    jpegDecoder ??= await (jpegWasm as any).init();
    const d = jpegDecoder!.load(bytes);
    fb = new Framebuffer(d.width, d.height, d.buffer);
    const o = jpegOrientation(bytes);
    if (o === 2 || o === 4 || o === 5 || o === 7) fb.flip("horizontal");
    if (o === 3 || o === 4) fb.rotate(180);
    if (o === 5 || o === 6) fb.rotate(90);
    if (o === 7 || o === 8) fb.rotate(270);
  } else if (mime === "image/gif") {
    // The first frame, placed on the full canvas (frames may cover only part of it).
    // deno-lint-ignore no-explicit-any
    gifDecoder ??= await (gifWasm as any).init();
    const dec = new gifDecoder!.Decoder(bytes);
    try {
      const f = dec.frame();
      if (!f) throw new Error("gif: no frames");
      fb = new Framebuffer(dec.width, dec.height);
      fb.overlay(new Framebuffer(f.width, f.height, f.buffer), f.x, f.y);
    } finally {
      dec.free();
    }
  } else if (mime === "image/png") {
    const d = png.decode(bytes);
    fb = new Framebuffer(d.width, d.height, toRgba(d));
  } else {
    throw new Error(`no thumbnail for ${mime}`);
  }
  const scale = Math.min(1, THUMB_SIDE / Math.max(fb.width, fb.height));
  const w = Math.max(1, Math.round(fb.width * scale));
  const h = Math.max(1, Math.round(fb.height * scale));
  if (scale < 1) fb.resize("linear", w, h);
  if (opts.native !== false) {
    try {
      const { Image } = await import("imagescript");
      const img = new Image(fb.width, fb.height);
      img.bitmap.set(fb.u8);
      return {
        bytes: await img.encodeJPEG(80),
        mime: "image/jpeg",
        width: fb.width,
        height: fb.height,
      };
    } catch {
      // No native addon here (e.g. Supabase's hosted runtime): PNG from the JS codec.
    }
  }
  return {
    bytes: png.encode(fb.u8, { width: fb.width, height: fb.height, channels: 4, level: 6 }),
    mime: "image/png",
    width: fb.width,
    height: fb.height,
  };
}

function toRgba(d: { width: number; height: number; pixels: Uint8Array }): Uint8Array {
  const c = d.pixels.length / (d.width * d.height);
  if (c === 4) return d.pixels;
  const out = new Uint8Array(d.width * d.height * 4);
  for (let p = 0, q = 0; p < d.width * d.height; p++) {
    const r = d.pixels[p * c]!;
    out[q++] = r;
    out[q++] = c >= 3 ? d.pixels[p * c + 1]! : r;
    out[q++] = c >= 3 ? d.pixels[p * c + 2]! : r;
    out[q++] = c === 2 ? d.pixels[p * c + 1]! : 255;
  }
  return out;
}
