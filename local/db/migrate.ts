/**
 * Applies SQL to a database the way the Supabase CLI does: the platform layer first (what a
 * real Supabase image already has), then `supabase/migrations/<version>_<name>.sql` in version
 * order, one transaction per file, recorded in `supabase_migrations.schema_migrations`; then
 * the seed files, recorded in `supabase_migrations.seed_files`.
 */
import type postgres from "postgres";
import { basename, join } from "node:path";
import { splitStatements } from "./sql_split.ts";

type Sql = postgres.Sql;

/** A migration (or seed, or platform file) failed; nothing of that file was kept. */
export class MigrationError extends Error {
  override name = "MigrationError";
  constructor(readonly file: string, message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

export interface MigrationFile {
  version: string;
  name: string;
  path: string;
}

export interface MigrateResult {
  applied: string[];
  skipped: string[];
}

const FILE_PATTERN = /^([0-9]+)_(.*)\.sql$/;
const LOCK_KEY = 54_321_001;

/** The migration files of a folder, in version order (files not named `<digits>_name.sql` are ignored). */
export function listMigrations(dir: string): MigrationFile[] {
  let entries: Deno.DirEntry[];
  try {
    entries = [...Deno.readDirSync(dir)];
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
  const files: MigrationFile[] = [];
  for (const e of entries) {
    const m = e.isFile ? FILE_PATTERN.exec(e.name) : null;
    if (m) files.push({ version: m[1]!, name: m[2]!, path: join(dir, e.name) });
  }
  files.sort((a, b) => cmpVersion(a.version, b.version));
  const seen = new Set<string>();
  for (const f of files) {
    if (seen.has(f.version)) {
      throw new MigrationError(basename(f.path), `two migrations share version ${f.version}`);
    }
    seen.add(f.version);
  }
  return files;
}

function cmpVersion(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

/** Applies, in order, every migration of `dir` not yet recorded. Safe to run concurrently. */
export function applyMigrations(sql: Sql, dir: string): Promise<MigrateResult> {
  return applyFiles(sql, dir, {
    setup: `
      create schema if not exists supabase_migrations;
      create table if not exists supabase_migrations.schema_migrations (
        version text not null primary key, statements text[], name text
      );`,
    done: async (tx, f) =>
      (await tx`select 1 from supabase_migrations.schema_migrations where version = ${f.version}`)
        .length > 0,
    record: async (tx, f, text) => {
      await tx`insert into supabase_migrations.schema_migrations (version, name, statements)
               values (${f.version}, ${f.name}, ${splitStatements(text)})`;
    },
  });
}

/**
 * Applies the files of the local platform layer (`local/platform/NNN_name.sql`) not yet
 * applied to this database; recorded in `_local.platform_migrations`, a local-only schema.
 */
export function applyPlatform(sql: Sql, dir: string): Promise<MigrateResult> {
  return applyFiles(sql, dir, {
    setup: `
      create schema if not exists _local;
      revoke all on schema _local from public;
      create table if not exists _local.platform_migrations (
        version text primary key, applied_at timestamptz not null default now()
      );`,
    done: async (tx, f) =>
      (await tx`select 1 from _local.platform_migrations where version = ${basename(f.path)}`)
        .length > 0,
    record: async (tx, f) => {
      await tx`insert into _local.platform_migrations (version) values (${basename(f.path)})`;
    },
  });
}

interface Ledger {
  /** SQL creating the table that records applied files. */
  setup: string;
  done(tx: postgres.TransactionSql, f: MigrationFile): Promise<boolean>;
  record(tx: postgres.TransactionSql, f: MigrationFile, text: string): Promise<void>;
}

/** Each file of `dir` in version order, once: applied and recorded in one transaction. */
async function applyFiles(sql: Sql, dir: string, ledger: Ledger): Promise<MigrateResult> {
  await locked(sql, (tx) => tx.unsafe(ledger.setup));
  const result: MigrateResult = { applied: [], skipped: [] };
  for (const f of listMigrations(dir)) {
    const file = basename(f.path);
    const text = await Deno.readTextFile(f.path);
    const ran = await runFile(sql, file, text, async (tx) => {
      if (await ledger.done(tx, f)) return false;
      await tx.unsafe(text);
      await ledger.record(tx, f, text);
      return true;
    });
    (ran ? result.applied : result.skipped).push(file);
  }
  return result;
}

export interface SeedResult {
  applied: string[];
  /** Seed files that were applied before and have changed since (not re-run). */
  changed: string[];
}

/** Runs each seed file once, like `supabase db reset`; a changed seed is reported, not re-run. */
export async function applySeed(sql: Sql, paths: string[]): Promise<SeedResult> {
  await locked(sql, (tx) =>
    tx.unsafe(`
      create schema if not exists supabase_migrations;
      create table if not exists supabase_migrations.seed_files (
        path text not null primary key, hash text not null
      );`));
  const result: SeedResult = { applied: [], changed: [] };
  for (const path of paths) {
    let text: string;
    try {
      text = await Deno.readTextFile(path);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) continue;
      throw e;
    }
    const name = basename(path);
    const hash = await sha256Hex(text);
    const outcome = await runFile(sql, name, text, async (tx) => {
      const [row] = await tx<{ hash: string }[]>`
        select hash from supabase_migrations.seed_files where path = ${name}`;
      if (row) return row.hash === hash ? "same" : "changed";
      await tx.unsafe(text);
      await tx`insert into supabase_migrations.seed_files (path, hash) values (${name}, ${hash})`;
      return "applied";
    });
    if (outcome === "applied") result.applied.push(name);
    if (outcome === "changed") result.changed.push(name);
  }
  return result;
}

/**
 * Runs `fn` in one transaction holding the runner's advisory lock, so concurrent runners
 * apply each file once. A failure rolls the whole file back and names it.
 */
async function runFile<T>(
  sql: Sql,
  file: string,
  text: string,
  fn: (tx: postgres.TransactionSql) => Promise<T>,
): Promise<T> {
  try {
    return await locked(sql, async (tx) => {
      await tx.unsafe("set local lock_timeout = '4s'");
      // The simple query protocol runs the whole file, many statements, in this transaction.
      return await fn(tx);
    });
  } catch (e) {
    throw new MigrationError(file, `${file}: ${describePgError(e, text)}`, { cause: e });
  }
}

function locked<T>(sql: Sql, fn: (tx: postgres.TransactionSql) => Promise<T>): Promise<T> {
  return sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(${LOCK_KEY})`;
    return await fn(tx);
  }) as Promise<T>;
}

function describePgError(e: unknown, text: string): string {
  if (!(e instanceof Error)) return String(e);
  const pe = e as Error & { position?: string; code?: string; detail?: string; where?: string };
  let msg = pe.message;
  if (pe.code) msg += ` (SQLSTATE ${pe.code})`;
  const pos = Number(pe.position);
  if (pos > 0) {
    const line = text.slice(0, pos - 1).split("\n").length;
    msg += ` at line ${line}: ${text.split("\n")[line - 1]?.trim() ?? ""}`;
  }
  if (pe.detail) msg += `\n  detail: ${pe.detail}`;
  if (pe.where) msg += `\n  where: ${pe.where}`;
  return msg;
}

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}
