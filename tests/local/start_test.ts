/**
 * `deno task start` as a person runs it: a real process, real ports, Ctrl-C (SIGINT) to stop.
 * Each test uses its own data directory and free ports, so it runs beside a developer's own
 * `deno task start` without clashing.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { INSTALLED_NODE_MODULES, ROOT } from "../../local/paths.ts";
import { processAlive, readPostmasterPid } from "../../local/db/cluster.ts";
import { newDataDir, start, stopWith } from "../_helpers/start_process.ts";
import { freePort } from "../_helpers/ports.ts";
import { emptyDatabase } from "../_helpers/db.ts";
import postgres from "postgres";

Deno.test("start serves health and the web page, and Ctrl-C stops it with no Postgres left", async () => {
  const dataDir = newDataDir();
  try {
    const r = await start(dataDir);
    const health = await fetch(`${r.url}/functions/v1/api/health`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), {
      status: "ok",
      checks: { db: "ok", kv: "ok" },
      rate_limiter: "kv",
    });
    const page = await fetch(`${r.url}/`);
    assert.equal(page.status, 200);
    await page.body?.cancel();
    assert.match(r.output(), /anon key: eyJ/);
    assert.match(r.output(), /service_role key: eyJ/);
    const pgPid = readPostmasterPid(join(dataDir, "db"));
    assert.ok(pgPid && processAlive(pgPid), "Postgres runs while the stack runs");

    assert.equal(await stopWith(r, "SIGINT"), 0);
    assert.ok(!processAlive(pgPid), "Postgres stopped with the stack");
    assert.match(r.output(), /stopped\./);

    // A second start reuses the data: nothing is initialised or applied again.
    const again = await start(dataDir);
    assert.doesNotMatch(again.output(), /applied (platform|seed)/);
    assert.equal((await fetch(`${again.url}/functions/v1/api/health`)).status, 200);
    assert.equal(await stopWith(again, "SIGTERM"), 0);
  } finally {
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  }
});

Deno.test("start recovers after a crash that left Postgres running and a stale pid file", async () => {
  const dataDir = newDataDir();
  try {
    const crashed = await start(dataDir);
    const orphan = readPostmasterPid(join(dataDir, "db"))!;
    await stopWith(crashed, "SIGKILL");
    assert.ok(processAlive(orphan), "SIGKILL leaves the postmaster behind, as a crash would");

    const r = await start(dataDir);
    assert.ok(!processAlive(orphan), "the orphan was stopped");
    assert.equal((await fetch(`${r.url}/functions/v1/api/health`)).status, 200);
    const pgPid = readPostmasterPid(join(dataDir, "db"))!;
    assert.equal(await stopWith(r, "SIGINT"), 0);
    assert.ok(!processAlive(pgPid));
  } finally {
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  }
});

Deno.test("a second start on the same data directory refuses while the first runs", async () => {
  const dataDir = newDataDir();
  try {
    const first = await start(dataDir);
    const second = await start(dataDir).then(
      () => assert.fail("the second start should not get ready"),
      (e: Error) => e.message,
    );
    assert.match(second, /already running/);
    assert.equal((await fetch(`${first.url}/functions/v1/api/health`)).status, 200);
    assert.equal(await stopWith(first, "SIGINT"), 0);
  } finally {
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  }
});

Deno.test("Ctrl-C in a terminal (SIGINT to the whole process group) stops everything", async () => {
  const dataDir = newDataDir();
  try {
    const r = await start(dataDir, true);
    const pgPid = readPostmasterPid(join(dataDir, "db"))!;
    // setsid made the stack the leader of its own group: its pid is the group id.
    Deno.kill(-r.child.pid, "SIGINT");
    assert.equal((await r.child.status).code, 0);
    assert.ok(!processAlive(pgPid), "no orphan Postgres");
    assert.match(r.output(), /stopped\./);
  } finally {
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  }
});

Deno.test("db:reset rebuilds the database from scratch: migrations and seed again, data gone", async () => {
  const dataDir = newDataDir();
  const env = { LOCAL_DATA_DIR: dataDir, LOCAL_DB_PORT: String(freePort()), NO_COLOR: "1" };
  const reset = async () => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", INSTALLED_NODE_MODULES, join(ROOT, "local/db_reset.ts")],
      env,
      stdin: "null",
    }).output();
    return {
      code: out.code,
      text: new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr),
    };
  };
  try {
    const r = await start(dataDir);
    const { default: postgres } = await import("postgres");
    const dbUrl = /DB URL: (\S+)/.exec(r.output())![1]!;
    const sql = postgres(dbUrl, { max: 1, onnotice: () => {} });
    await sql`create table public.scratch (id int)`;
    await sql.end();
    const refused = await reset();
    assert.equal(refused.code, 1, "no reset while the stack runs");
    assert.match(refused.text, /stop it \(Ctrl-C\) before db:reset/);
    await stopWith(r, "SIGINT");

    const done = await reset();
    assert.equal(done.code, 0, done.text);
    assert.match(done.text, /platform layer: 001_roles\.sql/);
    assert.match(done.text, /seed: seed\.sql/);
    const again = await start(dataDir);
    const sql2 = postgres(/DB URL: (\S+)/.exec(again.output())![1]!, {
      max: 1,
      onnotice: () => {},
    });
    const [t] = await sql2`select to_regclass('public.scratch') as t`;
    await sql2.end();
    assert.equal(t!.t, null, "the table made before the reset is gone");
    await stopWith(again, "SIGINT");
  } finally {
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  }
});

Deno.test("with SUPABASE_DB_URL set, start uses that Postgres (platform, migrations, seed) and starts none", async () => {
  await using db = await emptyDatabase();
  const dataDir = newDataDir();
  try {
    const r = await start(dataDir, false, { SUPABASE_DB_URL: db.adminUrl });
    assert.doesNotMatch(r.output(), /starting Postgres/);
    assert.match(r.output(), /applied platform layer: 001_roles\.sql/);
    assert.match(r.output(), /applied migrations: 20251124000100_create_chat_foundations\.sql/);
    assert.equal((await fetch(`${r.url}/functions/v1/api/health`)).status, 200);
    assert.ok(!existsSync(join(dataDir, "db")), "no embedded cluster was created");
    const [row] = await db
      .admin`select count(*)::int as n from public.profiles where username <> 'assistant'`;
    assert.equal(row!.n, 4, "the seed went into the given database");
    assert.equal(await stopWith(r, "SIGINT"), 0);
    const [alive] = await db.admin`select 1 as ok`;
    assert.equal(alive!.ok, 1, "the external database is left running");
  } finally {
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  }
});

Deno.test("LOCAL_DB_PASSWORD: a data folder started with the default adopts it; the default no longer opens it", async () => {
  const dataDir = newDataDir();
  const password = `pw-${crypto.randomUUID()}`;
  try {
    const first = await start(dataDir);
    assert.equal(await stopWith(first, "SIGTERM"), 0);

    const r = await start(dataDir, false, { LOCAL_DB_PASSWORD: password });
    assert.match(r.output(), /the database roles now use LOCAL_DB_PASSWORD/);
    assert.match(
      r.output(),
      /DB URL: postgresql:\/\/postgres:\*\*\*@/,
      "the password is not logged",
    );
    assert.doesNotMatch(r.output(), new RegExp(password));
    assert.equal((await fetch(`${r.url}/functions/v1/api/health`)).status, 200);
    const port = /DB URL: postgresql:\/\/postgres:\*\*\*@127\.0\.0\.1:(\d+)/.exec(r.output())![1];
    for (const role of ["postgres", "supabase_admin", "authenticator"]) {
      const old = postgres(`postgresql://${role}:postgres@127.0.0.1:${port}/postgres`, { max: 1 });
      await assert.rejects(() => old`select 1`, /password authentication failed/, role);
      await old.end();
    }
    const now = postgres(`postgresql://postgres:${password}@127.0.0.1:${port}/postgres`, {
      max: 1,
    });
    assert.deepEqual([...await now`select 1 as ok`], [{ ok: 1 }]);
    await now.end();
    assert.equal(await stopWith(r, "SIGTERM"), 0);

    // Started again without it, the stack says what is wrong instead of failing to log in.
    const refused = await startFails(dataDir);
    assert.match(refused, /has a password of its own: set LOCAL_DB_PASSWORD/);
  } finally {
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  }
});

async function startFails(dataDir: string, extraEnv: Record<string, string> = {}): Promise<string> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", INSTALLED_NODE_MODULES, join(ROOT, "local/start.ts")],
    env: {
      LOCAL_DATA_DIR: dataDir,
      LOCAL_API_PORT: String(freePort()),
      LOCAL_DB_PORT: String(freePort()),
      NO_COLOR: "1",
      ...extraEnv,
    },
    stdin: "null",
  }).output();
  assert.equal(out.code, 1);
  return new TextDecoder().decode(out.stderr);
}

Deno.test("a bad or unfilled setting is a failed start (exit 1), not a quiet one", async () => {
  const dataDir = newDataDir();
  try {
    assert.match(
      await startFails(dataDir, { SUPABASE_JWT_SECRET: "<generate>", METRICS_TOKEN: "<generate>" }),
      /Fill in these settings first: METRICS_TOKEN, SUPABASE_JWT_SECRET/,
    );
    assert.match(
      await startFails(dataDir, { LOCAL_SEED: "yes" }),
      /LOCAL_SEED must be "on" or "off"/,
    );
  } finally {
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  }
});
