/**
 * Supabase Storage through supabase-js (storage-js 2.119) against the local stack: uploads,
 * downloads, lists and removes judged by the RLS policies on storage.objects as the caller;
 * bucket size and type limits; signed URLs that expire; no partial file on a refused upload.
 */
import assert from "node:assert/strict";
import type { SupabaseClient } from "@supabase/supabase-js";
import { newEmail, startTestStack, type TestStack } from "../_helpers/stack.ts";

const GENERAL = "c0000000-0000-4000-8000-0000000000a1"; // seed: alice, bob, carol, dave
const ALICE = "a11ce000-0000-4000-8000-000000000001";
const BOB = "b0b00000-0000-4000-8000-000000000002";

async function signedIn(
  stack: TestStack,
  email: string,
  password = "chat-demo-2024",
): Promise<SupabaseClient> {
  const c = stack.client();
  const { error } = await c.auth.signInWithPassword({ email, password });
  assert.equal(error, null);
  return c;
}

async function stranger(stack: TestStack): Promise<SupabaseClient> {
  const email = newEmail("stranger");
  await stack.admin().auth.admin.createUser({
    email,
    password: "Correct-horse-9",
    email_confirm: true,
    user_metadata: { username: `st_${email.slice(9, 17)}` },
  });
  const c = await signedIn(stack, email, "Correct-horse-9");
  // New people join the default channel (general): this one leaves it, to be a stranger there.
  const token = (await c.auth.getSession()).data.session!.access_token;
  const left = await fetch(`${stack.url}/functions/v1/api/channels/${GENERAL}/leave`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}` },
  });
  assert.equal(left.status, 200, "the stranger leaves the default channel");
  return c;
}

const errCode = (e: unknown) => (e as { statusCode?: string } | null)?.statusCode;

Deno.test("attachments: members upload into their own folder, read each other's files; strangers cannot", async () => {
  await using stack = await startTestStack();
  if (!stack.local) return;
  const alice = await signedIn(stack, "alice@example.com");
  const carol = await signedIn(stack, "carol@example.com");
  const eve = await stranger(stack);
  const path = `${GENERAL}/${ALICE}/note.txt`;
  const bucket = (c: SupabaseClient) => c.storage.from("attachments");

  const up = await bucket(alice).upload(path, new TextEncoder().encode("hello files"), {
    contentType: "text/plain",
  });
  assert.equal(up.error, null);
  assert.equal(up.data?.fullPath, `attachments/${path}`);
  assert.ok(up.data?.id);

  const down = await bucket(carol).download(path);
  assert.equal(down.error, null);
  assert.equal(await down.data!.text(), "hello files", "another member downloads it");
  const denied = await bucket(eve).download(path);
  assert.ok(denied.error, "a stranger cannot download it");

  const forged = await bucket(carol).upload(`${GENERAL}/${ALICE}/forged.txt`, "x", {
    contentType: "text/plain",
  });
  assert.equal(errCode(forged.error), "403", "nobody writes into someone else's folder");
  const strangerUp = await bucket(eve).upload(`${GENERAL}/${ALICE}/x.txt`, "x", {
    contentType: "text/plain",
  });
  assert.equal(errCode(strangerUp.error), "403");

  const dup = await bucket(alice).upload(path, "again", { contentType: "text/plain" });
  assert.equal(errCode(dup.error), "409", "an existing path needs upsert");
  const upsert = await bucket(alice).upload(path, "replaced", {
    contentType: "text/plain",
    upsert: true,
  });
  assert.equal(upsert.error, null);
  assert.equal(await (await bucket(carol).download(path)).data!.text(), "replaced");

  const list = await bucket(carol).list(`${GENERAL}/${ALICE}`);
  assert.deepEqual(list.data?.map((o) => o.name), ["note.txt"]);
  assert.equal(list.data?.[0]?.metadata?.mimetype, "text/plain");
  assert.deepEqual(
    (await bucket(eve).list(`${GENERAL}/${ALICE}`)).data,
    [],
    "a stranger lists nothing",
  );

  const rmByOther = await bucket(carol).remove([path]);
  assert.deepEqual(rmByOther.data, [], "nobody removes someone else's file");
  const rm = await bucket(alice).remove([path]);
  assert.deepEqual(rm.data?.map((o) => o.name), [path]);
  assert.ok((await bucket(carol).download(path)).error, "a removed file is gone");
  const left = [...Deno.readDirSync(`${stack.dataDir}/storage/attachments/${GENERAL}/${ALICE}`)];
  assert.deepEqual(left, [], "and so are its bytes");
});

Deno.test("bucket limits: too large and a type the bucket does not allow are refused, nothing is left behind", async () => {
  await using stack = await startTestStack();
  if (!stack.local) return;
  const bob = await signedIn(stack, "bob@example.com");
  const avatars = bob.storage.from("avatars");
  const big = new Uint8Array(5 * 1024 * 1024 + 1);
  const tooBig = await avatars.upload(`${BOB}/big.png`, big, { contentType: "image/png" });
  assert.equal(errCode(tooBig.error), "413");
  assert.match(tooBig.error!.message, /exceeded the maximum allowed size/);
  const wrongType = await avatars.upload(`${BOB}/x.exe`, new Uint8Array([77, 90]), {
    contentType: "application/x-msdownload",
  });
  assert.equal(errCode(wrongType.error), "415");
  const ok = await avatars.upload(`${BOB}/me.png`, new Uint8Array([137, 80, 78, 71]), {
    contentType: "image/png",
  });
  assert.equal(ok.error, null);
  const files = [...Deno.readDirSync(`${stack.dataDir}/storage/avatars/${BOB}`)].map((e) => e.name);
  assert.deepEqual(files, ["me.png"], "refused uploads leave no file");
  assert.deepEqual(
    [...Deno.readDirSync(`${stack.dataDir}/storage/.tmp`)],
    [],
    "and no temporary file",
  );
  const eve = await stranger(stack);
  assert.equal(
    (await eve.storage.from("avatars").download(`${BOB}/me.png`)).error,
    null,
    "any signed-in user reads avatars",
  );
  const anon = await stack.client().storage.from("avatars").download(`${BOB}/me.png`);
  assert.ok(anon.error, "the anon key reads nothing");
});

Deno.test('a Blob or File upload (multipart, the file part named "" as supabase-js sends it) round-trips; its limits hold', async () => {
  await using stack = await startTestStack();
  if (!stack.local) return;
  const bob = await signedIn(stack, "bob@example.com");
  const avatars = bob.storage.from("avatars");
  const bytes = new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10, 1, 2, 3]);
  const up = await avatars.upload(`${BOB}/blob.png`, new Blob([bytes], { type: "image/png" }), {
    contentType: "image/png",
  });
  assert.equal(up.error, null);
  const down = await avatars.download(`${BOB}/blob.png`);
  assert.deepEqual(new Uint8Array(await down.data!.arrayBuffer()), bytes);
  assert.equal(down.data!.type, "image/png");
  const file = new File([bytes], "me.png", { type: "image/png" });
  assert.equal((await avatars.upload(`${BOB}/file.png`, file)).error, null);
  const big = new Blob([new Uint8Array(5 * 1024 * 1024 + 1)], { type: "image/png" });
  assert.equal(errCode((await avatars.upload(`${BOB}/big.png`, big)).error), "413");
  const exe = new Blob([new Uint8Array([77, 90])], { type: "application/x-msdownload" });
  assert.equal(errCode((await avatars.upload(`${BOB}/x.exe`, exe)).error), "415");
  const broken = await fetch(`${stack.url}/storage/v1/object/avatars/${BOB}/broken.png`, {
    method: "POST",
    headers: {
      apikey: stack.anonKey,
      authorization: `Bearer ${(await bob.auth.getSession()).data.session!.access_token}`,
      "content-type": "multipart/form-data; boundary=xyz",
    },
    body: '--xyz\r\nContent-Disposition: form-data; name="cacheControl"\r\n\r\n3600\r\n--xyz--',
  });
  assert.equal(broken.status, 400);
  assert.match((await broken.json()).message, /No file found/);
});

Deno.test("signed URLs work without a session and stop working when they expire", async () => {
  await using stack = await startTestStack();
  if (!stack.local) return;
  const alice = await signedIn(stack, "alice@example.com");
  const path = `${GENERAL}/${ALICE}/signed.txt`;
  await alice.storage.from("attachments").upload(path, "signed content", {
    contentType: "text/plain",
  });
  const { data, error } = await alice.storage.from("attachments").createSignedUrl(path, 1);
  assert.equal(error, null);
  const res = await fetch(data!.signedUrl);
  assert.equal(res.status, 200);
  assert.equal(await res.text(), "signed content");
  const eve = await stranger(stack);
  const forEve = await eve.storage.from("attachments").createSignedUrl(path, 60);
  assert.ok(forEve.error, "only someone who may read the file can sign it");
  await new Promise((r) => setTimeout(r, 2100));
  const late = await fetch(data!.signedUrl);
  assert.equal(late.status, 400);
  assert.equal((await late.json()).message, "jwt expired");
  const tampered = await fetch(data!.signedUrl.replace("signed.txt", "other.txt"));
  assert.equal(tampered.status, 400);
  await tampered.body?.cancel();
});

Deno.test("buckets: the service key creates, updates, empties and deletes them; users cannot", async () => {
  await using stack = await startTestStack();
  const admin = stack.admin();
  const user = await stranger(stack);
  const mine = await user.storage.createBucket("users-own", { public: false });
  assert.equal(errCode(mine.error), "403", "a user cannot create buckets");
  const made = await admin.storage.createBucket("public-docs", {
    public: true,
    fileSizeLimit: "1MB",
    allowedMimeTypes: ["text/*"],
  });
  assert.equal(made.error, null);
  assert.equal(errCode((await admin.storage.createBucket("public-docs")).error), "409");
  const up = await admin.storage.from("public-docs").upload("readme.txt", "public words", {
    contentType: "text/plain",
  });
  assert.equal(up.error, null);
  const pub = await fetch(
    admin.storage.from("public-docs").getPublicUrl("readme.txt").data.publicUrl,
  );
  assert.equal(await pub.text(), "public words", "public buckets serve without a token");
  const wrong = await admin.storage.from("public-docs").upload("x.png", new Uint8Array([1]), {
    contentType: "image/png",
  });
  assert.equal(errCode(wrong.error), "415", "wildcard MIME rules apply");
  assert.equal(
    errCode((await admin.storage.deleteBucket("public-docs")).error),
    "409",
    "a bucket with files is not deleted",
  );
  assert.equal((await admin.storage.emptyBucket("public-docs")).error, null);
  assert.equal((await admin.storage.deleteBucket("public-docs")).error, null);
  const { data: buckets } = await admin.storage.listBuckets();
  assert.deepEqual(buckets?.map((b) => b.id).sort(), ["attachments", "avatars"]);
});
