/**
 * Supabase Auth through the official client (`@supabase/supabase-js`), against the local
 * stack — or a real project when SUPABASE_URL, SUPABASE_ANON_KEY and SUPABASE_SERVICE_ROLE_KEY
 * are set (steps that read the local inbox then skip).
 */
import assert from "node:assert/strict";
import { decodeJwt } from "jose";
import { codeIn, linkIn, newEmail, startTestStack, type TestStack } from "../_helpers/stack.ts";

const PASSWORD = "Correct-horse-9";

async function signUpAndConfirm(stack: TestStack, email: string, username: string) {
  const c = stack.client();
  const { data, error } = await c.auth.signUp({
    email,
    password: PASSWORD,
    options: { data: { username } },
  });
  assert.equal(error, null);
  const [mail] = await stack.inbox(email);
  const { error: vErr } = await c.auth.verifyOtp({
    email,
    token: codeIn(mail!.text),
    type: "signup",
  });
  assert.equal(vErr, null);
  return data.user!;
}

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

Deno.test("five wrong passwords lock the account for 15 minutes, then it opens again", async () => {
  await using stack = await startTestStack();
  if (!stack.local) return;
  const email = newEmail("lock");
  const user = await signUpAndConfirm(stack, email, `lock_${email.slice(5, 13)}`);
  const c = stack.client();
  for (let i = 0; i < 5; i++) {
    const r = await c.auth.signInWithPassword({ email, password: `Wrong-pass-${i}` });
    assert.equal(r.error?.code, "invalid_credentials");
  }
  const locked = await c.auth.signInWithPassword({ email, password: PASSWORD });
  assert.equal(
    locked.error?.code,
    "invalid_credentials",
    "even the right password is refused while locked",
  );
  // Only the holder of the right password learns about the lock (and until when).
  assert.match(locked.error?.message ?? "", /locked until \d{4}-\d{2}-\d{2}T/);
  // Fifteen minutes later (moved in the database rather than waited for).
  await stack.db!
    .admin`update private.login_lockouts set locked_until = now() - interval '1 second' where user_id = ${user.id}`;
  const open = await c.auth.signInWithPassword({ email, password: PASSWORD });
  assert.equal(open.error, null);
});

Deno.test("admin API: create, list, ban, unban, delete; a deactivated profile gets no token", async () => {
  await using stack = await startTestStack();
  const admin = stack.admin();
  const email = newEmail("adm");
  const { data: created, error } = await admin.auth.admin.createUser({
    email,
    password: PASSWORD,
    email_confirm: true,
    user_metadata: { username: `adm_${email.slice(4, 12)}` },
  });
  assert.equal(error, null);
  assert.ok(created.user?.email_confirmed_at);
  const dup = await admin.auth.admin.createUser({ email, password: PASSWORD });
  assert.equal(dup.error?.code, "email_exists");
  const { data: list } = await admin.auth.admin.listUsers({ page: 1, perPage: 2 });
  assert.equal(list.users.length, 2);
  assert.ok((list as { total?: number }).total! >= 5);

  const c = stack.client();
  assert.equal((await c.auth.signInWithPassword({ email, password: PASSWORD })).error, null);
  await admin.auth.admin.updateUserById(created.user!.id, { ban_duration: "24h" });
  const banned = await c.auth.signInWithPassword({ email, password: PASSWORD });
  assert.equal(banned.error?.code, "user_banned");
  await admin.auth.admin.updateUserById(created.user!.id, { ban_duration: "none" });
  assert.equal((await c.auth.signInWithPassword({ email, password: PASSWORD })).error, null);

  if (stack.local) {
    await stack.db!.admin`update public.profiles set deactivated_at = now() where id = ${
      created.user!.id
    }`;
    const deact = await stack.client().auth.signInWithPassword({ email, password: PASSWORD });
    assert.equal(deact.error?.status, 403, "the access token hook refuses deactivated users");
    assert.match(deact.error!.message, /deactivated/);
  }
  assert.equal((await admin.auth.admin.deleteUser(created.user!.id)).error, null);
  const gone = await admin.auth.admin.getUserById(created.user!.id);
  assert.equal(gone.error?.code, "user_not_found");
  const notAdmin = await stack.client().auth.admin.listUsers();
  assert.equal(notAdmin.error?.code, "not_admin", "the anon key is not an admin");
});

Deno.test("sign-ups over the configured rate answer 429 over_request_rate_limit", async () => {
  await using stack = await startTestStack((toml) => {
    ((toml.auth as Record<string, unknown>).rate_limit as Record<string, unknown>)
      .sign_in_sign_ups = 3;
  });
  if (!stack.local) return;
  const c = stack.client();
  const codes = [];
  for (let i = 0; i < 4; i++) {
    const r = await c.auth.signUp({ email: newEmail("rl"), password: PASSWORD });
    codes.push(r.error?.code ?? "ok");
  }
  assert.deepEqual(codes, ["ok", "ok", "ok", "over_request_rate_limit"]);
});

Deno.test("bad input gets GoTrue's clear errors: no key, bad JSON, huge body, tampered and expired tokens", async () => {
  await using stack = await startTestStack();
  if (!stack.local) return;
  const base = `${stack.url}/auth/v1`;
  const headers = {
    apikey: stack.anonKey,
    "content-type": "application/json",
    "x-supabase-api-version": "2024-01-01",
  };
  const noKey = await fetch(`${base}/token?grant_type=password`, { method: "POST", body: "{}" });
  assert.equal(noKey.status, 401);
  assert.deepEqual(await noKey.json(), { message: "No API key found in request" });
  const badJson = await fetch(`${base}/signup`, { method: "POST", headers, body: "{not json" });
  assert.equal(badJson.status, 400);
  assert.equal((await badJson.json()).code, "bad_json");
  assert.equal(badJson.headers.get("x-supabase-api-version"), "2024-01-01");
  const missing = await fetch(`${base}/token?grant_type=password`, {
    method: "POST",
    headers,
    body: "{}",
  });
  assert.equal(missing.status, 400);
  assert.equal((await missing.json()).code, "validation_failed");
  const huge = await fetch(`${base}/signup`, {
    method: "POST",
    headers,
    body: JSON.stringify({ email: "big@example.com", password: "x".repeat(1024 * 1024) }),
  });
  assert.equal(huge.status, 413);
  await huge.body?.cancel();
  const grant = await fetch(`${base}/token?grant_type=magic`, {
    method: "POST",
    headers,
    body: "{}",
  });
  assert.equal(grant.status, 400);
  await grant.body?.cancel();

  const email = newEmail("tok");
  await signUpAndConfirm(stack, email, `tok_${email.slice(4, 12)}`);
  const { data } = await stack.client().auth.signInWithPassword({ email, password: PASSWORD });
  const [h, p] = data.session!.access_token.split(".");
  const forged = JSON.parse(atob(p!.replace(/-/g, "+").replace(/_/g, "/")));
  forged.role = "service_role";
  const tampered = `${h}.${
    btoa(JSON.stringify(forged)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_")
  }.${data.session!.access_token.split(".")[2]}`;
  const t = await stack.client().auth.getUser(tampered);
  assert.equal(t.error?.code, "bad_jwt");
  const { SignJWT } = await import("jose");
  const expired = await new SignJWT({
    sub: data.user!.id,
    role: "authenticated",
    exp: Math.floor(Date.now() / 1000) - 60,
  })
    .setProtectedHeader({ alg: "HS256" })
    .sign(new TextEncoder().encode("super-secret-jwt-token-with-at-least-32-characters-long"));
  const e = await stack.client().auth.getUser(expired);
  assert.equal(e.error?.code, "bad_jwt");
  const badRefresh = await stack.client().auth.refreshSession({ refresh_token: "nope" });
  assert.equal(badRefresh.error?.code, "refresh_token_not_found");
});

Deno.test("a wrong password and an unknown email take about the same time", async () => {
  await using stack = await startTestStack();
  if (!stack.local) return;
  const email = newEmail("time");
  await signUpAndConfirm(stack, email, `time_${email.slice(5, 13)}`);
  const c = stack.client();
  const median = async (who: () => string) => {
    const t: number[] = [];
    for (let i = 0; i < 4; i++) {
      const s = performance.now();
      await c.auth.signInWithPassword({ email: who(), password: "Wrong-pass-1" });
      t.push(performance.now() - s);
    }
    return t.sort((a, b) => a - b)[2]!;
  };
  // Both hash the password at the same bcrypt cost; only that makes them take long.
  const known = await median(() => email);
  const unknown = await median(() => newEmail("ghost"));
  const ratio = known / unknown;
  assert.ok(
    ratio > 0.5 && ratio < 2,
    `known ${known.toFixed(0)} ms vs unknown ${unknown.toFixed(0)} ms`,
  );
});

Deno.test("the local inbox lists mails as JSON and shows them as a page, never rendering their HTML", async () => {
  await using stack = await startTestStack();
  if (!stack.local) return;
  const email = newEmail("inbox");
  await stack.client().auth.signUp({
    email,
    password: PASSWORD,
    options: { data: { username: `ib_${email.slice(6, 14)}` } },
  });
  const res = await fetch(`${stack.url}/_inbox/messages?to=${encodeURIComponent(email)}`);
  const mails = await res.json();
  assert.equal(mails.length, 1);
  assert.deepEqual(Object.keys(mails[0]).sort(), [
    "created_at",
    "html",
    "id",
    "subject",
    "text",
    "to",
  ]);
  assert.equal(mails[0].to, email);
  assert.match(mails[0].html, /<a href="http:\/\/127\.0\.0\.1:\d+\/auth\/v1\/verify\?token=/);
  const page = await fetch(`${stack.url}/_inbox?to=${encodeURIComponent(email)}`);
  const html = await page.text();
  assert.match(page.headers.get("content-type") ?? "", /text\/html/);
  assert.match(html, /Confirm your email/);
  assert.doesNotMatch(html, />Confirm my email<\/a>/, "the mail's own markup is not rendered");
  assert.match(
    html,
    /<a href="http:\/\/127\.0\.0\.1:\d+\/auth\/v1\/verify\?token=[^"]+">/,
    "links in the mail's text are clickable",
  );
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

Deno.test("guessing the 6-digit code: five wrong codes void it, and a spoofed X-Forwarded-For does not reset the limit", async () => {
  await using stack = await startTestStack();
  if (!stack.local) return;
  const email = newEmail("guess");
  const c = stack.client();
  await c.auth.signUp({
    email,
    password: PASSWORD,
    options: { data: { username: `gs_${email.slice(6, 14)}` } },
  });
  const [mail] = await stack.inbox(email);
  const right = codeIn(mail!.text);
  const wrong = right === "000000" ? "111111" : "000000";
  for (let i = 0; i < 5; i++) {
    const r = await fetch(`${stack.url}/auth/v1/verify`, {
      method: "POST",
      headers: {
        apikey: stack.anonKey,
        "content-type": "application/json",
        "x-forwarded-for": `203.0.113.${i}`,
      },
      body: JSON.stringify({ type: "signup", email, token: wrong }),
    });
    assert.equal(r.status, 403);
    await r.body?.cancel();
  }
  const late = await c.auth.verifyOtp({ email, token: right, type: "signup" });
  assert.equal(
    late.error?.code,
    "otp_expired",
    "after five wrong codes even the right one is void",
  );
});
