/**
 * A clock for what is shown relative to now ("last seen 2 minutes ago"): a signal that moves
 * every few seconds, so that such text stays true without anything else changing. Only what
 * reads it renders again.
 */
import { signal } from "@preact/signals";
import type { Clock } from "./env.ts";

/** How often relative times are brought up to date. */
export const TICK_MS = 5_000;

export function createTicker(clock: Clock, everyMs = TICK_MS) {
  const now = signal(clock.now());
  const timer = clock.setInterval(() => (now.value = clock.now()), everyMs);
  return { now, dispose: () => clock.clearInterval(timer) };
}

export type Ticker = ReturnType<typeof createTicker>;
