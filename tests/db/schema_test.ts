/**
 * What pgTAP files cannot show because they run inside one transaction: the archiver's
 * procedure committing batch by batch, and the seed applying on top of the migrations.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import postgres from "postgres";
import { applySeed } from "../../local/db/mod.ts";
import { SUPABASE_DIR } from "../../local/paths.ts";
import { testDatabase } from "../_helpers/db.ts";

Deno.test("archive_old_messages moves everything old in committed batches and leaves recent messages", async () => {
  await using db = await testDatabase();
  await applySeed(db.sql, [join(SUPABASE_DIR, "seed.sql")]);
  const general = "c0000000-0000-4000-8000-0000000000a1";
  await db.sql`
    insert into public.messages (channel_id, sender_id, content, client_id)
    select ${general}, 'a11ce000-0000-4000-8000-000000000001', 'old ' || n, 'old-' || n
    from generate_series(1, 25) n`;
  await db
    .sql`update public.messages set created_at = now() - interval '2 years' where client_id like 'old-%'`;
  const before = await db.sql`select count(*)::int as n from public.messages`;

  // A procedure that commits must run outside a transaction block: its own connection.
  const conn = postgres(db.url, { max: 1, onnotice: () => {} });
  try {
    await conn`call private.archive_old_messages(interval '365 days', 10)`;
  } finally {
    await conn.end();
  }
  const [live] = await db.sql`select count(*)::int as n from public.messages`;
  const [archived] = await db.sql`select count(*)::int as n from public.messages_archive`;
  assert.equal(archived!.n, 25, "all 25 old messages were archived (3 batches of at most 10)");
  assert.equal(live!.n, before[0]!.n - 25, "recent messages stay");
  const [gone] = await db
    .sql`select count(*)::int as n from public.messages where client_id like 'old-%'`;
  assert.equal(gone!.n, 0);
});

Deno.test("the seed gives a living chat: confirmed demo users whose passwords check as GoTrue checks them", async () => {
  await using db = await testDatabase();
  const r = await applySeed(db.sql, [join(SUPABASE_DIR, "seed.sql")]);
  assert.deepEqual(r.applied, ["seed.sql"]);
  const users = await db.sql`
    select u.email, p.username, r.role, u.email_confirmed_at is not null as confirmed,
           u.encrypted_password like '$2a$10$%' as bcrypt,
           u.encrypted_password = extensions.crypt('chat-demo-2024', u.encrypted_password) as password_ok
    from auth.users u join public.profiles p on p.id = u.id join public.user_roles r on r.user_id = u.id
    where u.email like '%@example.com'
    order by u.email`;
  assert.deepEqual(users.map((u) => [u.username, u.role, u.confirmed, u.bcrypt, u.password_ok]), [
    ["alice", "admin", true, true, true],
    ["bob", "moderator", true, true, true],
    ["carol", "user", true, true, true],
    ["dave", "user", true, true, true],
  ]);
  const [counts] = await db.sql`
    select (select count(*) from public.channels)::int as channels,
           (select count(*) from public.messages)::int as messages,
           (select count(*) from auth.identities)::int as identities`;
  assert.deepEqual(counts, { channels: 4, messages: 9, identities: 4 });
});
