/**
 * MFA with TOTP through supabase-js (`auth.mfa.*`, `auth.admin.mfa.*`), as Supabase Auth
 * answers it: enrol, challenge, verify (aal2 and `amr` in the JWT), refresh, unenrol, the
 * admin's listing and deleting, GoTrue's error codes, and the chat's rule that staff with a
 * factor act as staff only at aal2. Codes come from `otpauth` with the secret Auth returns.
 */
import assert from "node:assert/strict";
import { decodeJwt } from "jose";
import type { SupabaseClient } from "@supabase/supabase-js";
import { startTestStack, type TestStack } from "../_helpers/stack.ts";
import { confirmedUser, signedIn, TEST_PASSWORD } from "../_helpers/signed_in.ts";
import { codeAt, enrolVerified, stepNow } from "../_helpers/totp.ts";

const PASSWORD = TEST_PASSWORD;
const newUser = async (stack: TestStack, tag: string) => (await confirmedUser(stack, tag)).address;

async function signIn(stack: TestStack, email: string, password = PASSWORD) {
  const c = stack.client();
  const { error } = await c.auth.signInWithPassword({ email, password });
  assert.equal(error, null, `${email} signs in`);
  return c;
}

async function claimsOf(c: SupabaseClient) {
  const { data } = await c.auth.getSession();
  return decodeJwt(data.session!.access_token) as { aal: string; amr: { method: string }[] };
}

Deno.test("MFA: enrol by QR code, verify to aal2 with amr, refresh keeps it, sign-in asks for aal2, unenrol", async () => {
  await using stack = await startTestStack();
  const email = await newUser(stack, "mfa");
  const c = await signIn(stack, email);

  const before = await c.auth.mfa.getAuthenticatorAssuranceLevel();
  assert.deepEqual([before.data?.currentLevel, before.data?.nextLevel], ["aal1", "aal1"]);

  const { data: enrolled, error } = await c.auth.mfa.enroll({
    factorType: "totp",
    friendlyName: "My phone",
  });
  assert.equal(error, null);
  assert.equal(enrolled!.type, "totp");
  assert.equal(enrolled!.friendly_name, "My phone");
  assert.match(enrolled!.totp.qr_code, /^data:image\/svg\+xml;utf-8,<svg/);
  if (stack.local) {
    assert.ok(!enrolled!.totp.qr_code.includes("#"), "nothing in the SVG ends the data URI early");
  }
  assert.match(enrolled!.totp.secret, /^[A-Z2-7]{32}$/);
  assert.match(enrolled!.totp.uri, /^otpauth:\/\/totp\/.+secret=[A-Z2-7]{32}/);
  const secret = enrolled!.totp.secret;

  let factors = await c.auth.mfa.listFactors();
  assert.deepEqual(factors.data?.all.map((f) => [f.id, f.status]), [[enrolled!.id, "unverified"]]);
  assert.equal(factors.data?.totp.length, 0, "only verified factors count as totp factors");

  const { data: ch } = await c.auth.mfa.challenge({ factorId: enrolled!.id });
  assert.ok(ch?.id);
  const expiresIn = ch!.expires_at - Date.now() / 1000;
  assert.ok(expiresIn > 250 && expiresIn <= 301, `a challenge lives 5 minutes (${expiresIn})`);

  const wrong = await c.auth.mfa.verify({
    factorId: enrolled!.id,
    challengeId: ch!.id,
    code: codeAt(secret, stepNow() + 5),
  });
  assert.equal(wrong.error?.code, "mfa_verification_failed");
  assert.equal(wrong.error?.status, 422);

  const first = stepNow();
  const ok = await c.auth.mfa.verify({
    factorId: enrolled!.id,
    challengeId: ch!.id,
    code: codeAt(secret, first),
  });
  assert.equal(ok.error, null);
  let claims = await claimsOf(c);
  assert.equal(claims.aal, "aal2");
  assert.deepEqual(claims.amr.map((a) => a.method).sort(), ["password", "totp"]);
  const aal = await c.auth.mfa.getAuthenticatorAssuranceLevel();
  assert.deepEqual([aal.data?.currentLevel, aal.data?.nextLevel], ["aal2", "aal2"]);
  assert.ok(
    aal.data?.currentAuthenticationMethods.some((m) =>
      typeof m !== "string" && m.method === "totp"
    ),
  );
  factors = await c.auth.mfa.listFactors();
  assert.deepEqual(factors.data?.totp.map((f) => [f.id, f.status]), [[enrolled!.id, "verified"]]);

  if (stack.local) {
    // A code signs in once (RFC 6238 §5.2): seen over a shoulder, it is already spent.
    const again = await c.auth.mfa.challengeAndVerify({
      factorId: enrolled!.id,
      code: codeAt(secret, first),
    });
    assert.equal(again.error?.code, "mfa_verification_failed", "a used code is refused");
  }

  const refreshed = await c.auth.refreshSession();
  assert.equal(refreshed.error, null);
  claims = await claimsOf(c);
  assert.equal(claims.aal, "aal2", "a refreshed token keeps aal2");

  // Signing in again: the password gives aal1, and the user's factor asks for aal2.
  const d = await signIn(stack, email);
  const level = await d.auth.mfa.getAuthenticatorAssuranceLevel();
  assert.deepEqual([level.data?.currentLevel, level.data?.nextLevel], ["aal1", "aal2"]);
  const early = await d.auth.mfa.unenroll({ factorId: enrolled!.id });
  assert.equal(early.error?.code, "insufficient_aal", "a verified factor needs aal2 to go");
  const second = await d.auth.mfa.enroll({ factorType: "totp", friendlyName: "Tablet" });
  assert.equal(second.error?.code, "insufficient_aal", "a second factor needs aal2 too");
  const up = await d.auth.mfa.challengeAndVerify({
    factorId: enrolled!.id,
    code: codeAt(secret, Math.max(stepNow(), first + 1)),
  });
  assert.equal(up.error, null);
  assert.equal((await claimsOf(d)).aal, "aal2");

  const gone = await d.auth.mfa.unenroll({ factorId: enrolled!.id });
  assert.equal(gone.error, null);
  assert.equal(gone.data?.id, enrolled!.id);
  const { data: u } = await d.auth.getUser();
  assert.equal(u.user?.factors?.length ?? 0, 0, "no factors left");
  await d.auth.refreshSession();
  assert.equal((await claimsOf(d)).aal, "aal1", "the session the factor raised is aal1 again");
});

Deno.test("MFA: GoTrue's errors: unknown factor, bad input, name conflict, too many factors, expired challenge, rate limit", async () => {
  await using stack = await startTestStack();
  const c = await signIn(stack, await newUser(stack, "mfaerr"));

  const unknown = await c.auth.mfa.challenge({ factorId: crypto.randomUUID() });
  assert.equal(unknown.error?.code, "mfa_factor_not_found");
  assert.equal(unknown.error?.status, 404);
  const badType = await c.auth.mfa.enroll({ factorType: "sms" as "totp" });
  assert.equal(badType.error?.code, "validation_failed");

  const a = await c.auth.mfa.enroll({ factorType: "totp", friendlyName: "A" });
  assert.equal(a.error, null);
  const dup = await c.auth.mfa.enroll({ factorType: "totp", friendlyName: "A" });
  assert.equal(dup.error?.code, "mfa_factor_name_conflict");

  const noCode = await c.auth.mfa.verify({ factorId: a.data!.id, challengeId: "", code: "" });
  assert.ok(noCode.error, "an empty code is refused");
  const otherChallenge = await c.auth.mfa.verify({
    factorId: a.data!.id,
    challengeId: crypto.randomUUID(),
    code: "123456",
  });
  assert.equal(otherChallenge.error?.code, "mfa_factor_not_found");

  // Guessing: verifications are limited (here 15 a minute per factor; GoTrue counts per IP
  // address, so against a real project the limit may come sooner).
  const rl = await c.auth.mfa.enroll({ factorType: "totp", friendlyName: "RL" });
  const { data: rlCh } = await c.auth.mfa.challenge({ factorId: rl.data!.id });
  const guesses = [];
  for (let i = 0; i < 16; i++) {
    const g = await c.auth.mfa.verify({
      factorId: rl.data!.id,
      challengeId: rlCh!.id,
      code: "000000",
    });
    guesses.push(g.error?.code);
    if (g.error?.code === "over_request_rate_limit") {
      assert.equal(g.error.status, 429);
      break;
    }
  }
  assert.equal(guesses.at(-1), "over_request_rate_limit", "guessing is stopped");
  if (stack.local) assert.equal(guesses.length, 16, "after 15 wrong codes");
  assert.ok(guesses.slice(0, -1).every((g) => g === "mfa_verification_failed"));

  // Ten factors at most (GoTrue's default max_enrolled_factors).
  for (let i = 3; i <= 10; i++) {
    const r = await c.auth.mfa.enroll({ factorType: "totp", friendlyName: `F${i}` });
    assert.equal(r.error, null, `factor ${i}`);
  }
  const eleventh = await c.auth.mfa.enroll({ factorType: "totp", friendlyName: "F11" });
  assert.equal(eleventh.error?.code, "too_many_enrolled_mfa_factors");

  if (stack.local) {
    // A challenge older than 5 minutes (made so in the database; waiting would take 5 minutes).
    const { data: ch } = await c.auth.mfa.challenge({ factorId: a.data!.id });
    await stack.db!.sql`
      update auth.mfa_challenges set created_at = now() - interval '301 seconds'
      where id = ${ch!.id}`;
    const late = await c.auth.mfa.verify({
      factorId: a.data!.id,
      challengeId: ch!.id,
      code: codeAt(a.data!.totp.secret, stepNow()),
    });
    assert.equal(late.error?.code, "mfa_challenge_expired");
    const again = await c.auth.mfa.verify({
      factorId: a.data!.id,
      challengeId: ch!.id,
      code: codeAt(a.data!.totp.secret, stepNow()),
    });
    assert.equal(again.error?.code, "mfa_factor_not_found", "the expired challenge is gone");
  }
});

Deno.test("MFA turned off in config.toml answers mfa_totp_enroll_not_enabled and mfa_totp_verify_not_enabled", async () => {
  await using stack = await startTestStack((toml) => {
    toml.auth!.mfa = { totp: { enroll_enabled: false, verify_enabled: false } };
  });
  if (!stack.local) return;
  const email = await newUser(stack, "mfaoff");
  const c = await signIn(stack, email);
  const r = await c.auth.mfa.enroll({ factorType: "totp" });
  assert.equal(r.error?.code, "mfa_totp_enroll_not_enabled");
  assert.equal(r.error?.status, 422);
  // A factor from when it was on.
  const [u] = await stack.db!.sql`select id from auth.users where email = ${email}`;
  const [f] = await stack.db!.sql`
    insert into auth.mfa_factors (id, user_id, friendly_name, factor_type, status, created_at, updated_at, secret)
    values (gen_random_uuid(), ${
    u!.id
  }, 'old', 'totp', 'verified', now(), now(), 'JBSWY3DPEHPK3PXP')
    returning id`;
  const ch = await c.auth.mfa.challenge({ factorId: f!.id });
  assert.equal(ch.error?.code, "mfa_totp_verify_not_enabled");
});

Deno.test("MFA admin API: listFactors and deleteFactor; the sessions the factor raised drop to aal1", async () => {
  await using stack = await startTestStack();
  const email = await newUser(stack, "mfaadm");
  const c = await signIn(stack, email);
  const factor = await enrolVerified(c);
  const { data: u } = await c.auth.getUser();
  const admin = stack.admin().auth.admin.mfa;

  const listed = await admin.listFactors({ userId: u.user!.id });
  assert.equal(listed.error, null);
  assert.deepEqual(listed.data?.factors.map((f) => [f.id, f.factor_type, f.status]), [
    [factor.id, "totp", "verified"],
  ]);
  const missing = await admin.deleteFactor({ userId: u.user!.id, id: crypto.randomUUID() });
  assert.equal(missing.error?.status, 404);

  const del = await admin.deleteFactor({ userId: u.user!.id, id: factor.id });
  assert.equal(del.error, null);
  // auth-js 2.119 wraps this answer once more ({ data: { data: factor } }).
  const deleted = (del.data as unknown as { data?: { id: string } }).data ?? del.data;
  assert.equal(deleted?.id, factor.id);
  assert.equal((await admin.listFactors({ userId: u.user!.id })).data?.factors.length, 0);
  await c.auth.refreshSession();
  assert.equal((await claimsOf(c)).aal, "aal1");
  const level = await c.auth.mfa.getAuthenticatorAssuranceLevel();
  assert.equal(level.data?.nextLevel, "aal1", "nothing asks for a second factor any more");
});

Deno.test("RLS: an admin with a verified factor is an admin only at aal2, and resets others' factors", async () => {
  await using stack = await startTestStack();
  if (!stack.local) return; // the seed's admin
  const alice = await signedIn(stack, "alice");
  const term = `mfa-${crypto.randomUUID().slice(0, 6)}`;
  const first = await alice.call("POST", "/admin/blocked-terms", { term, action: "flag" });
  assert.equal(first.status, 201, JSON.stringify(first.json));

  // Alice sets up two-factor authentication; this session is now aal2.
  const factor = await enrolVerified(alice.client, stepNow());
  const strong = (await alice.client.auth.getSession()).data.session!.access_token;
  const callAs = async (token: string, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${stack.url}/functions/v1/api${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, json: await res.json() };
  };
  assert.equal(
    (await callAs(strong, "POST", "/admin/blocked-terms", { term, action: "mask" })).status,
    201,
    "at aal2 she is an admin",
  );

  // The password alone (aal1): her admin powers wait for the second factor.
  const weak = await signedIn(stack, "alice");
  const refused = await weak.call("POST", "/admin/blocked-terms", { term, action: "reject" });
  assert.equal(refused.status, 403, "at aal1 an admin with a factor is not an admin");
  const [row] = await stack.db!.sql`select action from public.blocked_terms where term = ${term}`;
  assert.equal(row!.action, "mask", "nothing changed");

  // Carol lost her phone: an admin at aal2 removes her factor; at aal1 one cannot.
  const carol = await signedIn(stack, "carol");
  await enrolVerified(carol.client, stepNow(), "carol's phone");
  const reset = `/admin/users/${carol.id}/mfa/reset`;
  assert.equal((await weak.call("POST", reset)).status, 403);
  const done = await callAs(strong, "POST", reset);
  assert.equal(done.status, 200);
  assert.equal(done.json.removed, 1);
  const fresh = await signedIn(stack, "carol");
  const level = await fresh.client.auth.mfa.getAuthenticatorAssuranceLevel();
  assert.equal(level.data?.nextLevel, "aal1", "carol signs in with her password alone");
  // A moderator without a factor keeps working at aal1; so does anyone without one.
  const bob = await signedIn(stack, "bob");
  assert.equal((await bob.call("GET", "/admin/reports")).status, 200);

  // Alice verifies on the second device too, and is an admin there.
  const up = await weak.client.auth.mfa.challengeAndVerify({
    factorId: factor.id,
    code: codeAt(factor.secret, stepNow() + 1),
  });
  assert.equal(up.error, null);
  const upgraded = (await weak.client.auth.getSession()).data.session!.access_token;
  assert.equal(
    (await callAs(upgraded, "POST", "/admin/blocked-terms", { term, action: "reject" })).status,
    201,
  );
});
