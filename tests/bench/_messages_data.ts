/**
 * The generated chat the messages benchmark reads: `total` messages over 1,000 channels and
 * 1,000 users (channel 0 holds a fifth of them, at most 200,000, so a page at depth 100,000
 * exists). Besides English words it has what the search filters look for: replies (1 in 20),
 * mentions (1 in 50), attachments (1 in 100), Japanese, Chinese and Korean sentences (1 in
 * 100) and code identifiers (1 in 50). A tenth of the messages, those just after channel 0's,
 * are in the archive (`messages_archive`), as `private.archive_old_messages` leaves them.
 *
 * With BENCH_KEEP=1 the database is generated once and kept: in the cluster of BENCH_DATA_DIR
 * when that is set (`run.ts` keeps it), else in a cluster of its own under
 * `.local/bench-messages`. It is reused while this generator and the size are the same (the
 * database's comment says so) and no migration it was built with has changed since; migrations
 * added since are applied to it. Otherwise it is generated again.
 */
import { join } from "node:path";
import postgres from "postgres";
import { databaseUrl, prepareDatabase, splitStatements, startCluster } from "../../local/db/mod.ts";
import { MIGRATIONS_DIR, ROOT } from "../../local/paths.ts";
import { freePort } from "../_helpers/ports.ts";

/** Bump when the generated data changes shape, so kept databases are made again. */
const GENERATOR_VERSION = 3;

export const WORDS = (
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

/** Sentences in scripts that do not separate words with spaces (and Korean, which does). */
export const CJK = [
  "東京タワーに行きました",
  "明日は会議があります",
  "新しい機能をリリースしました",
  "ラーメンを食べに行こう",
  "プロジェクトの締め切りは金曜日です",
  "我们明天去北京",
  "这个问题已经解决了",
  "请查看最新的设计稿",
  "上海的天气很好",
  "周末一起吃饭吧",
  "서울에서 만나요",
  "회의는 내일입니다",
];

/** Names from code, which the `simple` configuration keeps whole. */
export const CODE = [
  "fetchMessages()",
  "ERR_CONN_RESET",
  "deploy_v2",
  "useEffect",
  "pg_stat_statements",
  "CHAT_API_URL",
];

export interface BenchDatabase {
  url: string;
  /** The server's Unix socket, when it has one. */
  socket: string | undefined;
  /** True when a kept database was reused (nothing generated this run). */
  reused: boolean;
  /** What was generated (or found), in words. */
  summary: string;
  close(): Promise<void>;
}

/** The benchmark's database: cloned from `template` and generated, or a kept one reused. */
export async function benchDatabase(
  adminUrl: string,
  template: string,
  total: number,
  socket?: string,
): Promise<BenchDatabase> {
  const big = bigChannelSize(total);
  if (Deno.env.get("BENCH_KEEP") !== "1") {
    const name = "bench_messages";
    await admin(adminUrl, async (a) => {
      await a.unsafe(`drop database if exists ${name} with (force)`);
      await a.unsafe(`create database ${name} template ${template} owner postgres`);
    });
    const url = databaseUrl(adminUrl, name);
    const seconds = await generateInto(url, total, big);
    return {
      url,
      socket,
      reused: false,
      summary: `generated ${fmt(total)} messages (channel 0: ${fmt(big)}) in ${seconds} s`,
      close: async () => {
        await admin(adminUrl, (a) => a.unsafe(`drop database if exists ${name} with (force)`));
      },
    };
  }
  // Kept: in run.ts's cluster when it is kept, else in a cluster of our own that is.
  const own = Deno.env.get("BENCH_DATA_DIR") === undefined
    ? await startCluster({
      dataDir: join(ROOT, ".local", "bench-messages"),
      port: freePort(),
      persistent: true,
    })
    : undefined;
  try {
    return {
      ...await keptDatabase(own?.url ?? adminUrl, total, big, own),
      socket: own ? own.socketPath : socket,
    };
  } catch (e) {
    await own?.stop();
    throw e;
  }
}

/** The kept database on `server`: reused when it can be, else generated (see the header). */
async function keptDatabase(
  server: string,
  total: number,
  big: number,
  own: { dataDir: string; stop(): Promise<void> } | undefined,
): Promise<Omit<BenchDatabase, "socket">> {
  const name = `bench_messages_${total}`;
  const url = databaseUrl(server, name);
  const note = `bench v${GENERATOR_VERSION} ${total}`;
  const where = `BENCH_KEEP=1${own ? `, ${own.dataDir}` : ""}`;
  const close = async () => await own?.stop();
  const found = await admin(server, async (a) => {
    const [row] = await a`
      select shobj_description(d.oid, 'pg_database') as note from pg_database d
      where d.datname = ${name}`;
    return row ? String(row.note ?? "") : undefined;
  });
  if (found === note && !(await migrationsChanged(url))) {
    const { migrations } = await prepareDatabase(url, { seedEnabled: false, seedPaths: [] });
    const added = migrations.length ? `; applied ${migrations.length} new migrations` : "";
    return {
      url,
      reused: true,
      summary: `reused the kept database ${name} (${fmt(total)} messages, channel 0: ${
        fmt(big)
      }; ${where}${added})`,
      close,
    };
  }
  await admin(server, async (a) => {
    await a.unsafe(`drop database if exists ${name} with (force)`);
    // Owned by postgres once the platform layer has made that role (a new cluster has not).
    await a.unsafe(`create database ${name}`);
  });
  await prepareDatabase(url, { seedEnabled: false, seedPaths: [] });
  await admin(server, (a) => a.unsafe(`alter database ${name} owner to postgres`));
  const seconds = await generateInto(url, total, big);
  // Written last: a generation cut short is never mistaken for a finished one.
  await admin(server, (a) => a.unsafe(`comment on database ${name} is '${note}'`));
  return {
    url,
    reused: false,
    summary: `generated ${fmt(total)} messages (channel 0: ${fmt(big)}) in ${seconds} s, ` +
      `kept as ${name} for the next run (${where})`,
    close,
  };
}

export const bigChannelSize = (total: number) => Math.min(200_000, Math.floor(total / 5));

const fmt = (n: number) => n.toLocaleString("en");

async function admin<T>(url: string, fn: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    return await fn(sql);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** True when a migration the database was built with reads differently now (or is gone). */
async function migrationsChanged(url: string): Promise<boolean> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const applied = await sql<{ version: string; name: string; statements: string[] }[]>`
      select version, name, statements from supabase_migrations.schema_migrations`;
    for (const m of applied) {
      const text = await Deno.readTextFile(join(MIGRATIONS_DIR, `${m.version}_${m.name}.sql`))
        .catch(() => undefined);
      if (text === undefined) return true;
      if (JSON.stringify(splitStatements(text)) !== JSON.stringify(m.statements)) return true;
    }
    return false;
  } catch {
    return true; // not a migrated database
  } finally {
    await sql.end({ timeout: 5 });
  }
}

async function generateInto(url: string, total: number, big: number): Promise<number> {
  const db = postgres(url, { max: 1, onnotice: () => {} });
  const t0 = performance.now();
  try {
    await generate(db, total, big);
  } finally {
    await db.end({ timeout: 5 });
  }
  return Math.round((performance.now() - t0) / 1000);
}

/**
 * Fills the database: users and channels first (each user in 20 channels, user 0 also in
 * channel 0), then messages in chunks with the per-row triggers off (broadcasts, reply checks:
 * the benchmark measures reads) and the secondary indexes dropped and built again at the end,
 * as a bulk load does.
 */
export async function generate(db: postgres.Sql, total: number, big: number) {
  // Progress on stderr: at 10M rows this takes a while.
  const t0 = performance.now();
  const progress = (what: string) =>
    console.error(`  ${((performance.now() - t0) / 1000).toFixed(0).padStart(5)} s  ${what}`);
  await db.unsafe(`
    insert into auth.users (id, aud, role, email, raw_user_meta_data, created_at, updated_at)
    select md5('bench-user-' || n)::uuid, 'authenticated', 'authenticated', 'u' || n || '@bench.local',
      jsonb_build_object('username', 'user' || n), now(), now()
    from generate_series(0, 999) n;
    insert into public.channels (id, kind, name, created_by)
    select md5('bench-channel-' || n)::uuid, 'group', 'channel ' || n, md5('bench-user-' || n)::uuid
    from generate_series(0, 999) n;
    insert into public.channel_members (channel_id, user_id)
    select distinct md5('bench-channel-' || ((u * 37 + k * 101) % 1000))::uuid, md5('bench-user-' || u)::uuid
    from generate_series(0, 999) u, generate_series(0, 19) k
    on conflict do nothing;
    insert into public.channel_members (channel_id, user_id)
    values (md5('bench-channel-0')::uuid, md5('bench-user-0')::uuid) on conflict do nothing;
    create temporary table words (i int primary key, w text);
    create temporary table extras (i int primary key, w text);
  `);
  await db`insert into words select ordinality::int, w from unnest(${WORDS}::text[]) with ordinality as w`;
  await db`insert into extras select ordinality::int, w from unnest(${[
    ...CJK,
    ...CODE,
  ]}::text[]) with ordinality as w`;
  const nWords = WORDS.length;
  const nCjk = CJK.length;
  const nCode = CODE.length;
  const indexes = await db<{ name: string; def: string }[]>`
    select i.indexname as name, i.indexdef as def from pg_indexes i
    where i.schemaname = 'public' and i.tablename in ('messages', 'messages_archive')
      and not exists (select 1 from pg_constraint c where c.conname = i.indexname)`;
  const archived = Math.floor(total / 10);
  await db.begin(async (tx) => {
    await tx.unsafe("set local session_replication_role = replica");
    for (const i of indexes) await tx.unsafe(`drop index public.${i.name}`);
    const chunk = 100_000;
    for (let start = 0; start < total; start += chunk) {
      const n = Math.min(chunk, total - start);
      if (start % (10 * chunk) === 0) progress(`messages ${fmt(start)} of ${fmt(total)}`);
      // Ids are 1 + g (identity on an empty table), so a reply can name the message that came
      // just before it in the same channel: g - 1 in channel 0, g - 999 in the others.
      await tx.unsafe(`
        insert into public.messages (channel_id, sender_id, content, client_id, created_at,
          reply_to_id, mentions)
        select md5('bench-channel-' || c)::uuid, md5('bench-user-' || ((g * 7) % 1000))::uuid,
          (select string_agg(w.w, ' ') from generate_series(1, 6 + (g % 13)) k
             join words w on w.i = 1 + ((g * 2654435761 + k * 40503) % ${nWords}))
          || case when g % 100 = 11 then ' ' || (select e.w from extras e where e.i = 1 + (g / 100) % ${nCjk})
                  when g % 50 = 13 then ' ' || (select e.w from extras e
                    where e.i = ${nCjk} + 1 + (g / 50) % ${nCode})
                  else '' end,
          'b' || g, now() - make_interval(secs => ${total} - g),
          case when g % 20 = 3 and c = 0 and g >= 1 then g
               when g % 20 = 3 and c > 0 and g - 999 >= ${big} then g + 1 - 999 end,
          case when g % 50 = 7 then array[md5('bench-user-' || ((g / 50) % 20))::uuid]
               else '{}'::uuid[] end
        from (select g, case when g < ${big} then 0 else 1 + (g % 999) end as c
              from generate_series(${start}, ${start + n - 1}) g) s`);
    }
    progress("attachments, archive");
    await tx.unsafe(`
      insert into public.attachments (message_id, channel_id, uploaded_by, path, mime_type,
        size_bytes, width, height, sha256, created_at)
      select m.id, m.channel_id, m.sender_id, m.channel_id || '/' || m.sender_id || '/' || m.id || '.png',
        'image/png', 1000 + m.id % 5000, 640, 480, encode(sha256(m.id::text::bytea), 'hex'), m.created_at
      from public.messages m where m.id % 100 = 42`);
    // The search filters' flags, which triggers set on a live send (the replica role skips them).
    await tx.unsafe(`
      update public.messages set has_attachments = true
      where id in (select message_id from public.attachments);
      update public.messages set has_replies = true
      where id in (select reply_to_id from public.messages where reply_to_id is not null)`);
    // Archived as archive_messages_batch does it (reactions: none were made).
    await tx.unsafe(`
      insert into public.messages_archive (id, channel_id, sender_id, kind, content, reply_to_id,
        client_id, mentions, created_at, edited_at, deleted_at, deleted_by, moderation, sentiment,
        attachment_ids)
      select m.id, m.channel_id, m.sender_id, m.kind, m.content, m.reply_to_id, m.client_id,
        m.mentions, m.created_at, m.edited_at, m.deleted_at, m.deleted_by, m.moderation, m.sentiment,
        coalesce(array(select a.id from public.attachments a where a.message_id = m.id), '{}')
      from public.messages m where m.id > ${big} and m.id <= ${big + archived};
      update public.attachments set message_id = null
      where message_id > ${big} and message_id <= ${big + archived};
      delete from public.messages where id > ${big} and id <= ${big + archived};`);
  }).catch((e) => {
    throw new Error(`generating messages failed: ${e.message}`);
  });
  await db.unsafe("set maintenance_work_mem = '512MB'");
  for (const i of indexes) {
    progress(`index ${i.name}`);
    await db.unsafe(i.def);
  }
  progress("vacuum analyze");
  await db.unsafe("vacuum analyze public.messages");
  await db.unsafe("vacuum analyze public.messages_archive");
  await db.unsafe("analyze public.channel_members");
  await db.unsafe("analyze public.attachments");
}
