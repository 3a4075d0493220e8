/**
 * In-memory token buckets, as GoTrue keeps its per-IP limits: `limit` requests per `windowMs`,
 * refilled continuously. One limiter per kind of request (sign-ups, token requests, …).
 */
export class RateLimiter {
  #buckets = new Map<string, { tokens: number; at: number }>();
  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether `key` has a token now, without taking it (to check several buckets first). */
  canTake(key: string): boolean {
    if (this.limit <= 0) return true;
    return this.#refilled(key, this.now()).tokens >= 1;
  }

  #refilled(key: string, t: number) {
    const b = this.#buckets.get(key) ?? { tokens: this.limit, at: t };
    b.tokens = Math.min(this.limit, b.tokens + ((t - b.at) * this.limit) / this.windowMs);
    b.at = t;
    return b;
  }

  /** Takes one token for `key`; false when the bucket is empty. */
  take(key: string): boolean {
    if (this.limit <= 0) return true;
    const b = this.#refilled(key, this.now());
    if (b.tokens < 1) {
      this.#buckets.set(key, b);
      return false;
    }
    b.tokens -= 1;
    this.#buckets.set(key, b);
    if (this.#buckets.size > 100_000) this.#buckets.clear(); // bounded memory under abuse
    return true;
  }
}
