/**
 * `GET /search` through the whole stack, as the web client calls it: words in scripts that do
 * not separate them with spaces (Japanese, Chinese) found inside sentences, prefixes while
 * typing, the filters (has=attachment, in=thread, mentions=me, sort, archive=true) and the
 * API's 400 for filters it does not know. Messages are sent through the API, as people send
 * them; only the attachment row and the archiving are made in SQL (uploads and the nightly
 * archiver have tests of their own).
 */
import assert from "node:assert/strict";
import { startTestStack, type TestStack } from "../_helpers/stack.ts";

const GENERAL = "c0000000-0000-4000-8000-0000000000a1"; // seed: alice, bob, carol, dave
const PASSWORD = "chat-demo-2024";
const STX = "\u0002";
const ETX = "\u0003";

interface Hit {
  id: number;
  channel_id: string;
  archived: boolean;
  score: number;
  snippet: string;
}

async function signedIn(stack: TestStack, who: string) {
  const { data, error } = await stack.client().auth.signInWithPassword({
    email: `${who}@example.com`,
    password: PASSWORD,
  });
  assert.equal(error, null);
  const token = data.session!.access_token;
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${stack.url}/functions/v1/api${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: await res.json() };
  };
  const send = async (content: string, extra: Record<string, unknown> = {}) => {
    const r = await call("POST", `/channels/${GENERAL}/messages`, {
      content,
      client_id: crypto.randomUUID(),
      ...extra,
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body.message.id as number;
  };
  const search = async (query: string) => {
    const r = await call("GET", `/search?${query}`);
    assert.equal(r.status, 200, `${query}: ${JSON.stringify(r.body)}`);
    return r.body as { hits: Hit[]; next_cursor: string | null };
  };
  return { call, send, search };
}

const ids = (r: { hits: Hit[] }) => r.hits.map((h) => h.id);
const q = (s: string) => encodeURIComponent(s);
// Searching is rate limited per person; these tests search more often than anyone types.
const env = { API_RATE_LIMITS: JSON.stringify({ search: { capacity: 500, refill_per_sec: 50 } }) };

Deno.test("search finds Japanese and Chinese words inside sentences, and prefixes as you type", async () => {
  await using stack = await startTestStack(() => {}, { env });
  const alice = await signedIn(stack, "alice");
  const bob = await signedIn(stack, "bob");
  const tokyo = await alice.send("東京タワーに行きました");
  const beijing = await alice.send("我们明天去北京");
  const report = await alice.send("the quarterly report is ready");

  assert.deepEqual(ids(await bob.search(`q=${q("東京")}`)), [tokyo], "two kanji at the start");
  assert.deepEqual(ids(await bob.search(`q=${q("タワー")}`)), [tokyo], "katakana inside");
  assert.deepEqual(ids(await bob.search(`q=${q("北京")}`)), [beijing], "two hanzi at the end");
  assert.deepEqual(ids(await bob.search(`q=${q("明天")}`)), [beijing], "and in the middle");
  assert.deepEqual(ids(await bob.search(`q=${q("京")}`)).sort(), [tokyo, beijing].sort());
  assert.deepEqual(ids(await bob.search(`q=${q("東北")}`)), [], "not characters apart");
  const hit = (await bob.search(`q=${q("タワー")}`)).hits[0]!;
  assert.equal(hit.snippet, `東京${STX}タワー${ETX}に行きました`, "the snippet marks the match");

  // Typing "quarterly" letter by letter finds the message from the third letter on.
  for (const typed of ["qua", "quar", "quarte", "quarterly"]) {
    assert.deepEqual(ids(await bob.search(`q=${q(typed)}`)), [report], typed);
  }
  const typed = (await bob.search(`q=${q("rep")}`)).hits[0]!;
  assert.ok(typed.snippet.includes(`${STX}report${ETX}`), typed.snippet);

  const carol = await signedIn(stack, "carol");
  assert.deepEqual(ids(await carol.search(`q=${q("東京")}`)), [tokyo], "every member finds it");
});

Deno.test("search filters: has=attachment, in=thread, mentions=me, sort, archive; unknown ones are a 400", async () => {
  await using stack = await startTestStack(() => {}, { env });
  if (!stack.local) return; // files and the archive are written straight into the database
  const alice = await signedIn(stack, "alice");
  const bob = await signedIn(stack, "bob");
  const first = await alice.send("budget draft for the offsite");
  const withFile = await alice.send("budget spreadsheet attached");
  const mention = await alice.send("@bob can you check the budget?");
  const reply = await bob.send("budget looks fine", { reply_to_id: first });
  const old = await alice.send("last year's budget review");
  const inThread = await bob.send("agreed, ship it", { thread_root_id: withFile });
  const db = stack.db!.admin;
  await db`
    insert into public.attachments (message_id, channel_id, uploaded_by, path, mime_type,
      size_bytes, sha256)
    select m.id, m.channel_id, m.sender_id, m.channel_id || '/' || m.sender_id || '/budget.xlsx',
      'application/vnd.ms-excel', 2048, repeat('b', 64)
    from public.messages m where m.id = ${withFile}`;

  const all = await bob.search("q=budget&sort=recent");
  assert.deepEqual(ids(all), [old, reply, mention, withFile, first], "sort=recent: newest first");
  assert.deepEqual(ids(await bob.search("q=budget&has=attachment")), [withFile]);
  assert.deepEqual(
    ids(await bob.search("q=budget&in=thread&sort=recent")),
    [reply, withFile, first],
    "in=thread: a reply quoting a message, a thread's root, the message quoted",
  );
  assert.deepEqual(ids(await bob.search("q=ship&in=thread")), [inThread], "and a thread's reply");
  assert.deepEqual(ids(await bob.search("q=budget&mentions=me")), [mention]);
  assert.deepEqual(ids(await alice.search("q=budget&mentions=me")), [], "mentions are per person");
  const relevance = await bob.search("q=budget");
  assert.equal(relevance.hits.length, 5, "sort=relevance is the default");
  const scores = relevance.hits.map((h) => h.score);
  assert.deepEqual(scores, [...scores].sort((a, b) => b - a), "best first");

  // Pages: a cursor continues where the previous page ended, in either sort.
  for (const sort of ["recent", "relevance"]) {
    const page1 = await bob.search(`q=budget&sort=${sort}&limit=2`);
    assert.ok(page1.next_cursor, sort);
    const page2 = await bob.search(
      `q=budget&sort=${sort}&limit=2&cursor=${q(page1.next_cursor!)}`,
    );
    const page3 = await bob.search(
      `q=budget&sort=${sort}&limit=2&cursor=${q(page2.next_cursor!)}`,
    );
    assert.deepEqual(
      [...ids(page1), ...ids(page2), ...ids(page3)],
      ids(await bob.search(`q=budget&sort=${sort}`)),
      `${sort}: three pages are the whole list`,
    );
    assert.equal(page3.next_cursor, null, `${sort}: the last page says so`);
  }

  // The archive: not searched unless asked, then ranked as before.
  const before = (await bob.search("q=review")).hits[0]!;
  await db`update public.messages set created_at = now() - interval '400 days' where id = ${old}`;
  await db`select private.archive_messages_batch(now() - interval '365 days')`;
  assert.deepEqual(ids(await bob.search("q=review")), [], "archived: not by default");
  const archived = await bob.search("q=review&archive=true");
  assert.deepEqual(
    archived.hits.map((h) => [h.id, h.archived, h.score]),
    [[old, true, before.score]],
    "archive=true: found, marked archived, same score",
  );

  for (
    const bad of [
      "q=budget&has=file",
      "q=budget&in=channel",
      "q=budget&mentions=everyone",
      "q=budget&sort=oldest",
      "q=budget&archive=yes",
      "q=&sort=recent",
    ]
  ) {
    const r = await bob.call("GET", `/search?${bad}`);
    assert.equal(r.status, 400, bad);
    assert.equal(r.body.error.code, "validation_failed", bad);
    assert.equal(typeof r.body.error.message, "string", bad);
  }
});
