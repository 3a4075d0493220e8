/**
 * Lock order between concurrent writes, which pgTAP cannot show (one session). A thread reply
 * that quotes a message flags it (`has_replies`, 20251124007000) and updates its thread's
 * summary; deleting that message (itself a reply in the thread) takes the same two rows. Both
 * must take them in the same order, or one of them dies in a deadlock.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import postgres from "postgres";
import { applySeed } from "../../local/db/mod.ts";
import { SUPABASE_DIR } from "../../local/paths.ts";
import { testDatabase } from "../_helpers/db.ts";

const GENERAL = "c0000000-0000-4000-8000-0000000000a1";
const ALICE = "a11ce000-0000-4000-8000-000000000001";
const BOB = "b0b00000-0000-4000-8000-000000000002";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

Deno.test("a reply quoting a thread's message and that message's deletion never deadlock", async () => {
  await using db = await testDatabase();
  await applySeed(db.sql, [join(SUPABASE_DIR, "seed.sql")]);
  const insert = (sql: postgres.Sql, client: string, root: number, quote: number | null) =>
    sql`insert into public.messages (channel_id, sender_id, content, client_id, thread_root_id,
          reply_to_id)
        values (${GENERAL}, ${BOB}, ${"reply " + client}, ${client}, ${root}, ${quote})
        returning id`;
  const [root] = await db.sql`
    insert into public.messages (channel_id, sender_id, content, client_id)
    values (${GENERAL}, ${ALICE}, 'the root', 'root') returning id`;
  const [x] = await insert(db.sql, "x", root!.id, null);

  // Three sessions: C holds the thread's summary row, so A (a reply quoting x) and B (deleting
  // x) both queue behind it; when C commits they run into each other.
  const sessions = [0, 1, 2].map(() => postgres(db.url, { max: 1, onnotice: () => {} }));
  const [c, a, b] = sessions as [postgres.Sql, postgres.Sql, postgres.Sql];
  try {
    let release!: () => void;
    const held = new Promise<void>((r) => release = r);
    const cDone = c.begin(async (tx) => {
      await insert(tx as unknown as postgres.Sql, "c", root!.id, null);
      await held;
    });
    await sleep(200);
    const aDone = insert(a, "a", root!.id, x!.id).then(() => "ok", (e) => e.message);
    await sleep(300);
    const bDone = b`update public.messages set deleted_at = now() where id = ${x!.id}`
      .then(() => "ok", (e) => e.message);
    await sleep(300);
    release();
    await cDone;
    assert.deepEqual(await Promise.all([aDone, bDone]), ["ok", "ok"], "both writes succeed");
    const [row] = await db.sql`
      select has_replies, deleted_at is not null as deleted from public.messages where id = ${
      x!.id
    }`;
    assert.deepEqual(
      { ...row },
      { has_replies: true, deleted: true },
      "the reply first, then the delete",
    );
  } finally {
    await Promise.all(sessions.map((s) => s.end()));
  }
});
