/**
 * Changing the email address through supabase-js (`auth.updateUser({ email })`), as Supabase
 * Auth does it: with `double_confirm_changes` both the current and the new address confirm.
 */
import assert from "node:assert/strict";
import { codeIn, linkIn, newEmail, startTestStack, type TestStack } from "../_helpers/stack.ts";

const PASSWORD = "Correct-horse-9";

async function signedIn(stack: TestStack, email: string) {
  const c = stack.client();
  const { error } = await c.auth.signUp({
    email,
    password: PASSWORD,
    options: { data: { username: `ec_${crypto.randomUUID().slice(0, 8)}` } },
  });
  assert.equal(error, null);
  const [mail] = await stack.inbox(email);
  const v = await c.auth.verifyOtp({ email, token: codeIn(mail!.text), type: "signup" });
  assert.equal(v.error, null);
  return c;
}

async function assertSignIn(stack: TestStack, email: string, works: boolean) {
  const { error } = await stack.client().auth.signInWithPassword({ email, password: PASSWORD });
  if (works) assert.equal(error, null, `sign-in with ${email}`);
  else assert.equal(error?.code, "invalid_credentials", `no sign-in with ${email}`);
}

Deno.test("email change: double confirmation by codes from both inboxes", async () => {
  await using stack = await startTestStack();
  if (!stack.local) return;
  const old = newEmail("old");
  const next = newEmail("new");
  const c = await signedIn(stack, old);

  const { data, error } = await c.auth.updateUser({ email: next });
  assert.equal(error, null);
  assert.equal(data.user?.email, old, "the address does not change yet");
  assert.equal(data.user?.new_email, next);
  assert.ok(data.user?.email_change_sent_at);

  const [toNew] = await stack.inbox(next);
  const [toOld] = (await stack.inbox(old)).filter((m) => m.text.includes(next));
  assert.ok(toNew && toOld, "a mail to each address");
  assert.notEqual(codeIn(toNew.text), codeIn(toOld.text));

  // A wrong code is refused.
  const bad = await c.auth.verifyOtp({ type: "email_change", email: next, token: "000000" });
  assert.equal(bad.error?.code, "otp_expired");

  // The first confirmation, as GoTrue answers it (supabase-js returns no user and no session).
  const res = await fetch(`${stack.url}/auth/v1/verify`, {
    method: "POST",
    headers: { apikey: stack.anonKey, "content-type": "application/json" },
    body: JSON.stringify({ type: "email_change", email: next, token: codeIn(toNew.text) }),
  });
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), {
    msg: "Confirmation link accepted. Please proceed to confirm link sent to the other email",
    code: "200",
  });
  await assertSignIn(stack, next, false);

  const second = await c.auth.verifyOtp({
    type: "email_change",
    email: old,
    token: codeIn(toOld.text),
  });
  assert.equal(second.error, null);
  assert.equal(second.data.user?.email, next);
  assert.equal(second.data.user?.new_email, undefined);

  await assertSignIn(stack, next, true);
  await assertSignIn(stack, old, false);
  // A used code does not work twice.
  const again = await c.auth.verifyOtp({
    type: "email_change",
    email: old,
    token: codeIn(toOld.text),
  });
  assert.equal(again.error?.code, "otp_expired");
});

Deno.test("email change: links, first one answers with GoTrue's message", async () => {
  await using stack = await startTestStack();
  if (!stack.local) return;
  const old = newEmail("old");
  const next = newEmail("new");
  const c = await signedIn(stack, old);
  assert.equal((await c.auth.updateUser({ email: next })).error, null);
  const [toNew] = await stack.inbox(next);
  const [toOld] = (await stack.inbox(old)).filter((m) => m.text.includes(next));
  const r1 = await fetch(linkIn(toOld!.text), { redirect: "manual" });
  assert.equal(r1.status, 303);
  const f1 = new URLSearchParams(new URL(r1.headers.get("location")!).hash.slice(1));
  assert.match(f1.get("message") ?? "", /Please proceed to confirm link sent to the other email/);
  assert.equal(f1.get("access_token"), null);
  const r2 = await fetch(linkIn(toNew!.text), { redirect: "manual" });
  const f2 = new URLSearchParams(new URL(r2.headers.get("location")!).hash.slice(1));
  assert.ok(f2.get("access_token"), "the second link signs in");
  assert.equal(f2.get("type"), "email_change");
  await assertSignIn(stack, next, true);
  await assertSignIn(stack, old, false);
});

Deno.test("email change: single confirmation with double_confirm_changes = false", async () => {
  await using stack = await startTestStack((toml) => {
    const auth = toml.auth as Record<string, Record<string, unknown>>;
    auth.email!.double_confirm_changes = false;
    auth.email!.max_frequency = "1ms"; // so the resend below is not refused
  });
  if (!stack.local) return;
  const old = newEmail("old");
  const next = newEmail("new");
  const c = await signedIn(stack, old);
  const { data, error } = await c.auth.updateUser({ email: next });
  assert.equal(error, null);
  assert.equal(data.user?.new_email, next);
  const toOld = (await stack.inbox(old)).filter((m) => m.text.includes(next));
  assert.equal(toOld.length, 0, "nothing goes to the current address");
  const [first] = await stack.inbox(next);
  // /resend type email_change sends a fresh code; the earlier one stops working.
  await new Promise((r) => setTimeout(r, 5));
  assert.equal((await c.auth.resend({ type: "email_change", email: next })).error, null);
  const mails = await stack.inbox(next);
  assert.equal(mails.length, 2);
  const stale = await c.auth.verifyOtp({
    type: "email_change",
    email: next,
    token: codeIn(first!.text),
  });
  assert.equal(stale.error?.code, "otp_expired");
  const v = await c.auth.verifyOtp({
    type: "email_change",
    email: next,
    token: codeIn(mails[0]!.text),
  });
  assert.equal(v.error, null);
  assert.equal(v.data.user?.email, next);
  assert.ok(v.data.session);
  await assertSignIn(stack, next, true);
  await assertSignIn(stack, old, false);
});

Deno.test("email change: an address another user has is refused (email_exists)", async () => {
  await using stack = await startTestStack();
  if (!stack.local) return;
  const mine = newEmail("mine");
  const theirs = newEmail("theirs");
  const c = await signedIn(stack, mine);
  await signedIn(stack, theirs);
  const { error } = await c.auth.updateUser({ email: theirs.toUpperCase() });
  assert.equal(error?.status, 422);
  assert.equal(error?.code, "email_exists");
  const { data } = await c.auth.getUser();
  assert.equal(data.user?.new_email, undefined);
  // Asking again for the same change within max_frequency is rate limited, like other mails.
  const other = newEmail("other");
  assert.equal((await c.auth.updateUser({ email: other })).error, null);
  const twice = await c.auth.updateUser({ email: other });
  assert.equal(twice.error?.code, "over_email_send_rate_limit");
});
