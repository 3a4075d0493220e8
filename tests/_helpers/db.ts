/**
 * A database of its own for one test file: a copy of the template `tests/run.ts` built (the
 * platform layer and every migration, no seed), dropped again when disposed.
 *
 * @example
 * await using db = await testDatabase();
 * await db.sql`select 1`;
 */
import postgres from "postgres";
import { asRole, cloneDatabase, databaseUrl } from "../../local/db/mod.ts";

export interface TestDatabase extends AsyncDisposable {
  name: string;
  /** As `postgres`, the role migrations and the API use. */
  url: string;
  /** As the cluster's superuser. */
  adminUrl: string;
  /** A pool on `url`. */
  sql: postgres.Sql;
  /** A pool on `adminUrl`. */
  admin: postgres.Sql;
}

export function testCluster(): { adminUrl: string; template: string } {
  const adminUrl = Deno.env.get("TEST_DB_ADMIN_URL");
  const template = Deno.env.get("TEST_DB_TEMPLATE");
  if (!adminUrl || !template) {
    throw new Error(
      "TEST_DB_ADMIN_URL is not set: run tests with `deno task test` " +
        "(or `deno task test:only path/to/file_test.ts`), which starts the test Postgres",
    );
  }
  return { adminUrl, template };
}

/** Clones the migrated template. */
export function testDatabase(): Promise<TestDatabase> {
  const { template } = testCluster();
  return openDatabase(template);
}

/** Creates an empty database (no platform layer, no migrations). */
export function emptyDatabase(): Promise<TestDatabase> {
  return openDatabase(undefined);
}

async function openDatabase(template: string | undefined): Promise<TestDatabase> {
  const { adminUrl: clusterUrl } = testCluster();
  const name = `t_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
  if (template) {
    await cloneDatabase(clusterUrl, template, name);
  } else {
    const c = postgres(clusterUrl, { max: 1, onnotice: () => {} });
    await c.unsafe(`create database ${name}`);
    await c.end();
  }
  const adminUrl = databaseUrl(clusterUrl, name);
  const url = asRole(adminUrl, "postgres", "postgres");
  const sql = postgres(url, { max: 4, onnotice: () => {} });
  const admin = postgres(adminUrl, { max: 2, onnotice: () => {} });
  return {
    name,
    url,
    adminUrl,
    sql,
    admin,
    async [Symbol.asyncDispose]() {
      await Promise.all([sql.end({ timeout: 5 }), admin.end({ timeout: 5 })]);
      const c = postgres(clusterUrl, { max: 1, onnotice: () => {} });
      try {
        // A Realtime that just stopped may still hold its (temporary) replication slot for a
        // moment: end its WAL sender, then drop once the slot has gone with it.
        for (let attempt = 0;; attempt++) {
          await c`select pg_terminate_backend(active_pid) from pg_replication_slots
                  where database = ${name} and active_pid is not null`;
          try {
            await c.unsafe(`drop database if exists ${name} with (force)`);
            break;
          } catch (e) {
            if (attempt >= 50 || !/replication slot/.test(String(e))) throw e;
            await new Promise((r) => setTimeout(r, 100));
          }
        }
      } finally {
        await c.end();
      }
    },
  };
}
