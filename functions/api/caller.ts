/** Running a route's queries as its caller, with database refusals turned into API errors. */
import type postgres from "postgres";
import { fromDbError } from "../_shared/errors.ts";
import { asCaller, type Sql } from "../_shared/db.ts";
import type { DbGate } from "../_shared/db_gate.ts";

export type CallerCtx = {
  get(k: "claims"): Record<string, unknown>;
  /** A request's context also carries its deadline and the database gate. */
  var?: { deadline?: AbortSignal | undefined; dbGate?: DbGate | undefined };
};

/**
 * `run(c, "read" | "write", tx => …)`: one transaction as the request's caller (see asCaller);
 * RLS refusals become 403, constraint violations 400/409. Through the request's database gate
 * (see `db_gate.ts`): 503 at once while the database is down, and nothing abandoned commits.
 *
 * @example
 * const run = callerRunner(sql);
 * const rows = await run(c, "read", (tx) => tx`select * from public.my_channels()`);
 */
export function callerRunner(sql: Sql) {
  return async <T>(
    c: CallerCtx,
    mode: "read" | "write",
    fn: (tx: postgres.TransactionSql) => Promise<T>,
  ): Promise<T> => {
    try {
      const claims = c.get("claims");
      const { deadline, dbGate } = c.var ?? {};
      if (!dbGate) return await asCaller(sql, claims, mode, fn, deadline);
      return await dbGate.run((signal) => asCaller(sql, claims, mode, fn, signal), deadline);
    } catch (e) {
      throw fromDbError(e);
    }
  };
}
