/**
 * Storage as supabase-js 2.119 sees it on Supabase (issue 15, points 2, 4, 5): partial bucket
 * updates, bucket JSON with numeric sizes and Storage's columns, object info with `version` and
 * the user's metadata, Content-Types kept with their parameters, move and copy (across buckets
 * too) under the policies, and list/listV2 with their search, sort, cursor and folder options.
 * Written to pass against a real project as well: fresh users and buckets, nothing from the
 * local inbox or the file system.
 */
import assert from "node:assert/strict";
import type { SupabaseClient } from "@supabase/supabase-js";
import { newEmail, startTestStack, type TestStack } from "../_helpers/stack.ts";

const GENERAL = "c0000000-0000-4000-8000-0000000000a1"; // the default channel new people join
const PNG = new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10]);

const rand = () => crypto.randomUUID().slice(0, 8);

/** A new signed-in person (a member of the default channel, as everyone new is). */
async function person(stack: TestStack): Promise<{ client: SupabaseClient; id: string }> {
  const email = newEmail("parity");
  const created = await stack.admin().auth.admin.createUser({
    email,
    password: "Correct-horse-9",
    email_confirm: true,
    user_metadata: { username: `p_${rand()}` },
  });
  assert.equal(created.error, null);
  const client = stack.client();
  const { data, error } = await client.auth.signInWithPassword({
    email,
    password: "Correct-horse-9",
  });
  assert.equal(error, null);
  return { client, id: data.user!.id };
}

/** A bucket of the test's own, removed afterwards (best effort on a real project). */
async function tempBucket(
  stack: TestStack,
  opts: { public: boolean; fileSizeLimit?: string; allowedMimeTypes?: string[] },
) {
  const admin = stack.admin();
  const id = `parity-${rand()}`;
  assert.equal((await admin.storage.createBucket(id, opts)).error, null);
  return {
    id,
    async [Symbol.asyncDispose]() {
      await admin.storage.emptyBucket(id);
      await admin.storage.deleteBucket(id);
    },
  };
}

const code = (e: unknown) => (e as { statusCode?: string } | null)?.statusCode;

Deno.test("buckets: an update changes only the fields sent, null clears a limit; bucket JSON has Storage's columns and numeric sizes", async () => {
  await using stack = await startTestStack();
  const admin = stack.admin();
  await using bucket = await tempBucket(stack, {
    public: false,
    fileSizeLimit: "1MB",
    allowedMimeTypes: ["text/*"],
  });
  const get = async () => {
    const { data, error } = await admin.storage.getBucket(bucket.id);
    assert.equal(error, null);
    return data!;
  };
  const first = await get();
  assert.deepEqual(Object.keys(first).sort(), [
    "allowed_mime_types",
    "created_at",
    "file_size_limit",
    "id",
    "name",
    "owner",
    "public",
    "updated_at",
  ]);
  assert.equal(first.file_size_limit, 1_000_000, "a size is a number, not a string");

  assert.equal((await admin.storage.updateBucket(bucket.id, { public: true })).error, null);
  let b = await get();
  assert.equal(b.public, true);
  assert.equal(b.file_size_limit, 1_000_000, "the limit not sent is kept");
  assert.deepEqual(b.allowed_mime_types, ["text/*"], "the types not sent are kept");

  const put = (body: unknown) =>
    fetch(`${stack.url}/storage/v1/bucket/${bucket.id}`, {
      method: "PUT",
      headers: {
        apikey: stack.serviceRoleKey,
        authorization: `Bearer ${stack.serviceRoleKey}`,
        "content-type": "application/json",
      },
      body: JSON.stringify(body),
    });
  const onlyTypes = await put({ allowed_mime_types: ["image/png"] });
  assert.equal(onlyTypes.status, 200);
  assert.deepEqual(await onlyTypes.json(), { message: "Successfully updated" });
  b = await get();
  assert.deepEqual([b.public, b.file_size_limit, b.allowed_mime_types], [
    true,
    1_000_000,
    ["image/png"],
  ]);
  const nothing = await put({});
  assert.equal(nothing.status, 400, "an update without a field is refused");
  assert.equal((await nothing.json()).statusCode, "400");

  const { data: listed } = await admin.storage.listBuckets({ search: bucket.id });
  assert.deepEqual(listed?.map((x) => [x.id, x.file_size_limit]), [[bucket.id, 1_000_000]]);

  const cleared = await admin.storage.updateBucket(bucket.id, {
    public: false,
    fileSizeLimit: null,
  });
  assert.equal(cleared.error, null);
  b = await get();
  assert.deepEqual([b.public, b.file_size_limit, b.allowed_mime_types], [
    false,
    null,
    ["image/png"],
  ]);
});

Deno.test("object info: id, name, version, sizes, type and the user's metadata, as info() and exists() read them", async () => {
  await using stack = await startTestStack();
  const me = await person(stack);
  const avatars = me.client.storage.from("avatars");
  const path = `${me.id}/me.png`;
  const up = await avatars.upload(path, PNG, {
    contentType: "image/png",
    metadata: { purpose: "profile", size: 2 },
  });
  assert.equal(up.error, null);

  const { data: info, error } = await avatars.info(path);
  assert.equal(error, null);
  assert.equal(info!.id, up.data!.id);
  assert.equal(info!.name, path);
  assert.equal(info!.bucketId, "avatars");
  assert.equal(info!.size, PNG.length);
  assert.equal(info!.contentType, "image/png");
  assert.equal(info!.cacheControl, "max-age=3600");
  assert.match(String(info!.etag), /^"?[0-9a-f]{32}"?$/);
  assert.ok(info!.lastModified && info!.createdAt);
  assert.equal(typeof info!.version, "string");
  assert.deepEqual(info!.metadata, { purpose: "profile", size: 2 }, "the user's own metadata");

  const form = await avatars.upload(`${me.id}/form.png`, new Blob([PNG], { type: "image/png" }), {
    metadata: { via: "form" },
  });
  assert.equal(form.error, null);
  assert.deepEqual((await avatars.info(`${me.id}/form.png`)).data?.metadata, { via: "form" });

  const updated = await avatars.update(path, new Uint8Array([...PNG, 0]), {
    contentType: "image/png",
  });
  assert.equal(updated.error, null);
  const after = (await avatars.info(path)).data!;
  assert.equal(after.size, PNG.length + 1);
  assert.notEqual(after.version, info!.version, "new bytes, new version");

  assert.equal((await avatars.exists(path)).data, true);
  assert.equal((await avatars.exists(`${me.id}/none.png`)).data, false);
  const missing = await avatars.info(`${me.id}/none.png`);
  assert.equal(code(missing.error), "404");
});

Deno.test("a Content-Type's parameters are kept: text/plain;charset=UTF-8 goes into a text/plain bucket and comes back as sent", async () => {
  await using stack = await startTestStack();
  const me = await person(stack);
  const files = me.client.storage.from("attachments");
  const path = `${GENERAL}/${me.id}/note.txt`;
  // supabase-js's default type for a string body is text/plain;charset=UTF-8.
  const up = await files.upload(path, "héllo wörld");
  assert.equal(up.error, null, "the bucket allows text/plain, parameters aside");
  assert.equal((await files.info(path)).data?.contentType, "text/plain;charset=UTF-8");
  const token = (await me.client.auth.getSession()).data.session!.access_token;
  const res = await fetch(`${stack.url}/storage/v1/object/attachments/${path}`, {
    headers: { apikey: stack.anonKey, authorization: `Bearer ${token}` },
  });
  assert.equal(res.headers.get("content-type"), "text/plain;charset=UTF-8");
  assert.equal(await res.text(), "héllo wörld");
});

Deno.test("move needs select and update, copy select and insert; both keep the user's metadata and work across buckets", async () => {
  await using stack = await startTestStack();
  const a = await person(stack);
  const b = await person(stack);
  const av = (c: SupabaseClient) => c.storage.from("avatars");
  const upload = (p: string) =>
    av(a.client).upload(p, PNG, { contentType: "image/png", metadata: { tag: "x" } });
  assert.equal((await upload(`${a.id}/one.png`)).error, null);

  const moved = await av(a.client).move(`${a.id}/one.png`, `${a.id}/two.png`);
  assert.equal(moved.error, null);
  assert.equal(moved.data?.message, "Successfully moved");
  assert.ok((await av(a.client).download(`${a.id}/one.png`)).error, "the old path is gone");
  const two = await av(a.client).info(`${a.id}/two.png`);
  assert.deepEqual(two.data?.metadata, { tag: "x" }, "a move keeps the user's metadata");

  const stolen = await av(b.client).move(`${a.id}/two.png`, `${b.id}/stolen.png`);
  assert.ok(stolen.error, "no update policy lets b move a's file");
  assert.equal((await av(a.client).exists(`${a.id}/two.png`)).data, true);
  const gift = await av(a.client).move(`${a.id}/two.png`, `${b.id}/gift.png`);
  assert.equal(code(gift.error), "403", "nor may a move it into b's folder");
  assert.equal((await upload(`${a.id}/three.png`)).error, null);
  const onto = await av(a.client).move(`${a.id}/two.png`, `${a.id}/three.png`);
  assert.equal(code(onto.error), "409", "a move does not overwrite");
  const ghost = await av(a.client).move(`${a.id}/none.png`, `${a.id}/four.png`);
  assert.equal(code(ghost.error), "404");
  assert.equal(ghost.error && "code" in ghost.error ? ghost.error.code : undefined, "NoSuchKey");

  const copy = await av(b.client).copy(`${a.id}/two.png`, `${b.id}/copy.png`);
  assert.equal(copy.error, null, "b may read a's avatar and write into b's own folder");
  assert.equal(copy.data?.path, `avatars/${b.id}/copy.png`);
  const copied = await av(b.client).download(`${b.id}/copy.png`);
  assert.deepEqual(new Uint8Array(await copied.data!.arrayBuffer()), PNG);
  assert.deepEqual((await av(b.client).info(`${b.id}/copy.png`)).data?.metadata, { tag: "x" });
  const planted = await av(b.client).copy(`${a.id}/two.png`, `${a.id}/planted.png`);
  assert.equal(code(planted.error), "403", "nobody copies into someone else's folder");
  const again = await av(b.client).copy(`${a.id}/two.png`, `${b.id}/copy.png`);
  assert.equal(code(again.error), "409");
  const anon = await av(stack.client()).copy(`${a.id}/two.png`, `${a.id}/anon.png`);
  assert.equal(code(anon.error), "404", "a caller who cannot read the source finds nothing");

  const bare = await av(b.client).copy(`${a.id}/two.png`, `${b.id}/bare.gif`, {
    copyMetadata: false,
    metadata: { mimetype: "image/gif" },
  });
  assert.equal(bare.error, null);
  const bareInfo = (await av(b.client).info(`${b.id}/bare.gif`)).data!;
  assert.equal(bareInfo.contentType, "image/gif");
  assert.equal(bareInfo.metadata, null, "without copyMetadata the user's metadata stays behind");

  const files = a.client.storage.from("attachments");
  const across = await av(a.client).copy(`${a.id}/two.png`, `${GENERAL}/${a.id}/two.png`, {
    destinationBucket: "attachments",
  });
  assert.equal(across.error, null);
  assert.equal(across.data?.path, `attachments/${GENERAL}/${a.id}/two.png`);
  assert.equal((await files.download(`${GENERAL}/${a.id}/two.png`)).error, null);
  const movedAcross = await av(a.client).move(`${a.id}/three.png`, `${GENERAL}/${a.id}/three.png`, {
    destinationBucket: "attachments",
  });
  assert.equal(movedAcross.error, null);
  assert.equal((await files.exists(`${GENERAL}/${a.id}/three.png`)).data, true);
  assert.equal((await av(a.client).exists(`${a.id}/three.png`)).data, false);

  if (stack.local) {
    // Stricter than Storage (which checks only the policies): into another bucket, the bytes
    // must meet that bucket's limits, so a text file does not become an avatar this way.
    assert.equal((await files.upload(`${GENERAL}/${a.id}/note.txt`, "words")).error, null);
    const into = { destinationBucket: "avatars" };
    const note = `${GENERAL}/${a.id}/note.txt`;
    assert.equal(code((await files.move(note, `${a.id}/note.txt`, into)).error), "415");
    assert.equal(code((await files.copy(note, `${a.id}/note.txt`, into)).error), "415");
    assert.equal((await files.exists(note)).data, true, "a refused move leaves the source");
  }
});

Deno.test("list: one level, search as a name prefix, offset, limit and sort; listV2: folders, prefixes and cursors; both under RLS", async () => {
  await using stack = await startTestStack();
  await using bucket = await tempBucket(stack, { public: false });
  const files = stack.admin().storage.from(bucket.id);
  for (const p of ["docs/a.txt", "docs/B.txt", "docs/sub/c.txt", "docs/sub/d.txt", "img/x.png"]) {
    assert.equal((await files.upload(p, p, { contentType: "text/plain" })).error, null);
  }
  assert.equal((await files.upload("top.txt", "top", { contentType: "text/plain" })).error, null);
  const names = async (p: Promise<{ data: { name: string }[] | null; error: unknown }>) => {
    const { data, error } = await p;
    assert.equal(error, null);
    return data!.map((e) => e.name);
  };

  assert.deepEqual(await names(files.list("")), ["docs", "img", "top.txt"]);
  const docs = (await files.list("docs")).data!;
  assert.deepEqual(docs.map((e) => [e.name, e.id === null]), [
    ["a.txt", false],
    ["B.txt", false],
    ["sub", true],
  ]);
  assert.deepEqual(await names(files.list("docs", { search: "b" })), ["B.txt"]);
  assert.deepEqual(await names(files.list("docs", { search: "su" })), ["sub"]);
  assert.deepEqual(await names(files.list("docs", { limit: 1, offset: 1 })), ["B.txt"]);
  assert.deepEqual(
    await names(files.list("docs", { sortBy: { column: "name", order: "desc" } })),
    ["sub", "B.txt", "a.txt"],
  );
  assert.deepEqual(
    await names(files.list("docs", { sortBy: { column: "created_at", order: "desc" } })),
    ["sub", "B.txt", "a.txt"],
    "by a timestamp, folders first",
  );

  const top = (await files.listV2({ with_delimiter: true })).data!;
  assert.deepEqual(top.folders.map((f) => f.name), ["docs/", "img/"]);
  assert.deepEqual(top.objects.map((o) => o.name), ["top.txt"]);
  assert.equal(top.hasNext, false);
  const level = (await files.listV2({ prefix: "docs/", with_delimiter: true })).data!;
  assert.deepEqual(level.objects.map((o) => o.name), ["docs/B.txt", "docs/a.txt"]);
  assert.deepEqual(level.folders.map((f) => f.name), ["docs/sub/"]);

  const seen: string[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 5; page++) {
    const { data, error } = await files.listV2({
      prefix: "docs/",
      with_delimiter: true,
      limit: 1,
      ...(cursor ? { cursor } : {}),
    });
    assert.equal(error, null);
    seen.push(...data!.objects.map((o) => o.name), ...data!.folders.map((f) => f.name));
    if (!data!.hasNext) break;
    assert.ok(data!.nextCursor);
    cursor = data!.nextCursor;
  }
  assert.deepEqual(seen, ["docs/B.txt", "docs/a.txt", "docs/sub/"], "one entry a page");

  const flat = (await files.listV2({ prefix: "docs/", limit: 3 })).data!;
  assert.deepEqual(flat.objects.map((o) => o.name), ["docs/B.txt", "docs/a.txt", "docs/sub/c.txt"]);
  assert.deepEqual(flat.folders, []);
  assert.equal(flat.hasNext, true);
  const rest = (await files.listV2({ prefix: "docs/", limit: 3, cursor: flat.nextCursor! })).data!;
  assert.deepEqual(rest.objects.map((o) => o.name), ["docs/sub/d.txt"]);
  assert.equal(rest.hasNext, false);
  const desc = await files.listV2({ prefix: "img/", sortBy: { column: "name", order: "desc" } });
  assert.deepEqual(desc.data?.objects.map((o) => o.name), ["img/x.png"]);
  const bad = await files.listV2({ prefix: "docs/", cursor: "%%%" });
  assert.equal(code(bad.error), "400", "a cursor Storage did not make is refused");

  // Nobody else has a policy on this bucket: they see nothing in it.
  const other = (await person(stack)).client.storage.from(bucket.id);
  assert.deepEqual(await names(other.list("docs")), []);
  const hidden = (await other.listV2({ with_delimiter: true })).data!;
  assert.deepEqual([hidden.folders, hidden.objects], [[], []]);
});

Deno.test("move, copy and list-v2 have routes of their own: bad bodies get Storage's validation errors, not the upload handler's", async () => {
  await using stack = await startTestStack();
  const me = await person(stack);
  const token = (await me.client.auth.getSession()).data.session!.access_token;
  const post = async (route: string, body: unknown) => {
    const res = await fetch(`${stack.url}/storage/v1/object/${route}`, {
      method: "POST",
      headers: {
        apikey: stack.anonKey,
        authorization: `Bearer ${token}`,
        "content-type": "application/json",
      },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  };
  for (const route of ["move", "copy"]) {
    const r = await post(route, { bucketId: "avatars", sourceKey: `${me.id}/a.png` });
    assert.equal(r.status, 400);
    assert.equal(r.body.statusCode, "400");
    assert.match(r.body.message, /destinationKey/);
  }
  const list = await post("list-v2/avatars", { prefix: `${me.id}/` });
  assert.equal(list.status, 200);
  assert.deepEqual(list.body, { hasNext: false, folders: [], objects: [] });
});
