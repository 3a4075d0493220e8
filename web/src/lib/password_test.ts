import assert from "node:assert/strict";
import { passwordProblem, USERNAME } from "./password.ts";

Deno.test("passwordProblem follows the product's rules", () => {
  assert.equal(passwordProblem("short1"), "short");
  assert.equal(passwordProblem("alllowercase"), "one_class");
  assert.equal(passwordProblem("password1"), "common");
  assert.equal(passwordProblem("Correct-Horse-42"), null);
});

Deno.test("usernames are 3-32 of a-z, 0-9, _ and .", () => {
  assert.ok(USERNAME.test("ann_1.b"));
  assert.ok(!USERNAME.test("an"));
  assert.ok(!USERNAME.test("Ann"));
  assert.ok(!USERNAME.test("a".repeat(33)));
});
