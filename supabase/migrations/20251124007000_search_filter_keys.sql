-- Search filters as index keys (issue 16). "With a file" and "in a thread" were checked row by
-- row: a common word's hits were read range by range and nine in ten (a thread) or ninety-nine in
-- a hundred (a file) thrown away, or else every message with a file in the caller's channels was
-- read. At 1M messages (`deno task bench messages`) those two filters took p95 23 and 34 ms,
-- where the unfiltered search takes 14. Now both are keys of the search index, as the sender
-- and mentions are (20251124006800), so the index hands over only rows that pass:
-- - `F`: the message has a file (`has_attachments`, set when an attachment is linked to it);
-- - `R`: the message is in a thread: a reply (in a thread or quoting one), a thread's root, or
--   a message a reply quotes (`has_replies`, set on the root or quoted message when the reply
--   is stored; it stays set if the reply is deleted, as the thread's summary row does).
-- The archive's index is unchanged: its search still checks those filters row by row.

-- Columns ----------------------------------------------------------------------------------------

alter table public.messages
  add column has_attachments boolean not null default false,
  add column has_replies boolean not null default false;
comment on column public.messages.has_attachments is
  'Set when an attachment is linked to the message (search filter has:attachment).';
comment on column public.messages.has_replies is
  'Set on a thread''s root and on a message a reply quotes (search filter in:thread).';

-- The old search index first: the backfill below then writes no entries into it.
drop index public.messages_search_idx;

-- The messages stored so far (housekeeping: no guard, no broadcast).
alter table public.messages disable trigger user;
update public.messages m set has_attachments = true
where exists (select 1 from public.attachments a where a.message_id = m.id);
update public.messages m set has_replies = true
where exists (select 1 from public.messages r where r.reply_to_id = m.id)
   or exists (select 1 from public.message_threads t where t.root_id = m.id);
alter table public.messages enable trigger user;

-- From now on, by triggers (with the owner's rights: the flag is nobody's edit, and a message's
-- broadcast skips a change that leaves its content, moderation and mentions alone).
create function private.mark_has_attachments() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  update public.messages m set has_attachments = true
  where m.id = new.message_id and not m.has_attachments and m.deleted_at is null;
  return null;
end
$$;
revoke all on function private.mark_has_attachments() from public;
create trigger attachments_mark_message after insert or update of message_id
  on public.attachments
  for each row when (new.message_id is not null)
  execute function private.mark_has_attachments();

create function private.mark_has_replies() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  update public.messages m set has_replies = true
  where m.id in (new.reply_to_id, new.thread_root_id) and not m.has_replies
    and m.deleted_at is null;
  return null;
end
$$;
revoke all on function private.mark_has_replies() from public;
-- Named to fire before messages_maintain_thread (after-row triggers fire in name order): a reply
-- locks the message it quotes before its thread's summary row, as deleting that message does
-- (its row, then the summary), so the two never wait for each other in opposite orders.
create trigger messages_flag_replied after insert on public.messages
  for each row when (new.reply_to_id is not null or new.thread_root_id is not null)
  execute function private.mark_has_replies();

-- The index ---------------------------------------------------------------------------------------

-- The keys of 20251124006800, and `F` and `R` (with the channel's prefix) for a live message
-- with a file or in a thread.
create function private.search_keys(channel uuid, id bigint, at timestamptz, sender uuid,
  mentions uuid[], v tsvector, files boolean, thread boolean) returns tsvector
language sql immutable parallel safe
as $$
  select private.search_keys(channel, id, at, sender, mentions, v)
    || array_to_tsvector(array(
      select left(channel::text, 8) || k
      from (select 'F' as k where files union all select 'R' where thread) x
      where length(v) > 0))
$$;
grant execute on function
  private.search_keys(uuid, bigint, timestamptz, uuid, uuid[], tsvector, boolean, boolean)
  to authenticated, chat_api, service_role;

create index messages_search_idx on public.messages using gin (private.search_keys(channel_id, id,
  created_at, sender_id, mentions, fts, has_attachments,
  thread_root_id is not null or reply_to_id is not null or has_replies));

-- The search ------------------------------------------------------------------------------------

-- As in 20251124006800, with a file and a thread asked of the index (and their share of the
-- rows in the estimate of how many hits a range holds); the way through the caller's messages
-- with files is gone, since the index now finds exactly those.
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
  v_filter float8 := 1;
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
  -- A file, a thread: keys of their own (not in the archive's index, which v_base searches).
  if p_has_attachment then
    v_keys := private.search_and_terms(v_keys, v_channels, array['F']);
  end if;
  if p_in_thread then
    v_keys := private.search_and_terms(v_keys, v_channels, array['R']);
  end if;
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

  -- The share of rows the file and thread filters let through (from the statistics).
  if p_has_attachment or p_in_thread then
    execute 'explain (format json) select 1 from public.messages m where ($1 or m.has_attachments)
        and ($2 or m.thread_root_id is not null or m.reply_to_id is not null or m.has_replies)'
      into v_plan using not p_has_attachment, not p_in_thread;
    v_filter := least(greatest((v_plan -> 0 -> 'Plan' ->> 'Plan Rows')::float8 / v_total, 1e-6), 1);
    v_share := v_share * v_filter;
  end if;

  v_hits := v_share * least(v_mine, coalesce(v_sender, v_mine));
  -- Few hits (or a mention, a key of its own): all of them in one scan. Else newest first,
  -- range by range (below).
  if p_mentions_me or v_hits <= 1500 then
    v_lo := 0;
    v_hi := coalesce(v_below, 9223372036854775807);
    v_step := v_keys;
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
    -- The range's hits (one index scan per channel), with the filters the row answers (a file
    -- and a thread are keys: the row's flags are checked again only because they are at hand).
    select coalesce(array_agg(h.id order by h.id desc), '{}'),
      coalesce(array_agg(h.fts order by h.id desc), '{}')
    into v_step_ids, v_step_vecs
    from (select m.id, m.fts
      from (select x.id, x.channel_id, x.sender_id, x.created_at, x.mentions, x.reply_to_id,
              x.thread_root_id, x.has_attachments, x.has_replies, x.fts, x.deleted_at
            from public.messages x
            where private.search_keys(x.channel_id, x.id, x.created_at, x.sender_id,
                    x.mentions, x.fts, x.has_attachments,
                    x.thread_root_id is not null or x.reply_to_id is not null or x.has_replies)
                  @@ any (v_step)
            offset 0) m
      where m.channel_id = any (v_channels) and m.deleted_at is null
        and m.id >= v_lo and m.id < v_hi
        and (not v_check or m.fts @@ p_query)
        and (p_sender_id is null or m.sender_id = p_sender_id)
        and (p_after is null or m.created_at >= p_after)
        and (p_before is null or m.created_at < p_before)
        and (not p_mentions_me or v_me = any (m.mentions))
        and (not p_has_attachment or m.has_attachments)
        and (not p_in_thread or m.thread_root_id is not null or m.reply_to_id is not null
             or m.has_replies)
      order by m.id desc limit v_pool - cardinality(v_ids)) h;
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

-- Statistics for the new columns now: the search's estimate of how many rows the file and thread
-- filters let through comes from them, and the backfill changed too few rows to prompt an
-- automatic analyze.
analyze public.messages;
