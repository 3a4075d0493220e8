/**
 * Staff with two-factor authentication act as staff only from an aal2 session, and the API
 * says so: 403 `insufficient_aal` (functions/api/staff.ts, `private.mfa_satisfied()`) for
 * reads and writes alike, where the database alone would have answered "no rows" or 404. The
 * wrong role stays 403 `forbidden`. An admin's reset of someone's factors goes through Auth's
 * admin API, and Auth sees them gone. Seed users only: skipped against a real project.
 */
import assert from "node:assert/strict";
import { startTestStack, type TestStack } from "../_helpers/stack.ts";
import { signedIn } from "../_helpers/signed_in.ts";
import { enrolVerified, stepNow } from "../_helpers/totp.ts";

/** The API as the holder of `token`: status, error code and JSON. */
function as(stack: TestStack, token: string) {
  return async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${stack.url}/functions/v1/api${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    // deno-lint-ignore no-explicit-any
    const json = await res.json() as any;
    return { status: res.status, code: json?.error?.code as string | undefined, json };
  };
}

const tokenOf = async (s: Awaited<ReturnType<typeof signedIn>>) =>
  (await s.client.auth.getSession()).data.session!.access_token;

Deno.test("staff with a factor get 403 insufficient_aal at aal1, for reads and writes alike", async () => {
  await using stack = await startTestStack();
  if (!stack.local) return; // the seed's admin and moderator
  const alice = await signedIn(stack, "alice");
  const bob = await signedIn(stack, "bob");
  const dave = await signedIn(stack, "dave");

  // Alice (admin) and Bob (moderator) set up two-factor authentication: these sessions are aal2.
  await enrolVerified(alice.client, stepNow());
  await enrolVerified(bob.client, stepNow());
  const strong = as(stack, await tokenOf(alice));
  const bobStrong = as(stack, await tokenOf(bob));
  // The password alone: aal1.
  const weak = as(stack, (await signedIn(stack, "alice")).token);
  const bobWeak = as(stack, (await signedIn(stack, "bob")).token);

  const attempts: [string, string, unknown?][] = [
    ["GET", "/admin/users"],
    ["GET", "/admin/reports"],
    ["GET", "/admin/blocked-terms"],
    ["POST", `/admin/users/${dave.id}/role`, { role: "moderator" }],
    ["POST", `/admin/users/${dave.id}/deactivate`],
    ["POST", "/admin/blocked-terms", { term: "aal-term", action: "flag" }],
    ["POST", "/admin/invites", { email: "aal1.invitee@example.com" }],
    ["POST", `/admin/users/${dave.id}/mfa/reset`],
  ];
  for (const [method, path, body] of attempts) {
    const r = await weak(method, path, body);
    assert.deepEqual([r.status, r.code], [403, "insufficient_aal"], `aal1 ${method} ${path}`);
    assert.match(r.json.error.message, /^Verify your second factor first/);
  }
  const bobRead = await bobWeak("GET", "/admin/reports");
  assert.deepEqual([bobRead.status, bobRead.code], [403, "insufficient_aal"], "moderators too");

  // Nothing happened.
  const [row] = await stack.db!.sql`
    select p.deactivated_at, r.role from public.profiles p
    join public.user_roles r on r.user_id = p.id where p.id = ${dave.id}`;
  assert.deepEqual([row!.deactivated_at, row!.role], [null, "user"]);
  assert.equal((await stack.inbox("aal1.invitee@example.com")).length, 0, "no invite mailed");

  // At aal2 they are staff; the wrong role is still plainly forbidden.
  const users = await strong("GET", "/admin/users");
  assert.equal(users.status, 200);
  assert.ok(users.json.users.length >= 4, "an aal2 admin reads the users, not an empty list");
  assert.equal((await bobStrong("GET", "/admin/reports")).status, 200);
  const notAdmin = await bobStrong("POST", `/admin/users/${dave.id}/role`, { role: "admin" });
  assert.deepEqual([notAdmin.status, notAdmin.code], [403, "forbidden"]);
  const notStaff = await as(stack, dave.token)("GET", "/admin/users");
  assert.deepEqual([notStaff.status, notStaff.code], [403, "forbidden"]);
});

Deno.test("an admin removes someone's factors through Auth: Auth lists none after, twice is 0, unknown 404", async () => {
  await using stack = await startTestStack();
  if (!stack.local) return; // the seed's admin
  const alice = await signedIn(stack, "alice");
  const carol = await signedIn(stack, "carol");
  await enrolVerified(carol.client, stepNow(), "carol's phone");
  const auth = stack.admin().auth.admin.mfa;
  assert.equal((await auth.listFactors({ userId: carol.id })).data?.factors.length, 1);

  const admin = as(stack, alice.token); // no factor of her own: aal1 is enough
  const reset = `/admin/users/${carol.id}/mfa/reset`;
  const done = await admin("POST", reset);
  assert.deepEqual([done.status, done.json], [200, { id: carol.id, removed: 1 }]);
  assert.equal((await auth.listFactors({ userId: carol.id })).data?.factors.length, 0);
  await carol.client.auth.refreshSession();
  const level = await carol.client.auth.mfa.getAuthenticatorAssuranceLevel();
  assert.deepEqual([level.data?.currentLevel, level.data?.nextLevel], ["aal1", "aal1"]);

  assert.deepEqual((await admin("POST", reset)).json, { id: carol.id, removed: 0 });
  const unknown = await admin("POST", `/admin/users/${crypto.randomUUID()}/mfa/reset`);
  assert.deepEqual([unknown.status, unknown.code], [404, "not_found"]);
  const bob = await signedIn(stack, "bob");
  const moderator = await as(stack, bob.token)("POST", reset);
  assert.deepEqual([moderator.status, moderator.code], [403, "forbidden"]);
});
