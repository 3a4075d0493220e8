/**
 * The chat's hot reads on generated messages (1,000,000 over 1,000 channels by default; see
 * `_messages_data.ts`), run as a signed-in member of 20 channels with RLS on, each request
 * as the API runs it (`asCaller`: one transaction, role and claims set, over the Unix socket
 * the local stack's API uses), each side by side
 * with its naive alternative measured in the same run:
 *   - history: the last 50 of a channel (keyset, `channel_messages`), a keyset page at depth
 *     100,000 and the page around a message there (`channel_messages_around`), against an
 *     OFFSET page at that depth;
 *   - search (`search_messages`: ranked, highlighted, with filters, CJK and prefixes) against
 *     `ILIKE '%term%'` over the same channels.
 * Each goal of issue 16 is printed with what was measured and whether it was met.
 *
 * BENCH_MESSAGES sets the size (200000 for a quick look, 10000000 to see the growth);
 * BENCH_KEEP=1 keeps the generated database for the next run (see `_messages_data.ts`);
 * BENCH_EXPLAIN=1 prints the search's and the page's plans (auto_explain).
 */
import postgres from "postgres";
import { asCaller, connectDb } from "../../functions/_shared/db.ts";
import { benchDatabase, bigChannelSize } from "./_messages_data.ts";
import { measure, row, type Stats } from "./_stats.ts";

/** The goals of issue 16. */
const GOAL = { searchP95: 20, searchVsIlike: 20, historyP95: 2 } as const;

export default async function bench(
  adminUrl: string,
  template: string,
  socket?: string,
): Promise<string[]> {
  const total = Number(Deno.env.get("BENCH_MESSAGES") ?? 1_000_000);
  const data = await benchDatabase(adminUrl, template, total, socket);
  // Through the server's Unix socket when there is one, as the local stack's API connects.
  const db = connectDb(data.url, 1, data.socket);
  try {
    return [data.summary, ...await run(db, data.url, total)];
  } finally {
    await db.end({ timeout: 5 });
    await data.close();
  }
}

type Tx = postgres.TransactionSql;

async function run(db: postgres.Sql, url: string, total: number): Promise<string[]> {
  const big = bigChannelSize(total);
  const [{ uid, channel, senders, recentFrom }] = await db<
    [{ uid: string; channel: string; senders: string[]; recentFrom: Date }]
  >`
    select md5('bench-user-0')::uuid as uid, md5('bench-channel-0')::uuid as channel,
      array(select md5('bench-user-' || k)::uuid from generate_series(1, 19) k) as senders,
      (select max(created_at) - (max(created_at) - min(created_at)) / 10 from public.messages)
        as "recentFrom"`;
  const claims = { sub: uid, role: "authenticated", aud: "authenticated" };
  const asUser = <T>(fn: (tx: Tx) => Promise<T>) => asCaller(db, claims, "read", fn);
  // The naive baselines may outlast the API's statement timeout on large data: no limit for
  // them, and fewer runs (a full scan of 10M rows takes seconds).
  const asUserUnlimited = <T>(fn: (tx: Tx) => Promise<T>) =>
    asUser(async (tx) => {
      await tx`set local statement_timeout = 0`;
      return await fn(tx);
    });
  // Pages take about a millisecond: 200 of them, so that a few slow ones on a busy machine do
  // not decide the p95 alone.
  const nPage = 200;
  const n = 100;
  const nBaseline = total > 2_000_000 ? 12 : 40;

  const [depth] = await db`
    select id from public.messages where channel_id = ${channel} order by id desc offset 100000 limit 1`;
  const beforeId = depth?.id ?? null;
  // Warm up (plans, caches, and the client's code compiled by V8), as a running API would be:
  // a fresh process answers its first few hundred pages slower (measured, 200 pages each after
  // 30, 230 and 430: p95 4.0, 2.6 and 1.9 ms), so 500 pages (about a second) first.
  for (let i = 0; i < 500; i++) {
    await asUser((tx) => tx`select id from public.channel_messages(${channel})`);
    if (i < 5) await asUser((tx) => tx`select id from public.search_messages('warm')`);
  }
  const last50 = await measure(
    nPage,
    () => asUser((tx) => tx`select id from public.channel_messages(${channel})`),
  );
  const keysetDeep = await measure(
    nPage,
    () =>
      asUser((tx) =>
        tx`select id from public.channel_messages(${channel}, p_before => ${beforeId})`
      ),
  );
  const around = await measure(
    nPage,
    () =>
      asUser((tx) =>
        tx`select id from public.channel_messages_around(${channel}, ${beforeId}, 50)`
      ),
  );
  // The baseline after the pages: its scans of 100,000 rows push the pages a running API
  // keeps in memory out of it.
  const offsetPage = await measure(
    nBaseline,
    () =>
      asUserUnlimited((tx) =>
        tx`select id, content from public.messages where channel_id = ${channel}
         order by id desc offset 100000 limit 50`
      ),
  );

  const terms = ["machine", "pattern notice", "mountain"];
  const term = (i: number) => terms[i % terms.length]!;
  const ilike = await measure(
    nBaseline,
    (i) =>
      asUserUnlimited((tx) =>
        tx`select m.id, m.content from public.messages m
         where m.channel_id in (select channel_id from public.channel_members where user_id = ${uid})
           and m.content ilike ${"%" + term(i) + "%"}
         order by m.id desc limit 20`
      ),
  );
  const search = (args: (i: number) => SearchArgs) =>
    measure(n, (i) => asUser((tx) => searchCall(tx, args(i))));
  const fts = await search((i) => ({ q: term(i) }));
  const recent = await search((i) => ({ q: term(i), sort: "recent" }));
  const page2 = await measure(n, async (i) => {
    const first = await asUser((tx) => searchCall(tx, { q: term(i) }));
    const last = first.at(-1);
    if (!last) return;
    await asUser((tx) =>
      searchCall(tx, { q: term(i), cursorScore: last.score, cursorId: last.id })
    );
  });
  const filters: [string, Stats][] = [
    ["has=attachment", await search((i) => ({ q: term(i), hasAttachment: true }))],
    ["in=thread", await search((i) => ({ q: term(i), inThread: true }))],
    ["mentions=me", await search((i) => ({ q: term(i), mentionsMe: true }))],
    ["from: one sender", await search((i) => ({ q: term(i), sender: senders[i % 19]! }))],
    [
      "after: the newest tenth of the time",
      await search((i) => ({ q: term(i), after: recentFrom })),
    ],
    ["in: one channel (channel 0)", await search((i) => ({ q: term(i), channel }))],
    ["archive=true", await search((i) => ({ q: term(i), archive: true }))],
  ];
  const cjkTerms = ["東京", "タワー", "北京"];
  const cjk = await search((i) => ({ q: cjkTerms[i % cjkTerms.length]! }));
  // Search as you type: every prefix of "mountain", and of a name from code.
  const typed = [..."mountain"].map((_, k) => "mountain".slice(0, k + 1));
  typed.push(..."fetchMessages".split("").map((_, k) => "fetchMessages".slice(0, k + 1)));
  const prefix = await search((i) => ({ q: typed[i % typed.length]! }));
  const [{ mine }] = await db<[{ mine: number }]>`
    select count(*)::int as mine from public.messages
    where channel_id in (select channel_id from public.channel_members where user_id = ${uid})`;
  if (Deno.env.get("BENCH_EXPLAIN")) await explain(url, claims, channel, beforeId);

  const all = [fts, recent, cjk, prefix, ...filters.map(([, s]) => s)];
  const worst = Math.max(...all.map((s) => s.p95));
  return [
    `channel 0 holds ${big.toLocaleString("en")} messages; the member is in channels holding ${
      mine.toLocaleString("en")
    }`,
    "",
    "-- a page of 50 messages (as a member, RLS on)",
    row("OFFSET 100000 LIMIT 50 (depth 100,000)", offsetPage),
    row("channel_messages: last 50 (keyset)", last50, offsetPage),
    row("channel_messages: before id at depth 100,000", keysetDeep, offsetPage),
    row("channel_messages_around: id at depth 100,000", around, offsetPage),
    "",
    `-- search over the member's channels (terms: ${terms.join(", ")}; 20 hits a page)`,
    row("ILIKE '%term%' ordered by id, limit 20", ilike),
    row("search_messages: relevance, snippets", fts, ilike),
    row("search_messages: sort=recent", recent, ilike),
    row("search_messages: relevance, page 1 + page 2", page2, ilike),
    ...filters.map(([name, s]) => row(`search_messages: ${name}`, s, ilike)),
    row(`search_messages: CJK (${cjkTerms.join(", ")})`, cjk, ilike),
    row("search_messages: as you type (m…mountain, f…)", prefix, ilike),
    "",
    `-- the goals of issue 16 (set for 1,000,000 messages; this run: ${
      total.toLocaleString("en")
    })`,
    goal("search p95 (relevance)", GOAL.searchP95, fts.p95),
    goal("search p95 (worst of every kind above)", GOAL.searchP95, worst),
    goalRatio("search vs ILIKE, p50", GOAL.searchVsIlike, ilike.p50 / fts.p50),
    goalRatio("search vs ILIKE, p95", GOAL.searchVsIlike, ilike.p95 / fts.p95),
    goal("history: last 50, p95", GOAL.historyP95, last50.p95),
  ];
}

interface SearchArgs {
  q: string;
  sort?: "recent" | "relevance";
  channel?: string;
  sender?: string;
  after?: Date;
  hasAttachment?: boolean;
  inThread?: boolean;
  mentionsMe?: boolean;
  archive?: boolean;
  cursorScore?: number;
  cursorId?: number;
}

/** As `GET /search` calls it. */
function searchCall(tx: Tx, a: SearchArgs) {
  return tx<{ id: number; score: number; snippet: string }[]>`
    select * from public.search_messages(${a.q}, ${a.channel ?? null}, ${a.sender ?? null},
      ${a.after ?? null}, null, 20, ${a.cursorScore ?? null}::real, ${a.cursorId ?? null}::bigint,
      ${a.archive ?? false}, ${a.hasAttachment ?? false}, ${a.inThread ?? false},
      ${a.mentionsMe ?? false}, ${a.sort ?? "relevance"})`;
}

function goal(name: string, max: number, ms: number): string {
  return `goal: ${name} ≤ ${max} ms → measured ${ms.toFixed(2)} ms (${
    ms <= max ? "met" : "NOT met"
  })`;
}

function goalRatio(name: string, min: number, ratio: number): string {
  return `goal: ${name} ≥ ${min}x faster → measured ${ratio.toFixed(1)}x (${
    ratio >= min ? "met" : "NOT met"
  })`;
}

/** The plans of a search and of a deep page, through auto_explain (nested statements). */
async function explain(
  url: string,
  claims: Record<string, unknown>,
  channel: string,
  beforeId: number | null,
) {
  const ex = postgres(url, { max: 1, onnotice: (n) => console.log(n.message) });
  try {
    await ex.unsafe(`load 'auto_explain'`);
    await ex.unsafe(`set auto_explain.log_min_duration = 0; set auto_explain.log_analyze = on;
      set auto_explain.log_nested_statements = on; set auto_explain.log_level = notice`);
    await asCaller(ex, claims, "read", async (tx) => {
      await searchCall(tx, { q: "machine" });
      await tx`select id from public.channel_messages(${channel}, p_before => ${beforeId})`;
    });
  } finally {
    await ex.end();
  }
}
