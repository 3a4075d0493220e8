/**
 * Presence per topic, shaped as Phoenix.Presence sends it: state `{ key: { metas: [...] } }`,
 * diffs `{ joins, leaves }`; each tracked meta carries a `phx_ref` (and `phx_ref_prev` when it
 * replaces an earlier one of the same subscription). Payloads are bounded in size and rate
 * (LIMITS.presence*), as Supabase bounds them, since each is sent to every subscriber.
 */
import { LIMITS, utf8Length } from "./protocol.ts";

export type Meta = Record<string, unknown> & { phx_ref: string; phx_ref_prev?: string };
export type PresenceMap = Record<string, { metas: Meta[] }>;

let refCounter = 0;
const newRef = () => `${Date.now().toString(36)}${(refCounter++).toString(36)}`;

export class PresenceTopic {
  /** key → subscription (any object standing for it) → meta */
  #entries = new Map<string, Map<object, Meta>>();

  state(): PresenceMap {
    const out: PresenceMap = {};
    for (const [key, subs] of this.#entries) out[key] = { metas: [...subs.values()] };
    return out;
  }

  /** Tracks (or re-tracks) `payload` for one subscription; returns the diff to broadcast. */
  track(
    key: string,
    sub: object,
    payload: Record<string, unknown>,
  ): { joins: PresenceMap; leaves: PresenceMap } {
    const subs = this.#entries.get(key) ?? new Map<object, Meta>();
    const prev = subs.get(sub);
    const meta: Meta = {
      ...payload,
      phx_ref: newRef(),
      ...(prev ? { phx_ref_prev: prev.phx_ref } : {}),
    };
    subs.set(sub, meta);
    this.#entries.set(key, subs);
    return {
      joins: { [key]: { metas: [meta] } },
      leaves: prev ? { [key]: { metas: [prev] } } : {},
    };
  }

  /** Forgets one subscription's meta; the diff to broadcast, or undefined if it tracked none. */
  untrack(key: string, sub: object): { joins: PresenceMap; leaves: PresenceMap } | undefined {
    const subs = this.#entries.get(key);
    const prev = subs?.get(sub);
    if (!subs || !prev) return undefined;
    subs.delete(sub);
    if (subs.size === 0) this.#entries.delete(key);
    return { joins: {}, leaves: { [key]: { metas: [prev] } } };
  }

  get empty(): boolean {
    return this.#entries.size === 0;
  }
}

/**
 * Counts one presence call (track or untrack) of a socket against LIMITS.presenceCalls per
 * LIMITS.presenceWindowMs (a sliding window); false when over it. `calls` is the socket's own
 * list of recent call times and is updated in place.
 */
export function takePresenceCall(calls: number[], now: number): boolean {
  while (calls.length && now - calls[0]! >= LIMITS.presenceWindowMs) calls.shift();
  if (calls.length >= LIMITS.presenceCalls) return false;
  calls.push(now);
  return true;
}

/** Is a track payload over LIMITS.presencePayloadBytes once encoded? */
export function presenceTooBig(payload: Record<string, unknown>): boolean {
  return utf8Length(JSON.stringify(payload)) > LIMITS.presencePayloadBytes;
}
