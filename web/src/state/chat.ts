/**
 * The signed-in part of the client, put together from its models: my channels
 * (`channel_list.ts`), one Realtime topic per channel (`channel_topics.ts`) plus `user:<me>`
 * and `online` (`presence.ts`), events into the models (`realtime_events.ts`), the open
 * channel (`messages.ts`), receipts, notifications, outboxes and the connection.
 *
 * Requests: the list is read on the first load, after `channel.added` and after a reconnect
 * (`list_reload.ts`, which also retries a failed read); a channel's messages when it opens, after a reconnect and on a gap. A received message costs
 * no request of its own (its receipt is coalesced).
 */
import { computed, signal } from "@preact/signals";
import type { SupabaseClient } from "@supabase/supabase-js";
import type { Api } from "../api.ts";
import type { Profile } from "../types.ts";
import { channelTitle, createChannelList } from "./channel_list.ts";
import { createTicker } from "./ticker.ts";
import { createChannelTopics, LIVE_CHANNELS } from "./channel_topics.ts";
import { createConnection } from "./connection.ts";
import { type BrowserEnv, browserEnv } from "./env.ts";
import { createMessagesState, type MessagesState } from "./messages.ts";
import { createNotifications } from "./notifications.ts";
import { createNotifyPrefs } from "./notify_prefs.ts";
import { createOutboxes } from "./outbox.ts";
import { createPresence } from "./presence.ts";
import { type Realtime, supabaseRealtime } from "./realtime.ts";
import { dispatchChannelEvent, dispatchUserEvent, type EventTargets } from "./realtime_events.ts";
import { createReceipts } from "./receipts.ts";
import { createDrafts } from "./drafts.ts";
import { RECEIPT_DETAIL_MAX_MEMBERS, RECEIPT_FLUSH_MS } from "../../../functions/_shared/limits.ts";
import type { SessionState } from "./session.ts";
import { createUsers } from "./users.ts";
import { createPins } from "./pins.ts";
import { createSaved } from "./saved.ts";
import { createThreadState } from "./thread.ts";
import { createDirectory } from "./directory.ts";
import { createListReload } from "./list_reload.ts";

export { channelTitle, mentionsOf } from "./channel_list.ts";
export type { Connection } from "./connection.ts";
export type Panel =
  | "none"
  | "members"
  | "search"
  | "profile"
  | "admin"
  | "new-channel"
  | "pins"
  | "saved"
  | "thread";

/**
 * "Last seen" is written by the server while this client is connected. The server writes it at
 * most every 30 s, so a beat just over that is written every time (a shorter one would be
 * skipped every other time); it is also sent when the tab goes out of sight (often the last
 * moment the person was there). People online now are seen through presence instead.
 */
export const SEEN_EVERY_MS = 31_000;

export interface ChatDeps {
  api: Api;
  myId: string;
  me: () => Profile | null;
  env: BrowserEnv;
  realtime: Realtime;
}

export function createChat({ api, myId, me, env, realtime }: ChatDeps) {
  const list = createChannelList({ myId });
  const { channels, loaded } = list;
  const ticker = createTicker(env);
  const users = createUsers();
  const outboxes = createOutboxes(api);
  const drafts = createDrafts({ myId, storage: env.sessionStorage });
  /** Pinned messages per channel, and my saved ones (kept by `pin.changed`, `saved.changed`). */
  const pins = createPins({ api });
  const saved = createSaved({ api });
  // In a large channel everyone's receipts would arrive together: spread over the interval.
  const receipts = createReceipts({
    api,
    clock: env,
    spreadMs: (id) =>
      Number(list.find(id)?.member_count ?? 0) > RECEIPT_DETAIL_MAX_MEMBERS ? RECEIPT_FLUSH_MS : 0,
  });
  const connection = createConnection({ env });
  const activeId = signal<string | null>(null);
  const messages = signal<MessagesState | null>(null);
  const panel = signal<Panel>("none");
  /** The thread of the "thread" panel, and unread threads I take part in. */
  const thread = createThreadState({ api, myId, notify: (n) => notifications.arrived(n) });
  const listError = signal<string | null>(null);
  let disposed = false;

  const active = computed(() => list.find(activeId.value));
  const notifyPrefs = createNotifyPrefs({ api });
  const notifications = createNotifications({
    ...notifyPrefs.hooks,
    env,
    myId,
    channel: (id) => {
      const c = list.find(id);
      return c ? { title: channelTitle(c), muted: c.muted } : null;
    },
    open: (id) => !disposed && select(id),
  });

  // ---- the list --------------------------------------------------------------------------------
  const lists = createListReload({
    api,
    clock: env,
    onError: (message) => listError.value = message,
    mark: () => list.mark(),
    apply: (fresh, since) => {
      const reading = messages.value?.seesNewest() ? activeId.value : null;
      const moved = list.replace(fresh, reading, since);
      // The open channel's "new messages" line waits for the watermark if it opened first.
      const open = messages.value && list.find(messages.value.channelId);
      if (open) messages.value!.knowRead(open.last_read_message_id);
      users.remember(fresh.flatMap((c) => c.other_user ? [c.other_user] : []));
      for (const c of fresh) {
        receipts.known(c.id, {
          delivered: c.last_delivered_message_id,
          read: c.last_read_message_id,
        });
        const last = c.last_message;
        if (last && last.sender_id !== myId && last.id > c.last_delivered_message_id) {
          receipts.delivered(c.id, last.id);
        }
      }
      // What came while the socket was away, in channels other than the open one.
      for (const c of moved) {
        const last = c.last_message!;
        if (c.id === activeId.value || last.deleted) continue;
        notifications.arrived({ ...last, channel_id: c.id });
      }
      syncTopics();
      if (activeId.value && !list.find(activeId.value)) select(null);
    },
  });
  const scheduleReload = lists.schedule;
  const reload = lists.run;

  // ---- realtime --------------------------------------------------------------------------------
  const targets: EventTargets = {
    myId,
    list,
    receipts,
    notifications,
    open: (id) => messages.value?.channelId === id ? messages.value : null,
    removed: (id) => {
      lists.removed();
      receipts.forget(id);
      if (activeId.value === id) select(null);
      syncTopics();
    },
    added: () => scheduleReload(0),
  };

  const topics = createChannelTopics({
    realtime,
    connection,
    onEvent: (id, event, payload) => {
      thread.channelEvent(id, event, payload);
      pins.event(id, event, payload);
      dispatchChannelEvent(targets, id, event, payload);
    },
    onJoined: (id, joining) => {
      if (joining === "again") {
        // Back after a drop: what was missed in the open channel, and the list.
        if (messages.value?.channelId === id) messages.value.rejoined();
        scheduleReload(300);
      } else if (loaded.value) {
        // Joined after the list was read (new to it): what came in between (one request for
        // a whole list joining at once).
        scheduleReload(300);
      }
    },
  });

  function syncTopics() {
    // The most recent channels stay live, and always the open one.
    const want = channels.value.slice(0, LIVE_CHANNELS).map((c) => c.id);
    const open = activeId.value;
    if (open && list.find(open) && !want.includes(open)) want.push(open);
    topics.sync(want);
  }

  const mine = realtime.join(`user:${myId}`, {
    onBroadcast: (event, payload) => {
      thread.userEvent(event, payload);
      saved.event(event, payload);
      dispatchUserEvent(targets, event, payload);
    },
    onStatus: (s) => {
      // The list loaded at start may predate this subscription: a channel added in between
      // (someone opened a DM with me) would be missed, so the first join reloads it too.
      const joining = connection.report(`user:${myId}`, s);
      if (joining) scheduleReload(joining === "first" ? 0 : 300);
    },
  });

  const presence = createPresence({
    realtime,
    connection,
    myId,
    now: env.now,
    onLeft: (ids, at) => {
      for (const c of channels.value) {
        if (c.other_user && ids.includes(c.other_user.id)) {
          list.patch(c.id, { other_user: { ...c.other_user, last_seen_at: at } });
        }
      }
    },
  });

  // ---- selection -------------------------------------------------------------------------------
  function select(id: string | null, opts: { jumpTo?: number } = {}) {
    // The admin view takes the conversation's place: choosing a conversation closes it.
    if (id && panel.value === "admin") panel.value = "none";
    if (id !== activeId.value || !messages.value) {
      messages.value?.dispose();
      activeId.value = id;
      const listed = id && loaded.value ? list.find(id) : null;
      messages.value = id
        ? createMessagesState({
          api,
          env,
          realtime,
          channelId: id,
          myId,
          me,
          outbox: outboxes.of(id),
          lastRead: listed ? listed.last_read_message_id : null,
          onMine: list.mine,
          onMemberCount: (count) => {
            if (Number(list.find(id)?.member_count ?? count) !== count) {
              list.patch(id, { member_count: count });
            }
          },
          onUsers: users.remember,
          onSeen: (upTo) => {
            receipts.read(id, upTo);
            list.read(id, upTo);
          },
          onArrived: (msgs) => {
            for (const m of msgs) {
              list.messageCreated(m, messages.value?.seesNewest() ?? false);
              if (m.sender_id !== myId) notifications.arrived(m);
            }
          },
        })
        : null;
      const m = messages.value;
      if (m) (opts.jumpTo ? m.jumpTo(opts.jumpTo) : m.open()).then(() => m.markRead());
      env.replaceHash(id ? `#/c/${id}` : "#/");
      if (panel.value === "members" || panel.value === "new-channel") panel.value = "none";
      if (panel.value === "thread") panel.value = "none";
      if (loaded.value) syncTopics();
    } else if (opts.jumpTo && messages.value) {
      messages.value.jumpTo(opts.jumpTo);
    }
  }

  // ---- actions ---------------------------------------------------------------------------------
  async function openCreated(path: string, body: unknown) {
    const { channel } = await api.post<{ channel: { id: string } }>(path, body);
    await reload();
    select(channel.id);
  }
  const createGroup = (name: string, isPrivate: boolean, memberIds: string[]) =>
    openCreated("/channels", { name, is_private: isPrivate, member_ids: memberIds });
  const openDirect = (userId: string) => openCreated("/channels/direct", { user_id: userId });

  async function join(id: string) {
    await api.post(`/channels/${id}/join`);
    await reload();
    select(id);
  }

  async function leave(id: string) {
    await api.post(`/channels/${id}/leave`);
    lists.removed();
    if (activeId.value === id) select(null);
    list.remove(id);
    receipts.forget(id);
    syncTopics();
  }

  const { findUsers, publicChannels, lastSeen } = createDirectory({
    api,
    users,
    presence,
    channels,
  });

  /** Tells the open channel's members that I am typing (at most every 2 s). */
  const sendTyping = (isTyping: boolean) => messages.value?.sendTyping(isTyping);

  // ---- the browser around us -------------------------------------------------------------------
  const seen = () => {
    if (env.online() && !disposed) api.post("/me/seen").catch(() => {});
  };
  const stops = [
    notifyPrefs.start((id) => !disposed && select(id)),
    env.on("online", () => {
      connection.refresh();
      seen();
      // The socket was closed when the network went: open it again (every topic rejoins and
      // the open channel catches up), and send what waited in every outbox.
      if (!realtime.isConnected()) realtime.connect();
      const open = messages.value;
      for (const id of outboxes.waiting()) {
        if (open?.channelId === id) open.retry();
        else outboxes.retry(id);
      }
      scheduleReload(0);
    }),
    env.on("offline", () => {
      // A socket over a network that is gone is dead even if it has not noticed yet.
      realtime.disconnect();
      connection.dropped();
      presence.unknown();
    }),
    env.on("visibility", () => {
      if (env.visible()) messages.value?.markRead();
      else seen();
    }),
    notifications.title(list.totalUnread),
  ];
  seen();
  const seenTimer = env.setInterval(seen, SEEN_EVERY_MS);

  function dispose() {
    disposed = true;
    lists.dispose();
    env.clearInterval(seenTimer);
    ticker.dispose();
    receipts.dispose();
    messages.value?.dispose();
    for (const stop of stops) stop();
    topics.dispose();
    presence.dispose();
    mine.leave();
    realtime.leaveAll();
  }

  // The channel in the address opens at once, its messages loading beside the channel list
  // (the list's answer closes it again if it is not one of mine).
  const fromHash = /^#\/c\/([0-9a-f-]{36})$/.exec(env.hash())?.[1];
  if (fromHash) select(fromHash);
  reload();

  return {
    myId,
    api,
    channels,
    loaded,
    listError,
    activeId,
    active,
    messages,
    online: presence.online,
    /** Moves every few seconds: relative times ("last seen 2 minutes ago") read it. */
    now: ticker.now,
    lastSeen,
    totalMentions: list.totalMentions,
    connection: connection.connection,
    panel,
    thread,
    users: users.users,
    totalUnread: list.totalUnread,
    notifyPermission: notifications.permission,
    unsent: outboxes.unsent,
    remember: users.remember,
    drafts,
    pins,
    saved,
    notifyPrefs,
    reload,
    select,
    sendTyping,
    askNotifications: notifications.ask,
    createGroup,
    openDirect,
    join,
    leave,
    findUsers,
    publicChannels,
    dispose,
  };
}

/** The chat in the browser: the real globals and supabase-js Realtime. */
export function createChatState(sb: SupabaseClient, session: SessionState) {
  return createChat({
    api: session.api,
    myId: session.userId.value!,
    me: () => session.profile.value,
    env: browserEnv(),
    realtime: supabaseRealtime(sb),
  });
}

export type ChatState = ReturnType<typeof createChat>;
