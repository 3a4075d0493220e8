/**
 * The functions' Postgres client (postgres.js). `prepare: false` keeps it usable through
 * Supavisor's transaction pooler on a hosted project.
 */
import postgres from "postgres";

export type Sql = postgres.Sql;

/**
 * Opens a pool on `url` (usually `SUPABASE_DB_URL`).
 *
 * @example
 * const sql = connectDb(Deno.env.get("SUPABASE_DB_URL")!);
 */
export function connectDb(url: string, max = 10): Sql {
  return postgres(url, {
    max,
    prepare: false,
    idle_timeout: 30,
    connect_timeout: 5,
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
 *
 * @example
 * const rows = await asCaller(sql, claims, "read", (tx) => tx`select * from public.my_channels()`);
 */
export function asCaller<T>(
  sql: Sql,
  claims: Record<string, unknown>,
  mode: "read" | "write",
  fn: (tx: postgres.TransactionSql) => Promise<T>,
): Promise<T> {
  return sql.begin(async (tx) => {
    // Claims and role in one round trip (set_config('role', …, true) is SET LOCAL ROLE, as
    // PostgREST does it).
    await tx`select set_config('request.jwt.claims', ${JSON.stringify(claims)}, true),
      set_config('role', ${mode === "read" ? "authenticated" : "chat_api"}, true)`;
    return await fn(tx);
  }) as Promise<T>;
}
