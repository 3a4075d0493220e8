/**
 * POST /api/admin/invites (functions/api/invites.ts): admins invite people by email through
 * Auth; others are refused; an existing account is 409; a malformed address 400.
 */
import assert from "node:assert/strict";
import { startTestStack } from "../_helpers/stack.ts";
import { signedIn } from "../_helpers/signed_in.ts";

Deno.test("POST /admin/invites: admins invite; others 403; an account 409; a bad address 400", async () => {
  await using stack = await startTestStack();
  const alice = await signedIn(stack, "alice");
  const bob = await signedIn(stack, "bob");
  assert.equal((await bob.call("POST", "/admin/invites", { email: "x1@example.com" })).status, 403);
  const ok = await alice.call("POST", "/admin/invites", { email: "X1@Example.com" });
  assert.equal(ok.status, 201);
  assert.equal(ok.json.invited.email, "x1@example.com");
  if (stack.local) assert.equal((await stack.inbox("x1@example.com")).length, 1);
  const taken = await alice.call("POST", "/admin/invites", { email: "carol@example.com" });
  assert.equal(taken.status, 409);
  assert.equal(taken.json.error.code, "conflict");
  const bad = await alice.call("POST", "/admin/invites", { email: "nope" });
  assert.equal(bad.status, 400);
});
