// The service worker (served as /sw.js, scope /): shows a Web Push message as a notification
// while no tab of the chat is open (issue 14), and on a click focuses a chat tab, or opens one,
// on the message's channel. A mention carries its own tag (`mention-<id>`), so a later
// ordinary message (tagged `chat-<channel>`) does not replace it. Plain JavaScript: the build
// copies it as it is.

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("push", (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    data = { title: "Chat", body: event.data ? event.data.text() : "" };
  }
  event.waitUntil((async () => {
    // A visible chat tab shows its own notification (by the same rules).
    const tabs = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
    if (tabs.some((t) => t.visibilityState === "visible")) return;
    await self.registration.showNotification(String(data.title || "Chat"), {
      body: String(data.body || ""),
      tag: String(data.tag || "chat"),
      icon: "/favicon.svg",
      data: { channel_id: data.channel_id || null },
      renotify: !!data.mention,
    });
  })());
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const channel = event.notification.data && event.notification.data.channel_id;
  const url = new URL(channel ? `/#/c/${channel}` : "/", self.location.origin).href;
  event.waitUntil((async () => {
    const tabs = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
    const tab = tabs.find((t) => new URL(t.url).origin === self.location.origin);
    if (tab) {
      await tab.focus();
      tab.postMessage({ type: "open-channel", channel_id: channel });
      return;
    }
    await self.clients.openWindow(url);
  })());
});
