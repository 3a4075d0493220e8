import assert from "node:assert/strict";
import { createUsers } from "./users.ts";

const bob = { id: "b", username: "bob", display_name: null, avatar_path: null };

Deno.test("remember keeps each person once, in their latest name", () => {
  const u = createUsers();
  u.remember([bob]);
  const first = u.users.value;
  u.remember([bob]);
  assert.equal(u.users.value, first, "nothing new: the same map (no re-render)");
  u.remember([{ ...bob, display_name: "Bobby" }]);
  assert.equal(u.users.value.size, 1);
  assert.equal(u.nameOf("b"), "Bobby");
  assert.equal(u.nameOf("nobody"), "?");
});

Deno.test("a new status text or last seen replaces the old; a sighting without them keeps it", () => {
  const u = createUsers();
  u.remember([{ ...bob, status_text: "on holiday", last_seen_at: "2025-01-01T00:00:00.000Z" }]);
  u.remember([bob]); // a sender, say: no status in it
  assert.equal(u.users.value.get("b")?.status_text, "on holiday");
  u.remember([{ ...bob, status_text: "back at work" }]);
  assert.equal(u.users.value.get("b")?.status_text, "back at work");
  assert.equal(u.users.value.get("b")?.last_seen_at, "2025-01-01T00:00:00.000Z");
  u.remember([{ ...bob, last_seen_at: "2025-01-02T00:00:00.000Z" }]);
  assert.equal(u.users.value.get("b")?.last_seen_at, "2025-01-02T00:00:00.000Z");
});
