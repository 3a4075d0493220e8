/**
 * Delivered and read watermarks, coalesced: whatever arrives or is seen in a channel, at most
 * one `POST /channels/:id/receipts` goes per channel every RECEIPT_FLUSH_MS, carrying the
 * highest delivered and read ids (read implies delivered on the server). The first one after a
 * quiet spell goes after a short pause (so a delivered and a read that come together travel
 * together). After a 429 nothing goes before Retry-After; a network or server failure backs
 * off; another refusal (not a member any more) stops that channel.
 */
import { RECEIPT_FLUSH_MS } from "../../../functions/_shared/limits.ts";
import { type Api, ApiError } from "../api.ts";
import type { Clock } from "./env.ts";

interface Watermarks {
  delivered: number;
  read: number;
}

interface ChannelReceipts {
  want: Watermarks;
  sent: Watermarks;
  lastAt: number;
  timer: number | undefined;
  inFlight: boolean;
  backoff: number;
  stopped: boolean;
}

export interface ReceiptsDeps {
  api: Pick<Api, "post">;
  clock: Clock;
  flushMs?: number;
  /** Pause before the first request of a quiet channel, in ms. */
  firstDelayMs?: number;
  /**
   * Extra random pause for a channel's first request, up to this many ms (default none). A large
   * channel's members all receive a message at once; spread over the flush interval, their
   * receipts reach the server evenly instead of in one burst every interval.
   */
  spreadMs?: (channelId: string) => number;
  random?: () => number;
}

export function createReceipts(
  {
    api,
    clock,
    flushMs = RECEIPT_FLUSH_MS,
    firstDelayMs = 300,
    spreadMs = () => 0,
    random = Math.random,
  }: ReceiptsDeps,
) {
  const channels = new Map<string, ChannelReceipts>();
  let pausedUntil = 0;
  let disposed = false;

  const stateOf = (id: string) => {
    let s = channels.get(id);
    if (!s) {
      s = {
        want: { delivered: 0, read: 0 },
        sent: { delivered: 0, read: 0 },
        lastAt: -Infinity,
        timer: undefined,
        inFlight: false,
        backoff: flushMs,
        stopped: false,
      };
      channels.set(id, s);
    }
    return s;
  };

  /** What the server holds already (from the channel list): nothing is sent below it. */
  function known(channelId: string, w: Partial<Watermarks>) {
    const s = stateOf(channelId);
    s.sent.delivered = Math.max(s.sent.delivered, w.delivered ?? 0, w.read ?? 0);
    s.sent.read = Math.max(s.sent.read, w.read ?? 0);
  }

  function delivered(channelId: string, id: number) {
    const s = stateOf(channelId);
    s.want.delivered = Math.max(s.want.delivered, id);
    schedule(channelId, s);
  }

  function read(channelId: string, id: number) {
    const s = stateOf(channelId);
    s.want.read = Math.max(s.want.read, id);
    s.want.delivered = Math.max(s.want.delivered, id);
    schedule(channelId, s);
  }

  const owed = (s: ChannelReceipts) =>
    s.want.delivered > s.sent.delivered || s.want.read > s.sent.read;

  function schedule(channelId: string, s: ChannelReceipts, extra = 0) {
    if (disposed || s.stopped || s.inFlight || s.timer !== undefined || !owed(s)) return;
    const now = clock.now();
    const first = firstDelayMs + random() * spreadMs(channelId);
    const wait = Math.max(first, s.lastAt + flushMs - now, pausedUntil - now, extra);
    s.timer = clock.setTimeout(() => {
      s.timer = undefined;
      flush(channelId, s);
    }, wait);
  }

  async function flush(channelId: string, s: ChannelReceipts) {
    if (disposed || !owed(s)) return;
    const upTo = { ...s.want };
    const body: Record<string, number> = {};
    if (upTo.delivered > s.sent.delivered) body.delivered_up_to = upTo.delivered;
    if (upTo.read > s.sent.read) body.read_up_to = upTo.read;
    s.inFlight = true;
    s.lastAt = clock.now();
    let retryIn = 0;
    try {
      const r = await api.post<Partial<Record<string, number>>>(
        `/channels/${channelId}/receipts`,
        body,
      );
      // The server never moves a watermark past the channel's newest message; what was asked
      // for counts as sent either way, so an id it would not take is not asked for again.
      s.sent.delivered = Math.max(
        s.sent.delivered,
        upTo.delivered,
        r?.last_delivered_message_id ?? 0,
      );
      s.sent.read = Math.max(s.sent.read, upTo.read, r?.last_read_message_id ?? 0);
      s.backoff = flushMs;
    } catch (e) {
      const status = e instanceof ApiError ? e.status : 0;
      if (status === 429) {
        pausedUntil = clock.now() + (e instanceof ApiError && e.retryAfterSec || 5) * 1000;
      } else if (status >= 400 && status < 500) {
        s.stopped = true;
      } else {
        retryIn = s.backoff;
        s.backoff = Math.min(s.backoff * 2, 60_000);
      }
    } finally {
      s.inFlight = false;
      // What came meanwhile goes in the next one.
      schedule(channelId, s, retryIn);
    }
  }

  /** A channel left or closed for good: nothing more for it. */
  function forget(channelId: string) {
    const s = channels.get(channelId);
    if (s) clock.clearTimeout(s.timer);
    channels.delete(channelId);
  }

  function dispose() {
    disposed = true;
    for (const s of channels.values()) clock.clearTimeout(s.timer);
  }

  return { known, delivered, read, forget, dispose };
}

export type Receipts = ReturnType<typeof createReceipts>;
