/**
 * Token expiry for every subscription of the hub with one timer: a binary min-heap ordered by
 * expiry time, the timer armed for the earliest. A timer per subscription cost a few hundred
 * bytes each (Deno's timer objects and their lists) on every idle joined connection.
 */

/** What the heap holds: anything that remembers its own position in it (-1: not in it). */
export interface Expiring {
  expiryIndex: number;
}

/** Timers are 32-bit: a later expiry is re-armed when this much time has passed. */
const MAX_TIMER = 2 ** 31 - 1;

export class Expiries<T extends Expiring> {
  #heap: T[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerAt = Infinity;

  /**
   * @param atOf when an item expires (ms since the epoch); read when the item is set, so an
   *   item whose time changes must be set again.
   * @param onExpire called once per item when its time has come, after it left the heap.
   *
   * @example
   * const expiries = new Expiries<Sub>((s) => s.claims.exp * 1000, (s) => hub.close(s, "expired"));
   * expiries.set(sub); // (again after a token refresh)
   * expiries.delete(sub); // when the subscription ends
   */
  constructor(
    private readonly atOf: (item: T) => number,
    private readonly onExpire: (item: T) => void,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.#heap.length;
  }

  /** Adds an item, or moves it after its expiry time changed. */
  set(item: T) {
    const heap = this.#heap;
    let i = item.expiryIndex;
    if (i < 0 || heap[i] !== item) {
      i = heap.length;
      heap.push(item);
      item.expiryIndex = i;
    }
    this.#down(this.#up(i));
    this.#arm();
  }

  /** Removes an item (no-op when it is not in the heap). */
  delete(item: T) {
    const heap = this.#heap;
    const i = item.expiryIndex;
    if (i < 0 || heap[i] !== item) return;
    item.expiryIndex = -1;
    const last = heap.pop()!;
    if (last !== item) {
      heap[i] = last;
      last.expiryIndex = i;
      this.#down(this.#up(i));
    }
    if (heap.length === 0) this.#disarm();
  }

  /** Stops the timer and forgets every item. */
  clear() {
    for (const item of this.#heap) item.expiryIndex = -1;
    this.#heap = [];
    this.#disarm();
  }

  #fire = () => {
    this.#timer = undefined;
    this.#timerAt = Infinity;
    const now = this.now();
    const heap = this.#heap;
    while (heap.length > 0 && this.atOf(heap[0]!) <= now) {
      const item = heap[0]!;
      this.delete(item);
      try {
        this.onExpire(item);
      } catch {
        // one failing expiry must not keep the others from expiring
      }
    }
    this.#arm();
  };

  #arm() {
    const first = this.#heap[0];
    if (!first) return this.#disarm();
    const at = this.atOf(first);
    if (this.#timer !== undefined && this.#timerAt <= at) return;
    clearTimeout(this.#timer);
    const delay = Math.min(MAX_TIMER, Math.max(0, at - this.now()));
    this.#timerAt = this.now() + delay;
    this.#timer = setTimeout(this.#fire, delay);
  }

  #disarm() {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Infinity;
  }

  #up(i: number): number {
    const heap = this.#heap;
    const item = heap[i]!;
    const at = this.atOf(item);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = heap[p]!;
      if (this.atOf(parent) <= at) break;
      heap[i] = parent;
      parent.expiryIndex = i;
      i = p;
    }
    heap[i] = item;
    item.expiryIndex = i;
    return i;
  }

  #down(i: number) {
    const heap = this.#heap;
    const n = heap.length;
    const item = heap[i]!;
    const at = this.atOf(item);
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && this.atOf(heap[r]!) < this.atOf(heap[l]!) ? r : l;
      const child = heap[c]!;
      if (this.atOf(child) >= at) break;
      heap[i] = child;
      child.expiryIndex = i;
      i = c;
    }
    heap[i] = item;
    item.expiryIndex = i;
  }
}
