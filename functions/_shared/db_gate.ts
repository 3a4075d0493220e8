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
import { pingDb, type Sql } from "./db.ts";

export interface DbGateOptions {
  /** A slow operation triggers a ping after this long (default 1,000 ms). */
  probeAfterMs?: number;
  /** How long a ping may take before the database counts as down (default 700 ms). */
  pingTimeoutMs?: number;
  /** While down, how often to ping (default 250 ms). */
  probeEveryMs?: number;
  /** Told when the state changes. */
  onChange?: (up: boolean, reason: string) => void;
  /**
   * A client of its own (one connection) for the pings, so that a pool busy with slow queries
   * never looks like a dead database. The pool itself when absent (tests).
   */
  pingSql?: Sql;
}

/** Signals of operations whose COMMIT has been sent: they are waited for, never abandoned. */
const committing = new WeakSet<AbortSignal>();
/** Each operation's signal to the request deadline above it. */
const parents = new WeakMap<AbortSignal, AbortSignal>();

/**
 * Says that the operation holding `signal` has sent its COMMIT: from now on its outcome is the
 * database's to tell, so neither the gate nor the request deadline answers 503 in its place.
 */
export function markCommitting(signal: AbortSignal): void {
  for (let s: AbortSignal | undefined = signal; s; s = parents.get(s)) committing.add(s);
}

/** Whether an operation under this signal (or deadline) has sent its COMMIT. */
export function isCommitting(signal: AbortSignal): boolean {
  return committing.has(signal);
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

  const pingSql = opts.pingSql ?? sql;
  const ping = () => pingDb(pingSql, pingTimeoutMs);

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
      if (deadline) parents.set(abandon.signal, deadline);
      const signals = [downSignal.signal, ...(deadline ? [deadline] : [])];
      // Once its COMMIT is sent, an operation is waited for: answering 503 then could be a lie.
      const onAbort = () => committing.has(abandon.signal) || abandon.abort();
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
        if (!committing.has(abandon.signal)) abandon.abort(); // a waiting transaction rolls back
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
