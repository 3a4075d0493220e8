/**
 * Search as you type: what is typed waits `SEARCH_DEBOUNCE_MS` for the next key, then one
 * request goes out. Every change of the query starts a new generation; an answer for an older
 * one is dropped, so a slow early answer never replaces the results of what is typed now. The
 * same query again costs nothing. Refused for speed (429), it tries again after `Retry-After`.
 * The words and chips come from `search_query.ts`; the hits are `GET /search`'s.
 */
import { signal } from "@preact/signals";
import { ApiError } from "../api.ts";
import type { SearchHit } from "../types.ts";
import type { Clock } from "./env.ts";
import {
  type Chip,
  MIN_QUERY_CHARS,
  type Resolver,
  type SearchParams,
  toParams,
} from "./search_query.ts";

export const SEARCH_DEBOUNCE_MS = 200;

export interface SearchPage {
  hits: SearchHit[];
  next_cursor: string | null;
}

export interface SearchDeps {
  /** One page of `GET /search`. */
  fetch: (params: SearchParams & { cursor?: string }) => Promise<SearchPage>;
  resolve: Resolver;
  clock: Pick<Clock, "setTimeout" | "clearTimeout">;
  debounceMs?: number;
}

/**
 * `idle`: nothing typed; `short`: too few characters to search; `invalid`: a chip cannot be
 * used (`problem` says which and why); `loading`; `done`; `error` (`error` holds the API's code).
 */
export type SearchStatus = "idle" | "short" | "invalid" | "loading" | "done" | "error";

export function createSearch(
  { fetch, resolve, clock, debounceMs = SEARCH_DEBOUNCE_MS }: SearchDeps,
) {
  const status = signal<SearchStatus>("idle");
  const hits = signal<SearchHit[]>([]);
  const cursor = signal<string | null>(null);
  const loadingMore = signal(false);
  const error = signal<ApiError | null>(null);
  const problem = signal<{ chip: Chip; reason: string } | null>(null);
  /** The hit the keyboard is on (-1: none). */
  const active = signal(-1);
  /** The generation whose answers are wanted; bumped by every change of the query. */
  let gen = 0;
  let timer: number | undefined;
  let key = "";
  let params: SearchParams | null = null;
  let disposed = false;

  const current = (g: number) => g === gen && !disposed;

  function failed(g: number, e: unknown, again: () => void) {
    if (!current(g)) return;
    const err = e instanceof ApiError ? e : new ApiError(0, "network", String(e));
    error.value = err;
    status.value = "error";
    if (err.status === 429) {
      timer = clock.setTimeout(() => current(g) && again(), (err.retryAfterSec ?? 1) * 1000);
    }
  }

  async function run(g: number, words: string, chips: Chip[]) {
    try {
      const r = await toParams(words, chips, resolve);
      if (!current(g)) return;
      if (!r.ok) {
        problem.value = { chip: r.chip, reason: r.reason };
        status.value = "invalid";
        hits.value = [];
        return;
      }
      const page = await fetch(r.params);
      if (!current(g)) return;
      params = r.params;
      hits.value = page.hits;
      cursor.value = page.next_cursor;
      active.value = -1;
      error.value = null;
      status.value = "done";
    } catch (e) {
      failed(g, e, () => run(g, words, chips));
    }
  }

  /**
   * The query changed (a key, a chip added or removed): searched after a pause in typing, or at
   * once with `now` (Enter). Returns without a request when it is the query already shown.
   */
  function set(words: string, chips: Chip[], { now = false } = {}) {
    const w = words.trim();
    const k = JSON.stringify([w, chips.map((c) => c.text)]);
    if (k === key && !(now && status.value === "error")) return;
    key = k;
    const g = ++gen;
    clock.clearTimeout(timer);
    problem.value = null;
    error.value = null;
    if ([...w].length < MIN_QUERY_CHARS) {
      status.value = w || chips.length ? "short" : "idle";
      hits.value = [];
      cursor.value = null;
      active.value = -1;
      return;
    }
    status.value = "loading";
    timer = clock.setTimeout(() => current(g) && run(g, w, chips), now ? 0 : debounceMs);
  }

  /** The next page of the same query. */
  async function more() {
    const c = cursor.value;
    if (!c || !params || loadingMore.value) return;
    const g = gen;
    loadingMore.value = true;
    try {
      const page = await fetch({ ...params, cursor: c });
      if (!current(g)) return;
      hits.value = [...hits.value, ...page.hits];
      cursor.value = page.next_cursor;
    } catch (e) {
      failed(g, e, () => {});
    } finally {
      loadingMore.value = false;
    }
  }

  /** Moves the keyboard's place by `delta`, staying within the hits. */
  function move(delta: number) {
    const n = hits.value.length;
    if (!n) return;
    active.value = Math.max(0, Math.min(n - 1, active.value + delta));
  }

  function dispose() {
    disposed = true;
    clock.clearTimeout(timer);
  }

  return { status, hits, cursor, loadingMore, error, problem, active, set, more, move, dispose };
}

export type SearchState = ReturnType<typeof createSearch>;
