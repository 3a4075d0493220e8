/**
 * The keyboard's rules, apart from the views that follow them: which keys are the app's
 * shortcuts (Ctrl/⌘+K for the quick switcher, Alt+↑/↓ between conversations, Esc), where
 * arrow keys move within a list (the roving focus of the message list), which conversation is
 * next, and which conversations match what was typed into the switcher (Slack's and Discord's
 * quick switchers: prefix first, then word starts, then anywhere; accents and case ignored).
 */

export type Shortcut = "switcher" | "prev-channel" | "next-channel" | "escape";

/** What a KeyboardEvent carries that the rules read. */
export interface Keys {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
  isComposing?: boolean;
}

/**
 * The app-wide shortcut a key press is, or null.
 *
 * @example
 * shortcutOf({ key: "k", ctrlKey: true, metaKey: false, altKey: false, shiftKey: false }); // "switcher"
 */
export function shortcutOf(e: Keys): Shortcut | null {
  if (e.isComposing) return null;
  const k = e.key.length === 1 ? e.key.toLowerCase() : e.key;
  if (k === "k" && (e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey) return "switcher";
  if (e.altKey && !e.ctrlKey && !e.metaKey && !e.shiftKey) {
    if (k === "ArrowUp") return "prev-channel";
    if (k === "ArrowDown") return "next-channel";
  }
  if (k === "Escape" && !e.ctrlKey && !e.metaKey && !e.altKey) return "escape";
  return null;
}

/**
 * Where a key moves the focus in a list of `count` items from `index` (-1: none yet): ↑/↓ by
 * one, stopping at the ends, Home/End to the ends, PageUp/PageDown by `page`. Null for any
 * other key, or a modified one (Alt+↑ is the app's).
 */
export function moveIndex(
  e: Pick<Keys, "key" | "ctrlKey" | "metaKey" | "altKey" | "shiftKey">,
  index: number,
  count: number,
  page = 10,
): number | null {
  if (count === 0 || e.ctrlKey || e.metaKey || e.altKey || e.shiftKey) return null;
  const last = count - 1;
  const from = index < 0 ? count : index;
  switch (e.key) {
    case "ArrowUp":
      return Math.max(0, Math.min(last, from - 1));
    case "ArrowDown":
      return index < 0 ? last : Math.min(last, index + 1);
    case "PageUp":
      return Math.max(0, Math.min(last, from - page));
    case "PageDown":
      return index < 0 ? last : Math.min(last, index + page);
    case "Home":
      return 0;
    case "End":
      return last;
    default:
      return null;
  }
}

/**
 * The conversation `step` places from the open one in the list's order, stopping at the
 * ends; with none open, the first (down) or the last (up).
 */
export function neighbour(ids: string[], activeId: string | null, step: 1 | -1): string | null {
  if (!ids.length) return null;
  const at = activeId === null ? -1 : ids.indexOf(activeId);
  if (at < 0) return step > 0 ? ids[0]! : ids[ids.length - 1]!;
  const to = Math.max(0, Math.min(ids.length - 1, at + step));
  return to === at ? null : ids[to]!;
}

/** Lower case, accents and a leading # or @ dropped: what the switcher compares. */
export function fold(s: string): string {
  return s.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase().trim().replace(/^[#@]+/, "");
}

/** How well `name` matches the folded query: 0 best, null not at all. */
function score(name: string, q: string): number | null {
  const n = fold(name);
  if (n === q) return 0;
  if (n.startsWith(q)) return 1;
  if (n.split(/[\s_.\-]+/).some((w) => w.startsWith(q))) return 2;
  if (n.includes(q)) return 3;
  return null;
}

export interface Candidate {
  id: string;
  /** Names it can be found by (a group's name; a person's display name and username). */
  names: string[];
}

/**
 * The candidates that match `query`, best first; equally good ones keep the order they came
 * in (the list's: the most recent conversation first). An empty query keeps them all.
 *
 * @example
 * rank([{ id: "1", names: ["random"] }, { id: "2", names: ["general"] }], "gen"); // [{ id: "2", … }]
 */
export function rank<T extends Candidate>(candidates: T[], query: string, limit = 20): T[] {
  const q = fold(query);
  if (!q) return candidates.slice(0, limit);
  const scored: { c: T; s: number; i: number }[] = [];
  candidates.forEach((c, i) => {
    const s = Math.min(...c.names.map((n) => score(n, q) ?? Infinity));
    if (s !== Infinity) scored.push({ c, s, i });
  });
  scored.sort((a, b) => a.s - b.s || a.i - b.i);
  return scored.slice(0, limit).map((x) => x.c);
}
