import assert from "node:assert/strict";
import { cleanText, firstLink, metaExtractor, unfurl } from "./unfurl.ts";
import { FetchRefused } from "./safe_fetch.ts";
import { LINK_PREVIEW } from "./limits.ts";
import { startFakeSite } from "../../tests/_helpers/fake_site.ts";

Deno.test("firstLink finds the first written-out http(s) link only", () => {
  assert.equal(
    firstLink("see example.com and https://a.example/x?y=1, or http://b.example"),
    "https://a.example/x?y=1",
  );
  assert.equal(firstLink("no links, ftp://x.example, mail@x.example"), undefined);
  assert.equal(firstLink("(http://c.example/p)."), "http://c.example/p");
});

Deno.test("metaExtractor prefers Open Graph, falls back to <title> and meta description, decodes entities", () => {
  const x = metaExtractor();
  x.write('<html><head><title>T &amp; U</title><meta name="description" content="D &lt;3">');
  assert.equal(x.write("</head><body>"), false, "stops after the head");
  assert.deepEqual(x.meta(), { title: "T & U", description: "D <3" });
  const og = metaExtractor();
  og.write(
    '<meta property="og:title" content="OG"><title>T</title><meta property="og:image" content=" /i.png ">',
  );
  og.write(
    '<meta name="twitter:description" content="tw"><meta property="og:site_name" content="S">',
  );
  assert.deepEqual(og.meta(), { title: "OG", description: "tw", siteName: "S", image: "/i.png" });
});

Deno.test("cleanText collapses whitespace, drops control characters and cuts long text", () => {
  assert.equal(cleanText("  a\n\tb\u0000c\u202e ", 10), "a b c");
  assert.equal(cleanText("x".repeat(20), 10), `${"x".repeat(9)}…`);
  assert.equal(cleanText(" \n ", 10), undefined);
});

Deno.test("unfurl reads title, description, site name and image of an allow-listed page, through 3 redirects", async () => {
  await using site = await startFakeSite();
  const allow = [site.hostPort];
  const p = await unfurl(`${site.origin}/og`, { allow });
  assert.equal(p?.title, "Fish & Chips <b>weekly</b>", "text, never markup");
  assert.equal(p?.description, "All about frying, in one page.");
  assert.equal(p?.siteName, "Fake Site");
  assert.equal(p?.image?.mime, "image/png");
  assert.deepEqual([p?.image?.width, p?.image?.height], [4, 3]);
  const r = await unfurl(`${site.origin}/r1`, { allow });
  assert.equal(r?.title, "Fish & Chips <b>weekly</b>");
  assert.equal(r?.url, `${site.origin}/r1`, "the link as written");
  const t = await unfurl(`${site.origin}/title-only`, { allow });
  assert.deepEqual([t?.title, t?.description, t?.siteName, t?.image], [
    "Just a title",
    "Meta description",
    "127.0.0.1",
    null,
  ]);
});

Deno.test("unfurl refuses a 4th redirect and a redirect to a target that is not allow-listed", async () => {
  await using site = await startFakeSite();
  const allow = [site.hostPort];
  await assert.rejects(unfurl(`${site.origin}/r0`, { allow }), FetchRefused);
  const before = site.hits.length;
  await assert.rejects(unfurl(`${site.origin}/to-private`, { allow }), /port 9 is not fetched/);
  assert.deepEqual(site.hits.slice(before), ["/to-private"]);
});

Deno.test("unfurl refuses private and loopback targets without the allow-list, before connecting", async () => {
  await using site = await startFakeSite();
  await assert.rejects(unfurl(`${site.origin}/og`), /port \d+ is not fetched/);
  await assert.rejects(unfurl(`http://127.0.0.1/og`), /non-public address \(127\.0\.0\.1\)/);
  await assert.rejects(unfurl(`http://[::1]/og`), FetchRefused);
  await assert.rejects(unfurl(`http://10.1.2.3/`), FetchRefused);
  // Numeric spellings of 127.0.0.1 (the URL parser normalises them first).
  await assert.rejects(unfurl(`http://2130706433/`), /127\.0\.0\.1/);
  await assert.rejects(unfurl(`http://0x7f.1/`), /127\.0\.0\.1/);
  await assert.rejects(unfurl(`http://169.254.169.254/latest/meta-data/`), FetchRefused);
  await assert.rejects(unfurl(`http://[::ffff:127.0.0.1]/`), FetchRefused);
  await assert.rejects(unfurl(`file:///etc/passwd`), /scheme file: is not fetched/);
  // A name is judged by every address it resolves to.
  const resolve = (host: string) =>
    Promise.resolve(host === "mixed.example" ? ["93.184.215.14", "192.168.0.5"] : []);
  await assert.rejects(unfurl("https://mixed.example/", { resolve }), /192\.168\.0\.5/);
  await assert.rejects(unfurl("https://nowhere.example/", { resolve }), /does not resolve/);
  assert.equal(site.hits.length, 0, "nothing reached the site");
});

Deno.test("unfurl stops reading HTML at its limit and drops images that are too big or not images", async () => {
  await using site = await startFakeSite();
  const allow = [site.hostPort];
  const big = await unfurl(`${site.origin}/big`, { allow });
  assert.equal(big?.title, "Big page");
  assert.equal(
    big?.description,
    null,
    `the description lies past ${LINK_PREVIEW.maxHtmlBytes} bytes`,
  );
  const bigImage = await unfurl(`${site.origin}/big-image`, { allow });
  assert.deepEqual([bigImage?.title, bigImage?.image], ["Big image", null]);
  const fake = await unfurl(`${site.origin}/fake-image`, { allow });
  assert.deepEqual([fake?.title, fake?.image], ["Fake image", null]);
  assert.equal(await unfurl(`${site.origin}/json`, { allow }), undefined, "not HTML");
});

Deno.test("unfurl gives up on a page that never finishes at its deadline", async () => {
  await using site = await startFakeSite();
  const t = performance.now();
  await assert.rejects(unfurl(`${site.origin}/slow`, { allow: [site.hostPort], timeoutMs: 300 }));
  const ms = performance.now() - t;
  assert.ok(ms >= 290 && ms < 2000, `gave up after ${ms} ms`);
  assert.equal(LINK_PREVIEW.timeoutMs, 5000);
});

Deno.test("preview images fit the attachments bucket they are cached in", async () => {
  const { ATTACHMENT_MAX_BYTES, ATTACHMENT_MIME_TYPES } = await import("./limits.ts");
  for (const t of LINK_PREVIEW.imageMimeTypes) assert.ok(ATTACHMENT_MIME_TYPES.includes(t), t);
  assert.ok(LINK_PREVIEW.maxImageBytes <= ATTACHMENT_MAX_BYTES);
});
