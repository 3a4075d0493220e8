import assert from "node:assert/strict";
import { join } from "node:path";
import { applyMigrations, applySeed, MigrationError } from "../../local/db/mod.ts";
import { emptyDatabase } from "../_helpers/db.ts";

function migrationsDir(files: Record<string, string>): string {
  const dir = Deno.makeTempDirSync({ prefix: "migrations-" });
  for (const [name, text] of Object.entries(files)) Deno.writeTextFileSync(join(dir, name), text);
  return dir;
}

Deno.test("applyMigrations applies files in version order and records them like the CLI", async () => {
  await using db = await emptyDatabase();
  const dir = migrationsDir({
    "20240102000000_add_column.sql": "alter table notes add column body text;",
    "20240101000000_create_notes.sql": "create table notes (id int);\ncreate index on notes (id);",
    "20240103000000_fill.sql": "insert into notes values (1, 'hi');",
    "README.md": "not a migration",
  });
  const r = await applyMigrations(db.admin, dir);
  assert.deepEqual(r.applied, [
    "20240101000000_create_notes.sql",
    "20240102000000_add_column.sql",
    "20240103000000_fill.sql",
  ]);
  const rows = await db.admin`
    select version, name, statements from supabase_migrations.schema_migrations order by version`;
  assert.deepEqual(rows.map((x) => [x.version, x.name]), [
    ["20240101000000", "create_notes"],
    ["20240102000000", "add_column"],
    ["20240103000000", "fill"],
  ]);
  assert.deepEqual(rows[0]!.statements, [
    "create table notes (id int)",
    "create index on notes (id)",
  ]);
  assert.deepEqual((await db.admin`select body from notes`)[0]!.body, "hi");
});

Deno.test("applyMigrations is idempotent: a second run applies nothing", async () => {
  await using db = await emptyDatabase();
  const dir = migrationsDir({
    "1_a.sql": "create table a (id int);",
    "2_b.sql": "insert into a values (1);",
  });
  await applyMigrations(db.admin, dir);
  const again = await applyMigrations(db.admin, dir);
  assert.deepEqual(again.applied, []);
  assert.deepEqual(again.skipped, ["1_a.sql", "2_b.sql"]);
  assert.deepEqual((await db.admin`select count(*)::int as n from a`)[0]!.n, 1);
});

Deno.test("applyMigrations rolls back a failing file and stops, naming file and line", async () => {
  await using db = await emptyDatabase();
  const dir = migrationsDir({
    "1_ok.sql": "create table ok (id int);",
    "2_broken.sql":
      "create table half (id int);\ninsert into half values (1);\nselect * from missing_table;",
    "3_later.sql": "create table later (id int);",
  });
  const err = await applyMigrations(db.admin, dir).catch((e) => e);
  assert.ok(err instanceof MigrationError);
  assert.equal(err.file, "2_broken.sql");
  assert.match(err.message, /^2_broken\.sql: relation "missing_table" does not exist/);
  assert.match(err.message, /at line 3: select \* from missing_table;/);
  const tables = await db.admin`
    select array_agg(tablename::text order by tablename) as t from pg_tables where schemaname = 'public'`;
  assert.deepEqual(tables[0]!.t, ["ok"], "nothing of the failing file nor of later files is kept");
  const versions = await db.admin`select version from supabase_migrations.schema_migrations`;
  assert.deepEqual(versions.map((v) => v.version), ["1"]);
});

Deno.test("applyMigrations from two runners at once applies each file exactly once", async () => {
  await using db = await emptyDatabase();
  const dir = migrationsDir({
    "1_a.sql": "create table counter (n int); insert into counter values (0);",
    "2_b.sql": "update counter set n = n + 1;",
  });
  const [x, y] = await Promise.all([
    applyMigrations(db.admin, dir),
    applyMigrations(db.admin, dir),
  ]);
  assert.deepEqual([...x.applied, ...y.applied].sort(), ["1_a.sql", "2_b.sql"]);
  assert.deepEqual((await db.admin`select n from counter`)[0]!.n, 1);
});

Deno.test("applyMigrations refuses two files with the same version", async () => {
  await using db = await emptyDatabase();
  const dir = migrationsDir({ "1_a.sql": "select 1;", "1_b.sql": "select 2;" });
  await assert.rejects(() => applyMigrations(db.admin, dir), /two migrations share version 1/);
});

Deno.test("applySeed runs a seed once and reports, without re-running, a changed seed", async () => {
  await using db = await emptyDatabase();
  const dir = migrationsDir({ "seed.sql": "create table s (id int); insert into s values (1);" });
  const seed = join(dir, "seed.sql");
  assert.deepEqual((await applySeed(db.admin, [seed, join(dir, "absent.sql")])).applied, [
    "seed.sql",
  ]);
  assert.deepEqual((await applySeed(db.admin, [seed])).applied, []);
  Deno.writeTextFileSync(seed, "insert into s values (2);");
  const r = await applySeed(db.admin, [seed]);
  assert.deepEqual(r.changed, ["seed.sql"]);
  assert.deepEqual((await db.admin`select count(*)::int as n from s`)[0]!.n, 1);
  const [row] = await db
    .admin`select path, length(hash) as len from supabase_migrations.seed_files`;
  assert.ok(row && row.path === "seed.sql" && row.len === 64);
});
