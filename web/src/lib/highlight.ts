/**
 * Syntax highlighting for code blocks: lowlight (highlight.js grammars, output as a hast tree,
 * never HTML) with the languages people paste most in a chat. The tree is reduced to spans with
 * highlight.js class names (`hljs-keyword`, …) and text; the view builds elements from it.
 *
 * Loaded lazily (MessageText.tsx): the grammars stay out of the first bundle.
 */
import { createLowlight } from "lowlight";
import bash from "highlight.js/lib/languages/bash";
import css from "highlight.js/lib/languages/css";
import javascript from "highlight.js/lib/languages/javascript";
import json from "highlight.js/lib/languages/json";
import python from "highlight.js/lib/languages/python";
import sql from "highlight.js/lib/languages/sql";
import typescript from "highlight.js/lib/languages/typescript";
import xml from "highlight.js/lib/languages/xml";

export type Token = string | { class: string; children: Token[] };

const lowlight = createLowlight({ bash, css, javascript, json, python, sql, typescript, xml });

type HastRoot = ReturnType<typeof lowlight.highlight>;
type HastNode = HastRoot["children"][number];

function tokens(nodes: HastNode[]): Token[] {
  const out: Token[] = [];
  for (const n of nodes) {
    if (n.type === "text") out.push(n.value);
    else if (n.type === "element") {
      const cls = n.properties["className"];
      const names = (Array.isArray(cls) ? cls : [])
        .filter((c): c is string => typeof c === "string" && /^hljs-[\w-]+$/.test(c));
      const children = tokens(n.children as HastNode[]);
      out.push(names.length ? { class: names.join(" "), children } : children.join(""));
    }
  }
  return out;
}

/**
 * The code as highlighted tokens, or null when the language is not given or not known. No
 * guessing: highlight.js's guess is often wrong for the short snippets of a chat.
 *
 * @example
 * highlight("const a = 1;", "js");
 * // [{ class: "hljs-keyword", children: ["const"] }, " a = ", { class: "hljs-number", … }, ";"]
 */
export function highlight(code: string, lang: string | null): Token[] | null {
  if (!lang || !lowlight.registered(lang)) return null;
  return tokens(lowlight.highlight(lang, code).children);
}
