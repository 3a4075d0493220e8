/**
 * Anonymous sign-ins through supabase-js (`auth.signInAnonymously()`), as Supabase Auth gives
 * them when `[auth] enable_anonymous_sign_ins` is on, and the chat keeping such guests
 * read-only: the API answers 403, and RLS refuses the same writes on its own; and a guest
 * becoming a permanent user by adding an email address (`updateUser`). Against a real
 * project the steps follow what its /settings says, and config tweaks and SQL steps skip.
 */
import assert from "node:assert/strict";
import { decodeJwt } from "jose";
import { codeIn, newEmail, startTestStack, type TestStack } from "../_helpers/stack.ts";
import { apiCaller } from "../_helpers/signed_in.ts";

type Toml = Record<string, Record<string, unknown>>;

const GENERAL = "c0000000-0000-4000-8000-0000000000a1"; // the seed's public #general

async function anonymousOn(stack: TestStack): Promise<boolean> {
  const res = await fetch(`${stack.url}/auth/v1/settings`, { headers: { apikey: stack.anonKey } });
  return (await res.json()).external.anonymous_users === true;
}

const enable = (perHour?: number) => (toml: Toml) => {
  toml.auth!.enable_anonymous_sign_ins = true;
  if (perHour !== undefined) {
    (toml.auth!.rate_limit as Record<string, unknown>).anonymous_users = perHour;
  }
};

Deno.test("anonymous sign-ins are refused while enable_anonymous_sign_ins is off", async () => {
  await using stack = await startTestStack();
  if (await anonymousOn(stack)) return; // a real project that has them on
  const { data, error } = await stack.client().auth.signInAnonymously();
  assert.equal(data.session, null);
  assert.deepEqual([error?.status, error?.code, error?.message], [
    422,
    "anonymous_provider_disabled",
    "Anonymous sign-ins are disabled",
  ]);
});

Deno.test("signInAnonymously gives a session whose token says is_anonymous", async () => {
  await using stack = await startTestStack(enable());
  if (!(await anonymousOn(stack))) return;
  const c = stack.client();
  const { data, error } = await c.auth.signInAnonymously({ options: { data: { theme: "dark" } } });
  assert.equal(error, null);
  const user = data.user!;
  assert.equal(user.is_anonymous, true);
  assert.equal(user.email ?? "", "");
  assert.deepEqual(user.identities ?? [], []);
  assert.equal(user.user_metadata.theme, "dark");
  const claims = decodeJwt(data.session!.access_token) as Record<string, unknown>;
  assert.equal(claims.is_anonymous, true);
  assert.equal(claims.role, "authenticated");
  assert.equal(claims.aal, "aal1");
  assert.equal((claims.amr as { method: string }[])[0]!.method, "anonymous");
  assert.equal((await c.auth.getUser()).data.user?.is_anonymous, true);
  // The session refreshes like any other and stays anonymous.
  const refreshed = await c.auth.refreshSession();
  assert.equal(refreshed.error, null);
  assert.equal(decodeJwt(refreshed.data.session!.access_token).is_anonymous, true);
});

Deno.test("anonymous sign-ins: the hourly limit per IP, and sign-ups switched off", async () => {
  await using limited = await startTestStack(enable(2));
  if (!limited.local) return;
  for (let i = 0; i < 2; i++) {
    assert.equal((await limited.client().auth.signInAnonymously()).error, null);
  }
  const third = await limited.client().auth.signInAnonymously();
  assert.deepEqual([third.error?.status, third.error?.code], [429, "over_request_rate_limit"]);

  await using closed = await startTestStack((toml: Toml) => {
    enable()(toml);
    toml.auth!.enable_signup = false;
  });
  const off = await closed.client().auth.signInAnonymously();
  assert.deepEqual([off.error?.status, off.error?.code], [422, "signup_disabled"]);
});

Deno.test("a guest becomes permanent: no password before an email; the confirmed address adds the email identity", async () => {
  await using stack = await startTestStack(enable());
  if (!(await anonymousOn(stack))) return;
  const c = stack.client();
  const { data } = await c.auth.signInAnonymously();
  const id = data.user!.id;
  const pw = await c.auth.updateUser({ password: "Guest-pass-1" });
  assert.deepEqual([pw.error?.status, pw.error?.code, pw.error?.message], [
    422,
    "validation_failed",
    "Updating password of an anonymous user without an email or phone is not allowed",
  ]);

  const address = newEmail("guest");
  const asked = await c.auth.updateUser({ email: address });
  assert.equal(asked.error, null);
  assert.equal(asked.data.user?.new_email, address);
  assert.equal(asked.data.user?.is_anonymous, true, "anonymous until the address is confirmed");
  if (!stack.local) return; // the code is in the local inbox

  const [mail] = await stack.inbox(address);
  const v = await c.auth.verifyOtp({
    email: address,
    token: codeIn(mail!.text),
    type: "email_change",
  });
  assert.equal(v.error, null);
  const user = v.data.user!;
  assert.deepEqual([user.id, user.email, user.is_anonymous], [id, address, false]);
  assert.ok(user.email_confirmed_at);
  assert.deepEqual(user.identities?.map((i) => i.provider), ["email"]);
  assert.deepEqual(user.app_metadata.providers, ["email"]);
  assert.equal(decodeJwt(v.data.session!.access_token).is_anonymous, false);
  // With an address, a password may be set, and it signs in.
  assert.equal((await c.auth.updateUser({ password: "Guest-pass-1" })).error, null);
  const back = await stack.client().auth.signInWithPassword({
    email: address,
    password: "Guest-pass-1",
  });
  assert.equal(back.error, null);
  assert.equal(back.data.user?.id, id);
});

Deno.test("with confirmations off, a guest's new address (and password) is theirs at once", async () => {
  await using stack = await startTestStack((toml: Toml) => {
    enable()(toml);
    (toml.auth!.email as Record<string, unknown>).enable_confirmations = false;
  });
  if (!stack.local) return;
  const c = stack.client();
  const { data } = await c.auth.signInAnonymously();
  const address = newEmail("guestauto");
  const up = await c.auth.updateUser({ email: address, password: "Guest-pass-2" });
  assert.equal(up.error, null);
  const user = up.data.user!;
  assert.deepEqual([user.id, user.email, user.is_anonymous], [data.user!.id, address, false]);
  assert.equal(user.new_email, undefined);
  assert.deepEqual(user.identities?.map((i) => i.provider), ["email"]);
  assert.equal((await stack.inbox(address)).length, 0, "no confirmation mail");
  const refreshed = await c.auth.refreshSession();
  assert.equal(decodeJwt(refreshed.data.session!.access_token).is_anonymous, false);
  const back = await stack.client().auth.signInWithPassword({
    email: address,
    password: "Guest-pass-2",
  });
  assert.equal(back.data.user?.id, data.user!.id);
});

Deno.test("a guest joins and reads a public group but may not post, react or create", async () => {
  await using stack = await startTestStack(enable());
  if (!stack.local) return; // needs the seed's #general
  const { data } = await stack.client().auth.signInAnonymously();
  const { call } = apiCaller(stack, data.session!.access_token);

  assert.equal((await call("GET", "/channels/public")).status, 200);
  assert.equal((await call("POST", `/channels/${GENERAL}/join`)).status, 200);
  const page = await call("GET", `/channels/${GENERAL}/messages`);
  assert.equal(page.status, 200, JSON.stringify(page.json));

  const refusals = [
    ["POST", `/channels/${GENERAL}/messages`, { content: "hello", client_id: "guest-1" }],
    ["POST", "/channels", { name: "guests", is_private: false }],
    ["PUT", "/messages/1/reactions/%F0%9F%91%8D", undefined],
    ["POST", "/reports", { message_id: 1, reason: "spam" }],
  ] as const;
  for (const [method, path, body] of refusals) {
    const r = await call(method, path, body);
    assert.equal(r.status, 403, `${method} ${path}: ${JSON.stringify(r.json)}`);
    assert.equal(r.json.error.code, "forbidden");
    assert.match(r.json.error.message, /Guests can read but not post/);
  }
  assert.equal((await call("POST", `/channels/${GENERAL}/leave`)).status, 200);
});

Deno.test("RLS alone keeps a guest from writing, whatever calls the database", async () => {
  await using stack = await startTestStack(enable());
  if (!stack.local) return;
  const { data } = await stack.client().auth.signInAnonymously();
  const claims = decodeJwt(data.session!.access_token);
  const sql = stack.db!.sql;
  // As the API runs a request: role chat_api with the caller's claims.
  const asGuest = <T>(fn: (tx: typeof sql) => Promise<T>) =>
    sql.begin(async (tx) => {
      await tx`select set_config('request.jwt.claims', ${JSON.stringify(claims)}, true),
                      set_config('role', 'chat_api', true)`;
      return await fn(tx as unknown as typeof sql);
    });
  // Joining a public group is allowed; then posting there is not.
  await asGuest((tx) =>
    tx`insert into public.channel_members (channel_id, user_id) values (${GENERAL}, ${claims.sub!})`
  );
  const refused = async (label: string, fn: (tx: typeof sql) => Promise<unknown>) => {
    await assert.rejects(asGuest(fn), (e: { code?: string }) => e.code === "42501", label);
  };
  await refused(
    "post",
    (tx) =>
      tx`insert into public.messages (channel_id, sender_id, content, client_id)
       values (${GENERAL}, ${claims.sub!}, 'hi', 'rls-guest')`,
  );
  await refused(
    "create a group",
    (tx) =>
      tx`insert into public.channels (kind, name, created_by) values ('group', 'g', ${claims
        .sub!})`,
  );
  const [message] = await asGuest((tx) =>
    tx<{ id: number }[]>`select id from public.messages where channel_id = ${GENERAL} limit 1`
  );
  assert.ok(message, "the guest reads #general");
  await refused(
    "react",
    (tx) =>
      tx`insert into public.message_reactions (message_id, user_id, emoji)
       values (${message.id}, ${claims.sub!}, '👍')`,
  );
  // Leaving stays theirs to do.
  await asGuest((tx) =>
    tx`delete from public.channel_members where channel_id = ${GENERAL} and user_id = ${claims
      .sub!}`
  );
});
