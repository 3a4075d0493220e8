/**
 * Storage and attachments under misuse, through supabase-js and the API: a recorded
 * attachment's bytes cannot be swapped (delete, upsert, update) by its uploader, while the
 * service role still cleans up; a declared type that the bytes contradict is 415 and the object
 * is deleted; a name Storage cannot keep is a clean 400 InvalidKey with nothing written.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { SupabaseClient } from "@supabase/supabase-js";
import { startTestStack, type TestStack } from "../_helpers/stack.ts";

const FOLDER = "c0000000-0000-4000-8000-0000000000a1/a11ce000-0000-4000-8000-000000000001";

async function signedIn(stack: TestStack, email: string): Promise<SupabaseClient> {
  const c = stack.client();
  const { error } = await c.auth.signInWithPassword({ email, password: "chat-demo-2024" });
  assert.equal(error, null);
  return c;
}

async function png(width: number, height: number): Promise<Uint8Array> {
  const { Image } = await import("imagescript");
  const img = new Image(width, height);
  img.fill(0x3366ccff);
  return await img.encode(1);
}

const status = (e: unknown) => (e as { context?: Response } | null)?.context?.status;

Deno.test("a recorded attachment's bytes are final: its uploader cannot delete, upsert or update it; the service role can", async () => {
  await using stack = await startTestStack();
  if (!stack.local) return;
  const alice = await signedIn(stack, "alice@example.com");
  const files = alice.storage.from("attachments");
  const path = `${FOLDER}/small.png`;
  assert.equal(
    (await files.upload(path, await png(10, 10), { contentType: "image/png" })).error,
    null,
  );
  const rec = await alice.functions.invoke("api/attachments", {
    body: { bucket: "attachments", path },
  });
  assert.equal(rec.error, null);
  const a = rec.data.attachment;
  assert.deepEqual([a.width, a.height], [10, 10]);
  const original = new Uint8Array(await (await files.download(path)).data!.arrayBuffer());

  // The attack: delete the checked object, then put a 36-megapixel PNG at the same path.
  const removed = await files.remove([path]);
  assert.deepEqual(removed.data, [], "the delete removes nothing");
  // A PNG header that says 7200 × 5000 (the bytes behind it do not matter to Storage).
  const big = await png(10, 10);
  new DataView(big.buffer, big.byteOffset).setUint32(16, 7200);
  new DataView(big.buffer, big.byteOffset).setUint32(20, 5000);
  const again = await files.upload(path, big, { contentType: "image/png" });
  assert.equal(again.error?.statusCode, "409", "the path is still taken");
  const upsert = await files.upload(path, big, { contentType: "image/png", upsert: true });
  assert.equal(upsert.error?.statusCode, "403", "upsert onto it is refused");
  const update = await files.update(path, big, { contentType: "image/png" });
  assert.ok(update.error, "update is refused");
  const thumbGone = await files.remove([a.thumb_path]);
  assert.deepEqual(thumbGone.data, [], "its thumbnail cannot be deleted either");
  const now = new Uint8Array(await (await files.download(path)).data!.arrayBuffer());
  assert.deepEqual(now, original, "the bytes are the ones that were checked");

  // An upload that was never recorded is still the uploader's to delete.
  const draft = `${FOLDER}/draft.txt`;
  await files.upload(draft, "a draft", { contentType: "text/plain" });
  assert.equal((await files.remove([draft])).data?.length, 1);

  const service = stack.admin().storage.from("attachments");
  const cleaned = await service.remove([path, a.thumb_path]);
  assert.equal(cleaned.data?.length, 2, "the service role (the API's cleanup) still deletes them");
});

Deno.test("POST /attachments refuses a file whose bytes contradict its declared type: 415, object deleted", async () => {
  await using stack = await startTestStack();
  if (!stack.local) return;
  const alice = await signedIn(stack, "alice@example.com");
  const files = alice.storage.from("attachments");
  const record = (path: string) =>
    alice.functions.invoke("api/attachments", { body: { bucket: "attachments", path } });

  // Plain text declared as a PNG: text/plain is an allowed type, but not what it said it was.
  const lie = `${FOLDER}/notes.png`;
  assert.equal(
    (await files.upload(lie, "just some words, not a picture", { contentType: "image/png" }))
      .error,
    null,
  );
  const refused = await record(lie);
  assert.equal(status(refused.error), 415);
  const body = await (refused.error as { context: Response }).context.json();
  assert.equal(body.error.code, "unsupported_media_type");
  assert.match(body.error.message, /image\/png.*text\/plain/);
  assert.ok((await files.download(lie)).error, "the object was deleted");

  // The same text declared as text; and a JPEG declared by its other name, image/jpg.
  const honest = `${FOLDER}/notes.txt`;
  await files.upload(honest, "just some words", { contentType: "text/plain" });
  const ok = await record(honest);
  assert.equal(ok.error, null);
  assert.equal(ok.data.attachment.mime_type, "text/plain");
  const { Image } = await import("imagescript");
  const jpeg = await new Image(40, 30).fill(0xff0000ff).encodeJPEG(80);
  const jpg = `${FOLDER}/photo.jpg`;
  const up = await alice.storage.from("attachments").upload(jpg, jpeg, {
    contentType: "image/jpeg",
  });
  assert.equal(up.error, null);
  const r = await record(jpg);
  assert.equal(r.error, null);
  assert.equal(r.data.attachment.mime_type, "image/jpeg");
});

Deno.test("an object name with a segment over 255 bytes is a clean 400 InvalidKey, and nothing is written", async () => {
  await using stack = await startTestStack();
  if (!stack.local) return;
  const alice = await signedIn(stack, "alice@example.com");
  const files = alice.storage.from("attachments");
  const long = `${FOLDER}/${"é".repeat(128)}.txt`; // 260 bytes in UTF-8, 132 characters
  for (let i = 0; i < 2; i++) {
    const up = await files.upload(long, "hello", { contentType: "text/plain" });
    assert.equal(up.error?.statusCode, "400", `attempt ${i + 1}: 400, not 500 and not 409`);
    assert.equal((up.error as { code?: string } | null)?.code, "InvalidKey");
    assert.match(up.error?.message ?? "", /^Invalid key: /);
  }
  const [{ n }] = await stack.db!.admin<[{ n: number }]>`
    select count(*)::int as n from storage.objects where name like ${FOLDER + "/é%"}`;
  assert.equal(n, 0, "no row was left behind");
  // A 255-byte segment is fine and round-trips.
  const edge = `${FOLDER}/${"a".repeat(251)}.txt`;
  assert.equal((await files.upload(edge, "edge", { contentType: "text/plain" })).error, null);
  assert.equal(await (await files.download(edge)).data!.text(), "edge");
});

Deno.test("a file that cannot be put in place leaves no row: a name under an existing file", async () => {
  await using stack = await startTestStack();
  if (!stack.local) return;
  const files = stack.admin().storage.from("avatars");
  // The service role can nest names deeper than the policies allow users; on disk "a" is a
  // file, so "a/b" cannot be stored under it.
  const me = "a11ce000-0000-4000-8000-000000000001";
  assert.equal((await files.upload(`${me}/a`, "file", { contentType: "image/png" })).error, null);
  for (let i = 0; i < 2; i++) {
    const clash = await files.upload(`${me}/a/b`, "under a file", { contentType: "image/png" });
    assert.equal(clash.error?.statusCode, "400", `attempt ${i + 1}: a clean 400, no 500 or 409`);
  }
  const rows = await stack.db!.admin<{ name: string }[]>`
    select name from storage.objects where bucket_id = 'avatars' and name like ${me + "/a%"}`;
  assert.deepEqual(rows.map((r) => r.name), [`${me}/a`], "no row for the object that failed");
  assert.ok(!existsSync(join(stack.dataDir, "storage", "avatars", me, "a", "b")));
  assert.equal(await (await files.download(`${me}/a`)).data!.text(), "file", "the first is intact");
});
