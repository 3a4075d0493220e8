-- Search at scale: answers while the user types, over millions of messages (issue 16).
--
-- What was measured (1,000,000 messages over 1,000 channels, a member of 20 of them, one of
-- which holds 200,000; `deno task bench messages`), and what it led to:
-- - Ranking every hit is what made a common word slow (6,000 hits in the member's channels,
--   30,000 in all): now only a bounded pool is ranked, the newest 300 hits.
-- - A GIN index on the tsvector alone finds the hits of every channel, which are then read
--   from the table only to be dropped: the cost grows with the whole database. A btree_gin
--   index on (channel_id, fts) did not help: each channel of `channel_id = any (…)` is a scan
--   of its own that decodes the word's posting list of all channels (0.2 to 1 ms a channel
--   at 1M rows; 20 channels: 9 to 13 ms). So the index is keyed by channel and word together:
--   each lexeme prefixed with its channel (`private.channel_lexemes`), and a search asks,
--   channel by channel (`@@ any (array of one tsquery per channel)`), for its words in the
--   caller's channels only: the cost follows the hits in those channels (a common word: 2 ms
--   in the index, 3 ms reading its 6,000 rows). One tsquery ORing every channel was slower
--   (GIN steps every entry for each item). The price: the index is 4.5 times the size of a
--   plain one (119 MB against 26 MB at 1M messages) and takes longer to build.
-- - For a very common word or a short prefix (a tenth of the messages and more), reading the
--   caller's newest messages until enough match is cheaper than any index; for a sender's
--   few messages, the sender's index: `search_hits` picks from the planner's estimates.
-- - Prefix search for search-as-you-type needs unstemmed words (the English stemmer turns
--   "runn" into "runn" and "running" into "run"), so the vector holds the `simple` words too,
--   and the query's last word is also a prefix.
-- - Japanese, Chinese, Korean, Thai, … do not separate words with spaces: the parser sees a
--   whole sentence as one word. The vector also holds the overlapping pairs of characters
--   (bigrams) of such runs, and a query's run becomes a phrase of its bigrams, so "東京" and
--   "タワー" find "東京タワーに行きました". Two characters are enough, unlike trigrams.
-- The trigram index and the ILIKE fallback are gone: words are found whole or by their start
-- ("runn" finds "running"), no longer from the middle ("unning" does not).
-- This migration rewrites messages and messages_archive (the vector's new definition) and
-- builds their indexes again: about a minute per million messages.

-- Characters of scripts written without spaces between words (and Hangul, whose words carry
-- endings): Thai, Lao, Myanmar, Hangul Jamo, Khmer, CJK iteration marks, Hiragana, Katakana,
-- Hangul compatibility Jamo, Katakana extensions, CJK ideographs (A, unified, compatibility),
-- Hangul syllables, halfwidth Katakana, and the supplementary ideographs.
create function private.unspaced_script_class() returns text
language sql immutable parallel safe
as $$
  select '[\u0e00-\u0eff\u1000-\u109f\u1100-\u11ff\u1780-\u17ff\u3005-\u3007\u3040-\u30ff'
    || '\u3130-\u318f\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff'
    || '\uff66-\uff9f\U00020000-\U0002fa1f]'
$$;

-- The bigrams of each run of such characters, then the run's last character alone (so that a
-- one-character query, a prefix, finds it at the end of a run too), separated by spaces.
-- '東京タワー' → '東京 京タ タワ ワー ー'.
create function private.search_ngrams(content text) returns text
language sql immutable parallel safe strict
as $$
  select case when content !~ private.unspaced_script_class() then '' else (
    select string_agg(case when i < char_length(r.run[1]) then substr(r.run[1], i, 2)
                           else substr(r.run[1], i, 1) end, ' ' order by r.n, i)
    from regexp_matches(content, private.unspaced_script_class() || '+', 'g')
      with ordinality as r(run, n),
      generate_series(1, char_length(r.run[1])) i
  ) end
$$;

-- A message's search vector: English stems (ranked words), `simple` words (prefixes, code and
-- names as written) and the bigrams above. Concatenated, so positions never run across parts.
create function private.search_vector(content text) returns tsvector
language sql immutable parallel safe strict
as $$
  select to_tsvector('english'::regconfig, content)
    || to_tsvector('simple'::regconfig, content)
    || to_tsvector('simple'::regconfig, private.search_ngrams(content))
$$;

-- The index's keys: every lexeme prefixed with the first 8 hex digits of its channel's id
-- (positions dropped). A rare clash of two channels' prefixes only adds candidates, which the
-- search drops by channel_id.
create function private.channel_lexemes(channel uuid, v tsvector) returns tsvector
language sql immutable parallel safe strict
as $$
  select array_to_tsvector(array(
    select left(channel::text, 8) || l from unnest(tsvector_to_array(v)) l))
$$;

-- The queries for that index, one per channel: the indexable part of `q` (negations dropped,
-- phrases as plain AND, since the index has no positions: the row's own vector checks them)
-- with the channel's prefix on every lexeme. Null when nothing in `q` can use the index.
create function private.channel_queries(q tsquery, channels uuid[]) returns tsquery[]
language sql immutable parallel safe
as $$
  select case when t is null or t = 'T' or t = '' then null else array(
    select regexp_replace(t, '''((?:[^'']|'''')*)''', '''' || left(c::text, 8) || '\1''',
      'g')::tsquery
    from unnest(channels) c
  ) end
  from (select regexp_replace(querytree(q), '<(-|\d+)>', '&', 'g') as t) x
$$;

-- The user's words as a tsquery: English stems OR `simple` words, with the last word also a
-- prefix (search as you type); NOT the words to leave out (-word), in either form; AND, for
-- each run of an unspaced script, the phrase of its bigrams (one character: a prefix).
-- websearch_to_tsquery's syntax otherwise ("phrase", or).
-- (client_min_messages: websearch_to_tsquery's notices about stop words are not for the user.)
create function private.search_query(p_query text) returns tsquery
language plpgsql immutable parallel safe set search_path = '' set client_min_messages = warning
as $$
declare
  words text := regexp_replace(coalesce(p_query, ''), private.unspaced_script_class() || '+', ' ', 'g');
  minus text := '(^|\s)-("[^"]*"?|\S+)';
  pos text := regexp_replace(words, minus, ' ', 'g');
  neg text := (select string_agg(m[2], ' or ') from regexp_matches(words, minus, 'g') m);
  en tsquery := websearch_to_tsquery('english'::regconfig, pos);
  si tsquery := websearch_to_tsquery('simple'::regconfig, pos);
  q tsquery;
  run text;
  grams text[];
begin
  -- The last word is a prefix when the query ends with it (not with a quote or an operator).
  if numnode(si) > 0 and pos ~ '[[:alnum:]_]$' and si::text ~ '''$' then
    si := (si::text || ':*')::tsquery;
  end if;
  q := case when numnode(en) = 0 then si when numnode(si) = 0 then en else en || si end;
  if neg is not null then
    q := q && !! (websearch_to_tsquery('english'::regconfig, neg)
                  || websearch_to_tsquery('simple'::regconfig, neg));
  end if;
  for run in
    select r[1] from regexp_matches(coalesce(p_query, ''), private.unspaced_script_class() || '+', 'g') r
  loop
    if char_length(run) = 1 then
      grams := array[quote_literal(run) || ':*'];
    else
      grams := array(select quote_literal(substr(run, i, 2))
                     from generate_series(1, char_length(run) - 1) i order by i);
    end if;
    q := case when numnode(q) = 0 then array_to_string(grams, ' <-> ')::tsquery
              else q && array_to_string(grams, ' <-> ')::tsquery end;
  end loop;
  return q;
end
$$;

grant execute on function private.unspaced_script_class(), private.search_ngrams(text),
  private.search_vector(text), private.channel_lexemes(uuid, tsvector),
  private.channel_queries(tsquery, uuid[]), private.search_query(text)
  to authenticated, chat_api, service_role;

-- The vectors again, with the new definition (the columns are rebuilt: a table rewrite).
drop index if exists public.messages_content_trgm_idx;
alter table public.messages drop column fts;
alter table public.messages add column fts tsvector
  generated always as (private.search_vector(content)) stored;
create index messages_search_idx on public.messages
  using gin (private.channel_lexemes(channel_id, fts));
alter table public.messages_archive drop column fts;
alter table public.messages_archive add column fts tsvector
  generated always as (private.search_vector(content)) stored;
create index messages_archive_search_idx on public.messages_archive
  using gin (private.channel_lexemes(channel_id, fts));

-- "In a thread": replies, and messages that have replies.
create index messages_reply_to_idx on public.messages (reply_to_id) where reply_to_id is not null;
create index messages_archive_reply_to_idx on public.messages_archive (reply_to_id)
  where reply_to_id is not null;

drop function public.search_messages(text, uuid, uuid, timestamptz, timestamptz, int, real,
  bigint, boolean);
drop function private.search_hits(tsquery, text, uuid, uuid, timestamptz, timestamptz, int,
  real, bigint, boolean);
drop function private.contains_pattern(text);

-- The search's heavy part: finding the hits and ranking them. Security definer, because under
-- RLS Postgres may not use the index (`@@` is not leakproof, so it would be evaluated after the
-- policy, row by row); it restricts itself to the caller's own channels and returns only ids
-- and scores, and public.search_messages reads the rows as the caller.
--
-- The candidates are the newest hits: `p_limit` of them after the cursor for sort 'recent',
-- the newest 300 for 'relevance', ranked by ts_rank_cd (ties: newest first). Three ways to
-- find them, whichever the planner's estimates make cheapest:
-- - the index keyed by channel and word, then the newest of those hits by id (cost: about
--   1 µs a hit in the caller's channels);
-- - a sender's messages, when a few times fewer than the hits;
-- - the caller's newest messages, newest first, until enough match (cost: about pool / share
--   rows, each a few µs): for very common words and short prefixes. If the window read was
--   too small, the index after all.
-- The statements are static, so the session keeps their plans; the filters not asked for
-- cost a test of a parameter each.
create function private.search_hits(
  p_query tsquery,
  p_channel_id uuid,
  p_sender_id uuid,
  p_after timestamptz,
  p_before timestamptz,
  p_has_attachment boolean,
  p_in_thread boolean,
  p_mentions_me boolean,
  p_sort text,
  p_limit int,
  p_cursor_score real,
  p_cursor_id bigint,
  p_include_archive boolean
)
returns table (id bigint, archived boolean, score real)
-- Volatile only because it asks the planner (EXPLAIN); it writes nothing. No parallel workers
-- (starting them costs more than these queries take) and no sequential scans (the estimates
-- of `@@ any (…)` are far too high; an index is always there).
language plpgsql volatile security definer set search_path = ''
set max_parallel_workers_per_gather = 0 set enable_seqscan = off
as $fn$
declare
  v_channels uuid[];
  v_keys tsquery[];
  v_me uuid := private.caller_id();
  v_recent boolean := p_sort = 'recent';
  v_below bigint := case when p_sort = 'recent' then p_cursor_id end;
  v_limit int := least(greatest(coalesce(p_limit, 20), 1), 50);
  v_pool int;
  v_check boolean;
  v_plan json;
  v_total float8;
  v_share float8;
  v_mine float8;
  v_sender float8;
  v_window int;
  v_ids bigint[];
  v_vecs tsvector[];
  v_arch_ids bigint[] := '{}';
  v_arch_vecs tsvector[] := '{}';
begin
  if p_sort is not null and p_sort not in ('recent', 'relevance') then
    raise exception 'sort must be recent or relevance' using errcode = '22023';
  end if;
  select array_agg(c) into v_channels
  from private.my_channel_ids() c
  where p_channel_id is null or c = p_channel_id;
  if v_channels is null or p_query is null or numnode(p_query) = 0 then
    return;
  end if;
  v_keys := private.channel_queries(p_query, v_channels);
  if v_keys is null then
    return; -- only words to leave out: nothing to look for
  end if;
  v_pool := case when v_recent then v_limit else 300 end;
  -- The index has no positions and leaves negations out: then the row's vector decides.
  v_check := p_query::text ~ '<(-|\d+)>|!';

  -- The planner's estimates: the share of messages that match; a sender's messages; all the
  -- messages in the caller's channels. Newest first costs about pool / share rows at a
  -- few µs (random reads), the index about share * mine hits at 1 µs: newest first when
  -- (share * mine)^2 > 8 * pool * mine, which needs share^2 * mine > 8 * pool.
  execute 'explain (format json) select 1 from public.messages m where m.fts @@ $1'
    into v_plan using p_query;
  select greatest(c.reltuples, 1) into v_total
  from pg_catalog.pg_class c where c.oid = 'public.messages'::regclass;
  v_share := (v_plan -> 0 -> 'Plan' ->> 'Plan Rows')::float8 / v_total;
  if p_sender_id is not null then
    execute 'explain (format json) select 1 from public.messages m where m.sender_id = $1'
      into v_plan using p_sender_id;
    v_sender := (v_plan -> 0 -> 'Plan' ->> 'Plan Rows')::float8;
  end if;
  if v_share * v_share * v_total > 8 * v_pool then
    execute 'explain (format json) select 1 from public.messages m where m.channel_id = any ($1)'
      into v_plan using v_channels;
    v_mine := (v_plan -> 0 -> 'Plan' ->> 'Plan Rows')::float8;
  end if;

  -- The sender's messages (in every channel, read at random) against the hits (read in
  -- order): the sender's way when 4 times fewer.
  if 4 * v_sender < v_share * coalesce(v_mine, v_total) then
    -- (OFFSET 0: the sender's index and nothing else, whatever the plan kept for the session.)
    select array_agg(h.id order by h.id desc), array_agg(h.fts order by h.id desc)
    into v_ids, v_vecs
    from (select m.id, m.fts
      from (select x.id, x.channel_id, x.created_at, x.mentions, x.reply_to_id, x.fts,
              x.deleted_at
            from public.messages x where x.sender_id = p_sender_id offset 0) m
      where m.channel_id = any (v_channels) and m.fts @@ p_query and m.deleted_at is null
        and (p_after is null or m.created_at >= p_after)
        and (p_before is null or m.created_at < p_before)
        and (not p_mentions_me or v_me = any (m.mentions))
        and (v_below is null or m.id < v_below)
        and (not p_has_attachment
             or exists (select 1 from public.attachments f where f.message_id = m.id))
        and (not p_in_thread or m.reply_to_id is not null
             or exists (select 1 from public.messages r where r.reply_to_id = m.id))
      order by m.id desc limit v_pool) h;
  elsif v_share * v_share * v_mine > 8 * v_pool and p_after is null and p_before is null
        and not (p_mentions_me or p_has_attachment or p_in_thread) then
    -- (Not with a filter: it may keep so few rows that no window is large enough.)
    v_window := least(greatest(ceil(2 * v_pool / v_share), v_pool), 50000)::int;
    -- The caller's newest `window` messages (each channel's newest, from the index alone),
    -- then the newest `pool` of them that match.
    select array_agg(h.id order by h.id desc), array_agg(h.fts order by h.id desc)
    into v_ids, v_vecs
    from (select m.id, m.fts
      from (select w.id from unnest(v_channels) c(id),
              lateral (select x.id from public.messages x
                       where x.channel_id = c.id and (v_below is null or x.id < v_below)
                       order by x.id desc limit v_window) w
            order by w.id desc limit v_window) n
      join public.messages m on m.id = n.id
      where m.fts @@ p_query and m.deleted_at is null
        and (p_sender_id is null or m.sender_id = p_sender_id)
      order by m.id desc limit v_pool) h;
    if coalesce(cardinality(v_ids), 0) < v_pool then
      v_ids := null;
    end if;
  end if;
  -- The index, one small scan per channel, and nothing else: OFFSET 0 keeps every other test
  -- out of the scan, where the planner would join on them (a bitmap of every message of the
  -- caller's channels, or every attachment's message tested against the index expression),
  -- and keeps it from walking the primary key newest first (it cannot know that the caller's
  -- channels may be a small, old part of the table). The channel test also drops rows of
  -- other channels whose ids start with the same 8 hex digits.
  if v_ids is null then
    select array_agg(h.id order by h.id desc), array_agg(h.fts order by h.id desc)
    into v_ids, v_vecs
    from (select m.id, m.fts
      from (select x.id, x.channel_id, x.sender_id, x.created_at, x.mentions, x.reply_to_id,
              x.fts, x.deleted_at
            from public.messages x
            where private.channel_lexemes(x.channel_id, x.fts) @@ any (v_keys)
            offset 0) m
      where m.channel_id = any (v_channels) and m.deleted_at is null
        and (not v_check or m.fts @@ p_query)
        and (p_sender_id is null or m.sender_id = p_sender_id)
        and (p_after is null or m.created_at >= p_after)
        and (p_before is null or m.created_at < p_before)
        and (not p_mentions_me or v_me = any (m.mentions))
        and (v_below is null or m.id < v_below)
        and (not p_has_attachment
             or exists (select 1 from public.attachments f where f.message_id = m.id))
        and (not p_in_thread or m.reply_to_id is not null
             or exists (select 1 from public.messages r where r.reply_to_id = m.id))
      order by m.id desc limit v_pool) h;
  end if;
  if p_include_archive then
    select coalesce(array_agg(h.id order by h.id desc), '{}'),
      coalesce(array_agg(h.fts order by h.id desc), '{}')
    into v_arch_ids, v_arch_vecs
    from (select m.id, m.fts
      from (select x.id, x.channel_id, x.sender_id, x.created_at, x.mentions, x.reply_to_id,
              x.attachment_ids, x.fts, x.deleted_at
            from public.messages_archive x
            where private.channel_lexemes(x.channel_id, x.fts) @@ any (v_keys)
            offset 0) m
      where m.channel_id = any (v_channels) and m.deleted_at is null
        and (not v_check or m.fts @@ p_query)
        and (p_sender_id is null or m.sender_id = p_sender_id)
        and (p_after is null or m.created_at >= p_after)
        and (p_before is null or m.created_at < p_before)
        and (not p_mentions_me or v_me = any (m.mentions))
        and (v_below is null or m.id < v_below)
        and (not p_has_attachment or cardinality(m.attachment_ids) > 0)
        and (not p_in_thread or m.reply_to_id is not null
             or exists (select 1 from public.messages r where r.reply_to_id = m.id)
             or exists (select 1 from public.messages_archive r where r.reply_to_id = m.id))
      order by m.id desc limit v_pool) h;
  end if;

  -- The pool, the newest `pool` candidates of both tables (with their vectors, read on the way),
  -- ranked; then the page.
  return query
    select s.id, s.archived, s.score
    from (select p.id, p.archived, ts_rank_cd(p.fts, p_query, 32)::real as score
          from (select u.id, false as archived, u.fts from unnest(v_ids, v_vecs) u(id, fts)
                union all
                select u.id, true, u.fts from unnest(v_arch_ids, v_arch_vecs) u(id, fts)
                order by 1 desc limit v_pool) p) s
    where v_recent or p_cursor_score is null or (s.score, s.id) < (p_cursor_score, p_cursor_id)
    order by case when v_recent then null else s.score end desc nulls last, s.id desc
    limit v_limit;
end
$fn$;
revoke all on function private.search_hits(tsquery, uuid, uuid, timestamptz, timestamptz,
  boolean, boolean, boolean, text, int, real, bigint, boolean) from public;
grant execute on function private.search_hits(tsquery, uuid, uuid, timestamptz, timestamptz,
  boolean, boolean, boolean, text, int, real, bigint, boolean)
  to authenticated, chat_api, service_role;

-- The snippet of a hit: up to two fragments with the query's words marked U+0002 … U+0003
-- (every lexeme taken as a prefix, under `simple`, so that a stem or a typed prefix marks the
-- word as written). With runs of an unspaced script in the query: the text around the first
-- of them, with the runs and the words marked.
create function private.search_snippet(content text, words tsquery, runs text[]) returns text
language plpgsql immutable parallel safe set search_path = ''
as $$
declare
  marks tsquery := case when numnode(words) > 0 then regexp_replace(words::text,
    '''((?:[^'']|'''')*)''(?!:)', '''\1'':*', 'g')::tsquery end;
  opts text := 'StartSel=' || chr(2) || ', StopSel=' || chr(3);
  at int;
  s text;
  run text;
begin
  if coalesce(cardinality(runs), 0) = 0 then
    return ts_headline('simple'::regconfig, content, marks,
      opts || ', MaxWords=30, MinWords=10, MaxFragments=2, FragmentDelimiter=" … "');
  end if;
  at := greatest(strpos(content, runs[1]) - 60, 1);
  s := substr(content, at, 200);
  if at > 1 then
    s := regexp_replace(s, '^\S{0,20}\s+', ''); -- no word cut in half
  end if;
  if marks is not null then
    s := ts_headline('simple'::regconfig, s, marks, opts || ', HighlightAll=true');
  end if;
  foreach run in array runs loop
    s := replace(s, run, chr(2) || run || chr(3));
  end loop;
  return case when at > 1 then '… ' else '' end || s
    || case when char_length(content) >= at + 200 then ' …' else '' end;
end
$$;
grant execute on function private.search_snippet(text, tsquery, text[])
  to authenticated, chat_api, service_role;

-- Search over the caller's channels (see search_hits), with filters: sender, date range,
-- messages with attachments, messages in a thread (replies and messages replied to), messages
-- that mention the caller, and the archive on request. Sort 'relevance' (ts_rank_cd over the
-- newest 300 hits; cursor: the last row's score and id) or 'recent' (newest first; cursor: the
-- last row's id). Snippets mark hits with U+0002 … U+0003 (characters the API strips from
-- messages), never HTML. The rows are read here, as the caller, so RLS judges every hit.
create function public.search_messages(
  p_query text,
  p_channel_id uuid default null,
  p_sender_id uuid default null,
  p_after timestamptz default null,
  p_before timestamptz default null,
  p_limit int default 20,
  p_cursor_score real default null,
  p_cursor_id bigint default null,
  p_include_archive boolean default false,
  p_has_attachment boolean default false,
  p_in_thread boolean default false,
  p_mentions_me boolean default false,
  p_sort text default 'relevance'
)
returns table (
  id bigint,
  channel_id uuid,
  sender_id uuid,
  created_at timestamptz,
  archived boolean,
  score real,
  snippet text
)
language plpgsql volatile security invoker set search_path = ''
as $$
begin
  return query
  with q as (
    select private.search_query(p_query) as tsq,
      -- For the snippet: the words alone, and the runs of unspaced scripts as typed.
      private.search_query(regexp_replace(coalesce(p_query, ''),
        private.unspaced_script_class() || '+', ' ', 'g')) as words,
      array(select r[1] from regexp_matches(coalesce(p_query, ''),
        private.unspaced_script_class() || '+', 'g') r) as runs
  ),
  hits as (
    select h.* from q, private.search_hits(q.tsq, p_channel_id, p_sender_id, p_after, p_before,
      coalesce(p_has_attachment, false), coalesce(p_in_thread, false),
      coalesce(p_mentions_me, false), coalesce(p_sort, 'relevance'), p_limit, p_cursor_score,
      p_cursor_id, coalesce(p_include_archive, false)) h
  ),
  rows as (
    select m.id, m.channel_id, m.sender_id, m.created_at, m.content
    from public.messages m where m.id in (select h.id from hits h where not h.archived)
    union all
    select a.id, a.channel_id, a.sender_id, a.created_at, a.content
    from public.messages_archive a where a.id in (select h.id from hits h where h.archived)
  )
  select r.id, r.channel_id, r.sender_id, r.created_at, h.archived, h.score,
    private.search_snippet(r.content, q.words, q.runs)
  from rows r join hits h on h.id = r.id, q
  order by case when p_sort = 'recent' then null else h.score end desc nulls last, r.id desc;
end
$$;

revoke all on function public.search_messages(text, uuid, uuid, timestamptz, timestamptz, int,
  real, bigint, boolean, boolean, boolean, boolean, text) from public, anon;
grant execute on function public.search_messages(text, uuid, uuid, timestamptz, timestamptz, int,
  real, bigint, boolean, boolean, boolean, boolean, text) to authenticated, chat_api, service_role;
