/**
 * Pinned messages per channel: the list and its count, read when a channel opens
 * (`GET /channels/:id/pins`) and kept current by `pin.changed` on `channel:<id>` (which carries
 * the pin, its message and the new count) and by the message events of pinned messages. My own
 * pins and unpins are merged from the answer at once; the event that follows changes nothing.
 */
import { signal } from "@preact/signals";
import type { Api } from "../api.ts";
import type { Message } from "../types.ts";

export interface Pin {
  message_id: number;
  channel_id: string;
  pinned_by: string | null;
  pinned_by_name?: string | null;
  pinned_at: string;
  message: Message | null;
}

type Payload = Record<string, unknown>;
const isId = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
const byNewest = (a: Pin, b: Pin) =>
  b.pinned_at.localeCompare(a.pinned_at) || b.message_id - a.message_id;

export function createPins({ api }: { api: Pick<Api, "get" | "put" | "del"> }) {
  /** Per channel: its pins, newest first (absent until read). */
  const lists = signal<ReadonlyMap<string, readonly Pin[]>>(new Map());
  const errors = signal<ReadonlyMap<string, string>>(new Map());
  /** Which request is the latest per channel: an older answer never overwrites a newer one. */
  const seq = new Map<string, number>();

  function set(channelId: string, pins: readonly Pin[]) {
    const next = new Map(lists.value);
    next.set(channelId, [...pins].sort(byNewest));
    lists.value = next;
  }

  function merge(channelId: string, f: (pins: readonly Pin[]) => readonly Pin[]) {
    const now = lists.value.get(channelId);
    if (now) set(channelId, f(now));
  }

  /** Reads the channel's pins (each open of a channel: events may have been missed). */
  async function load(channelId: string): Promise<void> {
    const n = (seq.get(channelId) ?? 0) + 1;
    seq.set(channelId, n);
    try {
      const r = await api.get<{ pins: Pin[] }>(`/channels/${channelId}/pins`);
      if (seq.get(channelId) !== n) return;
      set(channelId, r.pins);
    } catch (e) {
      const next = new Map(errors.value);
      next.set(channelId, e instanceof Error ? e.message : String(e));
      errors.value = next;
    }
  }

  const of = (channelId: string | null | undefined) =>
    (channelId && lists.value.get(channelId)) || [];
  const count = (channelId: string | null | undefined) => of(channelId).length;
  const isPinned = (channelId: string | null | undefined, id: number | null) =>
    id !== null && of(channelId).some((p) => p.message_id === id);

  function pinned(pin: Pin) {
    merge(pin.channel_id, (l) => [...l.filter((p) => p.message_id !== pin.message_id), pin]);
  }
  function unpinned(channelId: string, messageId: number) {
    merge(channelId, (l) => l.filter((p) => p.message_id !== messageId));
  }

  async function pin(m: Message): Promise<void> {
    const r = await api.put<{ pin: Omit<Pin, "message"> }>(`/messages/${m.id}/pin`);
    pinned({ ...r.pin, message: m });
  }

  async function unpin(channelId: string, messageId: number): Promise<void> {
    await api.del(`/messages/${messageId}/pin`);
    unpinned(channelId, messageId);
  }

  /** A `channel:<id>` event: `pin.changed`, and edits or deletes of pinned messages. */
  function event(channelId: string, name: string, p: Payload): void {
    if (name === "pin.changed") {
      if (!isId(p.message_id)) return;
      const pin = p.pin as Pin | null | undefined;
      if (p.action === "pinned" && pin && isId(pin.message_id)) {
        pinned({ ...pin, channel_id: channelId });
      } else if (p.action === "unpinned") unpinned(channelId, p.message_id);
      return;
    }
    if (name === "message.updated") {
      const m = p.message as Message | undefined;
      if (!m || !isId(m.id) || !isPinned(channelId, m.id)) return;
      merge(channelId, (l) => l.map((x) => x.message_id === m.id ? { ...x, message: m } : x));
    } else if (name === "message.deleted") {
      const id = isId(p.id) ? p.id : (p.message as Payload | undefined)?.id;
      if (isId(id)) unpinned(channelId, id);
    }
  }

  return {
    lists,
    errors,
    /** Read in render functions: they follow `lists`. */
    of,
    count,
    isPinned,
    load,
    pin,
    unpin,
    event,
  };
}

export type Pins = ReturnType<typeof createPins>;
