-- History and search fast enough at a million messages (issue 16), measured with
-- `BENCH_MESSAGES=1000000 deno task bench messages` (a member of 20 channels with RLS on; the
-- figures and commands are in the issue's note).
--
-- History. A page of 50 spent 1.2 of its 1.5 ms in RLS: the policies of messages, reactions,
-- attachments, threads and previews each look up the caller's channels and roles again, and
-- the moderator policy's functions were planned anew in every statement. A member's page is
-- now read with the owner's rights once membership is checked (private.member_channel_page),
-- and the rows hanging off a message are looked for once per page, not once per row: 0.4 ms.
-- Anyone else (a moderator outside the channel, the service role) reads as before, through
-- RLS.
--
-- Search. The channel-keyed word index (20251124006300) found a word's hits in the caller's
-- channels, but then read every one of them from the table to keep the newest 300: a common
-- word (6,000 hits in the member's channels) cost 10 to 15 ms, a filter that few hits pass
-- (in a thread, with a file) more, and a prefix (every query's last word) first gathered the
-- hits of every word it begins. The index keys (private.search_keys) now also hold, per
-- channel:
-- - the first one to four characters of each word (`P…`): a prefix is one key (and its first
--   four characters for a longer one, with the row's vector checking the rest);
-- - blocks of ids at six sizes (`T…`, 8,192 to 8 million ids): the newest hits are asked for
--   range by range, newest first, each range as wide as the hits still needed call for
--   (estimated from each channel's oldest and newest ids and size, corrected by the rate found),
--   so a common word reads about as many rows as it keeps;
-- - blocks of time at six sizes (`D…`, 18 hours to 2 years): a date range is a few keys;
-- - the sender (`S…`) and the people mentioned (`M…`): those filters are keys too.
-- The index is about 3 times the size of the old one (330 MB against 110 MB at 1M messages)
-- and takes about 2 minutes per million messages to build, here, once.
-- Also: a filter for files reads the caller's messages with files when they are fewer than the
-- hits; "in a thread" looks for replies and roots for a range's hits at once; and (the pending
-- change of issue 14) "in a thread" means threads' roots and replies too.

-- History ---------------------------------------------------------------------------------------

-- A page's rows for a member of its channel, read with the owner's rights: every message of a
-- channel the caller belongs to is theirs to read, and so are the rows hanging off it
-- (reactions, attachments, thread summary, link preview and the quoted message all carry the
-- message's channel; profiles are readable by any active caller), so nothing is left for RLS
-- to judge row by row. Its policies cost more than the page itself (the caller's channels and
-- roles looked up again in each of seven subqueries), 1.2 ms of 1.5 ms at 1M messages.
-- Reactions, attachments, thread summaries and previews are each looked for once for the whole
-- page (one index probe with every id), and per row only where there is one.
-- Never granted: only the functions below, which check membership first, call it.
create function private.member_message_views(ids bigint[]) returns setof public.message_view
language plpgsql stable security definer set search_path = ''
as $$
declare
  me uuid := auth.uid();
  reacted bigint[] := array(select distinct r.message_id from public.message_reactions r
                            where r.message_id = any (ids));
  attached bigint[] := array(select distinct a.message_id from public.attachments a
                             where a.message_id = any (ids));
  threads bigint[] := array(select t.root_id from public.message_threads t
                            where t.root_id = any (ids));
  previews bigint[] := array(select lp.message_id from public.link_previews lp
                             where lp.message_id = any (ids));
begin
  return query
  select m.id, m.channel_id, m.sender_id, m.kind, m.content, m.reply_to_id, m.client_id,
    m.mentions, m.created_at, m.edited_at, m.deleted_at, m.moderation, m.sentiment,
    (select jsonb_build_object('id', p.id, 'username', p.username, 'display_name', p.display_name,
       'avatar_path', p.avatar_path, 'deactivated', p.deactivated_at is not null)
     from public.profiles p where p.id = m.sender_id),
    case when m.reply_to_id is not null then
      (select jsonb_build_object('id', q.id, 'sender_id', q.sender_id,
         'content', left(q.content, 200), 'deleted', q.deleted_at is not null)
       from public.messages q where q.id = m.reply_to_id) end,
    case when m.id = any (reacted) then
      coalesce((select jsonb_agg(jsonb_build_object('emoji', r.emoji, 'count', r.n,
         'user_ids', r.users, 'mine', me = any (r.users)) order by r.first)
       from (select mr.emoji, count(*) as n, array_agg(mr.user_id order by mr.created_at) as users,
               min(mr.created_at) as first
             from public.message_reactions mr where mr.message_id = m.id group by mr.emoji) r),
       '[]')
    else '[]' end,
    case when m.id = any (attached) then
      coalesce((select jsonb_agg(jsonb_build_object('id', a.id, 'path', a.path,
         'mime_type', a.mime_type, 'size_bytes', a.size_bytes, 'width', a.width,
         'height', a.height, 'duration_ms', a.duration_ms, 'thumb_path', a.thumb_path)
         order by a.created_at)
       from public.attachments a where a.message_id = m.id), '[]')
    else '[]' end,
    m.thread_root_id, m.also_in_channel,
    case when m.id = any (threads) then
      (select jsonb_build_object('reply_count', t.reply_count, 'last_reply_id', t.last_reply_id,
         'last_reply_at', private.iso_time(t.last_reply_at), 'repliers', to_jsonb(t.repliers))
       from public.message_threads t where t.root_id = m.id and t.reply_count > 0) end,
    -- A watermark exists only in a thread: for a root (it has a summary) or a reply.
    case when m.thread_root_id is not null or m.id = any (threads) then
      (select tr.last_read_id from public.thread_reads tr
       where tr.root_id = coalesce(m.thread_root_id, m.id) and tr.user_id = me) end,
    case when m.id = any (previews) then
      (select jsonb_build_object('url', lp.url, 'title', lp.title, 'description', lp.description,
         'site_name', lp.site_name, 'image_path', lp.image_path, 'image_width', lp.image_width,
         'image_height', lp.image_height, 'hidden', lp.hidden)
       from public.link_previews lp
       where lp.message_id = m.id and m.deleted_at is null and strpos(m.content, lp.url) > 0) end
  from public.messages m
  where m.id = any (ids)
  order by m.id desc;
end
$$;
revoke all on function private.member_message_views(bigint[]) from public;

-- The pages of public.channel_messages for a member of the channel (nothing for anyone else).
-- Generic plans: a custom plan for an old channel's id would walk the primary key from the
-- newest message of all (the planner takes the channel's rows as spread evenly over the
-- table), where the channel's own index gives its newest 50 at once.
create function private.member_channel_page(
  p_channel_id uuid,
  p_before bigint,
  p_after bigint,
  p_limit int
) returns setof public.message_view
language plpgsql stable security definer set search_path = ''
set plan_cache_mode = force_generic_plan
as $$
declare
  n int := least(greatest(coalesce(p_limit, 50), 1), 100);
  ids bigint[];
begin
  if not private.is_member(p_channel_id) then
    return;
  end if;
  if p_after is not null then
    ids := array(select m.id from public.messages m
      where m.channel_id = p_channel_id and m.id > p_after
        and (p_before is null or m.id < p_before)
        and (m.thread_root_id is null or m.also_in_channel)
      order by m.id asc limit n);
  elsif p_before is not null then
    ids := array(select m.id from public.messages m
      where m.channel_id = p_channel_id and m.id < p_before
        and (m.thread_root_id is null or m.also_in_channel)
      order by m.id desc limit n);
  else
    ids := array(select m.id from public.messages m
      where m.channel_id = p_channel_id
        and (m.thread_root_id is null or m.also_in_channel)
      order by m.id desc limit n);
  end if;
  return query select v.* from private.member_message_views(ids) v;
end
$$;
revoke all on function private.member_channel_page(uuid, bigint, bigint, int) from public;
grant execute on function private.member_channel_page(uuid, bigint, bigint, int)
  to authenticated, chat_api, service_role;

-- The page around a message for a member (see public.channel_messages_around).
create function private.member_channel_around(
  p_channel_id uuid,
  p_message_id bigint,
  p_limit int
) returns setof public.message_view
language plpgsql stable security definer set search_path = ''
set plan_cache_mode = force_generic_plan
as $$
declare
  n int := least(greatest(coalesce(p_limit, 50), 1), 100);
begin
  if not private.is_member(p_channel_id) or not exists (
    select 1 from public.messages m where m.channel_id = p_channel_id and m.id = p_message_id
  ) then
    return;
  end if;
  return query select v.* from private.member_message_views(array[p_message_id]
    || array(select m.id from public.messages m
             where m.channel_id = p_channel_id and m.id < p_message_id
               and (m.thread_root_id is null or m.also_in_channel)
             order by m.id desc limit n / 2)
    || array(select m.id from public.messages m
             where m.channel_id = p_channel_id and m.id > p_message_id
               and (m.thread_root_id is null or m.also_in_channel)
             order by m.id asc limit n - 1 - n / 2)) v;
end
$$;
revoke all on function private.member_channel_around(uuid, bigint, int) from public;
grant execute on function private.member_channel_around(uuid, bigint, int)
  to authenticated, chat_api, service_role;

-- Same signature, rows and order as before (20251124005800): a member's page from the
-- functions above; anyone else's (a moderator outside the channel sees its reported messages,
-- the service role everything, a stranger nothing) as before, through RLS. A member's empty
-- page takes that way too, and finds nothing there either.
create or replace function public.channel_messages(
  p_channel_id uuid,
  p_before bigint default null,
  p_after bigint default null,
  p_limit int default 50
) returns setof public.message_view
language plpgsql stable security invoker set search_path = ''
as $$
declare
  n int := least(greatest(coalesce(p_limit, 50), 1), 100);
begin
  return query select v.* from private.member_channel_page(p_channel_id, p_before, p_after, n) v;
  if found then
    return;
  end if;
  if p_after is not null then
    return query select v.* from public.message_views(array(
      select m.id from public.messages m
      where m.channel_id = p_channel_id and m.id > p_after
        and (p_before is null or m.id < p_before)
        and (m.thread_root_id is null or m.also_in_channel)
      order by m.id asc limit n)) v;
  elsif p_before is not null then
    return query select v.* from public.message_views(array(
      select m.id from public.messages m
      where m.channel_id = p_channel_id and m.id < p_before
        and (m.thread_root_id is null or m.also_in_channel)
      order by m.id desc limit n)) v;
  else
    return query select v.* from public.message_views(array(
      select m.id from public.messages m
      where m.channel_id = p_channel_id
        and (m.thread_root_id is null or m.also_in_channel)
      order by m.id desc limit n)) v;
  end if;
end
$$;

-- Now PL/pgSQL (was inlinable SQL), with the same split as public.channel_messages.
create or replace function public.channel_messages_around(
  p_channel_id uuid,
  p_message_id bigint,
  p_limit int default 50
) returns setof public.message_view
language plpgsql stable security invoker set search_path = ''
as $$
declare
  n int := least(greatest(coalesce(p_limit, 50), 1), 100);
begin
  return query select v.* from private.member_channel_around(p_channel_id, p_message_id, n) v;
  if found then
    return;
  end if;
  return query select v.* from public.message_views(array(
    with target as (
      select m.id from public.messages m
      where m.channel_id = p_channel_id and m.id = p_message_id
    )
    select page.id from (
      (select t.id from target t)
      union all
      (select m.id from public.messages m
        where exists (select 1 from target) and m.channel_id = p_channel_id
          and m.id < p_message_id and (m.thread_root_id is null or m.also_in_channel)
        order by m.id desc
        limit n / 2)
      union all
      (select m.id from public.messages m
        where exists (select 1 from target) and m.channel_id = p_channel_id
          and m.id > p_message_id and (m.thread_root_id is null or m.also_in_channel)
        order by m.id asc
        limit n - 1 - n / 2)
    ) page
  )) v;
end
$$;

-- Search -----------------------------------------------------------------------------------------

-- The index's keys of a message (see the header). Every key starts with the first 8 hex digits
-- of the channel's id (a rare clash of two channels only adds candidates, which the search
-- drops by channel_id); the tags after it are capitals, which no lexeme has (both
-- configurations lower-case). A deleted message (no text) has no keys.
create function private.search_keys(channel uuid, id bigint, at timestamptz, sender uuid,
  mentions uuid[], v tsvector) returns tsvector
language sql immutable parallel safe
as $$
  select array_to_tsvector(array(
    select left(channel::text, 8) || k from (
      select l as k from unnest(tsvector_to_array(v)) l
      union all
      select 'P' || left(l, n) from unnest(tsvector_to_array(v)) l, generate_series(1, 4) n
      where char_length(l) >= n
      union all
      select 'T' || s || '.' || (id >> s) from unnest(array[13, 15, 17, 19, 21, 23]) s
      union all
      select 'D' || s || '.' || (floor(extract(epoch from at))::bigint >> s)
      from unnest(array[16, 18, 20, 22, 24, 26]) s
      union all
      select 'S' || left(sender::text, 8) where sender is not null
      union all
      select 'M' || left(u::text, 8) from unnest(mentions) u) x
    where length(v) > 0))
$$;

drop index public.messages_search_idx;
create index messages_search_idx on public.messages using gin (private.search_keys(channel_id, id,
  created_at, sender_id, mentions, fts));
drop index public.messages_archive_search_idx;
create index messages_archive_search_idx on public.messages_archive using gin (
  private.search_keys(channel_id, id, created_at, sender_id, mentions, fts));

-- The queries for that index, one per channel: the indexable part of `q` (negations dropped,
-- phrases as plain AND: the row's vector checks them), every lexeme with the channel's prefix,
-- and a prefix as its `P` key (its first four characters when longer). Null when nothing in `q`
-- can use the index.
create or replace function private.channel_queries(q tsquery, channels uuid[]) returns tsquery[]
language sql immutable parallel safe
as $$
  select case when t is null or t = 'T' or t = '' then null else array(
    select replace(t, chr(1), left(c::text, 8))::tsquery from unnest(channels) c) end
  from (select regexp_replace(regexp_replace(regexp_replace(querytree(q), '<(-|\d+)>', '&', 'g'),
          '''((?:[^'']|'''')*)''', '''' || chr(1) || '\1''', 'g'),
          '''' || chr(1) || '((?:[^'']|''''){1,4})(?:[^'']|'''')*'':\*',
          '''' || chr(1) || 'P\1''', 'g') as t) x
$$;

-- The keys of the blocks that cover [lo, hi) (in units of 2^base), the largest first: blocks of
-- 1, 4, 16, … 1024 units, tagged `<tag><bits>.<n>`.
create function private.search_range_terms(tag text, base int, lo bigint, hi bigint)
returns text[]
language plpgsql immutable parallel safe set search_path = ''
as $$
declare
  terms text[] := '{}';
  p bigint := lo;
  k int;
begin
  while p < hi loop
    k := 5;
    while k > 0 and (p % (1::bigint << (2 * k)) <> 0 or p + (1::bigint << (2 * k)) > hi) loop
      k := k - 1;
    end loop;
    terms := terms || (tag || (base + 2 * k) || '.' || (p >> (2 * k)));
    p := p + (1::bigint << (2 * k));
  end loop;
  return terms;
end
$$;

-- Each channel's query AND one of `terms` (with the channel's prefix); no terms: nothing.
create function private.search_and_terms(queries tsquery[], channels uuid[], terms text[])
returns tsquery[]
language sql immutable parallel safe
as $$
  select array(
    select k && replace(x.t, chr(1), left(c::text, 8))::tsquery
    from unnest(queries, channels) u(k, c))
  from (select '(' || coalesce(string_agg(quote_literal(chr(1) || t), ' | '),
          quote_literal(chr(1) || 'X')) || ')' as t from unnest(terms) t) x
$$;

-- How many of the channels' rows have ids in [lo, hi), each channel's `counts` rows taken as
-- spread evenly between its oldest and newest id.
create function private.search_expected(lo bigint, hi bigint, mins bigint[], maxs bigint[],
  counts float8[]) returns float8
language sql immutable parallel safe
as $$
  select coalesce(sum(n * greatest(0, least(hi, mx + 1) - greatest(lo, mn))::float8
                      / (mx + 1 - mn)), 0)
  from unnest(mins, maxs, counts) u(mn, mx, n)
$$;

grant execute on function private.search_keys(uuid, bigint, timestamptz, uuid, uuid[], tsvector),
  private.search_range_terms(text, int, bigint, bigint),
  private.search_and_terms(tsquery[], uuid[], text[]),
  private.search_expected(bigint, bigint, bigint[], bigint[], float8[])
  to authenticated, chat_api, service_role;

-- The search's heavy part, as in 20251124006300 (same arguments and results: the ids and
-- scores of the newest 300 hits ranked, or of the newest first for sort 'recent'), found
-- through the keys above. Three ways, whichever the planner's estimates make cheapest: the
-- caller's messages with files (has=attachment, when fewer than the hits); all the hits at
-- once (few of them); or newest first, range by range.
create or replace function private.search_hits(
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
language plpgsql volatile security definer set search_path = ''
set max_parallel_workers_per_gather = 0 set enable_seqscan = off
as $fn$
declare
  v_channels uuid[];
  v_base tsquery[];
  v_keys tsquery[];
  v_step tsquery[];
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
  v_hits float8;
  v_files float8;
  v_lo bigint;
  v_hi bigint;
  v_mcv uuid[];
  v_freqs real[];
  v_distinct float8;
  v_rest float8;
  v_cmin bigint[];
  v_cmax bigint[];
  v_cn float8[];
  v_ratio float8 := 1;
  v_expected float8 := 0;
  v_target float8;
  v_steps int := 0;
  v_a bigint;
  v_b bigint;
  v_ids bigint[] := '{}';
  v_vecs tsvector[] := '{}';
  v_step_ids bigint[];
  v_step_vecs tsvector[];
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
  if p_mentions_me then
    v_keys := private.search_and_terms(v_keys, v_channels, array['M' || left(v_me::text, 8)]);
  end if;
  if p_sender_id is not null then
    v_keys := private.search_and_terms(v_keys, v_channels,
      array['S' || left(p_sender_id::text, 8)]);
  end if;
  v_base := v_keys;
  -- A date range: its days (2^16 s) in the index too. The bounds of the messages' own dates
  -- stand for a side not given (the archive, older, is searched with v_base).
  if p_after is not null or p_before is not null then
    v_keys := private.search_and_terms(v_keys, v_channels, private.search_range_terms('D', 16,
      coalesce(floor(extract(epoch from p_after))::bigint,
        (select floor(extract(epoch from min(x.created_at)))::bigint from public.messages x),
        0) >> 16,
      (coalesce(floor(extract(epoch from p_before))::bigint,
        (select floor(extract(epoch from max(x.created_at)))::bigint from public.messages x),
        0) >> 16) + 1));
  end if;
  v_pool := case when v_recent then v_limit else 300 end;
  -- The index has no positions, leaves negations out and knows prefixes by their first four
  -- characters: then the row's vector decides.
  v_check := p_query::text ~ '<(-|\d+)>|!|''(?:[^'']|''''){5,}'':\*';

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
  execute 'explain (format json) select 1 from public.messages m where m.channel_id = any ($1)'
    into v_plan using v_channels;
  v_mine := (v_plan -> 0 -> 'Plan' ->> 'Plan Rows')::float8;

  if p_has_attachment then
    execute 'explain (format json) select 1 from public.attachments a where a.channel_id = any ($1)'
      into v_plan using v_channels;
    v_files := (v_plan -> 0 -> 'Plan' ->> 'Plan Rows')::float8;
  end if;

  v_hits := v_share * least(v_mine, coalesce(v_sender, v_mine));
  if v_files < v_hits and not p_mentions_me then
    -- Fewer messages with files than hits: the caller's messages with files, each read.
    select coalesce(array_agg(h.id order by h.id desc), '{}'),
      coalesce(array_agg(h.fts order by h.id desc), '{}')
    into v_ids, v_vecs
    from (select m.id, m.fts
      from public.messages m
      where m.id in (select a.message_id from public.attachments a
                     where a.channel_id = any (v_channels) and a.message_id is not null
                       and (v_below is null or a.message_id < v_below))
        and m.channel_id = any (v_channels) and m.fts @@ p_query and m.deleted_at is null
        and (p_sender_id is null or m.sender_id = p_sender_id)
        and (p_after is null or m.created_at >= p_after)
        and (p_before is null or m.created_at < p_before)
        and (not p_mentions_me or v_me = any (m.mentions))
        and (not p_in_thread or m.thread_root_id is not null or m.reply_to_id is not null
             or exists (select 1 from public.message_threads t where t.root_id = m.id)
             or exists (select 1 from public.messages r where r.reply_to_id = m.id))
      order by m.id desc limit v_pool) h;
  else
    -- Each channel's oldest and newest message, and its rows (from the statistics): the
    -- caller's messages in a range of ids, each channel's taken as spread evenly between its
    -- ends, tell how far back a step must reach for the hits still needed.
    select s.most_common_vals::text::uuid[], s.most_common_freqs,
      case when s.n_distinct < 0 then -s.n_distinct * v_total else s.n_distinct end
    into v_mcv, v_freqs, v_distinct
    from pg_catalog.pg_stats s
    where s.schemaname = 'public' and s.tablename = 'messages' and s.attname = 'channel_id';
    v_rest := (1 - coalesce((select sum(f) from unnest(v_freqs) f), 0))
      / greatest(coalesce(v_distinct, 1) - coalesce(cardinality(v_mcv), 0), 1);
    select array_agg(t.mn), array_agg(t.mx),
      array_agg(v_total * coalesce(v_freqs[array_position(v_mcv, c.id)], v_rest))
    into v_cmin, v_cmax, v_cn
    from unnest(v_channels) c(id),
      lateral (select min(x.id) as mn, max(x.id) as mx from public.messages x
               where x.channel_id = c.id) t
    where t.mx is not null;
    v_hi := coalesce(v_below, (select max(u) + 1 from unnest(v_cmax) u), 0);
    -- Few hits (or a mention, a key of its own): all of them in one scan. Else newest first,
    -- range by range (below).
    if p_mentions_me or v_hits <= 1500 then
      v_lo := 0;
      v_step := v_keys;
    end if;
    loop
      if v_step is null or v_lo > 0 then
        -- The lowest id (a multiple of 8192) above which 1.25 times the hits still needed are
        -- expected, at the rate found so far.
        -- (Where few rows pass, at most twice as many as read so far: a rate from few rows may
        -- be far off.)
        v_target := least(1.25 * (v_pool - cardinality(v_ids)) / greatest(v_share * v_ratio, 1e-9),
          (2 * v_expected + 2 * v_pool) / greatest(v_share, 1e-9));
        v_a := 0;
        v_b := v_hi >> 13;
        if v_steps >= 6 or private.search_expected(0, v_hi, v_cmin, v_cmax, v_cn) <= v_target then
          v_b := 0;
        end if;
        while v_b - v_a > 1 loop
          if private.search_expected((v_a + v_b) / 2 << 13, v_hi, v_cmin, v_cmax, v_cn)
             >= v_target then
            v_a := (v_a + v_b) / 2;
          else
            v_b := (v_a + v_b) / 2;
          end if;
        end loop;
        v_lo := v_a << 13;
        -- The range's ids in the index: blocks of 2^13 to 2^23 ids.
        v_step := private.search_and_terms(v_keys, v_channels,
          private.search_range_terms('T', 13, v_lo >> 13, (v_hi + 8191) >> 13));
      end if;
      -- The range's hits (one index scan per channel), with the filters the row answers.
      with c as materialized (
        select m.id, m.fts, m.thread_root_id is not null or m.reply_to_id is not null as reply
        from (select x.id, x.channel_id, x.sender_id, x.created_at, x.mentions, x.reply_to_id,
                x.thread_root_id, x.fts, x.deleted_at
              from public.messages x
              where private.search_keys(x.channel_id, x.id, x.created_at, x.sender_id,
                      x.mentions, x.fts) @@ any (v_step)
              offset 0) m
        where m.channel_id = any (v_channels) and m.deleted_at is null
          and m.id >= v_lo and m.id < v_hi
          and (not v_check or m.fts @@ p_query)
          and (p_sender_id is null or m.sender_id = p_sender_id)
          and (p_after is null or m.created_at >= p_after)
          and (p_before is null or m.created_at < p_before)
          and (not p_mentions_me or v_me = any (m.mentions))
          and (not p_has_attachment
               or exists (select 1 from public.attachments f where f.message_id = m.id))
      )
      select coalesce(array_agg(h.id order by h.id desc), '{}'),
        coalesce(array_agg(h.fts order by h.id desc), '{}')
      into v_step_ids, v_step_vecs
      from (select c.id, c.fts from c
        -- In a thread: a reply (the row says so), or a root or a message quoted, looked up for
        -- all the others at once.
        where not p_in_thread or c.reply
          or c.id in (select t.root_id from public.message_threads t
                      where t.root_id = any (array(select o.id from c o where not o.reply)))
          or c.id in (select r.reply_to_id from public.messages r
                      where r.reply_to_id = any (array(select o.id from c o where not o.reply)))
        order by c.id desc limit v_pool - cardinality(v_ids)) h;
      v_ids := v_ids || v_step_ids;
      v_vecs := v_vecs || v_step_vecs;
      exit when cardinality(v_ids) >= v_pool or v_lo <= 0;
      v_steps := v_steps + 1;
      v_expected := v_expected
        + v_share * private.search_expected(v_lo, v_hi, v_cmin, v_cmax, v_cn);
      -- Hits found against hits expected so far: the share estimate's error and the filters'.
      v_ratio := greatest(greatest(cardinality(v_ids), 0.5) / greatest(v_expected, 1), 1e-4);
      v_hi := v_lo;
    end loop;
  end if;
  if p_include_archive then
    select coalesce(array_agg(h.id order by h.id desc), '{}'),
      coalesce(array_agg(h.fts order by h.id desc), '{}')
    into v_arch_ids, v_arch_vecs
    from (select m.id, m.fts
      from (select x.id, x.channel_id, x.sender_id, x.created_at, x.mentions, x.reply_to_id,
              x.attachment_ids, x.fts, x.deleted_at
            from public.messages_archive x
            where private.search_keys(x.channel_id, x.id, x.created_at, x.sender_id,
                    x.mentions, x.fts) @@ any (v_base)
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
             or exists (select 1 from public.messages r where r.thread_root_id = m.id)
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

-- public.search_messages is unchanged: sender, date range, files, "in a thread" (thread roots
-- and replies, and replies quoting a message and the message quoted), mentions of the caller,
-- and the archive on request; ranked over the newest 300 hits or newest first.

-- No longer used: the old index's keys.
drop function private.channel_lexemes(uuid, tsvector);
