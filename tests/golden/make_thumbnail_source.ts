/** The deterministic source image of the thumbnail golden test (1200×800 gradients and rings). */
import { Image } from "imagescript";

export async function thumbnailSource(): Promise<Uint8Array> {
  const img = new Image(1200, 800);
  img.fill((x: number, y: number) => {
    const r = (x * 255 / 1200) & 0xff;
    const g = (y * 255 / 800) & 0xff;
    const d = Math.hypot(x - 600, y - 400);
    const b = (Math.sin(d / 12) * 127 + 128) & 0xff;
    return ((r << 24) | (g << 16) | (b << 8) | 0xff) >>> 0;
  });
  return await img.encode(); // PNG: lossless, so the source is the same everywhere
}

if (import.meta.main) {
  // Regenerate the golden file (only when the thumbnail pipeline changes on purpose).
  const { thumbnail } = await import("../../functions/_shared/media.ts");
  const t = await thumbnail(await thumbnailSource(), "image/png", { native: false });
  await Deno.writeFile(new URL("./thumbnail_320x213.png", import.meta.url), t.bytes);
  console.log(`wrote ${t.width}x${t.height}`);
}
