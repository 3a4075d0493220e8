/**
 * The composer's formatting commands as pure edits of a textbox's value and selection: wrap the
 * selection in Markdown marks (or take them off again when it already has them, as Slack's and
 * GitHub's toolbars do), prefix the selected lines for quotes and lists, make a link. With
 * nothing selected, the marks go in around the caret, which lands between them.
 *
 * Also the keyboard shortcuts that run them: Ctrl/⌘+B bold, Ctrl/⌘+I italic,
 * Ctrl/⌘+Shift+X strikethrough, Ctrl/⌘+E inline code.
 */

export type Format =
  | "bold"
  | "italic"
  | "strike"
  | "code"
  | "codeblock"
  | "quote"
  | "list"
  | "link";

export const FORMATS: readonly Format[] = [
  "bold",
  "italic",
  "strike",
  "code",
  "codeblock",
  "quote",
  "list",
  "link",
];

/** A textbox's value and selection (`start` ≤ `end`, as `selectionStart`/`selectionEnd`). */
export interface Edit {
  value: string;
  start: number;
  end: number;
}

const MARKS: Partial<Record<Format, string>> = {
  bold: "**",
  italic: "_",
  strike: "~~",
  code: "`",
};

const LINK_PLACEHOLDER = "https://";

function wrap({ value, start, end }: Edit, mark: string): Edit {
  const n = mark.length;
  const sel = value.slice(start, end);
  // Marks just outside the selection: take them off.
  if (value.slice(start - n, start) === mark && value.slice(end, end + n) === mark) {
    return {
      value: value.slice(0, start - n) + sel + value.slice(end + n),
      start: start - n,
      end: end - n,
    };
  }
  // Marks inside the selection, at both ends: take them off.
  if (sel.length >= 2 * n && sel.startsWith(mark) && sel.endsWith(mark)) {
    const inner = sel.slice(n, sel.length - n);
    return {
      value: value.slice(0, start) + inner + value.slice(end),
      start,
      end: start + inner.length,
    };
  }
  // Spaces selected at the ends stay outside: `** bold **` would not format.
  const lead = sel.length - sel.trimStart().length;
  const trail = sel.trimStart().length - sel.trim().length;
  const s = start + lead;
  const e = end - trail;
  return {
    value: value.slice(0, s) + mark + value.slice(s, e) + mark + value.slice(e),
    start: s + n,
    end: e + n,
  };
}

/** The whole lines the selection touches. */
function lines({ value, start, end }: Edit): { from: number; to: number } {
  const from = value.lastIndexOf("\n", start - 1) + 1;
  const nl = value.indexOf("\n", end > start && value[end - 1] === "\n" ? end - 1 : end);
  return { from, to: nl === -1 ? value.length : nl };
}

function prefix(edit: Edit, mark: string): Edit {
  const { from, to } = lines(edit);
  const block = edit.value.slice(from, to).split("\n");
  const all = block.every((l) => l.startsWith(mark));
  const next = block.map((l) => (all ? l.slice(mark.length) : mark + l)).join("\n");
  const value = edit.value.slice(0, from) + next + edit.value.slice(to);
  if (edit.start === edit.end) {
    const caret = Math.max(from, edit.start + (all ? -mark.length : mark.length));
    return { value, start: caret, end: caret };
  }
  return { value, start: from, end: from + next.length };
}

function codeBlock({ value, start, end }: Edit): Edit {
  const sel = value.slice(start, end);
  const before = start > 0 && value[start - 1] !== "\n" ? "\n" : "";
  const after = end < value.length && value[end] !== "\n" ? "\n" : "";
  const open = `${before}\`\`\`\n`;
  const body = sel.replace(/\n$/, "");
  return {
    value: value.slice(0, start) + open + body + "\n```" + after + value.slice(end),
    start: start + open.length,
    end: start + open.length + body.length,
  };
}

function link({ value, start, end }: Edit): Edit {
  const sel = value.slice(start, end);
  if (/^https?:\/\/\S+$/i.test(sel)) {
    // A URL selected: it becomes the target, and the caret waits for the text.
    const v = `${value.slice(0, start)}[](${sel})${value.slice(end)}`;
    return { value: v, start: start + 1, end: start + 1 };
  }
  const text = `[${sel}](${LINK_PLACEHOLDER})`;
  const urlAt = start + sel.length + 3;
  return {
    value: value.slice(0, start) + text + value.slice(end),
    start: urlAt,
    end: urlAt + LINK_PLACEHOLDER.length,
  };
}

/**
 * The value and selection after applying a format.
 *
 * @example
 * applyFormat({ value: "a bold move", start: 2, end: 6 }, "bold");
 * // { value: "a **bold** move", start: 4, end: 8 }
 */
export function applyFormat(edit: Edit, format: Format): Edit {
  const mark = MARKS[format];
  if (mark) return wrap(edit, mark);
  switch (format) {
    case "codeblock":
      return codeBlock(edit);
    case "quote":
      return prefix(edit, "> ");
    case "list":
      return prefix(edit, "- ");
    default:
      return link(edit);
  }
}

/** The format a key press in the composer asks for, if any. */
export function formatOfKey(
  e: { key: string; ctrlKey: boolean; metaKey: boolean; altKey: boolean; shiftKey: boolean },
): Format | null {
  if (!(e.ctrlKey || e.metaKey) || e.altKey) return null;
  const k = e.key.toLowerCase();
  if (e.shiftKey) return k === "x" ? "strike" : null;
  return k === "b" ? "bold" : k === "i" ? "italic" : k === "e" ? "code" : null;
}
