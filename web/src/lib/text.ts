/**
 * A message's text cut into pieces the view renders as text nodes: plain runs, links (found by
 * linkifyjs) and @mentions. Nothing here produces HTML; Preact escapes every piece.
 */
import { find } from "linkifyjs";

export type Piece =
  | { kind: "text"; text: string }
  | { kind: "link"; text: string; href: string }
  | { kind: "mention"; text: string; username: string };

const MENTION = /(^|[^\w@])@([a-z0-9_.]{3,32})/gi;

function mentions(text: string): Piece[] {
  const out: Piece[] = [];
  let last = 0;
  for (const m of text.matchAll(MENTION)) {
    const start = m.index + (m[1]?.length ?? 0);
    if (start > last) out.push({ kind: "text", text: text.slice(last, start) });
    const name = m[2]!.replace(/\.+$/, "");
    out.push({ kind: "mention", text: `@${name}`, username: name.toLowerCase() });
    last = start + 1 + name.length;
  }
  if (last < text.length) out.push({ kind: "text", text: text.slice(last) });
  return out;
}

export function pieces(text: string): Piece[] {
  const out: Piece[] = [];
  let last = 0;
  for (const l of find(text, "url")) {
    if (l.start > last) out.push(...mentions(text.slice(last, l.start)));
    // Only http(s) links become anchors: no javascript:, data: or other schemes.
    if (/^https?:\/\//i.test(l.href)) out.push({ kind: "link", text: l.value, href: l.href });
    else out.push({ kind: "text", text: l.value });
    last = l.end;
  }
  if (last < text.length) out.push(...mentions(text.slice(last)));
  return out;
}

/** Search snippets mark hits with U+0002 … U+0003: split into plain and highlighted runs. */
export function highlights(snippet: string): { text: string; hit: boolean }[] {
  const out: { text: string; hit: boolean }[] = [];
  // deno-lint-ignore no-control-regex -- the markers are control characters by design
  for (const [i, part] of snippet.split(/[\u0002\u0003]/).entries()) {
    if (part) out.push({ text: part, hit: i % 2 === 1 });
  }
  return out;
}

export function formatBytes(n: number, locale: string): string {
  const units = ["byte", "kilobyte", "megabyte", "gigabyte"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return new Intl.NumberFormat(locale, {
    style: "unit",
    unit: units[i]!,
    unitDisplay: "short",
    maximumFractionDigits: i ? 1 : 0,
  }).format(n);
}
