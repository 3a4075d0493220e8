/// <reference lib="dom" />
/**
 * Attachments made in the page for the browser tests: a PNG drawn on a canvas (600×450, or
 * 300×900 when its name starts with "tall"), a two-second WAV and a small PDF, put into the
 * composer through its file input; returns once every upload is done.
 */
import type { Page } from "playwright-core";

/** Puts files into the composer through its file input, made in the page (canvas, bytes). */
export async function attach(page: Page, files: { name: string; type: string; kind: string }[]) {
  await page.evaluate(async (list) => {
    const made: File[] = [];
    for (const f of list) {
      if (f.kind === "png") {
        const canvas = document.createElement("canvas");
        // "tall…" is a portrait image, anything else landscape.
        canvas.width = f.name.startsWith("tall") ? 300 : 600;
        canvas.height = f.name.startsWith("tall") ? 900 : 450;
        const ctx = canvas.getContext("2d")!;
        ctx.fillStyle = "#0e7490";
        ctx.fillRect(0, 0, canvas.width, canvas.height);
        ctx.fillStyle = "#fde68a";
        ctx.fillRect(40, 40, canvas.width - 80, canvas.height - 80);
        const blob = await new Promise<Blob>((r) => canvas.toBlob((b) => r(b!), "image/png"));
        made.push(new File([blob], f.name, { type: f.type }));
      } else if (f.kind === "wav") {
        // 8 kHz mono 8-bit PCM, two seconds of a square wave.
        const n = 16000;
        const wav = new Uint8Array(44 + n);
        const v = new DataView(wav.buffer);
        const ascii = (at: number, s: string) =>
          [...s].forEach((c, i) => v.setUint8(at + i, c.charCodeAt(0)));
        ascii(0, "RIFF");
        v.setUint32(4, 36 + n, true);
        ascii(8, "WAVEfmt ");
        v.setUint32(16, 16, true);
        v.setUint16(20, 1, true);
        v.setUint16(22, 1, true);
        v.setUint32(24, 8000, true);
        v.setUint32(28, 8000, true);
        v.setUint16(32, 1, true);
        v.setUint16(34, 8, true);
        ascii(36, "data");
        v.setUint32(40, n, true);
        for (let i = 0; i < n; i++) wav[44 + i] = (i >> 4) % 2 ? 200 : 56;
        made.push(new File([wav], f.name, { type: f.type }));
      } else {
        const pdf = "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n" +
          "%%EOF\n";
        made.push(new File([pdf], f.name, { type: f.type }));
      }
    }
    const dt = new DataTransfer();
    for (const f of made) dt.items.add(f);
    const input = document.querySelector<HTMLInputElement>(".composer input[type=file]")!;
    input.files = dt.files;
    input.dispatchEvent(new Event("change", { bubbles: true }));
  }, files);
  await page.locator(".uploads li.done").nth(files.length - 1).waitFor();
  await page.waitForFunction(() => !document.querySelector(".uploads li:not(.done)"));
}
