/**
 * Reading the channel list again (`GET /channels`) when events ask for it:
 * - asks in a burst share one read (each ask moves the timer);
 * - an answer older than one already shown is dropped (it would undo a join or a new DM);
 * - a read that began before a channel was left or removed is asked again (it would bring the
 *   channel back);
 * - an answer tells `apply` where the events stood as its read began (`mark`), so that it
 *   does not take back what an event since then said;
 * - a read that failed is tried again, after 1 s and then twice as long each time up to 30 s,
 *   until one succeeds: a passing fault (a 503 while the database restarts, a dropped network)
 *   never leaves the list stale until something else happens to ask.
 */
import type { Channel } from "../types.ts";
import type { Api } from "../api.ts";
import type { BrowserEnv } from "./env.ts";

/** The first retry after a failed read, and the longest wait between retries. */
export const LIST_RETRY_FIRST_MS = 1_000;
export const LIST_RETRY_MAX_MS = 30_000;

export interface ListReloadDeps {
  api: Pick<Api, "get">;
  clock: Pick<BrowserEnv, "setTimeout" | "clearTimeout">;
  /** Shows a fresh answer; `since` is what `mark` said as its read began. */
  apply: (channels: Channel[], since: number) => void;
  /** Where the events the list follows stand (see channel_list's `mark`). */
  mark?: () => number;
  /** The last read's failure (a message), or null once a read succeeds. */
  onError: (message: string | null) => void;
}

export function createListReload({ api, clock, apply, onError, mark }: ListReloadDeps) {
  let timer: number | undefined;
  let seq = 0;
  let applied = 0;
  let removals = 0;
  let failures = 0;
  let disposed = false;

  /** Reads the list after `ms` (an earlier ask still waiting is moved, not added). */
  function schedule(ms = 150) {
    if (disposed) return;
    clock.clearTimeout(timer);
    timer = clock.setTimeout(() => void run(), ms);
  }

  /** Reads the list now; resolves once its answer is shown, dropped or failed. */
  async function run(): Promise<void> {
    if (disposed) return;
    const mine = ++seq;
    const removalsBefore = removals;
    const since = mark?.() ?? Infinity;
    let channels: Channel[];
    try {
      channels = (await api.get<{ channels: Channel[] }>("/channels")).channels;
    } catch (e) {
      if (disposed || mine < applied) return;
      onError(e instanceof Error ? e.message : String(e));
      failures++;
      // Unless a newer read is already on its way (it retries in turn if it fails).
      if (mine === seq) {
        schedule(Math.min(LIST_RETRY_MAX_MS, LIST_RETRY_FIRST_MS * 2 ** (failures - 1)));
      }
      return;
    }
    if (disposed || mine < applied) return;
    if (removals !== removalsBefore) return schedule(0);
    applied = mine;
    failures = 0;
    onError(null);
    apply(channels, since);
  }

  return {
    schedule,
    run,
    /** A channel was left or removed: reads begun before now are stale. */
    removed() {
      removals++;
    },
    dispose() {
      disposed = true;
      clock.clearTimeout(timer);
    },
  };
}
