import assert from "node:assert/strict";
import { parse } from "smol-toml";
import { PASSWORD_MAX_BYTES, PASSWORD_MIN_LENGTH, passwordProblem, USERNAME } from "./password.ts";

Deno.test("passwordProblem follows Auth's rules: 8 bytes or more, a letter and a digit", () => {
  assert.equal(passwordProblem("short1A"), "short");
  assert.equal(passwordProblem("horsebattery"), "letters_digits", "no digit");
  assert.equal(passwordProblem("12345678"), "letters_digits", "no letter");
  assert.equal(passwordProblem("ÄÖÜßäöü1"), "letters_digits", "letters are a-z and A-Z");
  assert.equal(passwordProblem("abcdefg1"), null);
  assert.equal(passwordProblem("password1"), null, "no common-password list: that is Auth's");
  assert.equal(passwordProblem("Correct-Horse-42"), null);
  assert.equal(passwordProblem("äöüa1"), null, "bytes are counted, as GoTrue does");
  assert.equal(passwordProblem("a1".repeat(36)), null);
  assert.equal(passwordProblem("a1".repeat(36) + "x"), "long");
  assert.equal(PASSWORD_MAX_BYTES, 72);
});

Deno.test("the rules are the ones supabase/config.toml gives Auth", async () => {
  const toml = parse(
    await Deno.readTextFile(new URL("../../../supabase/config.toml", import.meta.url)),
  ) as { auth: { minimum_password_length: number; password_requirements: string } };
  assert.equal(PASSWORD_MIN_LENGTH, toml.auth.minimum_password_length);
  assert.equal(toml.auth.password_requirements, "letters_digits", "the rule passwordProblem has");
});

Deno.test("usernames are 3-32 of a-z, 0-9, _ and .", () => {
  assert.ok(USERNAME.test("ann_1.b"));
  assert.ok(!USERNAME.test("an"));
  assert.ok(!USERNAME.test("Ann"));
  assert.ok(!USERNAME.test("a".repeat(33)));
});
