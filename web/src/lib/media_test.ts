import assert from "node:assert/strict";
import { displayName, storageName, thumbBox } from "./media.ts";

Deno.test("storageName keeps a readable name the API accepts", () => {
  const ok = /^[A-Za-z0-9._-]{1,200}$/;
  for (
    const [name, type, want] of [
      ["Sunset at the beach.PNG", "image/png", "Sunset-at-the-beach.png"],
      ["résumé.pdf", "application/pdf", "resume.pdf"],
      ["../../etc/passwd", "text/plain", "etc-passwd.plain"],
      ["", "image/jpeg", "file.jpeg"],
      ["我的照片.jpg", "image/jpeg", "file.jpg"],
    ] as const
  ) {
    const got = storageName({ name, type });
    assert.equal(got, want);
    assert.match(got, ok);
  }
});

Deno.test("displayName drops the upload's uuid prefix", () => {
  assert.equal(
    displayName("c/u/0f8fad5b-d9cb-469f-a165-70867728950e_report.pdf"),
    "report.pdf",
  );
  assert.equal(displayName("c/u/plain.txt"), "plain.txt");
});

Deno.test("thumbBox fits an image in 320×240 keeping its shape, never enlarging it", () => {
  assert.deepEqual(thumbBox({ width: 1200, height: 600 }), { width: 320, height: 160 });
  assert.deepEqual(thumbBox({ width: 300, height: 900 }), { width: 80, height: 240 });
  assert.deepEqual(thumbBox({ width: 100, height: 50 }), { width: 100, height: 50 });
  assert.deepEqual(thumbBox({ width: null, height: null }), { width: 320, height: 240 });
  assert.deepEqual(thumbBox({ width: 0, height: 10 }), { width: 320, height: 240 });
});
