/**
 * Every API route through the local gateway with real sessions from local Auth: what a
 * member, a stranger (signed in, in none of the channels), a deactivated user and bad input get.
 */
import assert from "node:assert/strict";
import { newEmail, startTestStack, type TestStack } from "../_helpers/stack.ts";

const GENERAL = "c0000000-0000-4000-8000-0000000000a1"; // seed: alice (owner), bob, carol, dave
const MODS = "c0000000-0000-4000-8000-0000000000a3"; // seed: alice, bob (private)

async function session(stack: TestStack, email: string, password = "chat-demo-2024") {
  const c = stack.client();
  const { data, error } = await c.auth.signInWithPassword({ email, password });
  assert.equal(error, null, `${email} signs in`);
  return { client: c, token: data.session!.access_token };
}

Deno.test("every route: member success, stranger refused, deactivated refused, bad input 400 — with real tokens", async () => {
  await using stack = await startTestStack();
  if (!stack.local) return;
  const alice = await session(stack, "alice@example.com");
  const strangerEmail = newEmail("stranger");
  await stack.admin().auth.admin.createUser({
    email: strangerEmail,
    password: "Correct-horse-9",
    email_confirm: true,
    user_metadata: { username: `st_${strangerEmail.slice(9, 17)}` },
  });
  const stranger = await session(stack, strangerEmail, "Correct-horse-9");
  // New people join the default channel (general): this one leaves it, to be a stranger there.
  const left = await fetch(`${stack.url}/functions/v1/api/channels/${GENERAL}/leave`, {
    method: "POST",
    headers: { authorization: `Bearer ${stranger.token}` },
  });
  assert.equal(left.status, 200, "the stranger leaves the default channel");
  const dave = await session(stack, "dave@example.com");
  const call = (token: string, method: string, path: string, body?: unknown) =>
    fetch(`${stack.url}/functions/v1/api${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      ...(body !== undefined
        ? { body: typeof body === "string" ? body : JSON.stringify(body) }
        : {}),
    }).then(async (r) => ({ status: r.status, body: await r.json().catch(() => null) }));

  // Something to act on.
  const sent = await call(alice.token, "POST", `/channels/${GENERAL}/messages`, {
    content: "route matrix",
    client_id: "rm-1",
  });
  assert.equal(sent.status, 201);
  const mid = sent.body.message.id;

  type Row = [
    method: string,
    path: string,
    body: unknown,
    member: number,
    stranger: number,
    bad?: [unknown, number],
  ];
  const rows: Row[] = [
    ["GET", "/me", undefined, 200, 200],
    ["PATCH", "/me", { status_text: "busy" }, 200, 200, [{ locale: "not a locale" }, 400]],
    ["GET", "/users?q=ali", undefined, 200, 200, ["", 400]],
    ["GET", "/channels", undefined, 200, 200],
    ["GET", "/channels/public?q=gen", undefined, 200, 200, [`?q=${"x".repeat(81)}`, 400]],
    ["GET", "/admin/users?q=ali", undefined, 200, 403, [`?q=${"x".repeat(65)}`, 400]],
    ["GET", "/admin/metrics", undefined, 200, 403],
    ["POST", "/me/seen", {}, 200, 200],
    ["GET", `/channels/${GENERAL}`, undefined, 200, 200],
    ["GET", `/channels/${MODS}`, undefined, 200, 404],
    ["GET", `/channels/${GENERAL}/messages`, undefined, 200, 403, ["?limit=0", 400]],
    ["GET", `/channels/${MODS}/messages`, undefined, 200, 404],
    ["POST", `/channels/${GENERAL}/messages`, { content: "hi", client_id: "rm-2" }, 201, 403, [{
      content: "",
    }, 400]],
    ["PATCH", `/messages/${mid}`, { content: "edited" }, 200, 404, [{ content: 5 }, 400]],
    ["PUT", `/messages/${mid}/reactions/%F0%9F%91%8D`, undefined, 200, 403],
    ["DELETE", `/messages/${mid}/reactions/%F0%9F%91%8D`, undefined, 200, 404],
    ["POST", `/channels/${GENERAL}/receipts`, { read_up_to: mid }, 200, 404, [{}, 400]],
    ["GET", `/channels/${GENERAL}/summary`, undefined, 200, 403],
    ["GET", "/search?q=route", undefined, 200, 200, ["", 400]],
    ["POST", "/reports", { message_id: mid, reason: "test" }, 201, 403, [{ message_id: "x" }, 400]],
    ["GET", "/admin/reports", undefined, 200, 403],
    ["GET", "/admin/blocked-terms", undefined, 200, 403],
    ["POST", "/admin/blocked-terms", { term: "matrixword", action: "flag" }, 201, 403, [{
      term: "x",
      action: "nuke",
    }, 400]],
    ["DELETE", "/admin/blocked-terms?term=matrixword", undefined, 200, 403],
    [
      "POST",
      `/channels/${GENERAL}/members`,
      { user_id: "ca201000-0000-4000-8000-000000000003" },
      409, // carol is in general already
      403,
      [{ user_id: "x" }, 400],
    ],
    ["PATCH", `/channels/${GENERAL}`, { topic: "matrix" }, 200, 403, [{}, 400]],
    ["POST", "/channels", { name: "matrix room" }, 201, 201, [{ name: "" }, 400]],
    ["POST", "/channels/direct", { user_id: "b0b00000-0000-4000-8000-000000000002" }, 201, 201, [{
      user_id: "x",
    }, 400]],
    [
      "POST",
      "/attachments",
      { bucket: "attachments", path: `${GENERAL}/a11ce000-0000-4000-8000-000000000001/none.png` },
      404,
      403,
      [{ bucket: "avatars" }, 400],
    ],
    ["DELETE", `/messages/${mid}`, undefined, 200, 404],
  ];
  const problems: string[] = [];
  for (const [method, path, body, member, strangerStatus, bad] of rows) {
    const m = await call(alice.token, method, path, body);
    if (m.status !== member) {
      problems.push(`member ${method} ${path}: ${m.status} ${JSON.stringify(m.body)}`);
    }
    const s = await call(stranger.token, method, path, body);
    if (s.status !== strangerStatus) {
      problems.push(`stranger ${method} ${path}: ${s.status} ${JSON.stringify(s.body)}`);
    }
    if (s.status >= 400 && !s.body?.error?.code) {
      problems.push(`stranger ${method} ${path}: not the error shape`);
    }
    if (bad) {
      const [input, status] = bad;
      const b = typeof input === "string" && method === "GET"
        ? await call(alice.token, method, path.split("?")[0] + input)
        : await call(alice.token, method, path, input);
      if (b.status !== status) {
        problems.push(`bad input ${method} ${path}: ${b.status} ${JSON.stringify(b.body)}`);
      }
    }
  }
  // A deactivated user's still-valid token gets nothing, on reads and writes alike.
  await stack.db!.admin`update public.profiles set deactivated_at = now() where username = 'dave'`;
  for (
    const [method, path, body] of [["GET", "/me"], ["GET", `/channels/${GENERAL}/messages`], [
      "POST",
      `/channels/${GENERAL}/messages`,
      { content: "x", client_id: "d-1" },
    ]] as const
  ) {
    const d = await call(dave.token, method, path, body);
    if (d.status < 403 || d.status > 404) {
      problems.push(`deactivated ${method} ${path}: ${d.status}`);
    }
  }
  assert.deepEqual(problems, []);
});
