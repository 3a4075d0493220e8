/**
 * Why every test file gets a cloned database: cloning the migrated template vs building a
 * new database with the platform layer and every migration, side by side on one cluster.
 */
import postgres from "postgres";
import { databaseUrl, prepareDatabase } from "../../local/db/mod.ts";
import { measure, row } from "./_stats.ts";

export default async function bench(adminUrl: string, template: string): Promise<string[]> {
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  const names: string[] = [];
  try {
    const fromScratch = await measure(8, async (i) => {
      const name = `bench_scratch_${i}`;
      names.push(name);
      await admin.unsafe(`create database ${name}`);
      await prepareDatabase(databaseUrl(adminUrl, name), { seedEnabled: false, seedPaths: [] });
    });
    const cloned = await measure(8, async (i) => {
      const name = `bench_clone_${i}`;
      names.push(name);
      await admin.unsafe(`create database ${name} template ${template}`);
    });
    return [
      row("new database: platform layer + migrations", fromScratch),
      row("new database: clone of the migrated template", cloned, fromScratch),
    ];
  } finally {
    for (const n of names) await admin.unsafe(`drop database if exists ${n} with (force)`);
    await admin.end();
  }
}
