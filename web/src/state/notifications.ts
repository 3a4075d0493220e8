/**
 * Browser notifications while the tab is hidden: one per message from someone else (a mention
 * titled as such), by the person's rules (`rules`: the channel's level, do-not-disturb, sound;
 * without them: none for muted channels except mentions), none twice for a message that
 * arrives on two topics (`channel:` and `user:`). A mention has a tag of its own
 * (`mention-<id>`), so a later ordinary message of the channel (`chat-<channel>`) does not
 * replace it. Also the unread count in the title.
 */
import { effect, type ReadonlySignal, signal } from "@preact/signals";
import { t } from "../i18n/mod.ts";
import type { BrowserEnv } from "./env.ts";
import type { Verdict } from "../../../functions/_shared/notify_rules.ts";

export interface NotificationsDeps {
  env: BrowserEnv;
  myId: string;
  /** The channel's title, and whether it is muted (null: not one of mine). */
  channel: (id: string) => { title: string; muted: boolean } | null;
  /** A notification was clicked: open its channel. */
  open: (channelId: string) => void;
  /** Whether a message notifies (and sounds), by my notification settings. */
  rules?: (channelId: string, mention: boolean, muted: boolean) => Verdict;
  /** Plays the notification sound. */
  sound?: () => void;
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

export function createNotifications(
  { env, myId, channel, open, rules, sound }: NotificationsDeps,
) {
  const permission = signal(env.notifications.permission());
  /** Message ids notified, bounded. */
  const notified = new Set<number>();

  async function ask() {
    permission.value = await env.notifications.request();
  }

  function show(channelId: string, id: number, body: string, mention: boolean, loud = false) {
    if (env.visible() || notified.has(id)) return;
    notified.add(id);
    if (notified.size > 1000) notified.delete(notified.values().next().value!);
    if (permission.value !== "granted") return;
    const title = channel(channelId)?.title ?? "";
    env.notifications.show(
      mention ? t("notify.mention", { channel: title }) : title,
      body.slice(0, BODY),
      mention ? `mention-${id}` : `chat-${channelId}`,
      () => {
        env.focus();
        open(channelId);
      },
    );
    if (loud) sound?.();
  }

  function verdict(channelId: string, mention: boolean, muted: boolean): Verdict {
    return rules?.(channelId, mention, muted) ?? { notify: !muted || mention, sound: false };
  }

  /** A message came in one of my channels. */
  function arrived(m: Notable) {
    if (m.sender_id === myId || m.deleted_at) return;
    const c = channel(m.channel_id);
    if (!c) return;
    const mention = !!m.mentions?.includes(myId);
    const v = verdict(m.channel_id, mention, c.muted);
    if (v.notify) show(m.channel_id, m.id, m.content, mention, v.sound);
  }

  /** A `mention` on my own topic (`{ channel_id, message_id, content }`). */
  function mentioned(p: { channel_id: string; message_id: number; content: string }) {
    const v = verdict(p.channel_id, true, channel(p.channel_id)?.muted ?? false);
    if (v.notify) show(p.channel_id, p.message_id, p.content, true, v.sound);
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
