/** Helpers for the deployment smoke tests: waiting on a container, a signed-in client. */
import assert from "node:assert/strict";
import { createClient } from "@supabase/supabase-js";
import { run } from "./tools.ts";

/** Waits until Docker reports the container running and healthy; fails with its log. */
export async function healthy(name: string, ms = 120_000) {
  const end = Date.now() + ms;
  let status = "";
  while (Date.now() < end) {
    status =
      (await run(["docker", "inspect", "-f", "{{.State.Status}} {{.State.Health.Status}}", name]))
        .out.trim();
    if (status === "running healthy") return;
    if (!status.startsWith("running")) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  const logs = await run(["docker", "logs", "--tail", "30", name], { allowFail: true });
  throw new Error(`container ${name} is "${status}", not healthy:\n${logs.out}${logs.err}`);
}

/** Signs in with supabase-js; `api` calls the API function with the session's token. */
export async function signIn(url: string, anonKey: string, email: string, password: string) {
  const client = createClient(url, anonKey, {
    auth: { persistSession: false, autoRefreshToken: false },
  });
  const { data, error } = await client.auth.signInWithPassword({ email, password });
  assert.equal(error, null);
  const token = data.session!.access_token;
  await client.realtime.setAuth(token);
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${url}/functions/v1/api${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json = await res.json();
    assert.ok(res.ok, `${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  return { client, api };
}

export function within<T>(ms: number, p: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    p,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no ${what} in ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
