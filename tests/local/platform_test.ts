/**
 * The platform layer (`local/platform/`) behaves as a Supabase database does for what the
 * chat's migrations rely on: roles, the claims helpers, RLS as `authenticated`, storage path
 * helpers and `realtime.send`.
 */
import assert from "node:assert/strict";
import type postgres from "postgres";
import { testDatabase } from "../_helpers/db.ts";

const ALICE = "00000000-0000-4000-8000-00000000000a";
const BOB = "00000000-0000-4000-8000-00000000000b";

/** Runs `fn` as the API does: one transaction, role switched, the caller's claims set. */
function asCaller<T>(
  sql: postgres.Sql,
  role: string,
  claims: Record<string, unknown> | null,
  fn: (tx: postgres.TransactionSql) => Promise<T>,
): Promise<T> {
  return sql.begin(async (tx) => {
    await tx.unsafe(`set local role ${role}`);
    if (claims) await tx`select set_config('request.jwt.claims', ${JSON.stringify(claims)}, true)`;
    return await fn(tx);
  }) as Promise<T>;
}

Deno.test("auth.uid(), auth.role(), auth.email() and auth.jwt() read the request's claims", async () => {
  await using db = await testDatabase();
  const claims = { sub: ALICE, role: "authenticated", email: "alice@example.com", aal: "aal1" };
  const [r] = await asCaller(
    db.sql,
    "authenticated",
    claims,
    (tx) =>
      tx`select auth.uid() as uid, auth.role() as role, auth.email() as email,
              auth.jwt() ->> 'aal' as aal, current_user as who`,
  );
  assert.deepEqual(r, {
    uid: ALICE,
    role: "authenticated",
    email: "alice@example.com",
    aal: "aal1",
    who: "authenticated",
  });
  const [none] = await asCaller(
    db.sql,
    "anon",
    null,
    (tx) => tx`select auth.uid() as uid, auth.jwt() as jwt`,
  );
  assert.deepEqual(none, { uid: null, jwt: null });
  // The older per-claim setting still works, as on Supabase.
  const [legacy] = await db.sql.begin((tx) =>
    tx`select set_config('request.jwt.claim.sub', ${BOB}, true), auth.uid() as uid`
  );
  assert.deepEqual(legacy!.uid, BOB);
});

Deno.test("as authenticated, RLS shows and lets change only what the policies allow", async () => {
  await using db = await testDatabase();
  await db.sql.unsafe(`
    create table public.notes (id int primary key, owner uuid not null, body text);
    alter table public.notes enable row level security;
    create policy "authenticated can read own notes" on public.notes
      for select to authenticated using (owner = (select auth.uid()));
    create policy "authenticated can add own notes" on public.notes
      for insert to authenticated with check (owner = (select auth.uid()));`);
  await db.sql`insert into public.notes values (1, ${ALICE}, 'alice'), (2, ${BOB}, 'bob')`;

  const alice = { sub: ALICE, role: "authenticated" };
  const seen = await asCaller(
    db.sql,
    "authenticated",
    alice,
    (tx) => tx`select id from public.notes`,
  );
  assert.deepEqual(seen.map((r) => r.id), [1]);
  await assert.rejects(
    () =>
      asCaller(
        db.sql,
        "authenticated",
        alice,
        (tx) => tx`insert into public.notes values (3, ${BOB}, 'forged')`,
      ),
    /new row violates row-level security policy for table "notes"/,
  );
  const updated = await asCaller(
    db.sql,
    "authenticated",
    alice,
    (tx) => tx`update public.notes set body = 'x'`,
  );
  assert.deepEqual(updated.count, 0, "no update policy: nothing is updated");
  const anon = await asCaller(db.sql, "anon", null, (tx) => tx`select id from public.notes`);
  assert.deepEqual(anon.length, 0);
  const service = await asCaller(
    db.sql,
    "service_role",
    null,
    (tx) => tx`select id from public.notes order by id`,
  );
  assert.deepEqual(service.map((r) => r.id), [1, 2], "service_role bypasses RLS");
});

Deno.test("postgres is not a superuser, and the API roles exist with Supabase's attributes", async () => {
  await using db = await testDatabase();
  const roles = await db.sql`
    select rolname, rolsuper, rolcanlogin, rolbypassrls, rolinherit from pg_roles
    where rolname in ('postgres', 'anon', 'authenticated', 'service_role', 'authenticator',
                      'supabase_auth_admin', 'supabase_storage_admin')
    order by rolname`;
  const by = Object.fromEntries(roles.map((r) => [r.rolname, r]));
  assert.deepEqual(Object.keys(by).length, 7);
  assert.deepEqual(by.postgres!.rolsuper, false);
  assert.deepEqual(by.postgres!.rolbypassrls, true);
  assert.deepEqual(by.service_role!.rolbypassrls, true);
  assert.deepEqual(by.anon!.rolcanlogin, false);
  assert.deepEqual(by.authenticator!.rolinherit, false);
  await assert.rejects(
    () => db.sql`create extension if not exists plpython3u`,
    /permission denied|must be superuser/,
  );
});

Deno.test("the auth, storage and realtime tables have Supabase's names and key columns", async () => {
  await using db = await testDatabase();
  const cols = await db.sql<{ t: string; c: string }[]>`
    select table_schema || '.' || table_name as t, column_name as c from information_schema.columns
    where table_schema in ('auth', 'storage', 'realtime')`;
  const has = (t: string, c: string) => cols.some((x) => x.t === t && x.c === c);
  for (
    const [t, c] of [
      ["auth.users", "encrypted_password"],
      ["auth.users", "raw_user_meta_data"],
      ["auth.users", "banned_until"],
      ["auth.identities", "provider_id"],
      ["auth.sessions", "aal"],
      ["auth.refresh_tokens", "parent"],
      ["auth.flow_state", "code_challenge"],
      ["auth.one_time_tokens", "token_hash"],
      ["storage.buckets", "allowed_mime_types"],
      ["storage.objects", "path_tokens"],
      ["storage.objects", "owner_id"],
      ["realtime.messages", "topic"],
      ["realtime.messages", "extension"],
      ["realtime.messages", "private"],
    ]
  ) assert.ok(has(t!, c!), `${t}.${c} exists`);
});

Deno.test("storage.foldername, filename and extension split object paths like Supabase", async () => {
  await using db = await testDatabase();
  const [r] = await db.sql`
    select storage.foldername('chan/user/file.tar.gz') as folders,
           storage.filename('chan/user/file.tar.gz') as file,
           storage.extension('chan/user/file.tar.gz') as ext,
           (storage.foldername('top.png'))[1] as none`;
  assert.deepEqual(r, { folders: ["chan", "user"], file: "file.tar.gz", ext: "gz", none: null });
});

Deno.test("realtime.send stores a broadcast with an id, only when its transaction commits", async () => {
  await using db = await testDatabase();
  await db.sql.begin(async (tx) => {
    await tx`select realtime.send('{"body":"kept"}'::jsonb, 'message.created', 'channel:1')`;
  });
  await db.sql.begin(async (tx) => {
    await tx`select realtime.send('{"body":"lost"}'::jsonb, 'message.created', 'channel:1')`;
    await tx`select 1/0`;
  }).catch(() => {});
  const rows = await db.admin`
    select topic, event, extension, private, payload from realtime.messages`;
  assert.deepEqual(rows.length, 1);
  const m = rows[0]!;
  assert.deepEqual([m.topic, m.event, m.extension, m.private], [
    "channel:1",
    "message.created",
    "broadcast",
    true,
  ]);
  assert.deepEqual(m.payload.body, "kept");
  assert.ok(/^[0-9a-f-]{36}$/.test(m.payload.id), "realtime.send adds an id to the payload");
});

Deno.test("realtime.topic() reads the topic being authorized, as Realtime sets it", async () => {
  await using db = await testDatabase();
  const [r] = await db.sql.begin((tx) =>
    tx`select set_config('realtime.topic', 'channel:abc', true), realtime.topic() as topic`
  );
  assert.deepEqual(r!.topic, "channel:abc");
  const [empty] = await db.sql`select realtime.topic() as topic`;
  assert.deepEqual(empty!.topic, null);
});

Deno.test("anon and authenticated cannot read auth.users or write auth tables", async () => {
  await using db = await testDatabase();
  for (const role of ["anon", "authenticated"]) {
    await assert.rejects(
      () => asCaller(db.sql, role, { sub: ALICE, role }, (tx) => tx`select id from auth.users`),
      /permission denied for table users/,
    );
  }
});
