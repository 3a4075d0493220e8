/** The API function behind the local gateway, with the official client's session. */
import assert from "node:assert/strict";
import { startTestStack } from "../_helpers/stack.ts";

Deno.test("through the gateway: functions.invoke sends a message; an admin's deactivation also bans in Auth", async () => {
  await using stack = await startTestStack();
  if (!stack.local) return;
  const alice = stack.client();
  await alice.auth.signInWithPassword({ email: "alice@example.com", password: "chat-demo-2024" });
  const { data, error } = await alice.functions.invoke(
    "api/channels/c0000000-0000-4000-8000-0000000000a1/messages",
    {
      body: { content: "via the gateway", client_id: "gw-1" },
    },
  );
  assert.equal(error, null);
  assert.equal(data.message.content, "via the gateway");
  const health = await fetch(`${stack.url}/functions/v1/api/health`);
  assert.equal((await health.json()).rate_limiter, "kv");

  const carol = stack.client();
  assert.equal(
    (await carol.auth.signInWithPassword({
      email: "carol@example.com",
      password: "chat-demo-2024",
    })).error,
    null,
  );
  const off = await alice.functions.invoke(
    "api/admin/users/ca201000-0000-4000-8000-000000000003/deactivate",
    { method: "POST" },
  );
  assert.equal(off.error, null);
  const again = await stack.client().auth.signInWithPassword({
    email: "carol@example.com",
    password: "chat-demo-2024",
  });
  assert.equal(again.error?.code, "user_banned", "deactivation bans the account in Auth");
  assert.ok((await carol.auth.refreshSession()).error, "and ends the sessions it had");
  await alice.functions.invoke("api/admin/users/ca201000-0000-4000-8000-000000000003/reactivate", {
    method: "POST",
  });
  const back = await stack.client().auth.signInWithPassword({
    email: "carol@example.com",
    password: "chat-demo-2024",
  });
  assert.equal(back.error, null);
});
