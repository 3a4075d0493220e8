import assert from "node:assert/strict";
import { applyFormat, type Edit, formatOfKey } from "./format_selection.ts";

/** `[` and `]` mark the selection in these strings, `|` a caret. */
function edit(marked: string): Edit {
  const caret = marked.indexOf("|");
  if (caret !== -1) return { value: marked.replace("|", ""), start: caret, end: caret };
  const start = marked.indexOf("[");
  const end = marked.indexOf("]") - 1;
  return { value: marked.replace("[", "").replace("]", ""), start, end };
}
function show({ value, start, end }: Edit): string {
  if (start === end) return `${value.slice(0, start)}|${value.slice(start)}`;
  return `${value.slice(0, start)}[${value.slice(start, end)}]${value.slice(end)}`;
}

Deno.test("applyFormat wraps the selection in marks and keeps it selected", () => {
  assert.equal(show(applyFormat(edit("a [bold] move"), "bold")), "a **[bold]** move");
  assert.equal(show(applyFormat(edit("a [word] here"), "italic")), "a _[word]_ here");
  assert.equal(show(applyFormat(edit("[gone]"), "strike")), "~~[gone]~~");
  assert.equal(show(applyFormat(edit("run [ls -l]"), "code")), "run `[ls -l]`");
});

Deno.test("applyFormat leaves selected spaces outside the marks", () => {
  assert.equal(show(applyFormat(edit("a[ bold ]move"), "bold")), "a **[bold]** move");
});

Deno.test("applyFormat takes the marks off again, from outside or inside the selection", () => {
  assert.equal(show(applyFormat(edit("a **[bold]** move"), "bold")), "a [bold] move");
  assert.equal(show(applyFormat(edit("a [**bold**] move"), "bold")), "a [bold] move");
});

Deno.test("applyFormat with nothing selected puts the caret between the marks", () => {
  assert.equal(show(applyFormat(edit("say |"), "bold")), "say **|**");
  assert.equal(show(applyFormat(edit("|"), "code")), "`|`");
});

Deno.test("applyFormat fences a code block on lines of its own", () => {
  assert.equal(
    show(applyFormat(edit("see [const a = 1;] here"), "codeblock")),
    "see \n```\n[const a = 1;]\n```\n here",
  );
  assert.equal(show(applyFormat(edit("|"), "codeblock")), "```\n|\n```");
});

Deno.test("applyFormat quotes and lists every selected line, and undoes it", () => {
  assert.equal(show(applyFormat(edit("x\n[one\ntwo]\ny"), "list")), "x\n[- one\n- two]\ny");
  assert.equal(show(applyFormat(edit("[- one\n- two]"), "list")), "[one\ntwo]");
  assert.equal(show(applyFormat(edit("wise wo|rds"), "quote")), "> wise wo|rds");
});

Deno.test("applyFormat makes a link of the selection, with the address selected", () => {
  assert.equal(show(applyFormat(edit("see [docs]"), "link")), "see [docs]([https://])");
  assert.equal(show(applyFormat(edit("[https://e.com/a]"), "link")), "[|](https://e.com/a)");
});

Deno.test("formatOfKey maps Ctrl/Cmd+B, I, Shift+X and E, and nothing else", () => {
  const k = (
    key: string,
    o: Partial<Record<"ctrlKey" | "metaKey" | "altKey" | "shiftKey", boolean>>,
  ) => formatOfKey({ key, ctrlKey: false, metaKey: false, altKey: false, shiftKey: false, ...o });
  assert.equal(k("b", { ctrlKey: true }), "bold");
  assert.equal(k("i", { metaKey: true }), "italic");
  assert.equal(k("X", { ctrlKey: true, shiftKey: true }), "strike");
  assert.equal(k("e", { ctrlKey: true }), "code");
  assert.equal(k("b", {}), null);
  assert.equal(k("x", { ctrlKey: true }), null);
  assert.equal(k("b", { ctrlKey: true, altKey: true }), null);
  assert.equal(k("k", { ctrlKey: true }), null);
});
