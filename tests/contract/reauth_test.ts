/**
 * Reauthentication through supabase-js (`auth.reauthenticate()`, `updateUser({ password,
 * nonce })`), as Supabase Auth does it with `[auth.email] secure_password_change`: a session
 * older than 24 hours changes the password only with the mailed nonce. Steps that need the
 * inbox, the database or a config change run on the local stack only.
 */
import assert from "node:assert/strict";
import { codeIn, startTestStack, type TestStack } from "../_helpers/stack.ts";
import { confirmedUser, TEST_PASSWORD } from "../_helpers/signed_in.ts";

const PASSWORD = TEST_PASSWORD;

type Toml = Record<string, Record<string, unknown>>;
const secure = (toml: Toml) => {
  const auth = toml.auth as Record<string, Record<string, unknown>>;
  auth.email!.secure_password_change = true;
};

async function signedIn(stack: TestStack, tag: string) {
  const { address, id } = await confirmedUser(stack, tag);
  const c = stack.client();
  assert.equal(
    (await c.auth.signInWithPassword({ email: address, password: PASSWORD })).error,
    null,
  );
  return { c, address, id };
}

/** The session began a day and an hour ago (moved in the database rather than waited for). */
async function ageSessions(stack: TestStack, userId: string) {
  await stack.db!.admin`update auth.sessions set created_at = now() - interval '25 hours'
                         where user_id = ${userId}`;
}

Deno.test("reauthenticate mails a nonce; a second one within max_frequency is refused", async () => {
  await using stack = await startTestStack();
  const { c, address } = await signedIn(stack, "nonce");
  const { data, error } = await c.auth.reauthenticate();
  assert.equal(error, null);
  assert.deepEqual(data, { user: null, session: null });
  if (!stack.local) return;
  const [mail] = await stack.inbox(address);
  assert.equal(mail!.subject, "Confirm it is you");
  assert.match(codeIn(mail!.text), /^\d{6}$/);
  const twice = await c.auth.reauthenticate();
  assert.equal(twice.error?.code, "over_email_send_rate_limit");
  const anon = await fetch(`${stack.url}/auth/v1/reauthenticate`, {
    headers: { apikey: stack.anonKey },
  });
  assert.equal(anon.status, 401);
  await anon.body?.cancel();
});

Deno.test("secure_password_change: an old session needs the nonce, which works once", async () => {
  await using stack = await startTestStack(secure);
  if (!stack.local) return;
  const { c, address, id } = await signedIn(stack, "old");
  await ageSessions(stack, id);

  const none = await c.auth.updateUser({ password: "Another-horse-1" });
  assert.equal(none.error?.status, 400);
  assert.equal(none.error?.code, "reauthentication_needed");
  assert.equal(none.error?.message, "Password update requires reauthentication");

  const wrong = await c.auth.updateUser({ password: "Another-horse-1", nonce: "000000" });
  assert.equal(wrong.error?.status, 422);
  assert.equal(wrong.error?.code, "reauthentication_not_valid");
  assert.equal(wrong.error?.message, "Nonce has expired or is invalid");

  assert.equal((await c.auth.reauthenticate()).error, null);
  const nonce = codeIn((await stack.inbox(address))[0]!.text);
  const ok = await c.auth.updateUser({ password: "Another-horse-1", nonce });
  assert.equal(ok.error, null);
  const signIn = await stack.client().auth.signInWithPassword({
    email: address,
    password: "Another-horse-1",
  });
  assert.equal(signIn.error, null);
  const reused = await c.auth.updateUser({ password: "Third-horse-22", nonce });
  assert.equal(reused.error?.code, "reauthentication_not_valid", "a nonce works once");
});

Deno.test("secure_password_change: a recent session needs no nonce; other updates never do", async () => {
  await using stack = await startTestStack(secure);
  if (!stack.local) return;
  const { c, id } = await signedIn(stack, "fresh");
  assert.equal((await c.auth.updateUser({ password: "Another-horse-1" })).error, null);
  await ageSessions(stack, id);
  const meta = await c.auth.updateUser({ data: { display_name: "Old Session" } });
  assert.equal(meta.error, null);
  assert.equal(meta.data.user?.user_metadata.display_name, "Old Session");
});

Deno.test("without secure_password_change an old session changes the password directly", async () => {
  await using stack = await startTestStack((toml) => {
    const auth = toml.auth as Record<string, Record<string, unknown>>;
    auth.email!.secure_password_change = false;
  });
  if (!stack.local) return;
  const { c, id } = await signedIn(stack, "plain");
  await ageSessions(stack, id);
  assert.equal((await c.auth.updateUser({ password: "Another-horse-1" })).error, null);
});

Deno.test("five wrong nonces void the pending one; a new nonce works", async () => {
  await using stack = await startTestStack((toml) => {
    secure(toml);
    (toml.auth as Record<string, Record<string, unknown>>).email!.max_frequency = "1ms";
  });
  if (!stack.local) return;
  const { c, address, id } = await signedIn(stack, "guess");
  await ageSessions(stack, id);
  assert.equal((await c.auth.reauthenticate()).error, null);
  const nonce = codeIn((await stack.inbox(address))[0]!.text);
  const wrongOne = nonce === "000000" ? "111111" : "000000";
  for (let i = 0; i < 5; i++) {
    const r = await c.auth.updateUser({ password: "Another-horse-1", nonce: wrongOne });
    assert.equal(r.error?.code, "reauthentication_not_valid");
  }
  const late = await c.auth.updateUser({ password: "Another-horse-1", nonce });
  assert.equal(late.error?.code, "reauthentication_not_valid", "the guessed-at nonce is void");
  assert.equal((await c.auth.reauthenticate()).error, null);
  const fresh = codeIn((await stack.inbox(address))[0]!.text);
  assert.equal(
    (await c.auth.updateUser({ password: "Another-horse-1", nonce: fresh })).error,
    null,
  );
});
