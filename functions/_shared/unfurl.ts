/**
 * Link previews (issue 14): the title, description, site name and image of the first http(s)
 * link of a message, from the page's Open Graph / Twitter card / `<meta name=description>` /
 * `<title>`, parsed with htmlparser2 as the page streams in and stopped at `</head>` (or at
 * LINK_PREVIEW.maxHtmlBytes). Every request goes through `safeFetch` (SSRF guard, redirects);
 * one deadline covers the page and its image. Text comes out as plain text, never markup.
 */
import { Parser } from "htmlparser2";
import { find } from "linkifyjs";
import { LINK_PREVIEW } from "./limits.ts";
import { readCapped, type Resolver, safeFetch } from "./safe_fetch.ts";
import { imageSize, sniff } from "./media.ts";

export interface PageMeta {
  title?: string;
  description?: string;
  siteName?: string;
  image?: string;
}

export interface Unfurled {
  /** The link as the message wrote it. */
  url: string;
  title: string | null;
  description: string | null;
  siteName: string;
  image: { bytes: Uint8Array; mime: string; width: number; height: number } | null;
}

export interface UnfurlOptions {
  allow?: readonly string[];
  resolve?: Resolver;
  timeoutMs?: number;
}

const WRITTEN_OUT = /https?:\/\//i;

/**
 * The first http(s) link written out in `text` (a bare `example.com` is not one).
 *
 * @example
 * firstLink("see https://example.com/a, then"); // "https://example.com/a"
 */
export function firstLink(text: string): string | undefined {
  // Every message is asked; most have no link, and tokenizing them costs more than this test.
  if (!WRITTEN_OUT.test(text)) return undefined;
  return find(text, "url").find((l) => /^https?:\/\//i.test(l.value))?.href;
}

/** Whitespace collapsed, control characters dropped, cut to `max` characters. */
export function cleanText(s: string | undefined, max: number): string | undefined {
  const t = s?.replace(/[\p{Cc}\p{Cf}]/gu, " ").replace(/\s+/g, " ").trim();
  if (!t) return undefined;
  return t.length > max ? `${t.slice(0, max - 1).trimEnd()}…` : t;
}

/**
 * A streaming extractor: `write` HTML as it arrives; it answers false once `</head>` (or
 * `<body>`) has passed and nothing more is needed.
 *
 * @example
 * const x = metaExtractor(); x.write('<meta property="og:title" content="Hi">'); x.meta().title;
 */
export function metaExtractor() {
  const found: Record<string, string> = {};
  let title = "";
  let inTitle = false;
  let done = false;
  const parser = new Parser({
    onopentag(name, attrs) {
      if (name === "body") done = true;
      if (name === "title") inTitle = true;
      if (name !== "meta") return;
      const key = (attrs.property ?? attrs.name ?? "").toLowerCase();
      if (key && attrs.content !== undefined && found[key] === undefined) {
        found[key] = attrs.content;
      }
    },
    ontext(text) {
      if (inTitle) title += text;
    },
    onclosetag(name) {
      if (name === "title") inTitle = false;
      if (name === "head") done = true;
    },
  }, { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true });
  return {
    write(html: string): boolean {
      if (!done) parser.write(html);
      return !done;
    },
    meta(): PageMeta {
      parser.end();
      const pick = (...keys: string[]) => keys.map((k) => found[k]).find((v) => v?.trim());
      const out: PageMeta = {};
      const t = pick("og:title", "twitter:title") ?? title;
      const d = pick("og:description", "twitter:description", "description");
      const s = pick("og:site_name", "application-name");
      const i = pick("og:image:secure_url", "og:image:url", "og:image", "twitter:image");
      if (t) out.title = t;
      if (d) out.description = d;
      if (s) out.siteName = s;
      if (i) out.image = i.trim();
      return out;
    },
  };
}

function charsetOf(contentType: string): string {
  const m = /charset=["']?([\w-]+)/i.exec(contentType);
  try {
    return new TextDecoder(m?.[1] ?? "utf-8").encoding;
  } catch {
    return "utf-8";
  }
}

async function fetchImage(
  src: string,
  base: URL,
  opts: UnfurlOptions,
  signal: AbortSignal,
): Promise<Unfurled["image"]> {
  let url: URL;
  try {
    url = new URL(src, base);
  } catch {
    return null;
  }
  const { response } = await safeFetch(url, {
    ...opts,
    signal,
    maxRedirects: LINK_PREVIEW.maxRedirects,
    headers: { accept: LINK_PREVIEW.imageMimeTypes.join(", ") },
  });
  const declared = (response.headers.get("content-type") ?? "").split(";")[0]!.trim();
  const length = Number(response.headers.get("content-length") ?? 0);
  if (
    !response.ok || !(LINK_PREVIEW.imageMimeTypes as readonly string[]).includes(declared) ||
    length > LINK_PREVIEW.maxImageBytes
  ) {
    await response.body?.cancel();
    return null;
  }
  const { bytes, whole } = await readCapped(response, LINK_PREVIEW.maxImageBytes);
  if (!whole) return null;
  // The bytes must be the image type they claim (Storage serves them as that type).
  const real = await sniff(bytes);
  if (real !== declared) return null;
  const dims = imageSize(bytes, real);
  if (!dims || dims.width * dims.height > 25_000_000) return null;
  return { bytes, mime: real, ...dims };
}

/**
 * The preview of `link`, or undefined when the page is not HTML, not reachable, refused by the
 * SSRF guard (FetchRefused), too slow, or says nothing worth showing.
 *
 * @example
 * const p = await unfurl("https://example.com/post");
 */
export async function unfurl(
  link: string,
  opts: UnfurlOptions = {},
): Promise<Unfurled | undefined> {
  const signal = AbortSignal.timeout(opts.timeoutMs ?? LINK_PREVIEW.timeoutMs);
  const { url, response } = await safeFetch(link, {
    ...opts,
    signal,
    maxRedirects: LINK_PREVIEW.maxRedirects,
    headers: { accept: "text/html,application/xhtml+xml;q=0.9", "user-agent": "ChatLinkPreview/1" },
  });
  const type = response.headers.get("content-type") ?? "";
  if (!response.ok || !/^\s*(text\/html|application\/xhtml\+xml)/i.test(type)) {
    await response.body?.cancel();
    return undefined;
  }
  const extractor = metaExtractor();
  const decoder = new TextDecoder(charsetOf(type));
  await readCapped(
    response,
    LINK_PREVIEW.maxHtmlBytes,
    (chunk) => extractor.write(decoder.decode(chunk, { stream: true })),
  );
  const meta = extractor.meta();
  const title = cleanText(meta.title, LINK_PREVIEW.titleChars) ?? null;
  const description = cleanText(meta.description, LINK_PREVIEW.descriptionChars) ?? null;
  let image: Unfurled["image"] = null;
  if (meta.image) {
    try {
      image = await fetchImage(meta.image, url, opts, signal);
    } catch (e) {
      // A page without its image is still worth showing; a spent deadline is not.
      if (signal.aborted) throw e;
    }
  }
  if (!title && !description && !image) return undefined;
  return {
    url: link,
    title,
    description,
    siteName: cleanText(meta.siteName, LINK_PREVIEW.siteNameChars) ?? url.hostname,
    image,
  };
}
