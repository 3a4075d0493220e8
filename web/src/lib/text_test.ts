import assert from "node:assert/strict";
import { formatBytes, highlights, pieces } from "./text.ts";

Deno.test("pieces finds http(s) links and mentions, and leaves everything else as text", () => {
  assert.deepEqual(pieces("see https://example.com/a?b=1, @bob."), [
    { kind: "text", text: "see " },
    { kind: "link", text: "https://example.com/a?b=1", href: "https://example.com/a?b=1" },
    { kind: "text", text: ", " },
    { kind: "mention", text: "@bob", username: "bob" },
    { kind: "text", text: "." },
  ]);
});

Deno.test("pieces never makes a link of javascript: or data: and keeps HTML as plain text", () => {
  const out = pieces(`javascript:alert(1) <img src=x onerror=alert(1)> data:text/html,<b>x</b>`);
  assert.ok(out.every((p) => p.kind !== "link" || /^https?:/.test(p.href)));
  assert.equal(
    out.map((p) => p.text).join(""),
    `javascript:alert(1) <img src=x onerror=alert(1)> data:text/html,<b>x</b>`,
  );
});

Deno.test("pieces does not take an email address for a mention", () => {
  assert.ok(pieces("mail ann@example.com").every((p) => p.kind !== "mention"));
});

Deno.test("highlights splits a snippet on the U+0002/U+0003 markers", () => {
  assert.deepEqual(highlights("the \u0002zebra\u0003 plan"), [
    { text: "the ", hit: false },
    { text: "zebra", hit: true },
    { text: " plan", hit: false },
  ]);
});

Deno.test("formatBytes uses the locale's units", () => {
  assert.equal(formatBytes(512, "en"), "512 byte");
  assert.equal(formatBytes(25 * 1024 * 1024, "en"), "25 MB");
});
