/**
 * My notification settings, kept on the server so that Web Push follows them too: a level per
 * channel (all / mentions only / muted), a do-not-disturb window in my time zone and a sound
 * toggle (off by default); and this browser's Web Push subscription. `verdict` applies the same
 * rules as the server (`functions/_shared/notify_rules.ts`) to in-tab notifications.
 */
import { signal } from "@preact/signals";
import type { Api } from "../api.ts";
import { browserPush, type PushBrowser } from "../lib/push.ts";
import { beep } from "../lib/beep.ts";
import {
  decide,
  DEFAULT_PREFS,
  levelOf,
  type NotifyLevel,
  type NotifyPrefs,
  type Verdict,
} from "../../../functions/_shared/notify_rules.ts";

export type PushState = "unsupported" | "unavailable" | "off" | "on" | "busy" | "denied";

export interface NotifyPrefsDeps {
  api: Pick<Api, "get" | "put" | "post" | "del">;
  /** The browser's service worker and Push API (the real one when absent). */
  push?: PushBrowser | undefined;
  /** Plays the notification sound. */
  sound?: () => void;
  now?: () => Date;
}

/** The browser's time zone, for a new do-not-disturb window. */
export const localZone = () => {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
};

export function createNotifyPrefs(
  { api, push = browserPush(), sound = beep, now = () => new Date() }: NotifyPrefsDeps,
) {
  const prefs = signal<NotifyPrefs>(DEFAULT_PREFS);
  const levels = signal<Record<string, NotifyLevel>>({});
  const pushState = signal<PushState>(push?.supported() ? "off" : "unsupported");
  const error = signal<string | null>(null);
  let publicKey: string | null = null;

  const failed = (e: unknown) => {
    error.value = e instanceof Error ? e.message : String(e);
  };

  async function load() {
    try {
      const r = await api.get<{
        prefs: NotifyPrefs;
        channels: Record<string, NotifyLevel>;
        push: boolean;
      }>("/me/notification-prefs");
      prefs.value = { ...DEFAULT_PREFS, ...r?.prefs };
      levels.value = { ...r?.channels };
      if (!push?.supported()) return;
      // The worker also handles clicks on notifications: registered whether push is on or not.
      await push.register();
      const k = await api.get<{ enabled: boolean; publicKey: string | null }>(
        "/push/vapid-public-key",
      );
      publicKey = k.publicKey;
      if (!k.enabled) pushState.value = "unavailable";
      else pushState.value = (await push.current()) ? "on" : "off";
    } catch (e) {
      failed(e);
    }
  }

  async function save(next: NotifyPrefs) {
    const was = prefs.value;
    prefs.value = next;
    try {
      await api.put("/me/notification-prefs", next);
      error.value = null;
    } catch (e) {
      prefs.value = was;
      failed(e);
    }
  }

  async function setLevel(channelId: string, level: NotifyLevel) {
    const was = levels.value;
    levels.value = { ...was, [channelId]: level };
    try {
      await api.put(`/channels/${channelId}/notify`, { level });
      error.value = null;
    } catch (e) {
      levels.value = was;
      failed(e);
    }
  }

  const levelFor = (channelId: string, muted = false) => levelOf(levels.value[channelId], muted);

  function verdict(channelId: string, mention: boolean, muted: boolean): Verdict {
    return decide({ level: levelFor(channelId, muted), mention, prefs: prefs.value, now: now() });
  }

  async function enablePush() {
    if (!push?.supported() || !publicKey) return;
    pushState.value = "busy";
    try {
      const sub = await push.subscribe(publicKey);
      await api.post("/me/push-subscriptions", sub);
      pushState.value = "on";
      error.value = null;
    } catch (e) {
      pushState.value = (globalThis as { Notification?: { permission?: string } }).Notification
          ?.permission === "denied"
        ? "denied"
        : "off";
      failed(e);
    }
  }

  async function disablePush() {
    if (!push?.supported()) return;
    pushState.value = "busy";
    try {
      const endpoint = await push.unsubscribe();
      if (endpoint) await api.del("/me/push-subscriptions", { endpoint });
      pushState.value = "off";
    } catch (e) {
      pushState.value = "on";
      failed(e);
    }
  }

  /** Loads the settings; the worker's clicks open their channel. Returns the cleanup. */
  function start(open: (channelId: string) => void): () => void {
    void load();
    return push?.supported() ? push.onOpen(open) : () => {};
  }

  return {
    /** For createNotifications: the rules and the sound. */
    hooks: { rules: verdict, sound },
    start,
    prefs,
    levels,
    pushState,
    error,
    load,
    save,
    setLevel,
    levelFor,
    verdict,
    enablePush,
    disablePush,
  };
}

export type NotifyPrefsState = ReturnType<typeof createNotifyPrefs>;
