/**
 * Fail fast while the database is unreachable, and let nothing queued run later.
 *
 * postgres.js queues a query until a connection is free or made; with Postgres gone or hung,
 * requests would pile up and then run, long after their callers gave up. The gate knows whether
 * the database is up: a connection error marks it down, and so does an operation that takes
 * longer than `probeAfterMs` when a quick ping then fails (a hung server). While down, every
 * operation is refused at once with `DependencyDownError` (503 `dependency_down`) and a
 * background probe checks every `probeEveryMs` until the database answers again.
 *
 * An operation that is refused, or whose request deadline passes, is abandoned: its promise is
 * left to settle in the background, and the `signal` it was given is aborted so that a
 * transaction still waiting for its turn rolls back instead of committing (see `asCaller`).
 */
import { DependencyDownError } from "./errors.ts";
import type { Sql } from "./db.ts";

export interface DbGateOptions {
  /** A slow operation triggers a ping after this long (default 1,000 ms). */
  probeAfterMs?: number;
  /** How long a ping may take before the database counts as down (default 700 ms). */
  pingTimeoutMs?: number;
  /** While down, how often to ping (default 250 ms). */
  probeEveryMs?: number;
  /** Told when the state changes. */
  onChange?: (up: boolean, reason: string) => void;
}

export interface DbGate {
  readonly up: boolean;
  /**
   * Runs one database operation. Rejects with `DependencyDownError` when the database is down,
   * goes down meanwhile, or `deadline` aborts first.
   *
   * @example
   * const rows = await gate.run((signal) => asCaller(sql, claims, "read", fn, signal), deadline);
   */
  run<T>(op: (signal: AbortSignal) => Promise<T>, deadline?: AbortSignal): Promise<T>;
  /** Stops the background probe. */
  close(): void;
}

/** postgres.js and Postgres errors that mean "the server is not there", not "the query is wrong". */
export function isConnectionError(e: unknown): boolean {
  const code = (e as { code?: unknown })?.code;
  if (typeof code !== "string") return false;
  return /^(ECONN|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|CONNECT_TIMEOUT|CONNECTION_)/.test(
    code,
  ) ||
    // 08: connection exception; 57P01-03: admin/crash shutdown, cannot connect now (recovery);
    // 53300: too many connections.
    /^(08...|57P0[123]|53300)$/.test(code);
}

export function createDbGate(sql: Sql, opts: DbGateOptions = {}): DbGate {
  const { probeAfterMs = 1000, pingTimeoutMs = 700, probeEveryMs = 250 } = opts;
  let up = true;
  let probing: Promise<void> | undefined;
  let closed = false;
  /** Aborted when the database goes down: every operation in flight is abandoned. */
  let downSignal = new AbortController();

  const ping = async (): Promise<boolean> => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const q = sql`select 1 as ok`;
    try {
      return await Promise.race([
        q.then((r) => r[0]?.ok === 1),
        new Promise<boolean>((res) => timer = setTimeout(() => res(false), pingTimeoutMs)),
      ]);
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
      // A ping that never reached a server must not run later either.
      q.cancel?.();
    }
  };

  const markDown = (reason: string) => {
    if (!up) return;
    up = false;
    opts.onChange?.(false, reason);
    downSignal.abort(new DependencyDownError(`The database is unreachable (${reason})`));
    probing ??= (async () => {
      while (!closed && !(await ping())) {
        await new Promise((r) => setTimeout(r, probeEveryMs));
      }
      downSignal = new AbortController();
      up = true;
      probing = undefined;
      if (!closed) opts.onChange?.(true, "the database answers again");
    })();
  };

  return {
    get up() {
      return up;
    },
    async run<T>(op: (signal: AbortSignal) => Promise<T>, deadline?: AbortSignal): Promise<T> {
      if (!up) throw new DependencyDownError("The database is unreachable; try again shortly");
      if (deadline?.aborted) throw deadlineError(deadline);
      const abandon = new AbortController();
      const signals = [downSignal.signal, ...(deadline ? [deadline] : [])];
      const onAbort = () => abandon.abort();
      for (const s of signals) s.addEventListener("abort", onAbort, { once: true });
      const slow = setTimeout(async () => {
        if (!(await ping())) markDown("a query hung and the server does not answer a ping");
      }, probeAfterMs);
      const work = op(abandon.signal);
      try {
        return await Promise.race([
          work,
          new Promise<never>((_, reject) =>
            abandon.signal.addEventListener("abort", () => {
              const first = signals.find((s) => s.aborted);
              reject(
                first === deadline && deadline ? deadlineError(deadline) : downSignal.signal.reason,
              );
            }, { once: true })
          ),
        ]);
      } catch (e) {
        if (isConnectionError(e)) {
          markDown(String((e as { code?: string }).code));
          throw new DependencyDownError("The database is unreachable; try again shortly", {
            cause: e,
          });
        }
        throw e;
      } finally {
        clearTimeout(slow);
        for (const s of signals) s.removeEventListener("abort", onAbort);
        abandon.abort(); // a transaction still waiting for its turn rolls back
        work.catch(() => {}); // an abandoned operation settles on its own, unobserved
      }
    },
    close() {
      closed = true;
    },
  };
}

function deadlineError(deadline: AbortSignal): DependencyDownError {
  const reason = deadline.reason;
  return reason instanceof DependencyDownError
    ? reason
    : new DependencyDownError("The request took too long; the database may be overloaded");
}
