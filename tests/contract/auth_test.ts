/**
 * Supabase Auth through the official client (`@supabase/supabase-js`), against the local
 * stack — or a real project when SUPABASE_URL, SUPABASE_ANON_KEY and SUPABASE_SERVICE_ROLE_KEY
 * are set (steps that read the local inbox then skip): sign-up, sessions and refresh, password
 * rules and recovery, PKCE, resend and sign-out scopes. Guards (lockout, admin, limits, bad
 * input, timing, the inbox, code guessing): `auth_guards_test.ts`.
 */
import assert from "node:assert/strict";
import { decodeJwt } from "jose";
import { codeIn, linkIn, newEmail, startTestStack } from "../_helpers/stack.ts";
import { signUpAndConfirm, TEST_PASSWORD as PASSWORD } from "../_helpers/signed_in.ts";

Deno.test("sign-up → inbox → verify link → sign-in → refresh → update → sign-out", async () => {
  await using stack = await startTestStack();
  const email = newEmail("flow");
  const c = stack.client();

  const { data: up, error: upErr } = await c.auth.signUp({
    email,
    password: PASSWORD,
    options: { data: { username: `flow_${email.slice(5, 13)}`, display_name: "Flow Tester" } },
  });
  assert.equal(upErr, null);
  assert.equal(up.session, null, "no session until the address is confirmed");
  assert.equal(up.user?.email, email);
  assert.ok(up.user?.confirmation_sent_at);

  const early = await c.auth.signInWithPassword({ email, password: PASSWORD });
  assert.equal(early.error?.code, "email_not_confirmed");

  if (!stack.local) return;
  const [mail] = await stack.inbox(email);
  assert.ok(mail, "the confirmation mail is in the inbox");
  assert.match(mail.subject, /Confirm/);
  const link = linkIn(mail.text);
  const res = await fetch(link, { redirect: "manual" });
  assert.equal(res.status, 303);
  const landing = new URL(res.headers.get("location")!);
  // This stack runs on a free port, not config.toml's 54321: the site URL follows it.
  assert.equal(landing.origin, new URL(stack.url).origin, "the link lands on this stack");
  const fragment = new URLSearchParams(landing.hash.slice(1));
  assert.ok(fragment.get("access_token"), "the link redirects with a session in the fragment");
  assert.equal(fragment.get("type"), "signup");
  await res.body?.cancel();

  const { data: signed, error: inErr } = await c.auth.signInWithPassword({
    email,
    password: PASSWORD,
  });
  assert.equal(inErr, null);
  const claims = decodeJwt(signed.session!.access_token);
  assert.equal(claims.sub, up.user!.id);
  assert.equal(claims.role, "authenticated");
  assert.equal(claims.aud, "authenticated");
  assert.equal(claims.user_role, "user", "the custom access token hook adds user_role");
  assert.equal(claims.aal, "aal1");
  assert.ok(claims.session_id);
  assert.deepEqual((claims.amr as { method: string }[])[0]!.method, "password");
  assert.equal(claims.iss, `${stack.url}/auth/v1`);

  const { data: me } = await c.auth.getUser();
  assert.equal(me.user?.email, email);
  assert.equal(me.user?.user_metadata.display_name, "Flow Tester");

  const firstRefresh = signed.session!.refresh_token;
  const { data: refreshed, error: rErr } = await c.auth.refreshSession();
  assert.equal(rErr, null);
  assert.notEqual(refreshed.session!.refresh_token, firstRefresh, "refresh tokens rotate");

  const { data: upd, error: uErr } = await c.auth.updateUser({ data: { status: "busy" } });
  assert.equal(uErr, null);
  assert.equal(upd.user?.user_metadata.status, "busy");
  assert.equal(upd.user?.user_metadata.display_name, "Flow Tester", "metadata updates merge");

  const token = refreshed.session!.access_token;
  assert.equal((await c.auth.signOut()).error, null);
  const after = await stack.client().auth.getUser(token);
  // auth-js turns GoTrue's 403 session_not_found into AuthSessionMissingError.
  assert.equal(after.error?.name, "AuthSessionMissingError", "signing out ends the session");
  const raw = await fetch(`${stack.url}/auth/v1/user`, {
    headers: {
      apikey: stack.anonKey,
      authorization: `Bearer ${token}`,
      "x-supabase-api-version": "2024-01-01",
    },
  });
  assert.equal(raw.status, 403);
  assert.equal((await raw.json()).code, "session_not_found");
});

Deno.test("a reused refresh token after the reuse interval revokes the whole session", async () => {
  await using stack = await startTestStack((toml) => {
    (toml.auth as Record<string, unknown>).refresh_token_reuse_interval = 0;
  });
  if (!stack.local) return;
  const email = newEmail("reuse");
  await signUpAndConfirm(stack, email, `reuse_${email.slice(6, 14)}`);
  const c = stack.client();
  const { data } = await c.auth.signInWithPassword({ email, password: PASSWORD });
  const stolen = data.session!.refresh_token;
  const { data: r1 } = await c.auth.refreshSession();
  assert.ok(r1.session);
  const attacker = stack.client();
  const reuse = await attacker.auth.refreshSession({ refresh_token: stolen });
  assert.equal(reuse.error?.code, "refresh_token_already_used");
  assert.equal(reuse.error?.message, "Invalid Refresh Token: Already Used");
  const legit = await stack.client().auth.refreshSession({
    refresh_token: r1.session!.refresh_token,
  });
  assert.ok(legit.error, "the legitimate token of that session is revoked too");
});

Deno.test("passwords: rules, wrong password and unknown email alike, recovery by email code", async () => {
  await using stack = await startTestStack();
  const c = stack.client();
  const weak = await c.auth.signUp({ email: newEmail("weak"), password: "short" });
  assert.equal(weak.error?.code, "weak_password");
  assert.equal(weak.error?.status, 422);
  assert.deepEqual((weak.error as unknown as { reasons: string[] }).reasons, [
    "length",
    "characters",
  ]);
  // config.toml: 8 characters, letters and digits (HIBP is off unless asked for).
  const letters = await c.auth.signUp({ email: newEmail("weak"), password: "onlyletters" });
  assert.equal(letters.error?.code, "weak_password");
  assert.deepEqual((letters.error as unknown as { reasons: string[] }).reasons, ["characters"]);
  const bad = await c.auth.signUp({ email: "not-an-email", password: PASSWORD });
  assert.deepEqual([bad.error?.status, bad.error?.code], [400, "validation_failed"]);
  if (!stack.local) return;

  const email = newEmail("pw");
  await signUpAndConfirm(stack, email, `pw_${email.slice(3, 11)}`);
  const wrong = await c.auth.signInWithPassword({ email, password: "Wrong-pass-1" });
  const unknown = await c.auth.signInWithPassword({
    email: newEmail("ghost"),
    password: "Wrong-pass-1",
  });
  assert.equal(wrong.error?.code, "invalid_credentials");
  assert.deepEqual([unknown.error?.code, unknown.error?.message], [
    wrong.error?.code,
    wrong.error?.message,
  ]);

  assert.equal((await c.auth.resetPasswordForEmail(email)).error, null);
  assert.equal(
    (await c.auth.resetPasswordForEmail(newEmail("ghost"))).error,
    null,
    "no enumeration on recovery",
  );
  const [mail] = await stack.inbox(email);
  assert.match(mail!.subject, /Reset/);
  const { error: vErr } = await c.auth.verifyOtp({
    email,
    token: codeIn(mail!.text),
    type: "recovery",
  });
  assert.equal(vErr, null);
  const same = await c.auth.updateUser({ password: PASSWORD });
  assert.equal(same.error?.code, "same_password");
  assert.equal((await c.auth.updateUser({ password: "Brand-new-pass-2" })).error, null);
  const again = await stack.client().auth.signInWithPassword({
    email,
    password: "Brand-new-pass-2",
  });
  assert.equal(again.error, null);
});

Deno.test("PKCE: the confirmation link returns a code that exchangeCodeForSession turns into a session", async () => {
  await using stack = await startTestStack();
  if (!stack.local) return;
  const email = newEmail("pkce");
  const c = stack.client({ flowType: "pkce" });
  const { error } = await c.auth.signUp({
    email,
    password: PASSWORD,
    options: { data: { username: `pk_${email.slice(5, 13)}` } },
  });
  assert.equal(error, null);
  const [mail] = await stack.inbox(email);
  const link = linkIn(mail!.text);
  assert.match(link, /token=pkce_/);
  const res = await fetch(link, { redirect: "manual" });
  const code = new URL(res.headers.get("location")!).searchParams.get("code");
  await res.body?.cancel();
  assert.ok(code, "the PKCE link redirects with ?code=");
  const { data, error: xErr } = await c.auth.exchangeCodeForSession(code!);
  assert.equal(xErr, null);
  assert.equal(data.user?.email, email);
  const replay = await c.auth.exchangeCodeForSession(code!);
  assert.ok(replay.error, "a code works once");
});

Deno.test("PKCE: the 6-digit code from the same mail signs in directly, as GoTrue's isOtpValid allows", async () => {
  await using stack = await startTestStack();
  if (!stack.local) return;
  const email = newEmail("pkcecode");
  const c = stack.client({ flowType: "pkce" });
  const { error } = await c.auth.signUp({
    email,
    password: PASSWORD,
    options: { data: { username: `pc_${email.slice(9, 17)}` } },
  });
  assert.equal(error, null);
  const [mail] = await stack.inbox(email);
  const { data, error: vErr } = await c.auth.verifyOtp({
    email,
    token: codeIn(mail!.text),
    type: "signup",
  });
  assert.equal(vErr, null);
  assert.equal(data.session?.user.email, email);
  const again = await c.auth.verifyOtp({ email, token: codeIn(mail!.text), type: "signup" });
  assert.equal((again.error as { code?: string } | null)?.code, "otp_expired", "a code works once");
});

Deno.test("resend, verify by token hash, a confirmed address signing up again, and sign-out scopes", async () => {
  await using stack = await startTestStack();
  if (!stack.local) return;
  const email = newEmail("more");
  const c = stack.client();
  await c.auth.signUp({
    email,
    password: PASSWORD,
    options: { data: { username: `mo_${email.slice(5, 13)}` } },
  });
  await stack.db!
    .admin`update auth.users set confirmation_sent_at = now() - interval '2 minutes' where email = ${email}`;
  assert.equal((await c.auth.resend({ type: "signup", email })).error, null);
  const mails = await stack.inbox(email);
  assert.equal(mails.length, 2, "resend sends a new confirmation");
  const hash = new URL(linkIn(mails[0]!.text)).searchParams.get("token")!;
  const old = new URL(linkIn(mails[1]!.text)).searchParams.get("token")!;
  const stale = await c.auth.verifyOtp({ token_hash: old, type: "signup" });
  assert.equal(stale.error?.code, "otp_expired", "the first link no longer works");
  const { data: v, error } = await c.auth.verifyOtp({ token_hash: hash, type: "signup" });
  assert.equal(error, null);
  assert.ok(v.session);

  const again = await c.auth.signUp({ email, password: "Other-pass-77" });
  assert.equal(
    again.error,
    null,
    "no account enumeration: a confirmed address signs up 'again' without error",
  );
  assert.deepEqual(again.data.user?.identities, []);
  assert.notEqual(again.data.user?.id, v.user!.id);

  const a = stack.client();
  const b = stack.client();
  await a.auth.signInWithPassword({ email, password: PASSWORD });
  const { data: bs } = await b.auth.signInWithPassword({ email, password: PASSWORD });
  assert.equal((await a.auth.signOut({ scope: "others" })).error, null);
  assert.equal(
    (await stack.client().auth.getUser(bs.session!.access_token)).error?.name,
    "AuthSessionMissingError",
    "scope=others ends the other sessions",
  );
  assert.equal((await a.auth.getUser()).error, null, "but not this one");
  assert.equal((await a.auth.signOut({ scope: "local" })).error, null);
});
