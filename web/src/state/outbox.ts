/**
 * Unsent messages, per channel: they outlive the channel's view until the server has them or
 * the writer discards them. Every attempt sends the same `client_id`, so the server keeps one
 * copy whatever happened to earlier ones.
 */
import { type Signal, signal } from "@preact/signals";
import { type Api, ApiError } from "../api.ts";
import { errorCode } from "../i18n/errors.ts";
import type { Message, Shown } from "../types.ts";

/** Each outbox's sends, one after another: what the writer typed reaches the server in order. */
const queues = new WeakMap<Signal<Shown[]>, Promise<unknown>>();

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * A send the server could not take just now (5xx: the database restarting or overloaded; 408) is
 * tried again on its own this many times, 1 s apart and then twice as long each time (about 15 s
 * in all), before it shows as failed with a retry button.
 */
export const OUTBOX_AUTO_RETRIES = 4;

/**
 * Sends one outbox message (again), after the outbox's earlier sends are settled, so messages
 * are stored in the order they were written. Over the rate limit (429) it waits Retry-After
 * and goes again on its own, holding later ones back; so it does after a passing server fault
 * (see OUTBOX_AUTO_RETRIES); a refusal that sending again cannot change (any other 4xx:
 * moderation, not a member) is marked `refused`. Returns the stored
 * message, or null (the entry's `error` then says why: the API's error code, or "offline",
 * which the view translates; the server's English message is not for the reader).
 */
export function postFromOutbox(
  api: Pick<Api, "post">,
  channelId: string,
  outbox: Signal<Shown[]>,
  m: Shown,
  wait: (ms: number) => Promise<void> = sleep,
): Promise<Message | null> {
  const earlier = queues.get(outbox) ?? Promise.resolve();
  const mine = earlier.then(() => sendOne(api, channelId, outbox, m, wait));
  queues.set(outbox, mine.catch(() => null));
  return mine;
}

async function sendOne(
  api: Pick<Api, "post">,
  channelId: string,
  outbox: Signal<Shown[]>,
  m: Shown,
  wait: (ms: number) => Promise<void>,
): Promise<Message | null> {
  const mark = (patch: Partial<Shown>) => {
    outbox.value = outbox.value.map((x) => {
      if (x.client_id !== m.client_id) return x;
      const { error: _old, refused: _was, ...rest } = x;
      return { ...rest, ...patch } as Shown;
    });
  };
  const stillThere = () => outbox.value.some((x) => x.client_id === m.client_id);
  if (!stillThere()) return null; // discarded while it waited its turn
  mark({ state: "sending" });
  let faults = 0;
  for (;;) {
    try {
      const { message } = await api.post<{ message: Message }>(`/channels/${channelId}/messages`, {
        content: m.content,
        client_id: m.client_id,
        ...(m.retry?.reply_to_id ? { reply_to_id: m.retry.reply_to_id } : {}),
        ...(m.retry?.attachment_ids.length ? { attachment_ids: m.retry.attachment_ids } : {}),
      });
      outbox.value = outbox.value.filter((x) => x.client_id !== m.client_id);
      return message;
    } catch (e) {
      const err = e instanceof ApiError ? e : new ApiError(0, "network", String(e));
      if (err.status === 429) {
        await wait((err.retryAfterSec ?? 5) * 1000);
        if (stillThere()) continue;
        return null;
      }
      if ((err.status >= 500 || err.status === 408) && faults < OUTBOX_AUTO_RETRIES) {
        const backoff = 1000 * 2 ** faults++;
        await wait(err.retryAfterSec ? err.retryAfterSec * 1000 : backoff);
        if (stillThere()) continue;
        return null;
      }
      const refused = err.status >= 400 && err.status < 500 && err.status !== 408;
      mark({
        state: "failed",
        error: err.status === 0 ? "offline" : errorCode(err),
        ...(refused ? { refused: true } : {}),
      });
      return null;
    }
  }
}

export function createOutboxes(api: Pick<Api, "post">) {
  const boxes = new Map<string, Signal<Shown[]>>();

  function of(channelId: string): Signal<Shown[]> {
    let o = boxes.get(channelId);
    if (!o) boxes.set(channelId, o = signal<Shown[]>([]));
    return o;
  }

  function add(channelId: string, m: Shown) {
    const o = of(channelId);
    o.value = [...o.value, m];
  }

  /** Sends `m` (already in the channel's outbox). */
  const post = (channelId: string, m: Shown) => postFromOutbox(api, channelId, of(channelId), m);

  /** Sends again what failed in a channel (one entry, or all). Resolves with what was stored. */
  async function retry(channelId: string, clientId?: string): Promise<Message[]> {
    const failed = of(channelId).value.filter((m) =>
      m.state === "failed" && !m.refused && (clientId === undefined || m.client_id === clientId)
    );
    const sent = await Promise.all(failed.map((m) => post(channelId, m)));
    return sent.filter((m): m is Message => m !== null);
  }

  function discard(channelId: string, clientId: string) {
    const o = of(channelId);
    o.value = o.value.filter((m) => m.client_id !== clientId);
  }

  /** Unsent messages in a channel, for the list. */
  const unsent = (channelId: string) =>
    boxes.get(channelId)?.value.filter((m) => m.state === "failed").length ?? 0;

  /** Channels with something that failed. */
  const waiting = () => [...boxes.keys()].filter((id) => unsent(id) > 0);

  return { of, add, post, retry, discard, unsent, waiting };
}

export type Outboxes = ReturnType<typeof createOutboxes>;
