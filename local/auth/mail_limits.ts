/**
 * Who may cause an auth email now. GoTrue has two rules: a minimum interval between two mails
 * of one kind to one user (`[auth.email] max_frequency`, 429 `over_email_send_rate_limit`
 * "For security purposes, you can only request this after N seconds.") and an instance-wide
 * hourly cap (`[auth.rate_limit] email_sent`, 429 "Email rate limit exceeded"). With only
 * those, one client that asks again and again for one address (or a few) spends the whole cap,
 * and nobody else gets a sign-up or reset mail for an hour. So, as well:
 * - each address gets at most `perAddress` mails an hour, of any kind, well below the cap;
 * - each client address (IP) may cause at most `perClient` of the cap's mails an hour;
 * - a refused request spends nothing from any bucket, so a flood costs only its own budgets.
 * Requests for an address that has no account (password recovery) go through the same checks
 * and spend the same budgets, so no answer, nor the order of later answers, tells who has an
 * account (were they free for the client, a client could count its own budget to find out).
 */
import { AuthError } from "./errors.ts";
import { RateLimiter } from "./rate_limit.ts";

export interface MailLimitSettings {
  /** Minimum time between two mails of one kind to one address (`max_frequency`), in ms. */
  maxFrequencyMs: number;
  /** Mails per hour for the whole instance (`email_sent`); 0 = no cap. */
  perInstance: number;
  /** Mails per hour to one address. */
  perAddress: number;
  /** Mails per hour one client address may cause. */
  perClient: number;
}

/**
 * The per-address and per-client budgets for an instance cap: a fifth and a half of it,
 * at least 1, and at most 5 for an address (what a person needs in an hour).
 *
 * @example
 * mailBudgets(30); // { perAddress: 5, perClient: 15 }
 */
export function mailBudgets(perInstance: number): { perAddress: number; perClient: number } {
  if (perInstance <= 0) return { perAddress: 5, perClient: 0 };
  return {
    perAddress: Math.max(1, Math.min(5, Math.floor(perInstance / 5))),
    perClient: Math.max(1, Math.floor(perInstance / 2)),
  };
}

const HOUR = 60 * 60_000;

export class MailLimits {
  #lastRequest = new Map<string, number>();
  #address: RateLimiter;
  #client: RateLimiter;
  #instance: RateLimiter;

  constructor(readonly settings: MailLimitSettings, private readonly now: () => number = Date.now) {
    this.#address = new RateLimiter(settings.perAddress, HOUR, now);
    this.#client = new RateLimiter(settings.perClient, HOUR, now);
    this.#instance = new RateLimiter(settings.perInstance, HOUR, now);
  }

  /**
   * Admits one mail of `kind` to `address` caused by `client`, or throws GoTrue's 429.
   * `lastSentAt`: when the database says the user's last mail of this kind went.
   * `send: false` is a request that sends nothing (an unknown address): judged and charged the
   * same, its interval remembered here since the database has no user to remember it.
   */
  admit(
    { kind, address, client, lastSentAt, send }: {
      kind: string;
      address: string;
      client: string;
      lastSentAt: Date | string | null | undefined;
      send: boolean;
    },
  ): void {
    const t = this.now();
    const addr = address.toLowerCase();
    const key = `${kind}:${addr}`;
    // A real user's last mail is in the database (GoTrue's own check, which survives restarts);
    // for an unknown address this process remembers the request instead.
    const last = send ? lastSentAt : this.#lastRequest.get(key);
    const since = last ? new Date(last).getTime() : -Infinity;
    const wait = this.settings.maxFrequencyMs - (t - since);
    if (wait > 0) {
      throw new AuthError(
        429,
        "over_email_send_rate_limit",
        `For security purposes, you can only request this after ${Math.ceil(wait / 1000)} seconds.`,
      );
    }
    if (
      !this.#address.canTake(addr) || !this.#client.canTake(client) ||
      !this.#instance.canTake("all")
    ) {
      throw new AuthError(429, "over_email_send_rate_limit", "Email rate limit exceeded");
    }
    this.#address.take(addr);
    this.#client.take(client);
    this.#instance.take("all");
    if (!send) {
      if (this.#lastRequest.size > 100_000) this.#lastRequest.clear(); // bounded under abuse
      this.#lastRequest.set(key, t);
    }
  }
}
