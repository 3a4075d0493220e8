/**
 * A deadline on every request: past `ms` the caller gets 503 `dependency_down` rather than a
 * request that hangs, and the work still running for it is abandoned (its database transaction
 * rolls back; see `db_gate.ts`). Routes find the deadline and the database gate on the context.
 */
import type { MiddlewareHandler } from "hono";
import { DependencyDownError } from "../../_shared/errors.ts";
import { type DbGate, isCommitting } from "../../_shared/db_gate.ts";

export type DeadlineEnv = {
  Variables: { deadline: AbortSignal | undefined; dbGate: DbGate | undefined };
};

export interface DeadlineOptions {
  /** Longest a request may take, in milliseconds. */
  ms: number;
  gate?: DbGate | undefined;
}

export function deadline({ ms, gate }: DeadlineOptions) {
  if (!(ms > 0)) throw new Error(`deadline: ms must be a positive number of milliseconds`);
  return async function deadlineMiddleware(c, next) {
    // Not AbortSignal.timeout: its timer would still fire (and build a DOMException) for every
    // request long after the answer; this one is cleared when the request ends.
    const controller = new AbortController();
    const timer = setTimeout(
      () => controller.abort(new DOMException("The request timed out", "TimeoutError")),
      ms,
    );
    const signal = controller.signal;
    c.set("deadline", signal);
    c.set("dbGate", gate);
    let onAbort = () => {};
    const expired = new Promise<"expired">((resolve) => {
      onAbort = () => resolve("expired");
      signal.addEventListener("abort", onAbort, { once: true });
    });
    try {
      const work = next();
      const outcome = await Promise.race([work.then(() => "done" as const), expired]);
      // A transaction whose COMMIT is on its way decides the answer: 503 then could be a lie.
      if (outcome === "expired" && isCommitting(signal)) return await work;
      if (outcome === "expired") {
        throw new DependencyDownError(`The request took longer than ${ms} ms; try again shortly`);
      }
    } finally {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
    }
  } satisfies MiddlewareHandler<DeadlineEnv>;
}
