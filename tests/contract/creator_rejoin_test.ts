/**
 * A group's creator whom an admin removed is an ordinary ex-member: through the API they can
 * neither add themselves back (as owner, as before the fix) nor join, nor read the messages.
 */
import assert from "node:assert/strict";
import { startTestStack, type TestStack } from "../_helpers/stack.ts";

const ALICE = "a11ce000-0000-4000-8000-000000000001"; // site admin
const BOB = "b0b00000-0000-4000-8000-000000000002";
const CAROL = "ca201000-0000-4000-8000-000000000003";

async function caller(stack: TestStack, email: string) {
  const c = stack.client();
  const { data, error } = await c.auth.signInWithPassword({ email, password: "chat-demo-2024" });
  assert.equal(error, null);
  const token = data.session!.access_token;
  return (method: string, path: string, body?: unknown) =>
    fetch(`${stack.url}/functions/v1/api${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    }).then(async (r) => ({ status: r.status, body: await r.json().catch(() => null) }));
}

Deno.test("a creator removed from her private group by an admin cannot rejoin (403) or read it", async () => {
  await using stack = await startTestStack();
  if (!stack.local) return;
  const carol = await caller(stack, "carol@example.com");
  const alice = await caller(stack, "alice@example.com");
  const bob = await caller(stack, "bob@example.com");

  const created = await carol("POST", "/channels", {
    name: "carol's plans",
    is_private: true,
    member_ids: [ALICE, BOB],
  });
  assert.equal(created.status, 201);
  const id = created.body.channel.id;
  const before = await alice("GET", `/channels/${id}`);
  assert.equal(
    before.body.members.find((m: { user_id: string }) => m.user_id === CAROL)?.role,
    "owner",
  );

  const removed = await alice("DELETE", `/channels/${id}/members/${CAROL}`);
  assert.equal(removed.status, 200, "the site admin removes the owner-creator");
  const sent = await bob("POST", `/channels/${id}/messages`, {
    content: "now that carol is gone",
    client_id: "after-carol",
  });
  assert.equal(sent.status, 201);

  const readd = await carol("POST", `/channels/${id}/members`, { user_id: CAROL });
  assert.equal(readd.status, 403, "she cannot add herself back to the ownerless group");
  const invite = await carol("POST", `/channels/${id}/members`, { user_id: BOB });
  assert.equal(invite.status, 403, "nor act as its creator");
  const join = await carol("POST", `/channels/${id}/join`);
  assert.equal(join.status, 403, "nor join it");
  const read = await carol("GET", `/channels/${id}/messages`);
  assert.ok([403, 404].includes(read.status), `nor read its messages (got ${read.status})`);
  const after = await alice("GET", `/channels/${id}`);
  assert.ok(
    !after.body.members.some((m: { user_id: string }) => m.user_id === CAROL),
    "she is not a member",
  );

  // Invited back by a member who may invite, she returns as a plain member, not as owner.
  const promoted = await stack.db!.admin`
    update public.channel_members set role = 'admin' where channel_id = ${id} and user_id = ${BOB}`;
  assert.equal(promoted.count, 1);
  const back = await bob("POST", `/channels/${id}/members`, { user_id: CAROL });
  assert.equal(back.status, 201);
  const final = await alice("GET", `/channels/${id}`);
  assert.equal(
    final.body.members.find((m: { user_id: string }) => m.user_id === CAROL)?.role,
    "member",
  );
});
