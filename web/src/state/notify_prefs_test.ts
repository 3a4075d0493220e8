import assert from "node:assert/strict";
import { CH, CH2, ME, message } from "./_fixtures.ts";
import { fakeEnv } from "./_fake_env.ts";
import { createNotifications } from "./notifications.ts";
import { createNotifyPrefs } from "./notify_prefs.ts";
import type { PushBrowser } from "../lib/push.ts";
import type { NotifyPrefs } from "../../../functions/_shared/notify_rules.ts";

/** The notification routes as the API answers them, with a log. */
function prefsApi(stored: Partial<NotifyPrefs> = {}, channels: Record<string, string> = {}) {
  const log: { method: string; path: string; body?: unknown }[] = [];
  const answer = (method: string, path: string, body?: unknown) => {
    log.push({ method, path, ...(body === undefined ? {} : { body }) });
    if (path === "/me/notification-prefs" && method === "GET") {
      return {
        prefs: { dnd_start: null, dnd_end: null, time_zone: "UTC", sound: false, ...stored },
        channels,
        push: true,
      };
    }
    if (path === "/push/vapid-public-key") return { enabled: true, publicKey: "BPUB" };
    return {};
  };
  return {
    log,
    api: {
      // deno-lint-ignore no-explicit-any
      get: (p: string) => Promise.resolve(answer("GET", p) as any),
      // deno-lint-ignore no-explicit-any
      put: (p: string, b?: unknown) => Promise.resolve(answer("PUT", p, b) as any),
      // deno-lint-ignore no-explicit-any
      post: (p: string, b?: unknown) => Promise.resolve(answer("POST", p, b) as any),
      // deno-lint-ignore no-explicit-any
      del: (p: string, b?: unknown) => Promise.resolve(answer("DELETE", p, b) as any),
    },
  };
}

function fakePush(): PushBrowser & { registered: number; endpoint: string | null } {
  const p = {
    registered: 0,
    endpoint: null as string | null,
    supported: () => true,
    register: () => Promise.resolve(void p.registered++),
    current: () => Promise.resolve(p.endpoint),
    subscribe: (key: string) => {
      assert.equal(key, "BPUB");
      p.endpoint = "https://push.example/me";
      return Promise.resolve({ endpoint: p.endpoint, keys: { p256dh: "k", auth: "a" } });
    },
    unsubscribe: () => {
      const e = p.endpoint;
      p.endpoint = null;
      return Promise.resolve(e);
    },
    onOpen: () => () => {},
  };
  return p;
}

const noon = () => new Date("2026-01-05T12:00:00Z");

Deno.test("settings load from the server; levels, window and sound are saved there", async () => {
  const srv = prefsApi({ sound: true }, { [CH2]: "muted" });
  const push = fakePush();
  const n = createNotifyPrefs({ api: srv.api, push, now: noon, sound: () => {} });
  await n.load();
  assert.equal(n.prefs.value.sound, true);
  assert.equal(n.levelFor(CH2), "muted");
  assert.equal(n.levelFor(CH), "all");
  assert.equal(n.levelFor(CH, true), "mentions", "the old muted flag: mentions only");
  assert.equal(push.registered, 1, "the service worker is registered");
  assert.equal(n.pushState.value, "off");
  await n.setLevel(CH, "mentions");
  await n.save({ ...n.prefs.value, dnd_start: "22:00", dnd_end: "07:00", time_zone: "UTC" });
  assert.deepEqual(srv.log.filter((l) => l.method === "PUT"), [
    { method: "PUT", path: `/channels/${CH}/notify`, body: { level: "mentions" } },
    {
      method: "PUT",
      path: "/me/notification-prefs",
      body: { dnd_start: "22:00", dnd_end: "07:00", time_zone: "UTC", sound: true },
    },
  ]);
  await n.enablePush();
  assert.equal(n.pushState.value, "on");
  assert.deepEqual(srv.log.at(-1), {
    method: "POST",
    path: "/me/push-subscriptions",
    body: { endpoint: "https://push.example/me", keys: { p256dh: "k", auth: "a" } },
  });
  await n.disablePush();
  assert.equal(n.pushState.value, "off");
  assert.deepEqual(srv.log.at(-1), {
    method: "DELETE",
    path: "/me/push-subscriptions",
    body: { endpoint: "https://push.example/me" },
  });
});

Deno.test("in-tab notifications follow the levels, do-not-disturb and the sound", async () => {
  const f = fakeEnv();
  let now = noon();
  let beeps = 0;
  const srv = prefsApi({ sound: true }, { [CH2]: "mentions" });
  const prefs = createNotifyPrefs({
    api: srv.api,
    push: { ...fakePush(), supported: () => false },
    now: () => now,
    sound: () => beeps++,
  });
  await prefs.load();
  const n = createNotifications({
    ...prefs.hooks,
    env: f.env,
    myId: ME,
    channel: (id) => ({ title: id === CH ? "trio" : "quiet", muted: false }),
    open: () => {},
  });
  f.setVisible(false);
  n.arrived(message(1, { channel_id: CH2 }));
  n.arrived(message(2, { channel_id: CH2, mentions: [ME] }));
  n.arrived(message(3, { channel_id: CH }));
  assert.deepEqual(f.shown.map((s) => s.body), ["m2", "m3"], "mention-only channel: the mention");
  assert.equal(beeps, 2);
  await prefs.setLevel(CH, "muted");
  n.arrived(message(4, { channel_id: CH, mentions: [ME] }));
  n.mentioned({ channel_id: CH, message_id: 5, content: "@me" });
  assert.equal(f.shown.length, 2, "muted: not even mentions");
  await prefs.save({ dnd_start: "23:00", dnd_end: "08:00", time_zone: "UTC", sound: false });
  now = new Date("2026-01-06T01:00:00Z");
  n.arrived(message(6, { channel_id: CH2, mentions: [ME] }));
  assert.equal(f.shown.length, 2, "do-not-disturb across midnight");
  now = new Date("2026-01-06T08:00:00Z");
  n.arrived(message(7, { channel_id: CH2, mentions: [ME] }));
  assert.equal(f.shown.length, 3, "after the window");
  assert.equal(beeps, 2, "sound off: silent");
});

Deno.test("a mention keeps its own tag: a later ordinary message does not replace it", () => {
  const f = fakeEnv();
  const n = createNotifications({
    env: f.env,
    myId: ME,
    channel: () => ({ title: "trio", muted: false }),
    open: () => {},
  });
  f.setVisible(false);
  n.arrived(message(1, { mentions: [ME] }));
  n.arrived(message(2));
  n.arrived(message(3));
  assert.deepEqual(f.shown.map((s) => s.tag), ["mention-1", `chat-${CH}`, `chat-${CH}`]);
});
