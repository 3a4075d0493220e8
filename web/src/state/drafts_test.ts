import assert from "node:assert/strict";
import { createDrafts, type DraftStorage } from "./drafts.ts";

function memoryStorage(): DraftStorage & { items: Map<string, string> } {
  const items = new Map<string, string>();
  return {
    items,
    getItem: (k) => items.get(k) ?? null,
    setItem: (k, v) => void items.set(k, v),
    removeItem: (k) => void items.delete(k),
  };
}

Deno.test("a draft stays with its channel while the reader looks elsewhere", () => {
  const drafts = createDrafts({ myId: "me" });
  drafts.set("a", "half a thought");
  drafts.set("b", "another");
  assert.equal(drafts.get("a"), "half a thought");
  assert.equal(drafts.get("b"), "another");
  assert.equal(drafts.get("c"), "");
  drafts.set("a", "  ");
  assert.equal(drafts.get("a"), "", "a sent or emptied draft is gone");
});

Deno.test("drafts survive a reload through storage, per user, and a refusing storage loses only that", () => {
  const storage = memoryStorage();
  createDrafts({ myId: "me", storage }).set("a", "kept");
  assert.equal(createDrafts({ myId: "me", storage }).get("a"), "kept");
  assert.equal(createDrafts({ myId: "someone else", storage }).get("a"), "");
  createDrafts({ myId: "me", storage }).set("a", "");
  assert.equal(storage.items.size, 0);

  const refusing: DraftStorage = {
    getItem: () => {
      throw new Error("denied");
    },
    setItem: () => {
      throw new Error("quota");
    },
    removeItem: () => {},
  };
  const drafts = createDrafts({ myId: "me", storage: refusing });
  drafts.set("a", "in memory still");
  assert.equal(drafts.get("a"), "in memory still");
  assert.equal(drafts.get("b"), "");
});
