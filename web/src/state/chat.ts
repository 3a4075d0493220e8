/**
 * The signed-in part of the client: my channels (unread counts, last message), one Realtime
 * subscription per channel plus `user:<me>` and `online` (presence), the open channel's
 * message state, connection state (offline banner, catching up after a reconnect), and
 * notifications (title count, browser notifications while the tab is hidden).
 */
import { computed, effect, type Signal, signal } from "@preact/signals";
import type { RealtimeChannel, SupabaseClient } from "@supabase/supabase-js";
import { ApiError, qs } from "../api.ts";
import { t } from "../i18n/mod.ts";
import type { SessionState } from "./session.ts";
import { createMessagesState, type MessagesState, postFromOutbox } from "./messages.ts";
import type { Channel, Message, PublicChannel, Shown, UserRef } from "../types.ts";

export type Connection = "online" | "offline" | "connecting";
export type Panel = "none" | "members" | "search" | "profile" | "admin" | "new-channel";

export function channelTitle(c: Channel | null | undefined): string {
  if (!c) return "";
  if (c.kind === "direct") {
    const u = c.other_user;
    return u ? (u.deactivated ? t("user.deactivated") : u.display_name || u.username) : "?";
  }
  return c.name ?? "";
}

export function createChatState(sb: SupabaseClient, session: SessionState) {
  const api = session.api;
  const myId = session.userId.value!;
  const channels = signal<Channel[]>([]);
  const loaded = signal(false);
  const activeId = signal<string | null>(null);
  const active = computed(() => channels.value.find((c) => c.id === activeId.value) ?? null);
  const messages = signal<MessagesState | null>(null);
  const online = signal<ReadonlySet<string>>(new Set());
  const connection = signal<Connection>(navigator.onLine ? "connecting" : "offline");
  const panel = signal<Panel>("none");
  const listError = signal<string | null>(null);
  const notifyPermission = signal<NotificationPermission | "unsupported">(
    "Notification" in globalThis ? Notification.permission : "unsupported",
  );
  const totalUnread = computed(() =>
    channels.value.reduce((n, c) => n + (c.muted ? 0 : Number(c.unread_count)), 0)
  );
  /** People seen anywhere (members, senders, DMs), for names in search hits and reactions. */
  const users = signal<ReadonlyMap<string, UserRef>>(new Map());

  const subs = new Map<string, RealtimeChannel>();
  /** Unsent messages per channel: they outlive the channel's view until sent or discarded. */
  const outboxes = new Map<string, Signal<Shown[]>>();
  const outboxOf = (id: string) => {
    let o = outboxes.get(id);
    if (!o) outboxes.set(id, o = signal<Shown[]>([]));
    return o;
  };
  const status = new Map<string, string>();
  const everSubscribed = new Set<string>();
  const lastNotified = new Map<string, number>();
  const delivered = new Map<string, number>();
  let firstLoad = true;
  let disposed = false;

  function remember(list: UserRef[]) {
    let changed = false;
    const next = new Map(users.value);
    for (const u of list) {
      const had = next.get(u.id);
      if (!had || had.display_name !== u.display_name || had.username !== u.username) {
        next.set(u.id, { ...had, ...u });
        changed = true;
      }
    }
    if (changed) users.value = next;
  }

  /** The reader has the open channel's newest messages in front of them. */
  const seesNewest = () => {
    const m = messages.value;
    return !!m && document.visibilityState === "visible" && !m.hasNewer.value && m.atBottom.value;
  };

  // ---- channel list -------------------------------------------------------------------------
  let reloadTimer: ReturnType<typeof setTimeout> | undefined;
  function scheduleReload(ms = 150) {
    clearTimeout(reloadTimer);
    reloadTimer = setTimeout(reload, ms);
  }

  let reloadSeq = 0;
  let reloadApplied = 0;
  async function reload() {
    const seq = ++reloadSeq;
    try {
      const r = await api.get<{ channels: Channel[] }>("/channels");
      // An answer older than one already shown would undo it (a join, a new DM).
      if (disposed || seq < reloadApplied) return;
      reloadApplied = seq;
      listError.value = null;
      notifyNew(r.channels);
      channels.value = r.channels.map((c) =>
        c.id === activeId.value && seesNewest() ? { ...c, unread_count: 0 } : c
      );
      remember(r.channels.flatMap((c) => c.other_user ? [c.other_user] : []));
      loaded.value = true;
      syncSubscriptions();
      for (const c of r.channels) {
        const last = c.last_message;
        // The open channel, when seen, gets a read receipt instead (read implies delivered).
        const reading = c.id === activeId.value && seesNewest();
        if (
          !reading && last && last.sender_id !== myId && last.id > c.last_delivered_message_id
        ) {
          markDelivered(c.id, last.id);
        }
      }
      if (activeId.value && !r.channels.some((c) => c.id === activeId.value)) select(null);
    } catch (e) {
      listError.value = e instanceof Error ? e.message : String(e);
    }
  }

  /**
   * Delivered receipts, one request per channel per half second carrying the highest id; the
   * watermark kept is the one the server answers (a forged event cannot push it ahead); after
   * a 429 none go before Retry-After.
   */
  const deliverWanted = new Map<string, number>();
  const deliverTimers = new Map<string, ReturnType<typeof setTimeout>>();
  let receiptsPausedUntil = 0;
  function markDelivered(channelId: string, id: number) {
    if ((delivered.get(channelId) ?? 0) >= id) return;
    deliverWanted.set(channelId, Math.max(deliverWanted.get(channelId) ?? 0, id));
    if (deliverTimers.has(channelId)) return;
    deliverTimers.set(
      channelId,
      setTimeout(async () => {
        const upTo = deliverWanted.get(channelId) ?? 0;
        deliverWanted.delete(channelId);
        try {
          const r = await api.post<{ last_delivered_message_id: number }>(
            `/channels/${channelId}/receipts`,
            { delivered_up_to: upTo },
          );
          delivered.set(channelId, Number(r.last_delivered_message_id));
        } catch (e) {
          if (e instanceof ApiError && e.status === 429) {
            receiptsPausedUntil = Date.now() + (e.retryAfterSec ?? 5) * 1000;
          }
        } finally {
          deliverTimers.delete(channelId);
        }
      }, Math.max(500, receiptsPausedUntil - Date.now())),
    );
  }

  // ---- notifications ------------------------------------------------------------------------
  /** Other channels: what the list shows newer than before, while the tab is hidden. */
  function notifyNew(next: Channel[]) {
    for (const c of next) {
      const last = c.last_message;
      if (!last) continue;
      const prev = lastNotified.get(c.id);
      lastNotified.set(c.id, Math.max(prev ?? 0, last.id));
      if (firstLoad || prev === undefined || last.id <= prev) continue;
      // The open channel's own messages notify as they arrive (notifyArrived).
      if (c.id === activeId.value || last.sender_id === myId || c.muted || last.deleted) continue;
      notifyMessage(c.id, last.id, last.content, false);
    }
    firstLoad = false;
  }

  /** The open channel: each message from someone else that arrived while the tab is hidden. */
  function notifyArrived(channelId: string, msgs: Message[]) {
    const c = channels.value.find((x) => x.id === channelId);
    if (c?.muted) return;
    for (const m of msgs) {
      if (m.sender_id === myId || m.deleted_at) continue;
      lastNotified.set(channelId, Math.max(lastNotified.get(channelId) ?? 0, m.id));
      notifyMessage(channelId, m.id, m.content, !!m.mentions?.includes(myId));
    }
  }

  /** One notification per message (a mention and its message arrive on two topics). */
  const notified = new Set<number>();
  function notifyMessage(channelId: string, id: number, body: string, mention: boolean) {
    if (document.visibilityState !== "hidden" || notified.has(id)) return;
    notified.add(id);
    const c = channels.value.find((x) => x.id === channelId);
    const title = mention ? t("notify.mention", { channel: channelTitle(c) }) : channelTitle(c);
    showNotification(title, body, channelId);
  }

  function showNotification(title: string, body: string, channelId: string) {
    if (notifyPermission.value !== "granted") return;
    try {
      const n = new Notification(title, { body: body.slice(0, 140), tag: `chat-${channelId}` });
      n.onclick = () => {
        n.close();
        if (disposed) return;
        globalThis.focus();
        select(channelId);
      };
    } catch {
      // some browsers only notify from a service worker: the badge and title still say it
    }
  }

  async function askNotifications() {
    if (!("Notification" in globalThis)) return;
    notifyPermission.value = await Notification.requestPermission();
  }

  // ---- realtime -----------------------------------------------------------------------------
  function setConnection() {
    if (!navigator.onLine) {
      connection.value = "offline";
      return;
    }
    const states = [...status.values()];
    connection.value = states.length && states.every((s) => s === "SUBSCRIBED")
      ? "online"
      : "connecting";
  }

  function onStatus(key: string, s: string, onRejoin: () => void) {
    status.set(key, s);
    if (s === "SUBSCRIBED") {
      if (everSubscribed.has(key)) onRejoin();
      // A channel joined after the list was read (just added to it, say) may have had
      // messages in between: read the list again once it listens (debounced, so a whole
      // list joining at start costs one request).
      else if (key.startsWith("channel:") && loaded.value) scheduleReload(300);
      everSubscribed.add(key);
    }
    setConnection();
  }

  function onChannelEvent(channelId: string, event: string, payload: Record<string, unknown>) {
    const m = messages.value?.channelId === channelId ? messages.value : null;
    const msg = payload.message as { id?: unknown; sender_id?: unknown } | undefined;
    const id = typeof payload.message_id === "number"
      ? payload.message_id
      : typeof msg?.id === "number"
      ? msg.id
      : null;
    switch (event) {
      case "message.created":
        if (m) m.catchUp().then(() => m.markRead());
        if (typeof id === "number" && msg?.sender_id !== myId && !m) {
          markDelivered(channelId, id);
        }
        scheduleReload();
        break;
      case "message.updated":
      case "message.deleted":
      case "reaction.changed":
        if (m && id !== null) m.refresh(id);
        if (event === "message.deleted") scheduleReload();
        break;
      case "receipt.updated":
        if (m) scheduleMembers(m);
        break;
      case "member.changed":
        if (m) scheduleMembers(m);
        if (payload.user_id === myId) scheduleReload();
        break;
      case "typing":
        if (m) m.onTyping(payload);
        break;
    }
  }

  let membersTimer: ReturnType<typeof setTimeout> | undefined;
  function scheduleMembers(m: MessagesState) {
    clearTimeout(membersTimer);
    membersTimer = setTimeout(() => m.loadMembers(), 150);
  }

  function subscribeChannel(id: string) {
    const ch = sb.channel(`channel:${id}`, {
      config: { private: true, broadcast: { self: false }, presence: { key: myId } },
    });
    ch.on("broadcast", { event: "*" }, (m) => onChannelEvent(id, m.event, m.payload ?? {}))
      .subscribe((s) =>
        onStatus(`channel:${id}`, s, () => {
          // Back after a drop: fetch what was missed.
          if (messages.value?.channelId === id) messages.value.catchUp();
          scheduleReload();
        })
      );
    subs.set(id, ch);
  }

  function syncSubscriptions() {
    // The 100 most recent channels stay live, and always the open one.
    const want = new Set(channels.value.slice(0, 100).map((c) => c.id));
    if (activeId.value && channels.value.some((c) => c.id === activeId.value)) {
      want.add(activeId.value);
    }
    for (const [id, ch] of subs) {
      if (!want.has(id)) {
        sb.removeChannel(ch);
        subs.delete(id);
        status.delete(`channel:${id}`);
        everSubscribed.delete(`channel:${id}`);
      }
    }
    for (const id of want) if (!subs.has(id)) subscribeChannel(id);
    setConnection();
  }

  const mine = sb.channel(`user:${myId}`, { config: { private: true } });
  mine.on("broadcast", { event: "*" }, (m) => {
    if (m.event === "channel.added") scheduleReload(0);
    if (m.event === "mention") {
      // On my own topic only the database can broadcast: the payload is trusted.
      const p = (m.payload ?? {}) as { channel_id?: string; message_id?: number; content?: string };
      scheduleReload(0);
      if (p.channel_id && typeof p.message_id === "number") {
        notifyMessage(p.channel_id, p.message_id, String(p.content ?? ""), true);
      }
    }
  }).subscribe((s) => onStatus(`user:${myId}`, s, () => scheduleReload(0)));

  const presence = sb.channel("online", {
    config: { private: true, presence: { key: myId } },
  });
  presence.on("presence", { event: "sync" }, () => {
    const now = new Set(Object.keys(presence.presenceState()));
    // Someone left: their "last seen" in the list is worth reading again.
    if ([...online.value].some((id) => !now.has(id))) scheduleReload(1000);
    online.value = now;
  }).subscribe(async (s) => {
    onStatus("online", s, () => {});
    if (s === "SUBSCRIBED") {
      await presence.track({ online_at: new Date().toISOString() }).catch(() => {
        // tracked again on the next join
      });
    }
  });

  /** Tells the open channel's members that I am typing (at most every 2 s). */
  let typingSentAt = 0;
  function sendTyping(isTyping: boolean) {
    const id = activeId.value;
    const ch = id ? subs.get(id) : undefined;
    if (!ch) return;
    const now = Date.now();
    if (isTyping && now - typingSentAt < 2000) return;
    typingSentAt = isTyping ? now : 0;
    ch.send({ type: "broadcast", event: "typing", payload: { user_id: myId, typing: isTyping } });
  }

  // ---- selection ----------------------------------------------------------------------------
  function select(id: string | null, opts: { jumpTo?: number } = {}) {
    if (id !== activeId.value || !messages.value) {
      messages.value?.dispose();
      activeId.value = id;
      messages.value = id
        ? createMessagesState({
          api,
          channelId: id,
          myId,
          me: () => session.profile.value,
          outbox: outboxOf(id),
          onUsers: remember,
          onArrived: (msgs) => notifyArrived(id, msgs),
          onRead: (upTo) => {
            // Read up to the newest the list knows: nothing unread. Newer ones came meanwhile
            // (the tab was hidden, say): the server counts them.
            const c = channels.value.find((x) => x.id === id);
            if (c?.last_message && c.last_message.id > upTo) scheduleReload(200);
            else {
              channels.value = channels.value.map((x) =>
                x.id === id ? { ...x, unread_count: 0 } : x
              );
            }
          },
        })
        : null;
      const m = messages.value;
      if (m) {
        (opts.jumpTo ? m.jumpTo(opts.jumpTo) : m.open()).then(() => m.markRead());
      }
      const hash = id ? `#/c/${id}` : "#/";
      if (location.hash !== hash) history.replaceState(null, "", hash);
      if (panel.value === "members" || panel.value === "new-channel") panel.value = "none";
    } else if (opts.jumpTo && messages.value) {
      messages.value.jumpTo(opts.jumpTo);
    }
  }

  // ---- actions --------------------------------------------------------------------------------
  async function createGroup(name: string, isPrivate: boolean, memberIds: string[]) {
    const { channel } = await api.post<{ channel: { id: string } }>("/channels", {
      name,
      is_private: isPrivate,
      member_ids: memberIds,
    });
    await reload();
    select(channel.id);
  }

  async function openDirect(userId: string) {
    const { channel } = await api.post<{ channel: { id: string } }>("/channels/direct", {
      user_id: userId,
    });
    await reload();
    select(channel.id);
  }

  async function join(id: string) {
    await api.post(`/channels/${id}/join`);
    await reload();
    select(id);
  }

  async function leave(id: string) {
    await api.post(`/channels/${id}/leave`);
    if (activeId.value === id) select(null);
    await reload();
  }

  const findUsers = (q: string) =>
    api.get<{ users: UserRef[] }>(`/users${qs({ q })}`).then((r) => {
      remember(r.users);
      return r.users;
    });
  const publicChannels = (q: string) =>
    api.get<{ channels: PublicChannel[] }>(`/channels/public${qs({ q })}`).then((r) => r.channels);

  // ---- the browser around us ------------------------------------------------------------------
  const onOnline = () => {
    setConnection();
    seen();
    // The socket was closed when the network went: open it again (the channels rejoin, each
    // rejoin catches up), fetch what happened meanwhile, and send what waited.
    if (!sb.realtime.isConnected()) sb.realtime.connect();
    messages.value?.catchUp().then(() => messages.value?.markRead());
    // What waited in every channel's outbox goes now (the open one merges what comes back).
    for (const [channelId, outbox] of outboxes) {
      if (channelId === messages.value?.channelId) messages.value.retry();
      else {
        for (const m of outbox.value.filter((x) => x.state === "failed")) {
          postFromOutbox(api, channelId, outbox, m);
        }
      }
    }
    scheduleReload(0);
  };
  const onOffline = () => {
    // A socket over a network that is gone is dead even if it has not noticed yet.
    sb.realtime.disconnect();
    for (const k of status.keys()) status.set(k, "CLOSED");
    online.value = new Set(); // presence is unknown until the next sync
    setConnection();
  };
  const onVisible = () => {
    if (document.visibilityState === "visible") {
      messages.value?.markRead();
      if (activeId.value && seesNewest()) {
        channels.value = channels.value.map((c) =>
          c.id === activeId.value ? { ...c, unread_count: 0 } : c
        );
      }
    }
  };
  // "Last seen" is kept by the server while this client is connected (about once a minute).
  const seen = () => {
    if (navigator.onLine && !disposed) api.post("/me/seen").catch(() => {});
  };
  seen();
  const seenTimer = setInterval(seen, 60_000);

  globalThis.addEventListener("online", onOnline);
  globalThis.addEventListener("offline", onOffline);
  document.addEventListener("visibilitychange", onVisible);

  const stopTitle = effect(() => {
    const n = totalUnread.value;
    document.title = n ? `(${n > 999 ? "999+" : n}) ${t("app.name")}` : t("app.name");
  });

  function dispose() {
    disposed = true;
    clearTimeout(reloadTimer);
    clearTimeout(membersTimer);
    clearInterval(seenTimer);
    for (const timer of deliverTimers.values()) clearTimeout(timer);
    messages.value?.dispose();
    globalThis.removeEventListener("online", onOnline);
    globalThis.removeEventListener("offline", onOffline);
    document.removeEventListener("visibilitychange", onVisible);
    stopTitle();
    sb.removeAllChannels();
    document.title = t("app.name");
  }

  // The channel in the address opens at once, its messages loading beside the channel list
  // (the list's answer closes it again if it is not one of mine).
  const fromHash = /^#\/c\/([0-9a-f-]{36})$/.exec(location.hash)?.[1];
  if (fromHash) select(fromHash);
  reload();

  /** Unsent messages in a channel, for the list. */
  const unsent = (id: string) =>
    outboxes.get(id)?.value.filter((m) => m.state === "failed").length ?? 0;

  return {
    myId,
    unsent,
    api,
    channels,
    loaded,
    listError,
    activeId,
    active,
    messages,
    online,
    connection,
    panel,
    users,
    totalUnread,
    notifyPermission,
    remember,
    reload,
    select,
    sendTyping,
    askNotifications,
    createGroup,
    openDirect,
    join,
    leave,
    findUsers,
    publicChannels,
    dispose,
  };
}

export type ChatState = ReturnType<typeof createChatState>;
