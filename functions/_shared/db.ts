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
