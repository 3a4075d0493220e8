/**
 * People for the contract tests: a seeded person signed in through supabase-js with the API at
 * hand (`call` answers the status and JSON of a request, `api` asserts success and answers the
 * JSON), and fresh confirmed accounts made through the admin API.
 */
import assert from "node:assert/strict";
import { codeIn, newEmail, type TestStack } from "./stack.ts";

/** The seed's password for alice, bob, carol and dave. */
export const DEMO_PASSWORD = "chat-demo-2024";

/** A password that meets the project's rules, for the accounts tests make. */
export const TEST_PASSWORD = "Correct-horse-9";

/**
 * A confirmed email account made through the admin API (no mail), with a unique username;
 * `password` null makes one without a password (passwordless sign-in).
 */
export async function confirmedUser(
  stack: TestStack,
  tag: string,
  password: string | null = TEST_PASSWORD,
) {
  const address = newEmail(tag);
  const { data, error } = await stack.admin().auth.admin.createUser({
    email: address,
    ...(password === null ? {} : { password }),
    email_confirm: true,
    user_metadata: { username: `${tag}_${crypto.randomUUID().slice(0, 8)}` },
  });
  assert.equal(error, null);
  return { address, id: data.user!.id };
}

/** The API as the holder of `token`: `call` answers status and JSON, `api` asserts success. */
export function apiCaller(stack: TestStack, token: string) {
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${stack.url}/functions/v1/api${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    // deno-lint-ignore no-explicit-any
    return { status: res.status, json: await res.json() as any };
  };
  // deno-lint-ignore no-explicit-any
  const api = async (method: string, path: string, body?: unknown): Promise<any> => {
    const r = await call(method, path, body);
    assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${JSON.stringify(r.json)}`);
    return r.json;
  };
  return { call, api };
}

export async function signedIn(stack: TestStack, who: string, password = DEMO_PASSWORD) {
  const client = stack.client();
  const email = who.includes("@") ? who : `${who}@example.com`;
  const { data, error } = await client.auth.signInWithPassword({ email, password });
  assert.equal(error, null, `${email} signs in`);
  const token = data.session!.access_token;
  const { call, api } = apiCaller(stack, token);
  return { client, token, id: data.user!.id, call, api };
}

/**
 * An account signed up through supabase-js and confirmed with the mailed code, as a person does
 * (needs the local inbox), with TEST_PASSWORD.
 */
export async function signUpAndConfirm(stack: TestStack, email: string, username: string) {
  const c = stack.client();
  const { data, error } = await c.auth.signUp({
    email,
    password: TEST_PASSWORD,
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
