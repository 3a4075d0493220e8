/**
 * Link previews (issue 14) through the local stack with real sessions, against a local fake
 * site on 127.0.0.1 that LINK_PREVIEW_ALLOW lets through: a member hears the preview arrive as
 * message.updated (exactly the page row's), its image is cached in Storage for members only, the
 * sender hides it (others may not), and refused targets (a redirect to a port not allowed, a 4th
 * redirect, a direct loopback target, a page that never ends) get no preview.
 */
import assert from "node:assert/strict";
import type { RealtimeChannel, SupabaseClient } from "@supabase/supabase-js";
import { startTestStack, type TestStack } from "../_helpers/stack.ts";
import { startFakeSite } from "../_helpers/fake_site.ts";
import { freePort } from "../_helpers/ports.ts";

const GENERAL = "c0000000-0000-4000-8000-0000000000a1"; // seed: alice, bob, carol, dave
const MODS = "c0000000-0000-4000-8000-0000000000a3"; // seed: alice, bob (private)
const PASSWORD = "chat-demo-2024";

type Row = Record<string, unknown> & { id: number; preview: Record<string, unknown> | null };

async function signedIn(stack: TestStack, who: string) {
  const client = stack.client();
  const { data, error } = await client.auth.signInWithPassword({
    email: `${who}@example.com`,
    password: PASSWORD,
  });
  assert.equal(error, null, `${who} signs in`);
  const token = data.session!.access_token;
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${stack.url}/functions/v1/api${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, json: await res.json() };
  };
  const send = async (channel: string, content: string): Promise<Row> => {
    const r = await call("POST", `/channels/${channel}/messages`, {
      content,
      client_id: crypto.randomUUID(),
    });
    assert.equal(r.status, 201, JSON.stringify(r.json));
    return r.json.message;
  };
  const row = async (channel: string, id: number): Promise<Row | undefined> => {
    const r = await call("GET", `/channels/${channel}/messages?limit=100`);
    return (r.json.messages as Row[]).find((m) => m.id === id);
  };
  return { client, call, send, row, id: data.user!.id };
}

async function listen(client: SupabaseClient, topic: string) {
  const heard: { event: string; payload: Record<string, unknown> }[] = [];
  const ch: RealtimeChannel = client.channel(topic, { config: { private: true } });
  ch.on("broadcast", { event: "*" }, (m) => heard.push({ event: m.event, payload: m.payload }));
  const status = await new Promise<string>((resolve) =>
    ch.subscribe((s, err) => {
      if (s === "SUBSCRIBED") resolve(s);
      if (s === "CHANNEL_ERROR" || s === "TIMED_OUT") resolve(`${s}: ${err?.message ?? ""}`);
    })
  );
  return { heard, status };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until<T>(what: string, f: () => T | undefined | Promise<T | undefined>, ms = 4000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`waited ${ms} ms for ${what}`);
    await sleep(30);
  }
}
const updateOf = (heard: { event: string; payload: Record<string, unknown> }[], id: number) =>
  heard.findLast((h) => h.event === "message.updated" && (h.payload.message as Row).id === id)
    ?.payload.message as Row | undefined;

Deno.test("a link's preview arrives live as the page row has it, with its image cached for members only; the sender hides it", async () => {
  await using site = await startFakeSite();
  await using stack = await startTestStack(() => {}, {
    env: { LINK_PREVIEW_ALLOW: site.hostPort },
  });
  if (!stack.local) return;
  const alice = await signedIn(stack, "alice");
  const bob = await signedIn(stack, "bob");
  const carol = await signedIn(stack, "carol");
  const bobHears = await listen(bob.client, `channel:${GENERAL}`);
  assert.equal(bobHears.status, "SUBSCRIBED");

  const sent = await alice.send(GENERAL, `look at ${site.origin}/og please`);
  assert.equal(sent.preview, null, "the 201 does not wait for the preview");
  const live = await until("message.updated with the preview", () => {
    const m = updateOf(bobHears.heard, sent.id);
    return m?.preview ? m : undefined;
  });
  const preview = live.preview!;
  assert.equal(preview.url, `${site.origin}/og`);
  assert.equal(preview.title, "Fish & Chips <b>weekly</b>");
  assert.equal(preview.description, "All about frying, in one page.");
  assert.equal(preview.site_name, "Fake Site");
  assert.equal(preview.hidden, false);
  assert.deepEqual([preview.image_width, preview.image_height], [4, 3]);
  const path = String(preview.image_path);
  assert.match(path, new RegExp(`^${GENERAL}/${alice.id}/link-preview-${sent.id}\\.png$`));
  const page = await bob.row(GENERAL, sent.id);
  assert.deepEqual(page?.preview, preview, "the event carries the page row's preview");

  const img = await bob.client.storage.from("attachments").download(path);
  assert.equal(img.error, null);
  const bytes = new Uint8Array(await img.data!.arrayBuffer());
  assert.deepEqual([...bytes.slice(1, 4)], [0x50, 0x4e, 0x47], "a PNG");

  // Hiding: not by another member (carol; bob is a moderator); by the sender, and all hear it.
  const refused = await carol.call("PATCH", `/messages/${sent.id}/preview`, { hidden: true });
  assert.equal(refused.status, 403);
  const hidden = await alice.call("PATCH", `/messages/${sent.id}/preview`, { hidden: true });
  assert.equal(hidden.status, 200);
  assert.equal(hidden.json.message.preview.hidden, true);
  await until(
    "message.updated with the preview hidden",
    () => updateOf(bobHears.heard, sent.id)?.preview?.hidden === true ? true : undefined,
  );
  assert.equal((await carol.row(GENERAL, sent.id))?.preview?.hidden, true);
  assert.equal(
    (await bob.call("PATCH", `/messages/${sent.id}/preview`, { hidden: false })).status,
    200,
    "a moderator may",
  );
  assert.equal(
    (await alice.call("PATCH", `/messages/${sent.id}/preview`, { hidden: true })).status,
    200,
  );
  const none = await alice.call("PATCH", `/messages/999999999/preview`, { hidden: true });
  assert.equal(none.status, 404);

  // An edit that drops the link drops the preview.
  const edited = await alice.call("PATCH", `/messages/${sent.id}`, { content: "no link now" });
  assert.equal(edited.json.message.preview, null);

  // A private channel's preview image: its members read it, nobody else.
  const secret = await alice.send(MODS, `${site.origin}/r1 (three redirects)`);
  const mods = await until(
    "the private preview",
    async () => (await bob.row(MODS, secret.id))?.preview ?? undefined,
  );
  assert.equal(mods.title, "Fish & Chips <b>weekly</b>", "followed three redirects");
  assert.equal(
    (await carol.call("PATCH", `/messages/${secret.id}/preview`, { hidden: true })).status,
    404,
  );
  const theirs = await carol.client.storage.from("attachments").download(String(mods.image_path));
  assert.notEqual(theirs.error, null, "a non-member cannot read the image");
  assert.equal(
    (await bob.client.storage.from("attachments").download(String(mods.image_path))).error,
    null,
  );

  for (const c of [alice, bob, carol]) {
    await c.client.removeAllChannels();
    c.client.realtime.disconnect();
  }
});

Deno.test("refused targets and limits: no preview for a redirect to a port not allowed, a 4th redirect, loopback without the allow-list, a page that never ends", async () => {
  const elsewhere = freePort();
  await using site = await startFakeSite(elsewhere);
  await using stack = await startTestStack(() => {}, {
    env: { LINK_PREVIEW_ALLOW: site.hostPort },
  });
  if (!stack.local) return;
  const alice = await signedIn(stack, "alice");
  const t0 = Date.now();
  const slow = await alice.send(GENERAL, `${site.origin}/slow`);
  const refused = [
    await alice.send(GENERAL, `${site.origin}/to-private`),
    await alice.send(GENERAL, `${site.origin}/r0`),
    await alice.send(GENERAL, `http://127.0.0.1:${elsewhere}/og`),
    await alice.send(GENERAL, `http://[::1]/og and http://localhost/`),
  ];
  const big = await alice.send(GENERAL, `${site.origin}/big`);
  const bigPreview = await until(
    "the big page's preview",
    async () => (await alice.row(GENERAL, big.id))?.preview ?? undefined,
  );
  assert.deepEqual(
    [bigPreview.title, bigPreview.description],
    ["Big page", null],
    "read up to 1 MB",
  );
  // The slow page is given up at 5 s; nothing is stored for any of them.
  await sleep(Math.max(0, 5600 - (Date.now() - t0)));
  for (const m of [slow, ...refused]) {
    assert.equal((await alice.row(GENERAL, m.id))?.preview, null, m.content as string);
  }
  assert.ok(!site.hits.includes("/og"), `the site saw only ${site.hits.join(" ")}`);
  alice.client.realtime.disconnect();
});
