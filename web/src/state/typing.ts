/**
 * Who is typing in the open channel, on its own private topic `typing:<channel_id>` (members
 * read and broadcast there; data topics are the database's alone). Joined for the open channel
 * only. What I type goes at most every TYPING_SEND_MS while I type; a payload about me or about
 * someone who is not a member is ignored; each "typing" fades after TYPING_SHOW_MS.
 */
import { signal } from "@preact/signals";
import type { Clock } from "./env.ts";
import type { Realtime } from "./realtime.ts";

export const TYPING_SEND_MS = 2000;
export const TYPING_SHOW_MS = 6000;

export interface TypingDeps {
  realtime: Realtime;
  clock: Clock;
  channelId: string;
  myId: string;
  isMember: (userId: string) => boolean;
}

export function createTyping({ realtime, clock, channelId, myId, isMember }: TypingDeps) {
  /** User id → until when they show as typing. */
  const who = signal<Record<string, number>>({});
  let sentAt = -Infinity;
  let sentTyping = false;
  let sweep: number | undefined;

  const topic = realtime.join(`typing:${channelId}`, {
    onBroadcast: (event, payload) => {
      if (event === "typing") receive(payload);
    },
  });

  /** Tells the others that I am (still) typing, or that I stopped. */
  function send(isTyping: boolean) {
    const now = clock.now();
    if (isTyping && now - sentAt < TYPING_SEND_MS) return;
    if (!isTyping && !sentTyping) return;
    sentAt = isTyping ? now : -Infinity;
    sentTyping = isTyping;
    topic.send("typing", { user_id: myId, typing: isTyping });
  }

  function receive(p: Record<string, unknown>) {
    const id = p.user_id;
    if (typeof id !== "string" || id === myId || !isMember(id)) return;
    const next = { ...who.value };
    if (p.typing === true) next[id] = clock.now() + TYPING_SHOW_MS;
    else if (id in next) delete next[id];
    else return;
    who.value = next;
    sweep ??= clock.setInterval(() => {
      const now = clock.now();
      const live = Object.fromEntries(Object.entries(who.value).filter(([, t]) => t > now));
      if (Object.keys(live).length !== Object.keys(who.value).length) who.value = live;
      if (!Object.keys(live).length) {
        clock.clearInterval(sweep);
        sweep = undefined;
      }
    }, 1000);
  }

  /** Someone's message came: they stopped typing it. */
  function stopped(userId: string | null) {
    if (!userId || !(userId in who.value)) return;
    const next = { ...who.value };
    delete next[userId];
    who.value = next;
  }

  function dispose() {
    clock.clearInterval(sweep);
    topic.leave();
  }

  return { who, send, receive, stopped, dispose };
}

export type Typing = ReturnType<typeof createTyping>;
