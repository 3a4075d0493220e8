/**
 * `GET /channels/:id/messages?around=<id>&limit=`: the page centred on one message (a jump to a
 * search hit), as the other pages are (same rows, newest first): floor(limit / 2) older, the
 * message, the rest newer; the halves never topped up from the other side. 404 in the API's
 * error shape when the message is not in that channel or the caller cannot see it.
 * A member's pages are read with the owner's rights once membership is checked (migration
 * 20251124006800): the last test holds them to what RLS gives, row for row.
 */
import assert from "node:assert/strict";
import type { Sql } from "../../functions/_shared/db.ts";
import { startTestStack, type TestStack } from "../_helpers/stack.ts";

const GENERAL = "c0000000-0000-4000-8000-0000000000a1"; // seed: alice, bob, carol, dave
const RANDOM = "c0000000-0000-4000-8000-0000000000a2"; // seed: bob, carol
const DM_ALICE_CAROL = "c0000000-0000-4000-8000-0000000000d1";
const ALICE = "a11ce000-0000-4000-8000-000000000001";
const BOB = "b0b00000-0000-4000-8000-000000000002";

type Row = { id: number; channel_id: string; content: string } & Record<string, unknown>;

async function signedIn(stack: TestStack, who: string) {
  const c = stack.client();
  const { data, error } = await c.auth.signInWithPassword({
    email: `${who}@example.com`,
    password: "chat-demo-2024",
  });
  assert.equal(error, null);
  const token = data.session!.access_token;
  return async (path: string) => {
    const res = await fetch(`${stack.url}/functions/v1/api${path}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    return { status: res.status, json: await res.json() };
  };
}

Deno.test("the around page is centred on the message, shaped like the other pages, and 404s what is not there", async (t) => {
  await using stack = await startTestStack();
  if (!stack.local) return;
  // 120 messages in #general after the seed's, taking turns; their ids in order.
  const seeded = await stack.db!.admin<{ id: string }[]>`
    insert into public.messages (channel_id, sender_id, content, client_id, created_at)
    select ${GENERAL}, case when i % 2 = 0 then ${ALICE}::uuid else ${BOB}::uuid end,
      'history ' || i, 'around-' || i, now() - interval '1 day' + i * interval '1 second'
    from generate_series(1, 120) i
    returning id`;
  const ids = seeded.map((r) => Number(r.id)).sort((a, b) => a - b);
  const [other] = await stack.db!.admin<{ id: string }[]>`
    insert into public.messages (channel_id, sender_id, content, client_id)
    values (${RANDOM}, ${BOB}, 'in random', 'around-random') returning id`;
  const [dm] = await stack.db!.admin<{ id: string }[]>`
    select id from public.messages where channel_id = ${DM_ALICE_CAROL} order by id limit 1`;
  const bob = await signedIn(stack, "bob");
  const page = (q: string) => bob(`/channels/${GENERAL}/messages?${q}`);

  await t.step(
    "limit 20 around the 60th: 10 older, the message, 9 newer, newest first",
    async () => {
      const target = ids[59]!;
      const r = await page(`around=${target}&limit=20`);
      assert.equal(r.status, 200);
      const got = (r.json.messages as Row[]).map((m) => m.id);
      assert.deepEqual(got, ids.slice(49, 69).reverse());
      assert.equal(got.filter((id) => id < target).length, 10);
      assert.equal(got.filter((id) => id > target).length, 9);
    },
  );

  await t.step("rows are exactly those of the keyset pages", async () => {
    const target = ids[59]!;
    const around = (await page(`around=${target}&limit=20`)).json.messages as Row[];
    const before = (await page(`before=${target + 1}&limit=11`)).json.messages as Row[];
    const after = (await page(`after=${target}&limit=9`)).json.messages as Row[];
    assert.deepEqual(around, [...after, ...before].sort((a, b) => b.id - a.id));
    assert.deepEqual(Object.keys(around[0]!).sort(), Object.keys(before[0]!).sort());
  });

  await t.step("the default limit is the page size: 25 older, the message, 24 newer", async () => {
    const r = await page(`around=${ids[59]}`);
    assert.deepEqual((r.json.messages as Row[]).map((m) => m.id), ids.slice(34, 84).reverse());
  });

  await t.step("near an edge a half comes back short and is not topped up", async () => {
    const newest = await page(`around=${ids[118]}&limit=20`);
    assert.deepEqual(
      (newest.json.messages as Row[]).map((m) => m.id),
      ids.slice(108, 120).reverse(),
      "10 older, the message and the one newer there is",
    );
    const one = await page(`around=${ids[5]}&limit=1`);
    assert.deepEqual((one.json.messages as Row[]).map((m) => m.id), [ids[5]]);
  });

  await t.step("a tombstone can be the centre", async () => {
    await stack.db!.admin`update public.messages set deleted_at = now() where id = ${ids[30]!}`;
    const r = await page(`around=${ids[30]}&limit=3`);
    assert.equal(r.status, 200);
    const rows = r.json.messages as Row[];
    assert.deepEqual(rows.map((m) => m.id), [ids[31], ids[30], ids[29]]);
    assert.ok(rows[1]!.deleted_at);
  });

  await t.step(
    "a message of another channel, or none, is 404 in the API's error shape",
    async () => {
      for (const id of [Number(other!.id), ids[119]! + 1000]) {
        const r = await page(`around=${id}`);
        assert.equal(r.status, 404, `around=${id}`);
        assert.equal(r.json.error.code, "not_found");
        assert.equal(typeof r.json.error.message, "string");
      }
    },
  );

  await t.step(
    "a message the caller cannot see is 404 (and the channel is not shown)",
    async () => {
      const r = await bob(`/channels/${DM_ALICE_CAROL}/messages?around=${dm!.id}`);
      assert.equal(r.status, 404);
      assert.equal(r.json.error.code, "not_found");
      assert.equal(r.json.messages, undefined);
    },
  );

  await t.step("around with before or after, or a bad id, is 400", async () => {
    for (const q of [`around=${ids[3]}&before=${ids[9]}`, `around=${ids[3]}&after=1`, "around=x"]) {
      const r = await page(q);
      assert.equal(r.status, 400, q);
      assert.equal(r.json.error.code, "validation_failed");
    }
  });
});

/** `fn`'s rows as `who` reads them in SQL: role authenticated and their claims, as the API. */
async function asUser<T>(stack: TestStack, who: string, fn: (tx: Sql) => Promise<T>) {
  return await stack.db!.admin.begin(async (tx) => {
    await tx`select set_config('request.jwt.claims', ${JSON.stringify({ sub: who })}, true),
      set_config('role', 'authenticated', true)`;
    return await fn(tx as unknown as Sql);
  }) as T;
}

Deno.test("a member's pages are what RLS lets them read, row for row; others' go through RLS", async (t) => {
  await using stack = await startTestStack();
  if (!stack.local) return;
  const db = stack.db!.admin;
  // #general: a quoted message with a file, reactions, a preview, a thread (one reply kept in
  // it, one also sent to the channel) and a reply quoting it.
  const [root] = await db<{ id: string }[]>`
    insert into public.messages (channel_id, sender_id, content, client_id)
    values (${GENERAL}, ${ALICE}, 'plans at https://example.com/plan', 'rls-root') returning id`;
  const rootId = Number(root!.id);
  await db`insert into public.messages (channel_id, sender_id, content, client_id, thread_root_id,
      also_in_channel)
    values (${GENERAL}, ${BOB}, 'in the thread only', 'rls-t1', ${rootId}, false),
      (${GENERAL}, ${BOB}, 'in the thread and the channel', 'rls-t2', ${rootId}, true)`;
  await db`insert into public.messages (channel_id, sender_id, content, client_id, reply_to_id)
    values (${GENERAL}, ${BOB}, 'quoting the plans', 'rls-q1', ${rootId})`;
  await db`insert into public.message_reactions (message_id, user_id, emoji)
    values (${rootId}, ${BOB}, '👍'), (${rootId}, ${ALICE}, '👍'), (${rootId}, ${ALICE}, '🎉')`;
  await db`insert into public.attachments (message_id, channel_id, uploaded_by, path, mime_type,
      size_bytes, sha256)
    values (${rootId}, ${GENERAL}, ${ALICE}, ${GENERAL} || '/' || ${ALICE} || '/plan.pdf',
      'application/pdf', 1000, repeat('c', 64))`;
  await db`insert into public.link_previews (message_id, channel_id, url, title, site_name)
    values (${rootId}, ${GENERAL}, 'https://example.com/plan', 'The plan', 'example.com')`;
  // A report in a direct channel bob is not in: a moderator reads that message through RLS.
  const [dm] = await db<{ id: string }[]>`
    select id from public.messages where channel_id = ${DM_ALICE_CAROL} order by id limit 1`;
  await db`insert into public.reports (message_id, channel_id, reporter_id, reason)
    values (${dm!.id}, ${DM_ALICE_CAROL}, ${ALICE}, 'checking')`;

  // The same page through RLS: public.message_views (security invoker) over the same ids.
  const pageAndRls = (channel: string, extra: string) =>
    asUser(stack, BOB, async (tx) => {
      const page = await tx.unsafe(
        `select to_jsonb(v) as j from public.${extra} v`,
        [channel],
      );
      const rls = await tx`select to_jsonb(v) as j from public.message_views(${
        page.map((r) => Number(r.j.id))
      }::bigint[]) v`;
      return { page: page.map((r) => r.j), rls: rls.map((r) => r.j) };
    });

  await t.step("the last 50, a page before and after a message, and around it", async () => {
    for (
      const call of [
        "channel_messages($1)",
        `channel_messages($1, p_before => ${rootId + 3})`,
        `channel_messages($1, p_after => ${rootId - 1}, p_limit => 3)`,
        `channel_messages_around($1, ${rootId}, 5)`,
      ]
    ) {
      const { page, rls } = await pageAndRls(GENERAL, call);
      assert.ok(page.length > 0, call);
      assert.deepEqual(page, rls, call);
    }
    const { page } = await pageAndRls(GENERAL, "channel_messages($1)");
    const top = page.find((m) => m.id === rootId)!;
    assert.equal(top.reactions.length, 2);
    const thumbs = top.reactions.find((r: { emoji: string }) => r.emoji === "👍");
    assert.deepEqual([thumbs.count, thumbs.mine], [2, true]);
    assert.equal(top.attachments.length, 1);
    assert.equal(top.thread.reply_count, 2);
    assert.equal(top.preview.title, "The plan");
    assert.equal(page.find((m) => m.client_id === "rls-q1")!.reply_to.id, rootId);
    assert.equal(page.some((m) => m.client_id === "rls-t1"), false, "kept in the thread");
  });

  await t.step("outside the channel: a moderator reads the reported message, no more", async () => {
    const { page, rls } = await pageAndRls(DM_ALICE_CAROL, "channel_messages($1)");
    assert.deepEqual(page.map((m) => m.id), [Number(dm!.id)]);
    assert.deepEqual(page, rls);
    const around = await pageAndRls(DM_ALICE_CAROL, `channel_messages_around($1, ${dm!.id}, 5)`);
    assert.deepEqual(around.page.map((m) => m.id), [Number(dm!.id)]);
  });
});
