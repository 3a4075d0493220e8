/**
 * A seeded HTTP fuzzer over every route the API documents in its own OpenAPI document, through
 * the local gateway with real sessions (an admin, a moderator, a member), no token and bad
 * tokens. It must find no 5xx, every 4xx in the `{ error: { code, message } }` shape, the
 * process still answering and a normal send still working.
 *
 * Replay a run with `FUZZ_SEED=<seed printed> deno task test:only tests/functions/http_fuzz_test.ts`;
 * FUZZ_REQUESTS and FUZZ_MS bound it (default 2,000 requests or 15 s, whichever comes first).
 */
import assert from "node:assert/strict";
import { newEmail, startTestStack, type TestStack } from "../_helpers/stack.ts";
import { type FuzzIds, Inputs, mulberry32, Rng } from "./_fuzz_inputs.ts";
import { describe, type FuzzRequest, fuzzRequest, routesOf } from "./_fuzz_requests.ts";
import { rawSend } from "./_fuzz_http.ts";

const GENERAL = "c0000000-0000-4000-8000-0000000000a1";
const SEED = Number(Deno.env.get("FUZZ_SEED") ?? Math.floor(Math.random() * 2 ** 31));
const REQUESTS = Number(Deno.env.get("FUZZ_REQUESTS") ?? 2000);
const MS = Number(Deno.env.get("FUZZ_MS") ?? 15_000);
const WORKERS = 4;

async function signIn(stack: TestStack, email: string, password = "chat-demo-2024") {
  const { data, error } = await stack.client().auth.signInWithPassword({ email, password });
  assert.equal(error, null, `${email} signs in`);
  return data.session!.access_token;
}

/**
 * What setup makes: a public channel of its own, a message, a report, and a user (mallory) for
 * the admin routes to act on and the only one who deactivates herself.
 */
async function fixtures(
  stack: TestStack,
  api: string,
  alice: string,
): Promise<FuzzIds & { email: string }> {
  const email = newEmail("mallory");
  const { data, error } = await stack.admin().auth.admin.createUser({
    email,
    password: "Correct-horse-9",
    email_confirm: true,
    user_metadata: { username: `ml_${email.slice(8, 16)}` },
  });
  assert.equal(error, null);
  const call = async (path: string, body: unknown) => {
    const res = await fetch(`${api}${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${alice}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    const json = await res.json();
    assert.ok(res.ok, `${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  const user = data.user!.id;
  const { channel } = await call("/channels", { name: "fuzz", member_ids: [user] });
  const { message } = await call(`/channels/${channel.id}/messages`, {
    content: "fuzz target",
    client_id: "fuzz-setup",
  });
  const { report } = await call("/reports", { message_id: message.id, reason: "fuzz" });
  return { channel: channel.id, message: message.id, report: report.id, user, email };
}

interface Outcome {
  req: FuzzRequest;
  status: number;
  text: string;
}

Deno.test(`HTTP fuzz: every documented route, hostile input, zero 5xx (FUZZ_SEED=${SEED})`, async () => {
  console.log(`FUZZ_SEED=${SEED}`);
  await using stack = await startTestStack(undefined, { env: { API_RATE_LIMITS: "off" } });
  if (!stack.local) return;
  const api = `${stack.url}/functions/v1/api`;
  const [alice, bob, carol] = await Promise.all(
    ["alice", "bob", "carol"].map((u) => signIn(stack, `${u}@example.com`)),
  );
  const ids = await fixtures(stack, api, alice!);
  const mallory = await signIn(stack, ids.email, "Correct-horse-9");
  const doc = await (await fetch(`${api}/openapi.json`)).json();
  const routes = routesOf(doc);
  assert.ok(routes.length >= 30, `the document lists the routes (${routes.length})`);

  const rng = new Rng(mulberry32(SEED));
  const inputs = new Inputs(rng, ids);
  const users = [alice, alice, bob, carol];
  const badTokens = [
    undefined,
    "garbage",
    stack.anonKey, // a valid JWT, but not a user's
    `${alice!.split(".").slice(0, 2).join(".")}.`, // alg kept, signature dropped
    "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.",
    "x".repeat(20_000),
  ];
  const next = (): FuzzRequest => {
    const route = rng.pick(routes);
    let token = rng.chance(0.75) ? rng.pick(users) : rng.pick(badTokens);
    // Deactivating a seeded user would only shrink what the rest of the run can reach.
    if (route.method === "DELETE" && route.path === "/api/me" && users.includes(token)) {
      token = mallory;
    }
    return fuzzRequest(inputs, route, stack.url + "/functions/v1", token);
  };

  const outcomes: Outcome[] = [];
  const t0 = performance.now();
  let sent = 0;
  const worker = async () => {
    while (sent < REQUESTS && performance.now() - t0 < MS) {
      const req = next();
      sent++;
      try {
        // fetch refuses long URLs; a raw socket sends what an attacker would.
        if (req.url.length > 16_000) {
          outcomes.push({ req, ...(await rawSend(req)) });
          continue;
        }
        const res = await fetch(req.url, {
          method: req.method,
          headers: req.headers,
          ...(req.body !== undefined ? { body: req.body } : {}),
        });
        outcomes.push({ req, status: res.status, text: await res.text() });
      } catch (e) {
        outcomes.push({ req, status: 0, text: String(e) });
      }
    }
  };
  await Promise.all(Array.from({ length: WORKERS }, worker));
  const ms = Math.round(performance.now() - t0);

  const byStatus = new Map<number, number>();
  for (const o of outcomes) byStatus.set(o.status, (byStatus.get(o.status) ?? 0) + 1);
  console.log(
    `${outcomes.length} requests over ${routes.length} routes in ${ms} ms; by status: ${
      JSON.stringify(Object.fromEntries([...byStatus].sort((a, b) => a[0] - b[0])))
    }`,
  );
  if (byStatus.get(429)) console.log(`note: ${byStatus.get(429)} answers were 429`);

  const show = (o: Outcome) => `${o.status} ${describe(o.req)}\n    → ${o.text.slice(0, 300)}`;
  const broken = outcomes.filter((o) => o.status >= 500 || o.status === 0);
  // Deno's HTTP server refuses a request head (target and headers) over 64 KiB itself, before
  // the gateway sees it, with a bare 400: no JSON to give there, and nothing of ours ran.
  const headBytes = (r: FuzzRequest) =>
    r.url.length - stack.url.length +
    Object.entries(r.headers).reduce((n, [k, v]) => n + k.length + v.length + 4, 0);
  const tooLongForHttp = (o: Outcome) =>
    o.status === 400 && o.text === "" && headBytes(o.req) > 65_000;
  const misshapen = outcomes.filter((o) => {
    if (o.status < 400 || o.status >= 500 || tooLongForHttp(o)) return false;
    try {
      const e = JSON.parse(o.text).error;
      return typeof e?.code !== "string" || typeof e?.message !== "string";
    } catch {
      return true;
    }
  });
  assert.equal(
    broken.length,
    0,
    `${broken.length} requests failed (seed ${SEED}); the first:\n${
      broken.slice(0, 8).map(show).join("\n")
    }`,
  );
  assert.equal(
    misshapen.length,
    0,
    `${misshapen.length} 4xx answers not in the error shape; the first:\n${
      misshapen.slice(0, 8).map(show).join("\n")
    }`,
  );

  // Still alive, and still doing its job.
  const health = await fetch(`${api}/health`);
  assert.equal(health.status, 200, await health.text());
  const send = await fetch(`${api}/channels/${GENERAL}/messages`, {
    method: "POST",
    headers: { authorization: `Bearer ${bob}`, "content-type": "application/json" },
    body: JSON.stringify({ content: "still here after the fuzz", client_id: `after-${SEED}` }),
  });
  assert.equal(send.status, 201, await send.text());
});
