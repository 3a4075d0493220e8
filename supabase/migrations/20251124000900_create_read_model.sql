-- Read-model functions the API calls as the signed-in user (SECURITY INVOKER: RLS applies).

-- A message as the client shows it: the row plus its sender, quoted message, reactions and
-- attachments, as JSON.
create type public.message_view as (
  id bigint,
  channel_id uuid,
  sender_id uuid,
  kind text,
  content text,
  reply_to_id bigint,
  client_id text,
  mentions uuid[],
  created_at timestamptz,
  edited_at timestamptz,
  deleted_at timestamptz,
  moderation text,
  sentiment real,
  sender jsonb,
  reply_to jsonb,
  reactions jsonb,
  attachments jsonb
);

create function public.message_views(ids bigint[]) returns setof public.message_view
language sql stable security invoker set search_path = ''
as $$
  select m.id, m.channel_id, m.sender_id, m.kind, m.content, m.reply_to_id, m.client_id,
    m.mentions, m.created_at, m.edited_at, m.deleted_at, m.moderation, m.sentiment,
    (select jsonb_build_object('id', p.id, 'username', p.username, 'display_name', p.display_name,
       'avatar_path', p.avatar_path, 'deactivated', p.deactivated_at is not null)
     from public.profiles p where p.id = m.sender_id),
    (select jsonb_build_object('id', q.id, 'sender_id', q.sender_id,
       'content', left(q.content, 200), 'deleted', q.deleted_at is not null)
     from public.messages q where q.id = m.reply_to_id),
    coalesce((select jsonb_agg(jsonb_build_object('emoji', r.emoji, 'count', r.n,
       'user_ids', r.users, 'mine', (select private.caller_id()) = any (r.users)) order by r.first)
     from (select mr.emoji, count(*) as n, array_agg(mr.user_id order by mr.created_at) as users,
             min(mr.created_at) as first
           from public.message_reactions mr where mr.message_id = m.id group by mr.emoji) r), '[]'),
    coalesce((select jsonb_agg(jsonb_build_object('id', a.id, 'path', a.path,
       'mime_type', a.mime_type, 'size_bytes', a.size_bytes, 'width', a.width,
       'height', a.height, 'duration_ms', a.duration_ms, 'thumb_path', a.thumb_path)
       order by a.created_at)
     from public.attachments a where a.message_id = m.id), '[]')
  from public.messages m
  where m.id = any (ids)
  order by m.id desc
$$;

-- One page of a channel, newest first: the latest `page_size` messages; or those just
-- before message `before`; or those just after message `after` (catching up after a
-- reconnect). Keyset pagination on the primary key: as fast at depth 100,000 as on page 1.
create function public.channel_messages(
  p_channel_id uuid,
  p_before bigint default null,
  p_after bigint default null,
  p_limit int default 50
) returns setof public.message_view
language sql stable security invoker set search_path = ''
as $$
  select v.* from public.message_views(array(
    select page.id from (
      -- Three branches, each with plain comparisons on id: under RLS only leakproof
      -- conditions reach the index, and a coalesce() here would not.
      (select m.id from public.messages m
        where p_after is null and p_before is null and m.channel_id = p_channel_id
        order by m.id desc
        limit least(greatest(coalesce(p_limit, 50), 1), 100))
      union all
      (select m.id from public.messages m
        where p_after is null and p_before is not null and m.channel_id = p_channel_id
          and m.id < p_before
        order by m.id desc
        limit least(greatest(coalesce(p_limit, 50), 1), 100))
      union all
      (select m.id from public.messages m
        where p_after is not null and m.channel_id = p_channel_id and m.id > p_after
          and (p_before is null or m.id < p_before)
        order by m.id asc
        limit least(greatest(coalesce(p_limit, 50), 1), 100))
    ) page
  )) v
$$;

-- My channels with unread counts (at most 1000) and the last message, in one query.
create function public.my_channels()
returns table (
  id uuid,
  kind text,
  name text,
  topic text,
  is_private boolean,
  created_by uuid,
  created_at timestamptz,
  archived_at timestamptz,
  my_role text,
  muted boolean,
  last_read_message_id bigint,
  last_delivered_message_id bigint,
  member_count bigint,
  other_user jsonb,
  unread_count bigint,
  last_message jsonb
)
language sql stable security invoker set search_path = ''
as $$
  select c.id, c.kind, c.name, c.topic, c.is_private, c.created_by, c.created_at, c.archived_at,
    cm.role, cm.muted, cm.last_read_message_id, cm.last_delivered_message_id,
    (select count(*) from public.channel_members x where x.channel_id = c.id),
    case when c.kind = 'direct' then (
      select jsonb_build_object('id', p.id, 'username', p.username, 'display_name', p.display_name,
        'avatar_path', p.avatar_path, 'last_seen_at', p.last_seen_at,
        'deactivated', p.deactivated_at is not null)
      from public.profiles p
      where p.id = case when c.dm_user_low = cm.user_id then c.dm_user_high else c.dm_user_low end
    ) end,
    -- Capped at 1000 (shown as "999+"): counting a huge backlog exactly helps nobody.
    (select count(*) from (select 1 from public.messages m
      where m.channel_id = c.id and m.id > cm.last_read_message_id
        and m.sender_id is distinct from cm.user_id and m.deleted_at is null
      limit 1000) unread),
    (select jsonb_build_object('id', m.id, 'sender_id', m.sender_id, 'kind', m.kind,
        'content', left(m.content, 200), 'created_at', m.created_at,
        'deleted', m.deleted_at is not null)
      from public.messages m where m.channel_id = c.id order by m.id desc limit 1)
  from public.channel_members cm
  join public.channels c on c.id = cm.channel_id
  where cm.user_id = (select private.caller_id())
  order by coalesce(
    (select max(m.id) from public.messages m where m.channel_id = c.id), 0) desc, c.created_at desc
$$;

-- `%term%` for ILIKE with the term's wildcards escaped; null (matches nothing) under 3
-- characters, where trigrams cannot help.
create function private.contains_pattern(term text) returns text
language sql immutable
as $$
  select case when char_length(trim(term)) >= 3 then
    '%' || replace(replace(replace(trim(term), '\', '\\'), '%', '\%'), '_', '\_') || '%'
  end
$$;
grant execute on function private.contains_pattern(text) to authenticated, chat_api, service_role;

-- Full-text search over the caller's channels: stemmed words (tsvector, GIN) and, for partial
-- words, trigrams (pg_trgm, GIN). Ranked; snippets mark hits with U+0002 … U+0003 (characters
-- the API strips from messages), never HTML, so the client renders them as text. Keyset
-- cursor on (score, id): pass the last row's score and id for the next page.
-- The search's heavy part: finding and ranking hits. Security definer, because under RLS
-- Postgres may not use the GIN indexes (`@@` and ILIKE are not leakproof, so they are
-- evaluated after the policy, row by row); it restricts itself to the caller's own channels
-- (private.my_channel_ids) and returns only ids and scores. Planned per call (dynamic SQL)
-- so the planner sees how common the words are and picks the GIN or the channel index.
create function private.search_hits(
  p_tsq tsquery, p_pattern text, p_channel_id uuid, p_sender_id uuid, p_after timestamptz,
  p_before timestamptz, p_limit int, p_cursor_score real, p_cursor_id bigint,
  p_include_archive boolean
)
returns table (id bigint, archived boolean, score real, word_hit boolean)
language plpgsql stable security definer set search_path = ''
as $fn$
declare
  v_channels uuid[];
begin
  select array_agg(c) into v_channels
  from private.my_channel_ids() c
  where p_channel_id is null or c = p_channel_id;
  if v_channels is null or (numnode(p_tsq) = 0 and p_pattern is null) then
    return;
  end if;
  return query execute $q$
    with hits as (
      -- Word hits and partial-word hits apart, so each branch gets its own index.
      select m.id, false as archived, m.content, m.fts
      from public.messages m
      where m.fts @@ $2 and m.channel_id = any ($1) and m.deleted_at is null
        and ($4::uuid is null or m.sender_id = $4)
        and ($5::timestamptz is null or m.created_at >= $5)
        and ($6::timestamptz is null or m.created_at < $6)
      union all
      select m.id, false, m.content, m.fts
      from public.messages m
      where m.content ilike $3 and not (m.fts @@ $2) and m.channel_id = any ($1)
        and m.deleted_at is null
        and ($4::uuid is null or m.sender_id = $4)
        and ($5::timestamptz is null or m.created_at >= $5)
        and ($6::timestamptz is null or m.created_at < $6)
      union all
      select a.id, true, a.content, a.fts
      from public.messages_archive a
      where $10 and a.channel_id = any ($1) and a.deleted_at is null
        and (a.fts @@ $2 or a.content ilike $3)
        and ($4::uuid is null or a.sender_id = $4)
        and ($5::timestamptz is null or a.created_at >= $5)
        and ($6::timestamptz is null or a.created_at < $6)
    ),
    scored as (
      select h.id, h.archived, h.fts @@ $2 as word_hit,
        (ts_rank_cd(h.fts, $2, 32) + case when h.content ilike $3 then 0.1 else 0 end)::real as score
      from hits h
    )
    select s.id, s.archived, s.score, s.word_hit from scored s
    where $7::real is null or (s.score, s.id) < ($7, $8)
    order by s.score desc, s.id desc
    limit least(greatest(coalesce($9, 20), 1), 50)
  $q$
  using v_channels, p_tsq, p_pattern, p_sender_id, p_after, p_before, p_cursor_score,
    p_cursor_id, p_limit, p_include_archive;
end
$fn$;
revoke all on function private.search_hits(tsquery, text, uuid, uuid, timestamptz, timestamptz,
  int, real, bigint, boolean) from public;
grant execute on function private.search_hits(tsquery, text, uuid, uuid, timestamptz, timestamptz,
  int, real, bigint, boolean) to authenticated, chat_api, service_role;

-- Full-text search over the caller's channels: stemmed words (tsvector, GIN) and, for partial
-- words, trigrams (pg_trgm, GIN). Ranked; snippets mark hits with U+0002 … U+0003 (characters
-- the API strips from messages), never HTML, so the client renders them as text. Keyset
-- cursor on (score, id): pass the last row's score and id for the next page. The rows
-- themselves are read here, as the caller, so RLS judges every hit returned.
create function public.search_messages(
  p_query text,
  p_channel_id uuid default null,
  p_sender_id uuid default null,
  p_after timestamptz default null,
  p_before timestamptz default null,
  p_limit int default 20,
  p_cursor_score real default null,
  p_cursor_id bigint default null,
  p_include_archive boolean default false
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
language sql stable security invoker set search_path = ''
as $$
  with q as (
    select websearch_to_tsquery('english'::regconfig, coalesce(p_query, '')) as tsq,
      trim(coalesce(p_query, '')) as term
  ),
  hits as (
    select h.* from q, private.search_hits(q.tsq, private.contains_pattern(coalesce(p_query, '')),
      p_channel_id, p_sender_id, p_after, p_before, p_limit, p_cursor_score, p_cursor_id,
      p_include_archive) h
  ),
  rows as (
    select m.id, m.channel_id, m.sender_id, m.created_at, m.content
    from public.messages m where m.id in (select h.id from hits h where not h.archived)
    union all
    select a.id, a.channel_id, a.sender_id, a.created_at, a.content
    from public.messages_archive a where a.id in (select h.id from hits h where h.archived)
  )
  select r.id, r.channel_id, r.sender_id, r.created_at, h.archived, h.score,
    case when h.word_hit then
      ts_headline('english'::regconfig, r.content, q.tsq, 'StartSel=' || chr(2) || ', StopSel=' || chr(3)
        || ', MaxWords=30, MinWords=10, MaxFragments=2, FragmentDelimiter=" … "')
    else
      left(regexp_replace(r.content, '(' || regexp_replace(q.term, '([.^$*+?()\[\]{}|\\])', '\\\1', 'g') || ')',
        chr(2) || '\1' || chr(3), 'gi'), 400)
    end
  from rows r join hits h on h.id = r.id, q
  order by h.score desc, h.id desc
$$;

revoke all on function public.message_views(bigint[]), public.channel_messages(uuid, bigint, bigint, int),
  public.my_channels(), public.search_messages(text, uuid, uuid, timestamptz, timestamptz, int, real, bigint, boolean)
  from public, anon;
grant execute on function public.message_views(bigint[]), public.channel_messages(uuid, bigint, bigint, int),
  public.my_channels(), public.search_messages(text, uuid, uuid, timestamptz, timestamptz, int, real, bigint, boolean)
  to authenticated, chat_api, service_role;
