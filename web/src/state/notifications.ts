/**
 * Browser notifications while the tab is hidden: one per message from someone else (a mention
 * titled as such), none for muted channels except mentions, none twice for a message that
 * arrives on two topics (`channel:` and `user:`). Also the unread count in the title.
 */
import { effect, type ReadonlySignal, signal } from "@preact/signals";
import { t } from "../i18n/mod.ts";
import type { BrowserEnv } from "./env.ts";

export interface NotificationsDeps {
  env: BrowserEnv;
  myId: string;
  /** The channel's title, and whether it is muted (null: not one of mine). */
  channel: (id: string) => { title: string; muted: boolean } | null;
  /** A notification was clicked: open its channel. */
  open: (channelId: string) => void;
}

export interface Notable {
  id: number;
  channel_id: string;
  sender_id: string | null;
  content: string;
  deleted_at?: string | null;
  mentions?: string[] | null;
}

const BODY = 140;

export function createNotifications({ env, myId, channel, open }: NotificationsDeps) {
  const permission = signal(env.notifications.permission());
  /** Message ids notified, bounded. */
  const notified = new Set<number>();

  async function ask() {
    permission.value = await env.notifications.request();
  }

  function show(channelId: string, id: number, body: string, mention: boolean) {
    if (env.visible() || notified.has(id)) return;
    notified.add(id);
    if (notified.size > 1000) notified.delete(notified.values().next().value!);
    if (permission.value !== "granted") return;
    const title = channel(channelId)?.title ?? "";
    env.notifications.show(
      mention ? t("notify.mention", { channel: title }) : title,
      body.slice(0, BODY),
      `chat-${channelId}`,
      () => {
        env.focus();
        open(channelId);
      },
    );
  }

  /** A message came in one of my channels. */
  function arrived(m: Notable) {
    if (m.sender_id === myId || m.deleted_at) return;
    const c = channel(m.channel_id);
    if (!c) return;
    const mention = !!m.mentions?.includes(myId);
    if (c.muted && !mention) return;
    show(m.channel_id, m.id, m.content, mention);
  }

  /** A `mention` on my own topic (`{ channel_id, message_id, content }`). */
  function mentioned(p: { channel_id: string; message_id: number; content: string }) {
    show(p.channel_id, p.message_id, p.content, true);
  }

  /** Keeps the title as "(n) Chat" while n messages are unread; returns the cleanup. */
  function title(total: ReadonlySignal<number>) {
    const stop = effect(() => {
      const n = total.value;
      env.setTitle(n ? `(${n > 999 ? "999+" : n}) ${t("app.name")}` : t("app.name"));
    });
    return () => {
      stop();
      env.setTitle(t("app.name"));
    };
  }

  return { permission, ask, arrived, mentioned, title };
}

export type Notifications = ReturnType<typeof createNotifications>;
