/**
 * Supabase Auth's guards through the official client (`@supabase/supabase-js`), against the
 * local stack or a real project (see `auth_test.ts`): the lockout after wrong passwords, the
 * admin API and deactivated profiles, sign-up rate limits, GoTrue's errors for bad input, equal
 * timing for wrong and unknown accounts, the local inbox, and guessing a mailed code.
 */
import assert from "node:assert/strict";
import { codeIn, newEmail, startTestStack } from "../_helpers/stack.ts";
import { signUpAndConfirm, TEST_PASSWORD as PASSWORD } from "../_helpers/signed_in.ts";

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
