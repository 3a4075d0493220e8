import assert from "node:assert/strict";
import { Image } from "imagescript";
import { imageSize, jpegOrientation, sameMediaType, sniff, thumbnail } from "./media.ts";

/** A JPEG with an EXIF APP1 segment saying `orientation`. */
function withOrientation(jpeg: Uint8Array, orientation: number): Uint8Array {
  const tiff = [
    0x4d,
    0x4d,
    0,
    42,
    0,
    0,
    0,
    8,
    0,
    1,
    0x01,
    0x12,
    0,
    3,
    0,
    0,
    0,
    1,
    0,
    orientation,
    0,
    0,
    0,
    0,
    0,
    0,
  ];
  const body = [...new TextEncoder().encode("Exif"), 0, 0, ...tiff];
  const app1 = [0xff, 0xe1, (body.length + 2) >> 8, (body.length + 2) & 0xff, ...body];
  return new Uint8Array([...jpeg.subarray(0, 2), ...app1, ...jpeg.subarray(2)]);
}

Deno.test("sniff tells types by their bytes, not their names", async () => {
  const img = new Image(8, 8);
  assert.equal(await sniff(await img.encodeJPEG(80)), "image/jpeg");
  assert.equal(await sniff(await img.encode()), "image/png");
  assert.equal(await sniff(new TextEncoder().encode("just text ✓")), "text/plain");
  const exe = new Uint8Array([0x4d, 0x5a, 0x90, 0, 3, 0, 0, 0, 4]);
  assert.equal(await sniff(exe), "application/x-msdownload", "an executable, whatever its name");
  assert.equal(
    await sniff(new Uint8Array([0, 1, 2, 3, 0, 9])),
    undefined,
    "binary junk is nothing we know",
  );
});

Deno.test("imageSize reads dimensions from headers, and thumbnails are at most 320 px, smooth, upright", async () => {
  const img = new Image(800, 600);
  img.fill((x: number) => (x % 2 ? 0x000000ff : 0xffffffff)); // a fine stripe pattern
  const jpeg = await img.encodeJPEG(90);
  assert.deepEqual(imageSize(jpeg, "image/jpeg"), { width: 800, height: 600 });
  assert.deepEqual(imageSize(await img.encode(), "image/png"), { width: 800, height: 600 });

  const t = await thumbnail(jpeg, "image/jpeg");
  assert.deepEqual([t.width, t.height], [320, 240]);
  const rotated = withOrientation(jpeg, 6);
  assert.equal(jpegOrientation(rotated), 6);
  const upright = await thumbnail(rotated, "image/jpeg");
  assert.deepEqual(
    [upright.width, upright.height],
    [240, 320],
    "EXIF orientation 6 turns it upright",
  );

  // Without the native addon (Supabase's hosted runtime): the WASM/JS path, PNG out.
  const wasm = await thumbnail(jpeg, "image/jpeg", { native: false });
  assert.equal(wasm.mime, "image/png");
  assert.deepEqual([wasm.width, wasm.height], [320, 240]);
  const fromPng = await thumbnail(await img.encode(), "image/png", { native: false });
  assert.deepEqual([fromPng.width, fromPng.height], [320, 240]);
  // Pure black and white stripes: nearest-neighbour would keep 0 and 255; linear blends them.
  const back = await Image.decode(fromPng.bytes);
  const px = [...Array(20).keys()].map((x) => (back.getPixelAt(x + 1, 10) >>> 8) & 0xff);
  assert.ok(px.every((v) => v > 5 && v < 250), `a smooth filter, not nearest-neighbour: ${px}`);
  await assert.rejects(
    () => thumbnail(new Uint8Array([0xff, 0xd8, 0xff, 0, 1, 2, 3]), "image/jpeg"),
    "a corrupt image is an error, not a crash",
  );
});

Deno.test("thumbnail golden test: the WASM/JS path gives the reviewed picture, within 2 levels per channel", async () => {
  const { thumbnailSource } = await import("../../tests/golden/make_thumbnail_source.ts");
  const t = await thumbnail(await thumbnailSource(), "image/png", { native: false });
  const got = await Image.decode(t.bytes);
  const want = await Image.decode(
    await Deno.readFile(new URL("../../tests/golden/thumbnail_320x213.png", import.meta.url)),
  );
  assert.deepEqual([got.width, got.height], [want.width, want.height]);
  let worst = 0;
  for (let i = 0; i < got.bitmap.length; i++) {
    worst = Math.max(worst, Math.abs(got.bitmap[i]! - want.bitmap[i]!));
  }
  assert.ok(worst <= 2, `largest difference ${worst}`);
});

Deno.test("a GIF's thumbnail is its first frame, on the whole canvas", async () => {
  const { GIF, Frame } = await import("imagescript");
  const first = new Frame(640, 480, 100);
  first.fill(0x00ff00ff);
  const second = new Frame(640, 480, 100);
  second.fill(0xff0000ff);
  const gif = await new GIF([first, second]).encode();
  assert.equal(await sniff(gif), "image/gif");
  assert.deepEqual(imageSize(gif, "image/gif"), { width: 640, height: 480 });
  const t = await thumbnail(gif, "image/gif", { native: false });
  assert.deepEqual([t.width, t.height], [320, 240]);
  const px = (await Image.decode(t.bytes)).getPixelAt(160, 120);
  assert.equal((px >>> 16) & 0xff, 0xff, "green: the first frame");
  assert.equal(px >>> 24, 0, "not the second, red frame");
});

Deno.test("sameMediaType accepts other names of one format and refuses a different one", () => {
  assert.ok(sameMediaType("image/jpg", "image/jpeg"));
  assert.ok(sameMediaType("IMAGE/PNG; charset=binary", "image/png"));
  assert.ok(sameMediaType("audio/x-wav", "audio/wav"));
  assert.ok(sameMediaType("audio/webm", "video/webm"), "a voice note sniffs as video/webm");
  assert.ok(sameMediaType("audio/ogg", "audio/opus"));
  assert.ok(!sameMediaType("image/png", "text/plain"), "text declared as a picture");
  assert.ok(!sameMediaType("image/png", "image/jpeg"));
  assert.ok(!sameMediaType("video/mp4", "video/webm"));
  assert.ok(!sameMediaType("application/pdf", "application/zip"));
});
