/**
 * Web Push end to end with a local push service that speaks the protocol (RFC 8030/8291/8292):
 * it checks `TTL`, `Content-Encoding: aes128gcm` and `Authorization: vapid t=…, k=…` (the JWT's
 * ES256 signature verified with the public key, its audience the service's origin), and
 * decrypts each payload with the subscription's private key, made in the test as a browser
 * makes it. A mention of someone in mention-only mode arrives; an ordinary message and a muted
 * channel do not; do-not-disturb suppresses a DM; a subscription answered 410 is removed.
 */
import assert from "node:assert/strict";
import { startTestStack } from "../_helpers/stack.ts";
import { signedIn } from "../_helpers/signed_in.ts";
import {
  b64url,
  contentKeys,
  fromB64url,
  generateVapidKeys,
} from "../../functions/_shared/web_push.ts";

const GENERAL = "c0000000-0000-4000-8000-0000000000a1"; // alice, bob, carol, dave
const DM = "c0000000-0000-4000-8000-0000000000d1"; // alice and carol
const dec = new TextDecoder();

interface Pushed {
  path: string;
  payload: Record<string, unknown>;
}

/** A browser's subscription keys: an ECDH P-256 pair and a 16-byte auth secret. */
async function browserKeys() {
  const pair = await crypto.subtle.generateKey({ name: "ECDH", namedCurve: "P-256" }, true, [
    "deriveBits",
  ]) as CryptoKeyPair;
  const pub = new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey));
  const auth = crypto.getRandomValues(new Uint8Array(16));
  return { pair, pub, auth, p256dh: b64url(pub), authText: b64url(auth) };
}
type BrowserKeys = Awaited<ReturnType<typeof browserKeys>>;

/** RFC 8291 decryption of one aes128gcm record, as the browser does it. */
async function decrypt(body: Uint8Array, keys: BrowserKeys): Promise<unknown> {
  const salt = body.slice(0, 16);
  const idlen = body[20]!;
  const asPublic = body.slice(21, 21 + idlen);
  const as = await crypto.subtle.importKey(
    "raw",
    asPublic,
    { name: "ECDH", namedCurve: "P-256" },
    false,
    [],
  );
  const ecdh = new Uint8Array(
    await crypto.subtle.deriveBits({ name: "ECDH", public: as }, keys.pair.privateKey, 256),
  );
  const { cek, nonce } = await contentKeys(ecdh, keys.auth, keys.pub, asPublic, salt);
  const key = await crypto.subtle.importKey("raw", cek, "AES-GCM", false, ["decrypt"]);
  const plain = new Uint8Array(
    await crypto.subtle.decrypt({ name: "AES-GCM", iv: nonce }, key, body.slice(21 + idlen)),
  );
  let end = plain.length - 1;
  while (end >= 0 && plain[end] === 0) end--;
  assert.equal(plain[end], 2, "the last record ends with the delimiter 2");
  return JSON.parse(dec.decode(plain.slice(0, end)));
}

/** Verifies `vapid t=<jwt>, k=<key>`: the key is the server's, the signature and claims hold. */
async function verifyVapid(header: string, publicKey: string, origin: string) {
  const m = /^vapid t=([\w-]+\.[\w-]+\.[\w-]+), k=([\w-]+)$/.exec(header);
  assert.ok(m, `Authorization: ${header}`);
  const [, jwt, k] = m;
  assert.equal(k, publicKey);
  const [h, p, s] = jwt!.split(".") as [string, string, string];
  const key = await crypto.subtle.importKey(
    "raw",
    fromB64url(k!),
    { name: "ECDSA", namedCurve: "P-256" },
    false,
    ["verify"],
  );
  const ok = await crypto.subtle.verify(
    { name: "ECDSA", hash: "SHA-256" },
    key,
    fromB64url(s),
    new TextEncoder().encode(`${h}.${p}`),
  );
  assert.ok(ok, "the VAPID JWT is signed with the VAPID key");
  assert.deepEqual(JSON.parse(dec.decode(fromB64url(h))), { typ: "JWT", alg: "ES256" });
  const claims = JSON.parse(dec.decode(fromB64url(p)));
  assert.equal(claims.aud, origin);
  assert.ok(claims.exp > Date.now() / 1000 && claims.exp <= Date.now() / 1000 + 24 * 3600);
  assert.match(claims.sub, /^(mailto:|https:)/);
}

/** The local push service: one path per subscription; `/gone…` answers 410. */
function pushService(publicKey: string, keysOf: Map<string, BrowserKeys>) {
  const got: Pushed[] = [];
  const errors: string[] = [];
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, async (req) => {
    const path = new URL(req.url).pathname;
    try {
      assert.equal(req.method, "POST");
      assert.match(req.headers.get("ttl") ?? "", /^\d+$/, "TTL");
      assert.equal(req.headers.get("content-encoding"), "aes128gcm");
      await verifyVapid(
        req.headers.get("authorization") ?? "",
        publicKey,
        new URL(req.url).origin,
      );
      const keys = keysOf.get(path);
      assert.ok(keys, `a subscription at ${path}`);
      const payload = await decrypt(new Uint8Array(await req.arrayBuffer()), keys) as Record<
        string,
        unknown
      >;
      got.push({ path, payload });
    } catch (e) {
      errors.push(`${path}: ${e}`);
      return new Response("bad push", { status: 400 });
    }
    return new Response(null, { status: path.startsWith("/gone") ? 410 : 201 });
  });
  return { got, errors, server, origin: `http://127.0.0.1:${server.addr.port}` };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until<T>(what: string, f: () => T | undefined, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`waited ${ms} ms for ${what}`);
    await sleep(20);
  }
}

const hhmm = (d: Date) => d.toISOString().slice(11, 16);

Deno.test("Web Push: mentions and DMs arrive encrypted and signed, by each person's rules", async () => {
  const vapid = await generateVapidKeys();
  const keysOf = new Map<string, BrowserKeys>();
  const push = pushService(vapid.publicKey, keysOf);
  // This stack's own settings (tests run in parallel in one process: not Deno.env).
  const env = {
    VAPID_PUBLIC_KEY: vapid.publicKey,
    VAPID_PRIVATE_KEY: vapid.privateKey,
    VAPID_SUBJECT: "mailto:ops@example.com",
    PUSH_ENDPOINT_ALLOW: push.origin,
    METRICS_TOKEN: "push-test",
  };
  try {
    await using stack = await startTestStack(undefined, { env });
    const alice = await signedIn(stack, "alice");
    const bob = await signedIn(stack, "bob");
    const carol = await signedIn(stack, "carol");
    const subscribe = async (who: typeof bob, path: string) => {
      const k = await browserKeys();
      keysOf.set(path, k);
      await who.api("POST", "/me/push-subscriptions", {
        endpoint: `${push.origin}${path}`,
        keys: { p256dh: k.p256dh, auth: k.authText },
      });
    };
    const say = async (ch: string, content: string) =>
      (await alice.api("POST", `/channels/${ch}/messages`, {
        content,
        client_id: crypto.randomUUID(),
      })).message.id as number;
    // Pushes go out after the answer: how many were held back by someone's rules so far.
    const skipped = async () => {
      const res = await fetch(`${stack.url}/functions/v1/api/metrics`, {
        headers: { authorization: "Bearer push-test" },
      });
      const m = /^push_notifications_total\{result="skipped"\} (\d+)$/m.exec(await res.text());
      return Number(m?.[1] ?? 0);
    };
    const skippedReaches = async (n: number) => {
      if (!stack.local) return await sleep(1000); // a project's METRICS_TOKEN is its own secret
      for (let i = 0; i < 250 && await skipped() < n; i++) await sleep(20);
      assert.equal(await skipped(), n, "pushes held back by the recipients' rules");
    };
    const arrived = (path: string, id: number) =>
      until(
        `push of ${id} at ${path}`,
        () => push.got.find((g) => g.path === path && g.payload.message_id === id),
      );

    assert.deepEqual(
      await bob.api("GET", "/push/vapid-public-key"),
      { enabled: true, publicKey: vapid.publicKey },
    );
    // Only https endpoints, or http of the allow-listed test origin.
    const k = await browserKeys();
    for (
      const endpoint of [
        "http://push.example/x",
        "ftp://push.example/x",
        "nope",
        "https://127.0.0.1/x",
        "https://[::1]/x",
        "https://localhost/x",
        "https://user:pw@push.example/x",
      ]
    ) {
      const r = await bob.call("POST", "/me/push-subscriptions", {
        endpoint,
        keys: { p256dh: k.p256dh, auth: k.authText },
      });
      assert.equal(r.status, 400, endpoint);
    }

    await subscribe(bob, "/bob");
    await bob.api("PUT", `/channels/${GENERAL}/notify`, { level: "mentions" });
    assert.equal((await bob.api("GET", "/me/notification-prefs")).channels[GENERAL], "mentions");

    // An ordinary message in bob's mention-only channel: nothing. A mention: it arrives.
    const plain = await say(GENERAL, "an ordinary message");
    const mention = await say(GENERAL, "@bob have a look at this");
    const got = await arrived("/bob", mention);
    assert.equal(got.payload.mention, true);
    assert.equal(got.payload.tag, `mention-${mention}`);
    assert.equal(got.payload.channel_id, GENERAL);
    assert.match(String(got.payload.body), /have a look at this/);

    // Muted: not even a mention.
    await bob.api("PUT", `/channels/${GENERAL}/notify`, { level: "muted" });
    const muted = await say(GENERAL, "@bob are you muted?");
    await skippedReaches(1); // bob's muted mention (a plain message targets no one)

    // Carol: a DM arrives (tagged by channel); inside do-not-disturb nothing does.
    await subscribe(carol, "/carol");
    const dm = await say(DM, "a direct message");
    assert.equal((await arrived("/carol", dm)).payload.tag, `chat-${DM}`);
    const now = new Date();
    await carol.api("PUT", "/me/notification-prefs", {
      dnd_start: hhmm(new Date(now.getTime() - 3600_000)),
      dnd_end: hhmm(new Date(now.getTime() + 3600_000)),
      time_zone: "UTC",
      sound: true,
    });
    const quiet = await say(DM, "during do-not-disturb");
    // Decided (with the window on) before carol turns it off again.
    await skippedReaches(2);
    await carol.api("PUT", "/me/notification-prefs", {
      dnd_start: null,
      dnd_end: null,
      time_zone: "Europe/Berlin",
      sound: true,
    });
    assert.deepEqual((await carol.api("GET", "/me/notification-prefs")).prefs, {
      dnd_start: null,
      dnd_end: null,
      time_zone: "Europe/Berlin",
      sound: true,
    });

    // A subscription answered 410 is removed: it gets the next DM, not the one after.
    await subscribe(carol, "/gone");
    const first = await say(DM, "to both subscriptions");
    await arrived("/carol", first);
    await arrived("/gone", first);
    await sleep(300);
    const second = await say(DM, "to the live one only");
    await arrived("/carol", second);
    await sleep(500);

    assert.deepEqual(push.errors, []);
    const ids = (path: string) =>
      push.got.filter((g) => g.path === path).map((g) => g.payload.message_id);
    assert.deepEqual(ids("/bob"), [mention], "bob: only the mention (not plain, not muted)");
    assert.ok(!ids("/bob").includes(plain) && !ids("/bob").includes(muted));
    assert.deepEqual(ids("/carol"), [dm, first, second], "carol: nothing during DND");
    assert.ok(!ids("/carol").includes(quiet));
    assert.deepEqual(ids("/gone"), [first], "the gone subscription was removed");

    // Deleting a subscription stops pushes to it.
    await carol.api("DELETE", "/me/push-subscriptions", { endpoint: `${push.origin}/carol` });
    const after = await say(DM, "after unsubscribing");
    await sleep(600);
    assert.ok(!ids("/carol").includes(after));
  } finally {
    await push.server.shutdown();
  }
});

Deno.test("without VAPID keys push is off and the routes say so", async () => {
  await using stack = await startTestStack();
  const bob = await signedIn(stack, "bob");
  const key = await bob.api("GET", "/push/vapid-public-key");
  assert.equal(key.enabled, false);
  assert.equal(key.publicKey, null);
  const k = await browserKeys();
  const r = await bob.call("POST", "/me/push-subscriptions", {
    endpoint: "https://push.example/x",
    keys: { p256dh: k.p256dh, auth: k.authText },
  });
  assert.equal(r.status, 409);
  assert.equal(
    (await bob.call("PUT", `/channels/${GENERAL}/notify`, { level: "loud" })).status,
    400,
  );
  assert.equal(
    (await bob.call("PUT", "/me/notification-prefs", {
      dnd_start: "22:00",
      dnd_end: null,
      time_zone: "UTC",
      sound: false,
    })).status,
    400,
  );
});
