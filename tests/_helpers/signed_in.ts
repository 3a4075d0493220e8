/**
 * A seeded person signed in through supabase-js, with the API at hand: `call` answers the
 * status and JSON of a request, `api` asserts success and answers the JSON.
 */
import assert from "node:assert/strict";
import type { TestStack } from "./stack.ts";

/** The seed's password for alice, bob, carol and dave. */
export const DEMO_PASSWORD = "chat-demo-2024";

export async function signedIn(stack: TestStack, who: string, password = DEMO_PASSWORD) {
  const client = stack.client();
  const email = who.includes("@") ? who : `${who}@example.com`;
  const { data, error } = await client.auth.signInWithPassword({ email, password });
  assert.equal(error, null, `${email} signs in`);
  const token = data.session!.access_token;
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
  return { client, token, id: data.user!.id, call, api };
}
