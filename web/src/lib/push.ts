/**
 * The browser's side of Web Push: the service worker (`/sw.js`, served from this origin as the
 * CSP `script-src 'self'` wants), this browser's push subscription, and the worker's
 * "open this channel" messages when a notification is clicked.
 */

export interface PushBrowser {
  /** Service workers and the Push API are there (not in every browser or mode). */
  supported(): boolean;
  /** Registers `/sw.js` (scope `/`); resolves when it is active. */
  register(): Promise<void>;
  /** This browser's subscription's endpoint, if any. */
  current(): Promise<string | null>;
  /** Subscribes with the server's VAPID public key; the subscription as JSON. */
  subscribe(publicKey: string): Promise<PushSubscriptionJSON>;
  /** Unsubscribes; the endpoint it had. */
  unsubscribe(): Promise<string | null>;
  /** The worker asks to open a channel (a notification was clicked); returns the cleanup. */
  onOpen(fn: (channelId: string) => void): () => void;
}

const key = (b64: string) => {
  const s = atob(b64.replaceAll("-", "+").replaceAll("_", "/"));
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
};

export function browserPush(): PushBrowser {
  const sw = () => navigator.serviceWorker;
  const registration = async () => {
    await sw().register("/sw.js", { scope: "/" });
    return await sw().ready;
  };
  return {
    supported: () => "serviceWorker" in navigator && "PushManager" in globalThis,
    register: async () => void await registration(),
    current: async () => {
      const reg = await sw().getRegistration("/");
      return (await reg?.pushManager.getSubscription())?.endpoint ?? null;
    },
    subscribe: async (publicKey) => {
      const reg = await registration();
      const sub = await reg.pushManager.subscribe({
        userVisibleOnly: true,
        applicationServerKey: key(publicKey),
      });
      return sub.toJSON();
    },
    unsubscribe: async () => {
      const reg = await sw().getRegistration("/");
      const sub = await reg?.pushManager.getSubscription();
      if (!sub) return null;
      await sub.unsubscribe();
      return sub.endpoint;
    },
    onOpen(fn) {
      if (!("serviceWorker" in navigator)) return () => {};
      const on = (e: MessageEvent) => {
        const d = e.data as { type?: string; channel_id?: string } | null;
        if (d?.type === "open-channel" && d.channel_id) fn(d.channel_id);
      };
      sw().addEventListener("message", on);
      return () => sw().removeEventListener("message", on);
    },
  };
}
