/**
 * The chat's hot queries on 1,000,000 generated messages over 1,000 channels (one channel
 * holds 200,000 so a page at depth 100,000 exists), run as a signed-in member with RLS on,
 * each side by side with its naive alternative:
 *   - last 50 of a channel (keyset, `channel_messages`) vs an OFFSET page at depth 100,000,
 *     and a keyset page at that same depth;
 *   - full-text search (`search_messages`: tsvector + GIN, ranked, highlighted) vs
 *     `ILIKE '%term%'` over the same channels.
 * Set BENCH_MESSAGES to use fewer rows (e.g. 200000 for a quick look).
 */
import postgres from "postgres";
import { databaseUrl } from "../../local/db/mod.ts";
import { measure, row, type Stats } from "./_stats.ts";

const WORDS = (
  "the a to and of in is it you that he was for on are with as his they be at one have this from " +
  "or had by hot word but what some we can out other were all there when up use your how said an " +
  "each she which do their time if will way about many then them write would like so these her " +
  "long make thing see him two has look more day could go come did number sound no most people my " +
  "over know water than call first who may down side been now find any new work part take get " +
  "place made live where after back little only round man year came show every good me give our " +
  "under name very through just form sentence great think say help low line differ turn cause much " +
  "mean before move right boy old too same tell does set three want air well also play small end " +
  "put home read hand port large spell add even land here must big high such follow act why ask " +
  "men change went light kind off need house picture try us again animal point mother world near " +
  "build self earth father head stand own page should country found answer school grow study still " +
  "learn plant cover food sun four between state keep eye never last let thought city tree cross " +
  "farm hard start might story saw far sea draw left late run while press close night real life " +
  "few north open seem together next white children begin got walk example ease paper group always " +
  "music those both mark often letter until mile river car feet care second book carry took science " +
  "eat room friend began idea fish mountain stop once base hear horse cut sure watch color face wood " +
  "main enough plain girl usual young ready above ever red list though feel talk bird soon body dog " +
  "family direct pose leave song measure door product black short numeral class wind question happen " +
  "complete ship area half rock order fire south problem piece told knew pass since top whole king " +
  "space heard best hour better true during hundred five remember step early hold west ground " +
  "interest reach fast verb sing listen six table travel less morning ten simple several vowel toward " +
  "war lay against pattern slow center love person money serve appear road map rain rule govern pull " +
  "cold notice voice unit power town fine certain fly fall lead cry dark machine note wait plan figure"
).split(" ");

export default async function bench(adminUrl: string, template: string): Promise<string[]> {
  const total = Number(Deno.env.get("BENCH_MESSAGES") ?? 1_000_000);
  const big = Math.min(200_000, Math.floor(total / 5));
  const name = "bench_messages";
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${name} with (force)`);
  await admin.unsafe(`create database ${name} template ${template} owner postgres`);
  await admin.end();
  const db = postgres(databaseUrl(adminUrl, name), { max: 1, onnotice: () => {} });
  const lines: string[] = [];
  try {
    const t0 = performance.now();
    await generate(db, total, big);
    lines.push(
      `generated ${total.toLocaleString("en")} messages (channel 0: ${
        big.toLocaleString("en")
      }) in ${((performance.now() - t0) / 1000).toFixed(0)} s`,
    );
    lines.push(...await run(db, big));
  } finally {
    await db.end();
    const c = postgres(adminUrl, { max: 1, onnotice: () => {} });
    await c.unsafe(`drop database if exists ${name} with (force)`);
    await c.end();
  }
  return lines;
}

async function generate(db: postgres.Sql, total: number, big: number) {
  await db.unsafe(`
    insert into auth.users (id, aud, role, email, raw_user_meta_data, created_at, updated_at)
    select md5('bench-user-' || n)::uuid, 'authenticated', 'authenticated', 'u' || n || '@bench.local',
      jsonb_build_object('username', 'user' || n), now(), now()
    from generate_series(0, 999) n;
    insert into public.channels (id, kind, name, created_by)
    select md5('bench-channel-' || n)::uuid, 'group', 'channel ' || n, md5('bench-user-' || n)::uuid
    from generate_series(0, 999) n;
    -- Each user is in 20 channels; user 0 also in channel 0 (the big one).
    insert into public.channel_members (channel_id, user_id)
    select distinct md5('bench-channel-' || ((u * 37 + k * 101) % 1000))::uuid, md5('bench-user-' || u)::uuid
    from generate_series(0, 999) u, generate_series(0, 19) k
    on conflict do nothing;
    insert into public.channel_members (channel_id, user_id)
    values (md5('bench-channel-0')::uuid, md5('bench-user-0')::uuid) on conflict do nothing;
    create temporary table words (i int primary key, w text);
  `);
  await db`insert into words select ordinality::int, w from unnest(${WORDS}::text[]) with ordinality as w`;
  const nWords = WORDS.length;
  // Bulk load without the per-row triggers (broadcasts, reply checks): the bench measures reads.
  await db.begin(async (tx) => {
    await tx.unsafe("set local session_replication_role = replica");
    const chunk = 100_000;
    for (let start = 0; start < total; start += chunk) {
      const n = Math.min(chunk, total - start);
      await tx.unsafe(`
        insert into public.messages (channel_id, sender_id, content, client_id, created_at)
        select md5('bench-channel-' || c)::uuid, md5('bench-user-' || ((g * 7) % 1000))::uuid,
          (select string_agg(w.w, ' ') from generate_series(1, 6 + (g % 13)) k
             join words w on w.i = 1 + ((g * 2654435761 + k * 40503) % ${nWords})),
          'b' || g, now() - make_interval(secs => ${total} - g)
        from (select g, case when g < ${big} then 0 else 1 + (g % 999) end as c
              from generate_series(${start}, ${start + n - 1}) g) s`);
    }
  }).catch((e) => {
    throw new Error(`generating messages failed: ${e.message}`);
  });
  await db.unsafe("vacuum analyze public.messages");
  await db.unsafe("analyze public.channel_members");
}

async function run(db: postgres.Sql, big: number): Promise<string[]> {
  const user =
    await db`select md5('bench-user-0')::uuid as id, md5('bench-channel-0')::uuid as channel`;
  const { id: uid, channel } = user[0]!;
  const claims = JSON.stringify({ sub: uid, role: "authenticated" });
  // One transaction per call, as the API runs requests: role and claims set locally.
  const asUser = <T>(fn: (tx: postgres.TransactionSql) => Promise<T>) =>
    db.begin(async (tx) => {
      await tx.unsafe("set local role authenticated");
      await tx`select set_config('request.jwt.claims', ${claims}, true)`;
      return await fn(tx);
    }) as Promise<T>;

  const [depth] = await db`
    select id from public.messages where channel_id = ${channel} order by id desc offset 100000 limit 1`;
  const beforeId = depth?.id ?? null;
  const n = 30;
  const last50 = await measure(
    n,
    () => asUser((tx) => tx`select id from public.channel_messages(${channel})`),
  );
  const offsetPage = await measure(
    n,
    () =>
      asUser((tx) =>
        tx`select id, content from public.messages where channel_id = ${channel}
         order by id desc offset 100000 limit 50`
      ),
  );
  const keysetDeep = await measure(
    n,
    () =>
      asUser((tx) =>
        tx`select id from public.channel_messages(${channel}, p_before => ${beforeId})`
      ),
  );

  const terms = ["machine", "pattern notice", "mountain"];
  const fts = await measure(
    n,
    (i) =>
      asUser((tx) =>
        tx`select id, snippet from public.search_messages(${terms[i % terms.length]!})`
      ),
  );
  const ilike = await measure(
    n,
    (i) =>
      asUser((tx) =>
        tx`select m.id, m.content from public.messages m
         where m.channel_id in (select channel_id from public.channel_members where user_id = ${uid})
           and m.content ilike ${"%" + terms[i % terms.length]! + "%"}
         order by m.id desc limit 20`
      ),
  );
  const [{ mine }] = await db`
    select count(*)::int as mine from public.messages
    where channel_id in (select channel_id from public.channel_members where user_id = ${uid})` as unknown as [
    { mine: number },
  ];
  if (Deno.env.get("BENCH_EXPLAIN")) {
    // The functions' own plans, through auto_explain (nested statements), as notices.
    const ex = postgres(db.options.host[0] ? dbUrl(db) : "", {
      max: 1,
      onnotice: (n) => console.log(n.message),
    });
    await ex.unsafe(`load 'auto_explain'`);
    await ex.unsafe(`set auto_explain.log_min_duration = 0; set auto_explain.log_analyze = on;
      set auto_explain.log_nested_statements = on; set auto_explain.log_level = notice`);
    await ex.begin(async (tx) => {
      await tx.unsafe("set local role authenticated");
      await tx`select set_config('request.jwt.claims', ${claims}, true)`;
      await tx`select id, snippet from public.search_messages(${terms[0]!})`;
      await tx`select id from public.channel_messages(${channel}, p_before => ${beforeId})`;
    });
    await ex.end();
  }
  const out: string[] = [
    `channel 0 holds ${big.toLocaleString("en")} messages; the member is in channels holding ${
      mine.toLocaleString("en")
    }`,
    "",
    "-- a page of 50 messages (as a member, RLS on)",
    row("OFFSET 100000 LIMIT 50 (depth 100,000)", offsetPage),
    row("channel_messages: last 50 (keyset)", last50, offsetPage),
    row("channel_messages: before id at depth 100,000", keysetDeep, offsetPage),
    "",
    `-- search over the member's channels (terms: ${terms.join(", ")})`,
    row("ILIKE '%term%' ordered by id, limit 20", ilike),
    row("search_messages: FTS ranked + snippets, limit 20", fts, ilike),
  ];
  return out;
}

function dbUrl(db: postgres.Sql): string {
  const o = db.options;
  return `postgresql://${o.user}:${encodeURIComponent(String(o.pass))}@${o.host[0]}:${
    o.port[0]
  }/${o.database}`;
}

export type { Stats };
