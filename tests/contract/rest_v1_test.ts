/**
 * The Data API paths without PostgREST: `supabase.from()` gets a clean PostgREST-shaped
 * `error` (not an HTML page, not a fake success), every method and path of `/rest/v1` (and
 * `/graphql/v1`) answers the same JSON, and browsers can read it (CORS). Against a real project
 * the supabase-js step checks only the shape: there PostgREST answers (a missing table: PGRST205).
 */
import assert from "node:assert/strict";
import { startTestStack } from "../_helpers/stack.ts";
import { NO_POSTGREST } from "../../local/gateway/no_postgrest.ts";

const SHAPE = ["code", "details", "hint", "message"];

Deno.test("from().select() gets PostgREST's error shape, with the local stack's code", async () => {
  await using stack = await startTestStack();
  const sb = stack.client();
  const res = await sb.from("no_such_table_for_contract_tests").select("*");
  assert.equal(res.data, null);
  assert.ok(res.error, "an error, not data");
  assert.deepEqual(Object.keys(res.error).filter((k) => SHAPE.includes(k)).sort(), SHAPE);
  assert.match(res.error.code, /^(PGRST|\d)/);
  if (!stack.local) return;
  assert.equal(res.status, NO_POSTGREST.status);
  assert.equal(res.error.code, NO_POSTGREST.body.code);
  assert.match(res.error.message, /no PostgREST/);
  assert.match(res.error.hint, /supabase start/);
  assert.match(res.error.hint, /\/functions\/v1\/api/);

  // A HEAD count and writes are errors too (a 404 without a body would read as success).
  const head = await sb.from("x").select("*", { count: "exact", head: true });
  assert.equal(head.status, NO_POSTGREST.status);
  assert.ok(head.error);
  const insert = await sb.from("x").insert({ a: 1 });
  assert.equal(insert.error?.code, NO_POSTGREST.body.code);
  const rpc = await sb.rpc("some_function", { a: 1 });
  assert.equal(rpc.error?.code, NO_POSTGREST.body.code);
});

Deno.test("every method and path of /rest/v1 and /graphql/v1 answers the same JSON, with CORS", async () => {
  await using stack = await startTestStack();
  if (!stack.local) return;
  const origin = "https://app.example";
  const cases: [string, string][] = [
    ["GET", "/rest/v1/"],
    ["GET", "/rest/v1"],
    ["GET", "/rest/v1/messages?select=id&limit=1"],
    ["POST", "/rest/v1/messages"],
    ["PATCH", "/rest/v1/messages?id=eq.1"],
    ["PUT", "/rest/v1/messages?id=eq.1"],
    ["DELETE", "/rest/v1/messages?id=eq.1"],
    ["POST", "/rest/v1/rpc/anything"],
    ["GET", "/rest/v1/deeply/nested/path"],
    ["POST", "/graphql/v1"],
  ];
  for (const [method, path] of cases) {
    const res = await fetch(`${stack.url}${path}`, {
      method,
      headers: { apikey: stack.anonKey, origin, "content-type": "application/json" },
      ...(method === "GET" ? {} : { body: "{}" }),
    });
    assert.equal(res.status, NO_POSTGREST.status, `${method} ${path}`);
    assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
    assert.equal(res.headers.get("access-control-allow-origin"), "*", `${method} ${path}: CORS`);
    assert.deepEqual(await res.json(), NO_POSTGREST.body, `${method} ${path}`);
  }
  const head = await fetch(`${stack.url}/rest/v1/messages`, { method: "HEAD" });
  assert.equal(head.status, NO_POSTGREST.status);
  await head.body?.cancel();

  // A browser's preflight succeeds, so that the page can read the error itself.
  const pre = await fetch(`${stack.url}/rest/v1/messages`, {
    method: "OPTIONS",
    headers: {
      origin,
      "access-control-request-method": "PATCH",
      "access-control-request-headers": "apikey,authorization,content-type,prefer,x-client-info",
    },
  });
  await pre.body?.cancel();
  assert.equal(pre.status, 204);
  assert.equal(pre.headers.get("access-control-allow-origin"), "*");
  assert.match(pre.headers.get("access-control-allow-methods") ?? "", /PATCH/);
  assert.match(pre.headers.get("access-control-allow-headers") ?? "", /prefer/);
});
