import assert from "node:assert/strict";
import { fold, type Keys, moveIndex, neighbour, rank, shortcutOf } from "./shortcuts.ts";

const key = (k: string, mods: Partial<Keys> = {}): Keys => ({
  key: k,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  shiftKey: false,
  ...mods,
});

Deno.test("Ctrl+K and ⌘+K open the switcher; Alt+↑/↓ move between conversations; Esc is Esc", () => {
  assert.equal(shortcutOf(key("k", { ctrlKey: true })), "switcher");
  assert.equal(shortcutOf(key("K", { metaKey: true })), "switcher", "Caps Lock does not matter");
  assert.equal(shortcutOf(key("k", { ctrlKey: true, shiftKey: true })), null);
  assert.equal(shortcutOf(key("k")), null, "a plain k is typing");
  assert.equal(shortcutOf(key("ArrowUp", { altKey: true })), "prev-channel");
  assert.equal(shortcutOf(key("ArrowDown", { altKey: true })), "next-channel");
  assert.equal(shortcutOf(key("ArrowDown")), null, "a plain arrow is the list's or the textbox's");
  assert.equal(shortcutOf(key("ArrowDown", { altKey: true, shiftKey: true })), null);
  assert.equal(shortcutOf(key("Escape")), "escape");
  assert.equal(shortcutOf(key("k", { ctrlKey: true, isComposing: true })), null, "an IME at work");
});

Deno.test("arrow keys move within a list and stop at its ends; Home/End jump; others are not the list's", () => {
  assert.equal(moveIndex(key("ArrowDown"), 2, 5), 3);
  assert.equal(moveIndex(key("ArrowDown"), 4, 5), 4, "stays on the last");
  assert.equal(moveIndex(key("ArrowUp"), 0, 5), 0, "stays on the first");
  assert.equal(moveIndex(key("ArrowUp"), -1, 5), 4, "from nowhere, up lands on the newest");
  assert.equal(moveIndex(key("ArrowDown"), -1, 5), 4);
  assert.equal(moveIndex(key("Home"), 3, 5), 0);
  assert.equal(moveIndex(key("End"), 0, 5), 4);
  assert.equal(moveIndex(key("PageUp"), 30, 50), 20);
  assert.equal(moveIndex(key("PageDown"), 45, 50), 49);
  assert.equal(moveIndex(key("ArrowUp", { altKey: true }), 3, 5), null, "Alt+↑ is the app's");
  assert.equal(moveIndex(key("Enter"), 3, 5), null);
  assert.equal(moveIndex(key("ArrowDown"), 0, 0), null, "an empty list");
});

Deno.test("the next conversation follows the list's order and stops at the ends", () => {
  const ids = ["a", "b", "c"];
  assert.equal(neighbour(ids, "b", 1), "c");
  assert.equal(neighbour(ids, "b", -1), "a");
  assert.equal(neighbour(ids, "c", 1), null);
  assert.equal(neighbour(ids, "a", -1), null);
  assert.equal(neighbour(ids, null, 1), "a");
  assert.equal(neighbour(ids, null, -1), "c");
  assert.equal(neighbour(ids, "gone", 1), "a", "an id no longer listed starts over");
  assert.equal(neighbour([], null, 1), null);
});

Deno.test("the switcher ranks exact, prefix, word start, then anywhere; ties keep the list's order", () => {
  const list = [
    { id: "1", names: ["random"] },
    { id: "2", names: ["Team general"] },
    { id: "3", names: ["general"] },
    { id: "4", names: ["Carol Danvers", "carol"] },
    { id: "5", names: ["generalists"] },
    { id: "6", names: ["Zoë Ünal", "zoe"] },
  ];
  const ids = (q: string) => rank(list, q).map((c) => c.id);
  assert.deepEqual(ids("general"), ["3", "5", "2"]);
  assert.deepEqual(ids("gen"), ["3", "5", "2"]);
  assert.deepEqual(ids("#GEN"), ["3", "5", "2"], "case and a leading # ignored");
  assert.deepEqual(ids("dan"), ["4"], "a person by the second word of their name");
  assert.deepEqual(ids("@carol"), ["4"], "or by their username");
  assert.deepEqual(ids("and"), ["1"], "anywhere in a name, last");
  assert.deepEqual(ids("unal"), ["6"], "accents ignored");
  assert.deepEqual(ids("xyz"), []);
  assert.deepEqual(ids(""), ["1", "2", "3", "4", "5", "6"], "nothing typed: the list as it is");
  assert.equal(rank(list, "", 2).length, 2);
  assert.equal(fold("  #Général "), "general");
});
