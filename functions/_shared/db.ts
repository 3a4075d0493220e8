/**
 * The functions' Postgres client (postgres.js). `prepare: false` keeps it usable through
 * Supavisor's transaction pooler on a hosted project.
 */
import postgres from "postgres";
import { markCommitting } from "./db_gate.ts";
import { STATEMENT_TIMEOUT_MS } from "./limits.ts";

export type Sql = postgres.Sql;

/**
 * Opens a pool on `url` (usually `SUPABASE_DB_URL`); with `socket`, through that Unix socket
 * of the same server instead of TCP (the local stack's own Postgres).
 *
 * @example
 * const sql = connectDb(Deno.env.get("SUPABASE_DB_URL")!);
 */
export function connectDb(url: string, max = 10, socket?: string): Sql {
  return postgres(url, {
    max,
    ...(socket ? { path: socket } : {}),
    prepare: false,
    idle_timeout: 30,
    // Fail fast when the server is not there (a local restart takes well under a second).
    connect_timeout: 1.5,
    // Retry a lost connection within a quarter second, not the default's growing wait of up to
    // 20 s: a query queued on a connection that waits to reconnect would wait with it.
    backoff: (attempt: number) => Math.min(0.05 * attempt, 0.25),
    onnotice: () => {},
    // bigint ids (messages) as JSON numbers, as PostgREST sends them: exact below 2^53.
    types: {
      bigint: {
        to: 20,
        from: [20],
        parse: (x: string) => Number(x),
        serialize: (x: number) => String(x),
      },
    },
  });
}

/** Resolves `true` when the database answers within `ms`, `false` otherwise. */
export async function pingDb(sql: Sql, ms = 2000): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      sql`select 1 as ok`.then((r) => r[0]?.ok === 1),
      new Promise<boolean>((res) => {
        timer = setTimeout(() => res(false), ms);
      }),
    ]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs `fn` as the caller, in one transaction: role `authenticated` to read or `chat_api` to
 * write, the verified claims in `request.jwt.claims`, so RLS judges every statement as them.
 * When `signal` aborts (the request was abandoned: deadline passed, database went down) the
 * transaction rolls back, even if it only got its connection later: nothing abandoned commits.
 *
 * @example
 * const rows = await asCaller(sql, claims, "read", (tx) => tx`select * from public.my_channels()`);
 */
export function asCaller<T>(
  sql: Sql,
  claims: Record<string, unknown>,
  mode: "read" | "write",
  fn: (tx: postgres.TransactionSql) => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  return sql.begin(async (tx) => {
    signal?.throwIfAborted();
    // Not awaited: the settings go out with BEGIN and `fn`'s first statement in one write (the
    // statements of a transaction run in order; an error here fails those after it, and is
    // thrown below).
    const setup = settings(tx, claims, mode).execute();
    // No racing inside the transaction: a statement of an abandoned `fn` that ran after the
    // rollback would run on a connection already handed to someone else. Instead every statement
    // after the abort, or after `fn` is over, is refused, and a transaction abandoned meanwhile
    // rolls back, never commits.
    const state = { done: false };
    try {
      const result = await fn(refuseLate(tx, signal, state));
      await setup;
      signal?.throwIfAborted();
      if (signal) markCommitting(signal); // postgres.js sends COMMIT right after this returns
      return result;
    } finally {
      state.done = true;
    }
  }) as Promise<T>;
}

/** Claims and role in one statement (set_config('role', …, true) is SET LOCAL ROLE, as
 * PostgREST does it), with a statement timeout for this transaction only. */
function settings(tx: postgres.TransactionSql, claims: Record<string, unknown>, mode: string) {
  return tx`select set_config('request.jwt.claims', ${JSON.stringify(claims)}, true),
      set_config('role', ${mode === "read" ? "authenticated" : "chat_api"}, true),
      set_config('statement_timeout', ${String(STATEMENT_TIMEOUT_MS)}, true)`;
}

/** `tx` that throws instead of running a statement once `signal` has aborted or `fn` is over. */
function refuseLate(
  tx: postgres.TransactionSql,
  signal: AbortSignal | undefined,
  state: { done: boolean },
): postgres.TransactionSql {
  const check = () => {
    signal?.throwIfAborted();
    if (state.done) throw new Error("This transaction is over: no more statements on it");
  };
  const wrapped = new Set<PropertyKey>(["unsafe", "savepoint", "file"]);
  return new Proxy(tx, {
    apply(target, self, args) {
      check();
      return Reflect.apply(target as (...a: unknown[]) => unknown, self, args);
    },
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (!wrapped.has(prop) || typeof value !== "function") return value;
      return (...args: unknown[]) => {
        check();
        // A savepoint's callback gets the inner `sql`: guard that one too.
        const guarded = prop === "savepoint"
          ? args.map((a) =>
            typeof a === "function"
              ? (inner: postgres.TransactionSql) => a(refuseLate(inner, signal, state))
              : a
          )
          : args;
        return value.apply(target, guarded);
      };
    },
  });
}
