/**
 * The unauthenticated mail inbox exists only in development on loopback: the default stack
 * (127.0.0.1) serves it, a stack listening on 0.0.0.0 or started with LOCAL_INBOX=off does not.
 */
import assert from "node:assert/strict";
import { loadConfig } from "../../local/config.ts";
import { startStack } from "../../local/stack.ts";
import { testDatabase } from "../_helpers/db.ts";
import { freePort } from "../_helpers/ports.ts";
import { newEmail, startTestStack } from "../_helpers/stack.ts";

async function inboxStatus(base: string): Promise<[number, number]> {
  const page = await fetch(`${base}/_inbox`);
  await page.body?.cancel();
  const json = await fetch(`${base}/_inbox/messages?to=a%40example.com`);
  await json.body?.cancel();
  return [page.status, json.status];
}

Deno.test("the default stack on 127.0.0.1 serves the inbox", async () => {
  await using stack = await startTestStack();
  if (!stack.local) return;
  assert.deepEqual(await inboxStatus(stack.url), [200, 200]);
});

Deno.test("LOCAL_INBOX=off: no inbox (404), and sign-ups still work", async () => {
  await using stack = await startTestStack(undefined, { env: { LOCAL_INBOX: "off" } });
  if (!stack.local) return;
  assert.deepEqual(await inboxStatus(stack.url), [404, 404]);
  const email = newEmail("quiet");
  const { error } = await stack.client().auth.signUp({
    email,
    password: "Correct-horse-9",
    options: { data: { username: `q_${email.slice(6, 14)}` } },
  });
  assert.equal(error, null, "mail is still kept, just not served");
});

Deno.test("a stack listening on 0.0.0.0 serves no inbox, even to a loopback client", async () => {
  if (Deno.env.get("SUPABASE_URL")) return;
  await using db = await testDatabase();
  const dataDir = await Deno.makeTempDir({ prefix: "stack-" });
  const port = freePort();
  const env: Record<string, string> = {
    SUPABASE_DB_URL: db.adminUrl,
    LOCAL_API_PORT: String(port),
    LOCAL_DATA_DIR: dataDir,
    DENO_KV_PATH: ":memory:",
  };
  const read = (n: string) => env[n] ?? Deno.env.get(n);
  const cfg = await loadConfig(read);
  const stack = await startStack(cfg, { hostname: "0.0.0.0", log: () => {}, env: read });
  try {
    const base = `http://127.0.0.1:${port}`;
    assert.deepEqual(await inboxStatus(base), [404, 404]);
    const health = await fetch(`${base}/auth/v1/health`, { headers: { apikey: cfg.anonKey } });
    assert.equal(health.status, 200, "the rest of the stack is up");
    await health.body?.cancel();
  } finally {
    await stack.stop();
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  }
});
