/**
 * For the state's unit tests: a `BrowserEnv` with a clock that moves only when the test says
 * so (timers run in order as it moves), a tab that is seen or hidden, a network that is up or
 * down, and notifications recorded instead of shown. Also a realtime client that records what
 * is joined and sent and lets the test deliver events and statuses.
 */
import type { BrowserEnv, EnvEvent, Permission } from "./env.ts";
import type { Joined, JoinOptions, Realtime } from "./realtime.ts";

/** Lets pending promise chains run (a real macrotask turn; no time passes on the fake clock). */
export const settle = () => new Promise<void>((r) => setTimeout(r, 0));

export function fakeEnv(start = 1_700_000_000_000) {
  let now = start;
  let seq = 0;
  const timers = new Map<number, { at: number; fn: () => void; every?: number }>();
  const listeners = new Map<EnvEvent, Set<() => void>>();
  const shown: { title: string; body: string; tag: string; click: () => void }[] = [];
  const state = {
    visible: true,
    online: true,
    permission: "granted" as Permission,
    title: "",
    hash: "",
  };
  const add = (fn: () => void, ms: number, every?: number) => {
    const id = ++seq;
    timers.set(id, { at: now + Math.max(0, ms), fn, ...(every ? { every } : {}) });
    return id;
  };
  const env: BrowserEnv = {
    now: () => now,
    setTimeout: (fn, ms) => add(fn, ms),
    clearTimeout: (id) => void (id !== undefined && timers.delete(id)),
    setInterval: (fn, ms) => add(fn, ms, Math.max(1, ms)),
    clearInterval: (id) => void (id !== undefined && timers.delete(id)),
    visible: () => state.visible,
    online: () => state.online,
    notifications: {
      permission: () => state.permission,
      request: () => Promise.resolve(state.permission = "granted"),
      show: (title, body, tag, click) => void shown.push({ title, body, tag, click }),
    },
    on(event, fn) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, set = new Set());
      set.add(fn);
      return () => set.delete(fn);
    },
    setTitle: (t) => void (state.title = t),
    hash: () => state.hash,
    replaceHash: (h) => void (state.hash = h),
    focus: () => {},
  };
  const emit = (e: EnvEvent) => listeners.get(e)?.forEach((fn) => fn());
  return {
    env,
    state,
    shown,
    /** Timers waiting. */
    pending: () => timers.size,
    /** Moves the clock by `ms`, running every timer that falls due, in order. */
    async advance(ms: number) {
      const end = now + ms;
      for (;;) {
        await settle();
        let next: [number, { at: number; fn: () => void; every?: number }] | undefined;
        for (const entry of timers) {
          if (entry[1].at <= end && (!next || entry[1].at < next[1].at)) next = entry;
        }
        if (!next) break;
        const [id, t] = next;
        now = Math.max(now, t.at);
        if (t.every) t.at = now + t.every;
        else timers.delete(id);
        t.fn();
      }
      now = end;
      await settle();
    },
    setVisible(v: boolean) {
      state.visible = v;
      emit("visibility");
    },
    setOnline(v: boolean) {
      state.online = v;
      emit(v ? "online" : "offline");
    },
  };
}

export interface FakeTopic {
  name: string;
  opts: JoinOptions;
  sent: { event: string; payload: Record<string, unknown> }[];
  tracked: Record<string, unknown>[];
  presence: string[];
  left: boolean;
  /** Delivers a broadcast to the client. */
  deliver(event: string, payload: Record<string, unknown>): void;
  status(s: string): void;
}

export function fakeRealtime() {
  const topics: FakeTopic[] = [];
  let connected = true;
  const realtime: Realtime = {
    join(name, opts) {
      const topic: FakeTopic = {
        name,
        opts,
        sent: [],
        tracked: [],
        presence: [],
        left: false,
        deliver: (event, payload) => {
          if (!topic.left) opts.onBroadcast?.(event, payload);
        },
        status: (s) => opts.onStatus?.(s),
      };
      topics.push(topic);
      const joined: Joined = {
        send: (event, payload) => void topic.sent.push({ event, payload }),
        presenceKeys: () => topic.presence,
        track: (meta) => {
          topic.tracked.push(meta);
          return Promise.resolve();
        },
        leave: () => void (topic.left = true),
      };
      return joined;
    },
    isConnected: () => connected,
    connect: () => void (connected = true),
    disconnect: () => void (connected = false),
    leaveAll: () => topics.forEach((t) => (t.left = true)),
  };
  return {
    realtime,
    topics,
    /** The live (not left) topic of that name. */
    topic: (name: string) => topics.find((t) => t.name === name && !t.left),
    live: () => topics.filter((t) => !t.left).map((t) => t.name),
    isConnected: () => connected,
  };
}
