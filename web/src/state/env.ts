/**
 * The browser around the client state, injected: time and timers, whether the tab is seen and
 * the network up, browser notifications, the title and the address. The models take a
 * `BrowserEnv` so their tests run in Deno without a browser (`_fake_env.ts` is the test one).
 */

import type { DraftStorage } from "./drafts.ts";

export type Permission = NotificationPermission | "unsupported";

export interface Notifier {
  permission(): Permission;
  request(): Promise<Permission>;
  /** Shows one notification; `onClick` runs when it is clicked. */
  show(title: string, body: string, tag: string, onClick: () => void): void;
}

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): number;
  clearTimeout(id: number | undefined): void;
  setInterval(fn: () => void, ms: number): number;
  clearInterval(id: number | undefined): void;
}

export type EnvEvent = "online" | "offline" | "visibility";

export interface BrowserEnv extends Clock {
  /** The tab is in front of the reader (`document.visibilityState`). */
  visible(): boolean;
  /** `navigator.onLine`. */
  online(): boolean;
  notifications: Notifier;
  /** Listens to `online`, `offline` or `visibilitychange`; returns the cleanup. */
  on(event: EnvEvent, fn: () => void): () => void;
  setTitle(title: string): void;
  hash(): string;
  /** Replaces the address's hash without a history entry. */
  replaceHash(hash: string): void;
  focus(): void;
  /** The tab's session storage, where it may be used. */
  sessionStorage?: DraftStorage;
}

/** The real browser. */
export function browserEnv(): BrowserEnv {
  const g = globalThis;
  const hasNotification = "Notification" in g;
  let session: Storage | undefined;
  try {
    session = g.sessionStorage; // throws where storage is blocked
  } catch {
    session = undefined;
  }
  return {
    ...(session ? { sessionStorage: session } : {}),
    now: () => Date.now(),
    setTimeout: (fn, ms) => g.setTimeout(fn, ms) as unknown as number,
    clearTimeout: (id) => g.clearTimeout(id),
    setInterval: (fn, ms) => g.setInterval(fn, ms) as unknown as number,
    clearInterval: (id) => g.clearInterval(id),
    visible: () => document.visibilityState === "visible",
    online: () => navigator.onLine,
    notifications: {
      permission: () => hasNotification ? Notification.permission : "unsupported",
      request: () =>
        hasNotification ? Notification.requestPermission() : Promise.resolve("unsupported"),
      show(title, body, tag, onClick) {
        if (!hasNotification) return;
        try {
          const n = new Notification(title, { body, tag });
          n.onclick = () => {
            n.close();
            onClick();
          };
        } catch {
          // some browsers only notify from a service worker: the badge and title still say it
        }
      },
    },
    on(event, fn) {
      const target: EventTarget = event === "visibility" ? document : g;
      const name = event === "visibility" ? "visibilitychange" : event;
      target.addEventListener(name, fn);
      return () => target.removeEventListener(name, fn);
    },
    setTitle: (title) => (document.title = title),
    hash: () => location.hash,
    replaceHash(hash) {
      if (location.hash !== hash) history.replaceState(null, "", hash);
    },
    focus: () => g.focus(),
  };
}
