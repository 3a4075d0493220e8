import assert from "node:assert/strict";
import type { VNode } from "preact";
import { parseMessage } from "../lib/markdown.ts";
import { highlight } from "../lib/highlight.ts";
import { blockNodes, mayFormat, plainNodes } from "./MessageText.tsx";

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** The element tree as markup, for reading in a test (the app itself never makes markup). */
function markup(n: unknown): string {
  if (n === null || n === undefined || typeof n === "boolean") return "";
  if (typeof n === "string" || typeof n === "number") return esc(String(n));
  if (Array.isArray(n)) return n.map(markup).join("");
  const v = n as VNode<Record<string, unknown>>;
  assert.equal(typeof v.type, "string", "only elements, no components");
  const attrs = Object.entries(v.props).filter(([k, val]) => k !== "children" && val !== undefined)
    .map(([k, val]) => ` ${k}="${esc(String(val))}"`).join("");
  return `<${v.type}${attrs}>${markup(v.props.children)}</${v.type}>`;
}

/** Every element in the tree, to check what can and cannot be in it. */
function elements(n: unknown, out: VNode<Record<string, unknown>>[] = []) {
  if (Array.isArray(n)) n.forEach((c) => elements(c, out));
  else if (n && typeof n === "object" && "type" in n) {
    const v = n as VNode<Record<string, unknown>>;
    out.push(v);
    elements(v.props.children, out);
  }
  return out;
}

const render = (text: string, myName?: string) =>
  blockNodes(parseMessage(text), { myName, highlight });

Deno.test("blockNodes builds strong, em, del and code elements, nested as written", () => {
  assert.equal(
    markup(render("***both* bold** ~~gone~~ `x < y`")),
    "<p><strong><em>both</em> bold</strong> <del>gone</del> <code>x &lt; y</code></p>",
  );
});

Deno.test("blockNodes marks mentions in bold, mine with mention-me, and none in code", () => {
  assert.equal(
    markup(render("**hi @ann and @bob** `@bob`", "bob")),
    '<p><strong>hi <span class="mention">@ann</span> and ' +
      '<span class="mention mention-me">@bob</span></strong> <code>@bob</code></p>',
  );
});

Deno.test("blockNodes builds safe links only: http(s), new tab, noopener noreferrer", () => {
  assert.equal(
    markup(render("[docs](https://e.com/a) [x](javascript:alert(1))")),
    '<p><a href="https://e.com/a" target="_blank" rel="noopener noreferrer nofollow">docs</a>' +
      " [x](javascript:alert(1))</p>",
  );
});

Deno.test("blockNodes keeps HTML as text: no img, script or on* attribute can come out", () => {
  const attacks = [
    `<img src=x onerror="alert(1)">`,
    `<script>alert(1)</script>`,
    `<a href="javascript:alert(1)">x</a>`,
    `[x](javascript:alert(1)) [y](JAVASCRIPT:alert(1)) [z](data:text/html;base64,PHNjcmlwdD4=)`,
    `<javascript:alert(1)> <svg/onload=alert(1)>`,
    "**<img src=x onerror=alert(1)>**\n\n> <iframe src=javascript:alert(1)>",
    "```html\n<script>alert(1)</script>\n```",
    `[x](https://e.com/" onmouseover="alert(1))`,
  ];
  for (const text of attacks) {
    const els = elements(render(text));
    for (const el of els) {
      assert.ok(
        [
          "p",
          "strong",
          "em",
          "del",
          "code",
          "pre",
          "span",
          "blockquote",
          "ul",
          "ol",
          "li",
          "a",
          "br",
        ]
          .includes(el.type as string),
        `${el.type} from ${text}`,
      );
      for (const k of Object.keys(el.props)) assert.ok(!/^on/i.test(k), `${k} from ${text}`);
      if (el.type === "a") assert.match(String(el.props.href), /^https?:\/\//);
    }
  }
  assert.equal(markup(render(attacks[0]!)), '<p>&lt;img src=x onerror="alert(1)"&gt;</p>');
});

Deno.test("blockNodes highlights a labelled code block with hljs spans", () => {
  assert.equal(
    markup(render("```js\nconst a = '<b>';\n```")),
    '<pre class="code-block" data-lang="js"><code class="hljs language-js">' +
      `<span class="hljs-keyword">const</span> a = <span class="hljs-string">'&lt;b&gt;'</span>;` +
      "</code></pre>",
  );
  // Unknown or no language: plain code.
  assert.equal(
    markup(render("```\n<b>@bob</b>\n```")),
    '<pre class="code-block"><code>&lt;b&gt;@bob&lt;/b&gt;</code></pre>',
  );
});

Deno.test("blockNodes builds quotes and lists", () => {
  assert.equal(
    markup(render("> wise\n\n- a\n- **b**\n\n2. two")),
    "<blockquote><p>wise</p></blockquote><ul><li><p>a</p></li><li><p><strong>b</strong></p></li></ul>" +
      '<ol start="2"><li><p>two</p></li></ol>',
  );
});

Deno.test("plainNodes and mayFormat: plain text needs no parser and reads the same", () => {
  assert.equal(mayFormat("see you at 5, @bob! https://e.com/a-b"), false);
  for (
    const t of ["**b**", "_i_", "~~s~~", "`c`", "> q", "- a", "1. a", "a\n\nb", "&amp;", "<b>"]
  ) {
    assert.equal(mayFormat(t), true, t);
  }
  assert.equal(
    markup(plainNodes("hi @bob https://e.com", "bob")),
    'hi <span class="mention mention-me">@bob</span> ' +
      '<a href="https://e.com" target="_blank" rel="noopener noreferrer nofollow">https://e.com</a>',
  );
});
