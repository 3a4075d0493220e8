/**
 * A message's text with its formatting: Preact elements built from the parsed tree
 * (lib/markdown.ts), never HTML strings, so whatever was typed is escaped by Preact. @mentions
 * keep their `mention` (and `mention-me`) classes; links are http(s) only, open in a new tab,
 * and carry rel="noopener noreferrer nofollow".
 *
 * The parser and the code highlighter are loaded on first need (dynamic import, their own
 * chunks) to keep the first bundle small. Text that cannot format differently (`mayFormat`)
 * never needs them; until the parser is there, a message shows as plain text with links and
 * mentions, as before.
 *
 * The container is a `<p>` for a one-paragraph message (most of them), else a `<div>` holding
 * paragraphs, `<pre>`, `<blockquote>` and lists; `children` (the "edited" mark, the time) go last.
 */
import { signal } from "@preact/signals";
import type { ComponentChildren, JSX } from "preact";
import { useEffect, useMemo } from "preact/hooks";
import type { Block, Inline } from "../lib/markdown.ts";
import type { Token } from "../lib/highlight.ts";
import { pieces } from "../lib/text.ts";

type Parser = typeof import("../lib/markdown.ts");
type Highlighter = typeof import("../lib/highlight.ts");

const parser = signal<Parser | null>(null);
const highlighter = signal<Highlighter | null>(null);
let parserLoading: Promise<void> | null = null;
let highlighterLoading: Promise<void> | null = null;

function loadParser() {
  parserLoading ??= import("../lib/markdown.ts").then((m) => {
    parser.value = m;
  }, () => {
    parserLoading = null; // offline or a stale deploy: plain text now, try again later
  });
}

function loadHighlighter() {
  highlighterLoading ??= import("../lib/highlight.ts").then((m) => {
    highlighter.value = m;
  }, () => {
    highlighterLoading = null;
  });
}

/**
 * Whether the text might read differently as Markdown than as plain text. Without any of
 * these marks the parse is one paragraph of the very same text, so the parser need not load.
 *
 * @example
 * mayFormat("see you at 5"); // false
 * mayFormat("**now**"); // true
 */
export function mayFormat(text: string): boolean {
  return /[*_~`>\\&[<]|^ {0,3}(?:[-+]|\d{1,9}[.)])(?:\s|$)|\n\s*\n| {2,}\n/m.test(text);
}

const LINK_REL = "noopener noreferrer nofollow";

function mention(key: number, value: string, username: string, myName?: string) {
  return <span key={key} class={`mention${username === myName ? " mention-me" : ""}`}>{value}
  </span>;
}

/** Plain text with links and mentions: what every message was before formatting. */
export function plainNodes(text: string, myName?: string): ComponentChildren[] {
  return pieces(text).map((p, i) =>
    p.kind === "link"
      ? <a key={i} href={p.href} target="_blank" rel={LINK_REL}>{p.text}</a>
      : p.kind === "mention"
      ? mention(i, p.text, p.username, myName)
      : p.text
  );
}

export function inlineNodes(list: Inline[], myName?: string): ComponentChildren[] {
  return list.map((n, i) => {
    switch (n.type) {
      case "text":
        return n.value;
      case "mention":
        return mention(i, n.value, n.username, myName);
      case "code":
        return <code key={i}>{n.value}</code>;
      case "break":
        return <br key={i} />;
      case "strong":
        return <strong key={i}>{inlineNodes(n.children, myName)}</strong>;
      case "emphasis":
        return <em key={i}>{inlineNodes(n.children, myName)}</em>;
      case "delete":
        return <del key={i}>{inlineNodes(n.children, myName)}</del>;
      case "link":
        // The parser only passes http(s) links; checked again where the element is made.
        return /^https?:\/\//i.test(n.href)
          ? (
            <a key={i} href={n.href} target="_blank" rel={LINK_REL}>
              {inlineNodes(n.children, myName)}
            </a>
          )
          : <span key={i}>{inlineNodes(n.children, myName)}</span>;
    }
  });
}

function tokenNodes(list: Token[]): ComponentChildren[] {
  return list.map((t, i) =>
    typeof t === "string" ? t : <span key={i} class={t.class}>{tokenNodes(t.children)}</span>
  );
}

export interface BlockOptions {
  myName?: string | undefined;
  /** Highlighted tokens of a code block, or null to show it plain. */
  highlight?: ((code: string, lang: string | null) => Token[] | null) | undefined;
}

export function blockNodes(list: Block[], opts: BlockOptions = {}): JSX.Element[] {
  return list.map((b, i) => {
    switch (b.type) {
      case "paragraph":
        return <p key={i}>{inlineNodes(b.children, opts.myName)}</p>;
      case "code": {
        const tokens = opts.highlight?.(b.value, b.lang) ?? null;
        const lang = b.lang && /^[\w+#.-]{1,32}$/.test(b.lang) ? b.lang : null;
        return (
          <pre key={i} class="code-block" data-lang={lang ?? undefined}>
            <code class={tokens ? `hljs${lang ? ` language-${lang}` : ""}` : undefined}>
              {tokens ? tokenNodes(tokens) : b.value}
            </code>
          </pre>
        );
      }
      case "blockquote":
        return <blockquote key={i}>{blockNodes(b.children, opts)}</blockquote>;
      case "list": {
        const items = b.items.map((item, j) => <li key={j}>{blockNodes(item, opts)}</li>);
        return b.ordered
          ? <ol key={i} start={b.start ?? undefined}>{items}</ol>
          : <ul key={i}>{items}</ul>;
      }
    }
  });
}

const hasCode = (list: Block[]): boolean =>
  list.some((b) =>
    b.type === "code" || (b.type === "blockquote" && hasCode(b.children)) ||
    (b.type === "list" && b.items.some(hasCode))
  );

export function MessageText(
  { text, myName, class: cls, children }: {
    text: string;
    myName?: string | undefined;
    class?: string;
    children?: ComponentChildren;
  },
) {
  const formats = mayFormat(text);
  const md = formats ? parser.value : null;
  const blocks = useMemo(() => md?.parseMessage(text) ?? null, [md, text]);
  const code = !!blocks && hasCode(blocks);
  const hl = code ? highlighter.value : null;
  useEffect(() => {
    if (formats && !parser.value) loadParser();
    if (code && !highlighter.value) loadHighlighter();
  }, [formats, code]);

  if (!blocks) return <p class={cls}>{plainNodes(text, myName)}{children}</p>;
  const only = blocks.length === 1 ? blocks[0] : undefined;
  if (only?.type === "paragraph") {
    return <p class={cls}>{inlineNodes(only.children, myName)}{children}</p>;
  }
  return (
    <div class={cls ? `${cls} formatted` : "formatted"}>
      {blockNodes(blocks, { myName, highlight: hl?.highlight })}
      {children}
    </div>
  );
}
