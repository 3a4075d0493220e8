import assert from "node:assert/strict";
import { parseMessage } from "./markdown.ts";

Deno.test("parseMessage reads bold, italic, strikethrough and inline code", () => {
  assert.deepEqual(parseMessage("**b** _i_ ~~s~~ `c`"), [{
    type: "paragraph",
    children: [
      { type: "strong", children: [{ type: "text", value: "b" }] },
      { type: "text", value: " " },
      { type: "emphasis", children: [{ type: "text", value: "i" }] },
      { type: "text", value: " " },
      { type: "delete", children: [{ type: "text", value: "s" }] },
      { type: "text", value: " " },
      { type: "code", value: "c" },
    ],
  }]);
});

Deno.test("parseMessage nests emphasis and finds mentions inside bold, not inside code", () => {
  assert.deepEqual(parseMessage("***both* bold @bob** `@carol`"), [{
    type: "paragraph",
    children: [
      {
        type: "strong",
        children: [
          { type: "emphasis", children: [{ type: "text", value: "both" }] },
          { type: "text", value: " bold " },
          { type: "mention", value: "@bob", username: "bob" },
        ],
      },
      { type: "text", value: " " },
      { type: "code", value: "@carol" },
    ],
  }]);
});

Deno.test("parseMessage keeps raw HTML, headings and rules as the text typed", () => {
  const text = `<img src=x onerror="alert(1)"> <script>alert(2)</script>`;
  assert.deepEqual(parseMessage(text), [{
    type: "paragraph",
    children: [{ type: "text", value: text }],
  }]);
  assert.deepEqual(parseMessage("<div>\nblock\n</div>"), [{
    type: "paragraph",
    children: [{ type: "text", value: "<div>\nblock\n</div>" }],
  }]);
  assert.deepEqual(parseMessage("# not a heading\n\n***"), [
    { type: "paragraph", children: [{ type: "text", value: "# not a heading" }] },
    { type: "paragraph", children: [{ type: "text", value: "***" }] },
  ]);
  // Entities are decoded to characters, which stay text.
  assert.deepEqual(parseMessage("&lt;b&gt; &amp;"), [{
    type: "paragraph",
    children: [{ type: "text", value: "<b> &" }],
  }]);
});

Deno.test("parseMessage links only http(s): javascript: and data: links stay as typed", () => {
  assert.deepEqual(
    parseMessage("[a](javascript:alert(1)) [b](data:text/html,x) <javascript:alert(3)>"),
    [{
      type: "paragraph",
      children: [{
        type: "text",
        value: "[a](javascript:alert(1)) [b](data:text/html,x) <javascript:alert(3)>",
      }],
    }],
  );
  assert.deepEqual(parseMessage("[docs](https://example.com/a) and https://x.org/a_b_c"), [{
    type: "paragraph",
    children: [
      { type: "link", href: "https://example.com/a", children: [{ type: "text", value: "docs" }] },
      { type: "text", value: " and " },
      {
        type: "link",
        href: "https://x.org/a_b_c",
        children: [{ type: "text", value: "https://x.org/a_b_c" }],
      },
    ],
  }]);
});

Deno.test("parseMessage never nests a link or a mention inside a link", () => {
  assert.deepEqual(parseMessage("[@bob at https://b.org](https://a.org)"), [{
    type: "paragraph",
    children: [{
      type: "link",
      href: "https://a.org",
      children: [{ type: "text", value: "@bob at https://b.org" }],
    }],
  }]);
});

Deno.test("parseMessage reads code blocks, quotes and lists, and keeps line breaks", () => {
  assert.deepEqual(
    parseMessage(
      "```JS\nconst a = '<b>';\n```\n> quoted\n> on\n\n- one\n- two\n\n3. three\n\na\nb",
    ),
    [
      { type: "code", lang: "js", value: "const a = '<b>';" },
      {
        type: "blockquote",
        children: [{ type: "paragraph", children: [{ type: "text", value: "quoted\non" }] }],
      },
      {
        type: "list",
        ordered: false,
        start: null,
        items: [
          [{ type: "paragraph", children: [{ type: "text", value: "one" }] }],
          [{ type: "paragraph", children: [{ type: "text", value: "two" }] }],
        ],
      },
      {
        type: "list",
        ordered: true,
        start: 3,
        items: [[{ type: "paragraph", children: [{ type: "text", value: "three" }] }]],
      },
      { type: "paragraph", children: [{ type: "text", value: "a\nb" }] },
    ],
  );
});

Deno.test("parseMessage leaves indented text and images as text", () => {
  assert.deepEqual(parseMessage("    not code\n\n![alt](https://e.com/i.png)"), [
    { type: "paragraph", children: [{ type: "text", value: "not code" }] },
    {
      type: "paragraph",
      children: [
        { type: "text", value: "!" },
        { type: "link", href: "https://e.com/i.png", children: [{ type: "text", value: "alt" }] },
      ],
    },
  ]);
});
