import assert from "node:assert/strict";
import { authConfig } from "./config.ts";

const toml = {
  api: { port: 54321 },
  auth: {
    site_url: "http://127.0.0.1:54321",
    additional_redirect_urls: [
      "http://127.0.0.1:54321/",
      "http://localhost:54321/reset?x=1",
      "http://127.0.0.1:3000",
      "https://chat.example.com/",
    ],
  },
};
const opts = {
  apiUrl: "http://127.0.0.1:55321/auth/v1",
  jwtSecret: "x".repeat(32),
  env: () => undefined,
};

Deno.test("the site URL follows the port the stack really serves on; redirect URLs gain their twins on it", () => {
  const cfg = authConfig(toml, { ...opts, publicUrl: "http://127.0.0.1:55321" });
  assert.equal(cfg.siteUrl, "http://127.0.0.1:55321");
  assert.deepEqual(cfg.redirectUrls, [
    "http://127.0.0.1:54321/",
    "http://127.0.0.1:55321/",
    "http://localhost:54321/reset?x=1",
    "http://localhost:55321/reset?x=1",
    "http://127.0.0.1:3000",
    "https://chat.example.com/",
  ]);
});

Deno.test("on the configured port, or without a public URL, they stay as written", () => {
  for (const publicUrl of ["http://127.0.0.1:54321", undefined]) {
    const cfg = authConfig(toml, { ...opts, ...(publicUrl ? { publicUrl } : {}) });
    assert.equal(cfg.siteUrl, "http://127.0.0.1:54321");
    assert.deepEqual(cfg.redirectUrls, toml.auth.additional_redirect_urls);
  }
});
