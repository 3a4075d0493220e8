/**
 * Invites and admin links through supabase-js (`auth.admin.inviteUserByEmail`,
 * `auth.admin.generateLink`), as Supabase Auth answers them: an invitee without a password,
 * `invited_at` set, the invite signing in (link or token hash) and the app then setting a
 * password; generated links returned with their code and hash, and no mail sent.
 */
import assert from "node:assert/strict";
import { linkIn, newEmail, startTestStack } from "../_helpers/stack.ts";
import { confirmedUser, TEST_PASSWORD } from "../_helpers/signed_in.ts";

const PASSWORD = TEST_PASSWORD;

function fragmentOf(res: Response): URLSearchParams {
  return new URLSearchParams(new URL(res.headers.get("location")!).hash.slice(1));
}

Deno.test("inviteUserByEmail: invited_at, an invite mail; its token hash signs in and the invitee sets a password", async () => {
  await using stack = await startTestStack();
  const address = newEmail("invitee");
  const username = `inv_${crypto.randomUUID().slice(0, 8)}`;
  const { data, error } = await stack.admin().auth.admin.inviteUserByEmail(address, {
    data: { username },
  });
  assert.equal(error, null);
  assert.equal(data.user?.email, address);
  assert.ok(data.user?.invited_at, "invited_at is set");
  assert.ok(data.user?.confirmation_sent_at);
  assert.equal(data.user?.email_confirmed_at, undefined);
  assert.equal(data.user?.user_metadata.username, username);
  assert.equal(data.user?.identities?.[0]?.provider, "email");
  if (!stack.local) return;

  const [mail, ...more] = await stack.inbox(address);
  assert.equal(more.length, 0);
  assert.equal(mail!.subject, "You are invited to Chat");
  // The project's template sends the invitee to the app, which verifies the hash (PKCE apps).
  const link = new URL(linkIn(mail!.text));
  assert.equal(link.origin, new URL(stack.url).origin);
  assert.equal(link.searchParams.get("type"), "invite");
  const c = stack.client();
  const v = await c.auth.verifyOtp({
    token_hash: link.searchParams.get("token_hash")!,
    type: "invite",
  });
  assert.equal(v.error, null);
  assert.equal(v.data.user?.id, data.user?.id);
  assert.ok(v.data.user?.email_confirmed_at, "accepting confirms the address");
  const set = await c.auth.updateUser({ password: PASSWORD });
  assert.equal(set.error, null);
  const signIn = await stack.client().auth.signInWithPassword({
    email: address,
    password: PASSWORD,
  });
  assert.equal(signIn.error, null);
  const twice = await stack.client().auth.verifyOtp({
    token_hash: link.searchParams.get("token_hash")!,
    type: "invite",
  });
  assert.equal(twice.error?.code, "otp_expired", "an invite works once");
});

Deno.test("inviteUserByEmail: a confirmed address is email_exists; an anon key is not_admin", async () => {
  await using stack = await startTestStack();
  const { address } = await confirmedUser(stack, "taken");
  const { error } = await stack.admin().auth.admin.inviteUserByEmail(address);
  assert.equal(error?.status, 422);
  assert.equal(error?.code, "email_exists");
  const anon = await stack.client().auth.admin.inviteUserByEmail(newEmail("sneaky"));
  assert.equal(anon.error?.status, 403);
  assert.equal(anon.error?.code, "not_admin");
});

Deno.test("generateLink invite: the action link signs in with type=invite; the code works with verifyOtp; no mail", async () => {
  await using stack = await startTestStack();
  const admin = stack.admin().auth.admin;
  const address = newEmail("genlink");
  const redirectTo = "http://127.0.0.1:3000/set-password";
  const { data, error } = await admin.generateLink({
    type: "invite",
    email: address,
    options: { redirectTo, data: { username: `gl_${crypto.randomUUID().slice(0, 8)}` } },
  });
  assert.equal(error, null);
  const p = data.properties!;
  assert.equal(p.verification_type, "invite");
  assert.equal(p.redirect_to, stack.local ? redirectTo : p.redirect_to);
  assert.match(p.email_otp, /^\d{6}$/);
  assert.match(p.hashed_token, /^[0-9a-f]{56}$/);
  assert.match(p.action_link, /\/auth\/v1\/verify\?token=[0-9a-f]{56}&type=invite&redirect_to=/);
  assert.equal(data.user?.email, address);
  assert.ok(data.user?.invited_at);
  if (!stack.local) return;
  assert.equal((await stack.inbox(address)).length, 0, "generateLink sends nothing");

  const res = await fetch(p.action_link, { redirect: "manual" });
  assert.equal(res.status, 303);
  const frag = fragmentOf(res);
  assert.equal(frag.get("type"), "invite");
  assert.ok(frag.get("access_token"));

  // A second link's 6-digit code, typed in.
  const again = await admin.generateLink({ type: "invite", email: newEmail("code") });
  const v = await stack.client().auth.verifyOtp({
    email: again.data.user!.email!,
    token: again.data.properties!.email_otp,
    type: "invite",
  });
  assert.equal(v.error, null);
  assert.ok(v.data.session);
});

Deno.test("generateLink signup, magiclink and recovery: links and hashes that verify", async () => {
  await using stack = await startTestStack();
  const admin = stack.admin().auth.admin;

  const newcomer = newEmail("gsignup");
  const signup = await admin.generateLink({
    type: "signup",
    email: newcomer,
    password: PASSWORD,
    options: { data: { username: `gs_${crypto.randomUUID().slice(0, 8)}` } },
  });
  assert.equal(signup.error, null);
  assert.equal(signup.data.properties?.verification_type, "signup");
  assert.equal(signup.data.user?.email_confirmed_at, undefined);
  const noPassword = await admin.generateLink(
    {
      type: "signup",
      email: newEmail("nopw"),
    } as unknown as Parameters<typeof admin.generateLink>[0],
  );
  assert.equal(noPassword.error?.code, "validation_failed");

  const nobody = await admin.generateLink({ type: "recovery", email: newEmail("ghost") });
  assert.equal(nobody.error?.status, 404);
  assert.equal(nobody.error?.code, "user_not_found");

  const bogus = await admin.generateLink(
    {
      type: "teleport",
      email: newcomer,
    } as unknown as Parameters<typeof admin.generateLink>[0],
  );
  assert.equal(bogus.error?.code, "validation_failed");
  assert.match(bogus.error?.message ?? "", /Invalid email action link type requested: teleport/);
  if (!stack.local) return;

  const c = stack.client();
  const v = await c.auth.verifyOtp({
    token_hash: signup.data.properties!.hashed_token,
    type: "signup",
  });
  assert.equal(v.error, null);
  assert.equal(
    (await c.auth.signInWithPassword({ email: newcomer, password: PASSWORD })).error,
    null,
  );

  // A magic link for an unknown address signs them up (GoTrue turns it into a signup link).
  const fresh = newEmail("gmagic");
  const m = await admin.generateLink({ type: "magiclink", email: fresh });
  assert.equal(m.error, null);
  assert.equal(m.data.properties?.verification_type, "signup");
  assert.match(m.data.properties!.action_link, /type=signup/);

  const { address } = await confirmedUser(stack, "grec");
  const magic = await admin.generateLink({ type: "magiclink", email: address });
  assert.equal(magic.data.properties?.verification_type, "magiclink");
  const mv = await c.auth.verifyOtp({
    email: address,
    token: magic.data.properties!.email_otp,
    type: "email",
  });
  assert.equal(mv.error, null);
  const rec = await admin.generateLink({ type: "recovery", email: address });
  const res = await fetch(rec.data.properties!.action_link, { redirect: "manual" });
  assert.equal(fragmentOf(res).get("type"), "recovery");
  assert.equal((await stack.inbox(address)).length, 0, "generateLink sends nothing");
});

Deno.test("generateLink email_change_new: the new address's code confirms the change", async () => {
  await using stack = await startTestStack((toml) => {
    const auth = toml.auth as Record<string, Record<string, unknown>>;
    auth.email!.double_confirm_changes = false;
  });
  if (!stack.local) return;
  const admin = stack.admin().auth.admin;
  const { address, id } = await confirmedUser(stack, "gchange");
  const { address: taken } = await confirmedUser(stack, "gtaken");
  const current = await admin.generateLink({
    type: "email_change_current",
    email: address,
    newEmail: newEmail("x"),
  });
  assert.equal(current.error?.code, "validation_failed", "needs double_confirm_changes");
  const dup = await admin.generateLink({
    type: "email_change_new",
    email: address,
    newEmail: taken,
  });
  assert.equal(dup.error?.code, "email_exists");

  const next = newEmail("gnew");
  const { data, error } = await admin.generateLink({
    type: "email_change_new",
    email: address,
    newEmail: next,
  });
  assert.equal(error, null);
  assert.equal(data.user?.new_email, next);
  assert.match(data.properties!.action_link, /type=email_change/);
  const v = await stack.client().auth.verifyOtp({
    email: next,
    token: data.properties!.email_otp,
    type: "email_change",
  });
  assert.equal(v.error, null);
  assert.equal(v.data.user?.id, id);
  assert.equal(v.data.user?.email, next);
});
