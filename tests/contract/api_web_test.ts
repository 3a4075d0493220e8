/**
 * The API routes the web client added: public groups to join, the admin view's people list and
 * live metrics, and a video's poster frame on POST /attachments.
 */
import assert from "node:assert/strict";
import { startTestStack, type TestStack } from "../_helpers/stack.ts";

const GENERAL = "c0000000-0000-4000-8000-0000000000a1";
const RANDOM = "c0000000-0000-4000-8000-0000000000a2";
const MODS = "c0000000-0000-4000-8000-0000000000a3";
const ALICE = "a11ce000-0000-4000-8000-000000000001";

async function caller(stack: TestStack, email: string) {
  const c = stack.client();
  const { data, error } = await c.auth.signInWithPassword({ email, password: "chat-demo-2024" });
  assert.equal(error, null);
  const token = data.session!.access_token;
  const call = (method: string, path: string, body?: unknown) =>
    fetch(`${stack.url}/functions/v1/api${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    }).then(async (r) => ({ status: r.status, body: await r.json() }));
  return { client: c, call };
}

/** The EBML header a browser's MediaRecorder writes: enough for the type to read as video/webm. */
const WEBM = new Uint8Array([
  0x1a,
  0x45,
  0xdf,
  0xa3,
  0x9f,
  0x42,
  0x86,
  0x81,
  0x01,
  0x42,
  0xf7,
  0x81,
  0x01,
  0x42,
  0xf2,
  0x81,
  0x04,
  0x42,
  0xf3,
  0x81,
  0x08,
  0x42,
  0x82,
  0x84,
  0x77,
  0x65,
  0x62,
  0x6d,
  0x42,
  0x87,
  0x81,
  0x04,
  0x42,
  0x85,
  0x81,
  0x02,
  0x18,
  0x53,
  0x80,
  0x67,
  0x01,
  0xff,
  0xff,
  0xff,
  0xff,
  0xff,
  0xff,
  0xff,
]);

Deno.test("GET /channels/public lists open groups (joined or not), never private ones; q filters by name, wildcards literal", async () => {
  await using stack = await startTestStack();
  if (!stack.local) return;
  const alice = await caller(stack, "alice@example.com");
  const all = await alice.call("GET", "/channels/public");
  assert.equal(all.status, 200);
  const byId = new Map(
    (all.body.channels as { id: string; joined: boolean; member_count: number }[]).map((
      c,
    ) => [c.id, c]),
  );
  assert.equal(byId.get(GENERAL)?.joined, true);
  assert.equal(byId.get(GENERAL)?.member_count, 4);
  assert.equal(byId.get(RANDOM)?.joined, false, "alice is not in random");
  assert.ok(!byId.has(MODS), "a private group is not listed, even to its members");
  const q = await alice.call("GET", "/channels/public?q=RAND");
  assert.deepEqual(q.body.channels.map((c: { id: string }) => c.id), [RANDOM]);
  const wild = await alice.call("GET", "/channels/public?q=%25");
  assert.deepEqual(wild.body.channels, [], "% is a character, not a wildcard");
});

Deno.test("GET /admin/users: moderators see everyone with roles, deactivated people too; users get 403", async () => {
  await using stack = await startTestStack();
  if (!stack.local) return;
  await stack.db!.admin`update public.profiles set deactivated_at = now() where username = 'dave'`;
  const bob = await caller(stack, "bob@example.com"); // moderator
  const r = await bob.call("GET", "/admin/users");
  assert.equal(r.status, 200);
  const users = r.body.users as { username: string; role: string; deactivated_at: string | null }[];
  const by = Object.fromEntries(users.map((u) => [u.username, u]));
  assert.equal(by.alice?.role, "admin");
  assert.equal(by.bob?.role, "moderator");
  assert.equal(by.carol?.role, "user");
  assert.ok(by.dave?.deactivated_at, "deactivated people are listed, for reactivation");
  const q = await bob.call("GET", "/admin/users?q=car");
  assert.deepEqual(q.body.users.map((u: { username: string }) => u.username), ["carol"]);
  const carol = await caller(stack, "carol@example.com");
  const denied = await carol.call("GET", "/admin/users");
  assert.equal(denied.status, 403);
  assert.equal(denied.body.error.code, "forbidden");
});

Deno.test("GET /admin/metrics: live counters for moderators, 403 for users", async () => {
  await using stack = await startTestStack();
  if (!stack.local) return;
  const alice = await caller(stack, "alice@example.com");
  await alice.call("POST", `/channels/${GENERAL}/messages`, {
    content: "count me",
    client_id: "m-1",
  });
  const m = await alice.call("GET", "/admin/metrics");
  assert.equal(m.status, 200);
  assert.ok(m.body.counters.http_requests_total >= 1);
  assert.ok(m.body.counters.messages_sent_total >= 1);
  assert.equal(typeof m.body.gauges.realtime_connections, "number");
  assert.ok(m.body.requests.count >= 1 && m.body.requests.mean_ms > 0);
  const carol = await caller(stack, "carol@example.com");
  assert.equal((await carol.call("GET", "/admin/metrics")).status, 403);
});

Deno.test("POST /attachments: a video's poster must be <path>.poster.jpg and a real JPEG; then it is the thumbnail", async () => {
  await using stack = await startTestStack();
  if (!stack.local) return;
  const { Image } = await import("imagescript");
  const alice = await caller(stack, "alice@example.com");
  const bucket = alice.client.storage.from("attachments");
  const path = `${GENERAL}/${ALICE}/clip.webm`;
  assert.equal((await bucket.upload(path, WEBM, { contentType: "video/webm" })).error, null);

  const wrongName = await alice.call("POST", "/attachments", {
    bucket: "attachments",
    path,
    poster_path: `${GENERAL}/${ALICE}/other.jpg`,
  });
  assert.equal(wrongName.status, 400);

  // A "poster" that is not a JPEG is refused and deleted; the video stays.
  await bucket.upload(`${path}.poster.jpg`, new TextEncoder().encode("not a jpeg"), {
    contentType: "image/jpeg",
  });
  const fake = await alice.call("POST", "/attachments", {
    bucket: "attachments",
    path,
    poster_path: `${path}.poster.jpg`,
  });
  assert.equal(fake.status, 415);
  assert.ok((await bucket.download(`${path}.poster.jpg`)).error, "the fake poster was deleted");

  const frame = new Image(160, 120);
  frame.fill(0xcc3366ff);
  await bucket.upload(`${path}.poster.jpg`, await frame.encodeJPEG(80), {
    contentType: "image/jpeg",
  });
  const ok = await alice.call("POST", "/attachments", {
    bucket: "attachments",
    path,
    poster_path: `${path}.poster.jpg`,
  });
  assert.equal(ok.status, 201, JSON.stringify(ok.body));
  assert.equal(ok.body.attachment.mime_type, "video/webm");
  assert.equal(ok.body.attachment.thumb_path, `${path}.poster.jpg`);
});

Deno.test("POST /me/seen: last_seen_at is the server's now, written at most every 30 s, only one's own", async () => {
  await using stack = await startTestStack();
  if (!stack.local) return;
  const carol = await caller(stack, "carol@example.com");
  const first = await carol.call("POST", "/me/seen");
  assert.equal(first.status, 200);
  const at = Date.parse(first.body.last_seen_at);
  assert.ok(Math.abs(Date.now() - at) < 60_000, "now, by the server's clock");
  const again = await carol.call("POST", "/me/seen", { last_seen_at: "2000-01-01T00:00:00Z" });
  assert.equal(again.body.last_seen_at, first.body.last_seen_at, "not rewritten within 30 s");
  const [row] = await stack.db!.admin<{ last_seen_at: Date }[]>`
    select last_seen_at from public.profiles where username = 'carol'`;
  assert.equal(row!.last_seen_at.getTime(), at);
  const [bob] = await stack.db!.admin<{ last_seen_at: Date | null }[]>`
    select last_seen_at from public.profiles where username = 'bob'`;
  assert.equal(bob!.last_seen_at, null, "nobody else's changed");
  const dm = await carol.call("GET", "/channels");
  const withAlice = dm.body.channels.find((c: { kind: string }) => c.kind === "direct");
  assert.ok("last_seen_at" in withAlice.other_user, "the DM list carries the other's last seen");
});
