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

Deno.test("attachments: checked by content, thumbnailed, recorded; a disguised file is deleted with 415", async () => {
  await using stack = await startTestStack();
  if (!stack.local) return;
  const { Image } = await import("imagescript");
  const alice = stack.client();
  await alice.auth.signInWithPassword({ email: "alice@example.com", password: "chat-demo-2024" });
  const folder = "c0000000-0000-4000-8000-0000000000a1/a11ce000-0000-4000-8000-000000000001";
  const photo = new Image(1200, 900);
  photo.fill(0x3366ccff);
  const up = await alice.storage.from("attachments").upload(
    `${folder}/photo.jpg`,
    await photo.encodeJPEG(85),
    {
      contentType: "image/jpeg",
    },
  );
  assert.equal(up.error, null);
  const rec = await alice.functions.invoke("api/attachments", {
    body: { bucket: "attachments", path: `${folder}/photo.jpg` },
  });
  if (rec.error) throw new Error(await (rec.error as { context: Response }).context.text());
  const a = rec.data.attachment;
  assert.deepEqual([a.mime_type, a.width, a.height], ["image/jpeg", 1200, 900]);
  assert.match(a.sha256, /^[0-9a-f]{64}$/);
  const carol = stack.client();
  await carol.auth.signInWithPassword({ email: "carol@example.com", password: "chat-demo-2024" });
  const thumb = await carol.storage.from("attachments").download(a.thumb_path);
  assert.equal(thumb.error, null);
  const t = await Image.decode(new Uint8Array(await thumb.data!.arrayBuffer()));
  assert.deepEqual([t.width, t.height], [320, 240], "the thumbnail is 320 px on its longest side");

  const sent = await alice.functions.invoke(
    "api/channels/c0000000-0000-4000-8000-0000000000a1/messages",
    {
      body: { content: "look at this", client_id: "att-1", attachment_ids: [a.id] },
    },
  );
  assert.equal(sent.data.message.attachments[0].id, a.id, "the message carries its attachment");

  // An executable named .png and declared image/png: Storage accepts the declared type, the API does not.
  const fake = new Uint8Array([0x4d, 0x5a, 0x90, 0, 3, 0, 0, 0, 4, 0, 0, 0, 0xff, 0xff]);
  await alice.storage.from("attachments").upload(`${folder}/cat.png`, fake, {
    contentType: "image/png",
  });
  const bad = await alice.functions.invoke("api/attachments", {
    body: { bucket: "attachments", path: `${folder}/cat.png` },
  });
  assert.equal((bad.error as { context?: Response })?.context?.status, 415);
  const gone = await alice.storage.from("attachments").download(`${folder}/cat.png`);
  assert.ok(gone.error, "the disguised file was deleted");
});
