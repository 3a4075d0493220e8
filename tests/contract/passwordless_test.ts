/**
 * Passwordless sign-in through supabase-js (`auth.signInWithOtp`), as Supabase Auth does it:
 * one mail with a link and a code; the code signs in with `verifyOtp({ type: 'email' })`, the
 * link through `/verify` (a session in the fragment, or `?code=` for PKCE). An unknown address
 * is signed up unless `shouldCreateUser` is false. Inbox steps run on the local stack only.
 */
import assert from "node:assert/strict";
import { decodeJwt } from "jose";
import { codeIn, linkIn, newEmail, startTestStack, type TestStack } from "../_helpers/stack.ts";
import { confirmedUser } from "../_helpers/signed_in.ts";

type Toml = Record<string, Record<string, unknown>>;
const email = (toml: Toml) => (toml.auth as Record<string, Record<string, unknown>>).email!;

/** The authentication methods a session's access token names (`amr`). */
const amrOf = (accessToken: string) =>
  (decodeJwt(accessToken).amr as { method: string }[]).map((a) => a.method);

/** A confirmed account without a password, made by the admin API (no mail). */
const existing = (stack: TestStack, tag: string) => confirmedUser(stack, tag, null);

Deno.test("signInWithOtp: the mail's code signs in with verifyOtp type email, once", async () => {
  await using stack = await startTestStack();
  const { address } = await existing(stack, "otp");
  const c = stack.client();
  const { data, error } = await c.auth.signInWithOtp({
    email: address,
    options: { shouldCreateUser: false },
  });
  assert.equal(error, null);
  assert.deepEqual(data, { user: null, session: null });
  if (!stack.local) return;

  const [mail, ...older] = await stack.inbox(address);
  assert.equal(older.length, 0, "one mail");
  assert.equal(mail!.subject, "Your sign-in link");
  assert.match(linkIn(mail!.text), /\/auth\/v1\/verify\?token=[0-9a-f]{56}&type=magiclink/);
  const wrong = await c.auth.verifyOtp({ email: address, token: "000000", type: "email" });
  assert.equal(wrong.error?.code, "otp_expired");
  const v = await c.auth.verifyOtp({ email: address, token: codeIn(mail!.text), type: "email" });
  assert.equal(v.error, null);
  assert.equal(v.data.session?.user.email, address);
  assert.ok(v.data.session?.user.last_sign_in_at);
  assert.deepEqual(amrOf(v.data.session!.access_token), ["otp"], "every /verify is method otp");
  const again = await c.auth.verifyOtp({
    email: address,
    token: codeIn(mail!.text),
    type: "email",
  });
  assert.equal(again.error?.code, "otp_expired", "a code works once");
});

Deno.test("signInWithOtp: the link signs in (implicit fragment, type magiclink) and works once", async () => {
  await using stack = await startTestStack();
  if (!stack.local) return;
  const { address } = await existing(stack, "link");
  const redirect = "http://127.0.0.1:3000/welcome";
  const c = stack.client();
  const sent = await c.auth.signInWithOtp({
    email: address,
    options: { emailRedirectTo: redirect },
  });
  assert.equal(sent.error, null);
  const [mail] = await stack.inbox(address);
  const res = await fetch(linkIn(mail!.text), { redirect: "manual" });
  assert.equal(res.status, 303);
  const to = new URL(res.headers.get("location")!);
  assert.equal(`${to.origin}${to.pathname}`, redirect);
  const frag = new URLSearchParams(to.hash.slice(1));
  assert.ok(frag.get("access_token"));
  assert.ok(frag.get("refresh_token"));
  assert.equal(frag.get("type"), "magiclink");
  const { data } = await c.auth.getUser(frag.get("access_token")!);
  assert.equal(data.user?.email, address);
  const replay = await fetch(linkIn(mail!.text), { redirect: "manual" });
  const err = new URLSearchParams(new URL(replay.headers.get("location")!).hash.slice(1));
  assert.equal(err.get("error_code"), "otp_expired");
});

Deno.test("signInWithOtp with PKCE: the link returns ?code= for exchangeCodeForSession", async () => {
  await using stack = await startTestStack();
  if (!stack.local) return;
  const { address } = await existing(stack, "pkce");
  const c = stack.client({ flowType: "pkce" });
  assert.equal((await c.auth.signInWithOtp({ email: address })).error, null);
  const [mail] = await stack.inbox(address);
  const link = linkIn(mail!.text);
  assert.match(link, /token=pkce_/);
  const res = await fetch(link, { redirect: "manual" });
  const code = new URL(res.headers.get("location")!).searchParams.get("code");
  await res.body?.cancel();
  assert.ok(code);
  const { data, error } = await c.auth.exchangeCodeForSession(code!);
  assert.equal(error, null);
  assert.equal(data.user?.email, address);
  // The flow state remembers how it began: GoTrue's method "magiclink".
  assert.deepEqual(amrOf(data.session!.access_token), ["magiclink"]);
});

Deno.test("signInWithOtp: verifyOtp type magiclink and token_hash work too; the code expires after otp_expiry", async () => {
  await using stack = await startTestStack((toml) => {
    email(toml).max_frequency = "1ms";
  });
  if (!stack.local) return;
  const { address, id } = await existing(stack, "hash");
  const c = stack.client();
  assert.equal((await c.auth.signInWithOtp({ email: address })).error, null);
  const [first] = await stack.inbox(address);
  const v1 = await c.auth.verifyOtp({
    email: address,
    token: codeIn(first!.text),
    type: "magiclink",
  });
  assert.equal(v1.error, null);

  assert.equal((await c.auth.signInWithOtp({ email: address })).error, null);
  const [second] = await stack.inbox(address);
  const hash = new URL(linkIn(second!.text)).searchParams.get("token")!;
  const v2 = await c.auth.verifyOtp({ token_hash: hash, type: "email" });
  assert.equal(v2.error, null);
  assert.equal(v2.data.user?.id, id);

  assert.equal((await c.auth.signInWithOtp({ email: address })).error, null);
  const [third] = await stack.inbox(address);
  // An hour later (moved in the database rather than waited for): otp_expiry is 3600 s.
  await stack.db!.admin`update auth.users set recovery_sent_at = now() - interval '61 minutes'
                         where id = ${id}`;
  const late = await c.auth.verifyOtp({
    email: address,
    token: codeIn(third!.text),
    type: "email",
  });
  assert.equal(late.error?.code, "otp_expired");
});

Deno.test("signInWithOtp: shouldCreateUser false and an unknown address is otp_disabled", async () => {
  await using stack = await startTestStack();
  const address = newEmail("nobody");
  const { error } = await stack.client().auth.signInWithOtp({
    email: address,
    options: { shouldCreateUser: false },
  });
  assert.equal(error?.status, 422);
  assert.equal(error?.code, "otp_disabled");
  assert.equal(error?.message, "Signups not allowed for otp");
  if (stack.local) assert.equal((await stack.inbox(address)).length, 0);
});

Deno.test("signInWithOtp: a new address signs up; with confirmations on, the confirmation mail's code (otp_length digits) signs in", async () => {
  await using stack = await startTestStack((toml) => {
    email(toml).otp_length = 8;
  });
  if (!stack.local) return;
  const address = newEmail("fresh");
  const username = `fresh_${crypto.randomUUID().slice(0, 8)}`;
  const c = stack.client();
  const { error } = await c.auth.signInWithOtp({ email: address, options: { data: { username } } });
  assert.equal(error, null);
  const [mail] = await stack.inbox(address);
  assert.equal(mail!.subject, "Confirm your email", "the sign-up confirmation, as GoTrue sends");
  const code = /\b(\d{8})\b/.exec(mail!.text)?.[1];
  assert.ok(code, "an 8-digit code");
  const v = await c.auth.verifyOtp({ email: address, token: code, type: "email" });
  assert.equal(v.error, null);
  assert.equal(v.data.user?.user_metadata.username, username);
  assert.ok(v.data.user?.email_confirmed_at);
  // No password was chosen: none signs in.
  const pw = await c.auth.signInWithPassword({ email: address, password: "Correct-horse-9" });
  assert.equal(pw.error?.code, "invalid_credentials");
});

Deno.test("signInWithOtp: with confirmations off, a new address is created confirmed and gets the magic link", async () => {
  await using stack = await startTestStack((toml) => {
    email(toml).enable_confirmations = false;
  });
  if (!stack.local) return;
  const address = newEmail("auto");
  const c = stack.client();
  assert.equal((await c.auth.signInWithOtp({ email: address })).error, null);
  const mails = await stack.inbox(address);
  assert.deepEqual(mails.map((m) => m.subject), ["Your sign-in link"]);
  const v = await c.auth.verifyOtp({
    email: address,
    token: codeIn(mails[0]!.text),
    type: "email",
  });
  assert.equal(v.error, null);
  assert.equal(v.data.user?.email, address);
});

Deno.test("signInWithOtp: a second mail within max_frequency is over_email_send_rate_limit", async () => {
  await using stack = await startTestStack();
  if (!stack.local) return;
  const { address } = await existing(stack, "freq");
  const c = stack.client();
  assert.equal((await c.auth.signInWithOtp({ email: address })).error, null);
  const twice = await c.auth.signInWithOtp({ email: address });
  assert.equal(twice.error?.status, 429);
  assert.equal(twice.error?.code, "over_email_send_rate_limit");
  assert.match(twice.error?.message ?? "", /only request this after \d+ seconds/);
  assert.equal((await stack.inbox(address)).length, 1);
});

Deno.test("signInWithOtp follows [auth] enable_signup, [auth.email] enable_signup and otp_length", async () => {
  {
    await using stack = await startTestStack((toml) => {
      (toml.auth as Record<string, unknown>).enable_signup = false;
      email(toml).otp_length = 8;
    });
    if (!stack.local) return;
    const { error } = await stack.client().auth.signInWithOtp({ email: newEmail("closed") });
    assert.equal(error?.code, "signup_disabled");
    // Existing accounts still sign in, with 8-digit codes.
    const { address } = await existing(stack, "eight");
    const c = stack.client();
    assert.equal((await c.auth.signInWithOtp({ email: address })).error, null);
    const [mail] = await stack.inbox(address);
    const code = /\b(\d{8})\b/.exec(mail!.text)?.[1];
    assert.ok(code, "an 8-digit code");
    assert.equal(
      (await c.auth.verifyOtp({ email: address, token: code, type: "email" })).error,
      null,
    );
  }
  {
    await using stack = await startTestStack((toml) => {
      email(toml).enable_signup = false;
    });
    const { error } = await stack.client().auth.signInWithOtp({ email: newEmail("noemail") });
    assert.equal(error?.status, 422);
    assert.equal(error?.code, "email_provider_disabled");
    assert.equal(error?.message, "Email logins are disabled");
  }
});
