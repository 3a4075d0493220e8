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
