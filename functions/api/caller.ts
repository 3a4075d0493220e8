/** Running a route's queries as its caller, with database refusals turned into API errors. */
import type postgres from "postgres";
import { fromDbError } from "../_shared/errors.ts";
import { asCaller, type Sql } from "../_shared/db.ts";

export type CallerCtx = { get(k: "claims"): Record<string, unknown> };

/**
 * `run(c, "read" | "write", tx => …)`: one transaction as the request's caller (see asCaller);
 * RLS refusals become 403, constraint violations 400/409.
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
      return await asCaller(sql, c.get("claims"), mode, fn);
    } catch (e) {
      throw fromDbError(e);
    }
  };
}
