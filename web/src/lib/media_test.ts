import assert from "node:assert/strict";
import { displayName, storageName } from "./media.ts";

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
