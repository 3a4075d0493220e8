/**
 * A message's text parsed as chat Markdown into a small tree the view builds elements from:
 * **bold**, *italic*, ~~strike~~, `code`, fenced code blocks, > quotes, lists and links.
 *
 * The parser is micromark's (through mdast-util-from-markdown, with GFM strikethrough): a
 * maintained CommonMark parser that yields an AST, never HTML. Constructs a chat does not want
 * are switched off, so their source shows as typed: raw HTML (`<img onerror=…>` stays text),
 * headings, thematic breaks, indented code, images and link reference definitions. Text runs
 * then go through `pieces` (lib/text.ts) for bare links and @mentions; code never does.
 * Only http(s) links become links: `[x](javascript:…)` keeps its text and loses the link.
 *
 * This module is loaded lazily (MessageText.tsx) so the parser stays out of the first bundle.
 */
import { fromMarkdown } from "mdast-util-from-markdown";
import { gfmStrikethrough } from "micromark-extension-gfm-strikethrough";
import { gfmStrikethroughFromMarkdown } from "mdast-util-gfm-strikethrough";
import { pieces } from "./text.ts";

export type Inline =
  | { type: "text"; value: string }
  | { type: "mention"; value: string; username: string }
  | { type: "link"; href: string; children: Inline[] }
  | { type: "strong" | "emphasis" | "delete"; children: Inline[] }
  | { type: "code"; value: string }
  | { type: "break" };

export type Block =
  | { type: "paragraph"; children: Inline[] }
  | { type: "code"; lang: string | null; value: string }
  | { type: "blockquote"; children: Block[] }
  | { type: "list"; ordered: boolean; start: number | null; items: Block[][] };

type Root = ReturnType<typeof fromMarkdown>;
type MdNode = Root | Root["children"][number];
type MdParent = Extract<MdNode, { children: unknown[] }>;
type MdChild = MdParent["children"][number];

/** micromark construct names switched off: their source stays text. */
const DISABLED = [
  "htmlFlow",
  "htmlText",
  "headingAtx",
  "setextUnderline",
  "thematicBreak",
  "codeIndented",
  "definition",
  "labelStartImage",
];

const SAFE_URL = /^https?:\/\//i;

function textRuns(value: string, linkify: boolean): Inline[] {
  if (!linkify) return value ? [{ type: "text", value }] : [];
  return pieces(value).map((p): Inline =>
    p.kind === "link"
      ? { type: "link", href: p.href, children: [{ type: "text", value: p.text }] }
      : p.kind === "mention"
      ? { type: "mention", value: p.text, username: p.username }
      : { type: "text", value: p.text }
  );
}

/** Adjacent text runs merged, so a disabled construct's pieces read as one string. */
function merged(list: Inline[]): Inline[] {
  const out: Inline[] = [];
  for (const n of list) {
    const prev = out[out.length - 1];
    if (n.type === "text" && prev?.type === "text") prev.value += n.value;
    else out.push(n);
  }
  return out;
}

/**
 * Phrasing content. Inside a link (`inLink`) nothing is linkified or turned into a mention, so
 * anchors never nest. Plain text is linkified once the neighbouring text runs are joined, so a
 * URL that micromark split (at `_` or `*`) is still found whole.
 */
function inlines(nodes: MdChild[], inLink: boolean, source: string): Inline[] {
  const raw: (Inline | { type: "raw"; value: string })[] = [];
  for (const n of nodes) {
    switch (n.type) {
      case "text":
        raw.push({ type: "raw", value: n.value });
        break;
      case "inlineCode":
        raw.push({ type: "code", value: n.value });
        break;
      case "break":
        raw.push({ type: "break" });
        break;
      case "strong":
      case "emphasis":
      case "delete":
        raw.push({ type: n.type, children: inlines(n.children, inLink, source) });
        break;
      case "link": {
        if (!inLink && SAFE_URL.test(n.url)) {
          raw.push({ type: "link", href: n.url, children: inlines(n.children, true, source) });
        } else {
          // Not a link we follow: what was typed, as text.
          const { start, end } = n.position ?? {};
          if (start?.offset !== undefined && end?.offset !== undefined) {
            raw.push({ type: "raw", value: source.slice(start.offset, end.offset) });
          } else raw.push(...inlines(n.children, true, source));
        }
        break;
      }
      default:
        // Anything else the parser might still produce: its text, never markup.
        if ("value" in n && typeof n.value === "string") raw.push({ type: "raw", value: n.value });
        else if ("children" in n) raw.push(...inlines(n.children as MdChild[], inLink, source));
    }
  }
  const out: Inline[] = [];
  let buf = "";
  for (const n of raw) {
    if (n.type === "raw") {
      buf += n.value;
      continue;
    }
    out.push(...textRuns(buf, !inLink));
    buf = "";
    out.push(n);
  }
  out.push(...textRuns(buf, !inLink));
  return merged(out);
}

function blocks(nodes: MdChild[], source: string): Block[] {
  const out: Block[] = [];
  for (const n of nodes) {
    switch (n.type) {
      case "paragraph":
        out.push({ type: "paragraph", children: inlines(n.children, false, source) });
        break;
      case "code":
        out.push({ type: "code", lang: n.lang?.toLowerCase() ?? null, value: n.value });
        break;
      case "blockquote":
        out.push({ type: "blockquote", children: blocks(n.children, source) });
        break;
      case "list":
        out.push({
          type: "list",
          ordered: !!n.ordered,
          start: n.ordered ? n.start ?? 1 : null,
          items: n.children.map((item) => blocks(item.children, source)),
        });
        break;
      default:
        if ("value" in n && typeof n.value === "string") {
          out.push({ type: "paragraph", children: textRuns(n.value, true) });
        } else if ("children" in n) {
          out.push(...blocks(n.children as MdChild[], source));
        }
    }
  }
  return out;
}

/**
 * The blocks of a message's text.
 *
 * @example
 * parseMessage("**hi** @bob");
 * // [{ type: "paragraph", children: [
 * //   { type: "strong", children: [{ type: "text", value: "hi" }] },
 * //   { type: "text", value: " " },
 * //   { type: "mention", value: "@bob", username: "bob" } ] }]
 */
export function parseMessage(text: string): Block[] {
  const tree = fromMarkdown(text, {
    extensions: [gfmStrikethrough({ singleTilde: false }), { disable: { null: DISABLED } }],
    mdastExtensions: [gfmStrikethroughFromMarkdown()],
  });
  return blocks(tree.children, text);
}
