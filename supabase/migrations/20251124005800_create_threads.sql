-- Threads (issue 14): a reply in a thread names its root message (`thread_root_id`) and stays out
-- of the main flow unless it was also sent to the channel (`also_in_channel`). The root carries
-- a summary (how many replies, when the last came, the last three repliers), kept by triggers in
-- `public.message_threads`. Who took part in a thread (sent its root, replied, or was mentioned
-- in it) has a row in `public.thread_reads` with a read watermark, so the thread shows what is new
-- and a reply notifies them on `user:<id>` (`thread.reply`). Events (README "Realtime events"):
--   channel:<id>  thread.reply ({ message, root_id, prev_id }) for a reply kept in the thread;
--                 a reply also sent to the channel is a message.created like any other (with
--                 `thread_root_id` set); the root's new summary goes out as message.updated.
--   user:<id>     thread.reply ({ channel_id, root_id, message_id, sender_id, content }) to each
--                 other participant (a mention is still `mention`).
-- Main-flow pages, the channel list (last message, unread counts) and `prev_id` skip replies kept
-- in a thread.

-- Columns ----------------------------------------------------------------------------------------

-- No foreign key, like reply_to_id: a root may be archived before its replies.
alter table public.messages
  add column thread_root_id bigint,
  add column also_in_channel boolean not null default false;
create index messages_thread_idx on public.messages (thread_root_id, id)
  where thread_root_id is not null;
grant insert (thread_root_id, also_in_channel) on public.messages to chat_api;

-- A reply goes to the root of the thread it answers (a reply to a reply joins the same thread);
-- the root must be a live message of the same channel.
create function private.check_thread_reply() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  root record;
begin
  if new.thread_root_id is null then
    new.also_in_channel := false;
    return new;
  end if;
  select m.id, m.thread_root_id, m.channel_id, m.deleted_at into root
  from public.messages m where m.id = new.thread_root_id;
  if not found or root.channel_id <> new.channel_id or root.deleted_at is not null then
    raise exception 'thread_root_id % is not a message of this channel', new.thread_root_id
      using errcode = '23503';
  end if;
  new.thread_root_id := coalesce(root.thread_root_id, root.id);
  return new;
end
$$;
revoke all on function private.check_thread_reply() from public;
create trigger messages_check_thread before insert on public.messages
  for each row execute function private.check_thread_reply();

-- Summaries --------------------------------------------------------------------------------------

create table public.message_threads (
  root_id bigint primary key references public.messages (id) on delete cascade,
  channel_id uuid not null references public.channels (id) on delete cascade,
  reply_count int not null default 0,
  last_reply_id bigint,
  last_reply_at timestamptz,
  -- The last three people who replied, newest first.
  repliers uuid[] not null default '{}'
);
comment on table public.message_threads is
  'One row per thread root: reply count, last reply and last repliers (kept by triggers).';
revoke all on public.message_threads from anon, authenticated, chat_api;
alter table public.message_threads enable row level security;
grant select on public.message_threads to authenticated, chat_api;
create policy "authenticated can read threads of own channels" on public.message_threads
  for select to authenticated, chat_api
  using (channel_id in (select private.my_channel_ids()));

create table public.thread_reads (
  root_id bigint not null references public.messages (id) on delete cascade,
  user_id uuid not null references public.profiles (id) on delete cascade,
  channel_id uuid not null references public.channels (id) on delete cascade,
  last_read_id bigint not null default 0,
  primary key (root_id, user_id)
);
comment on table public.thread_reads is
  'Who took part in a thread (root, reply or mention) and how far they have read it.';
create index thread_reads_user_idx on public.thread_reads (user_id, root_id);
revoke all on public.thread_reads from anon, authenticated, chat_api;
alter table public.thread_reads enable row level security;
grant select on public.thread_reads to authenticated, chat_api;
grant update (last_read_id) on public.thread_reads to chat_api;
create policy "authenticated can read own thread reads" on public.thread_reads
  for select to authenticated, chat_api
  using (user_id = (select private.caller_id()));
create policy "chat_api can move own thread reads" on public.thread_reads
  for update to chat_api
  using (user_id = (select private.caller_id()))
  with check (user_id = (select private.caller_id()));

-- After a reply is stored or deleted: the root's summary again (from the replies, an index
-- range), and the participants (the sender has read up to their own reply).
create function private.maintain_thread() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if new.thread_root_id is null then
    return null;
  end if;
  insert into public.message_threads as t
    (root_id, channel_id, reply_count, last_reply_id, last_reply_at, repliers)
  select new.thread_root_id, new.channel_id, count(*), max(r.id), max(r.created_at),
    coalesce((select array_agg(s.sender_id order by s.last desc) from (
      select x.sender_id, max(x.id) as last from public.messages x
      where x.thread_root_id = new.thread_root_id and x.deleted_at is null
        and x.sender_id is not null
      group by x.sender_id order by last desc limit 3) s), '{}')
  from public.messages r
  where r.thread_root_id = new.thread_root_id and r.deleted_at is null
  on conflict (root_id) do update set reply_count = excluded.reply_count,
    last_reply_id = excluded.last_reply_id, last_reply_at = excluded.last_reply_at,
    repliers = excluded.repliers;
  if tg_op = 'INSERT' then
    insert into public.thread_reads (root_id, user_id, channel_id, last_read_id)
    select new.thread_root_id, new.sender_id, new.channel_id, new.id
    where new.sender_id is not null
    on conflict (root_id, user_id) do update
      set last_read_id = greatest(public.thread_reads.last_read_id, excluded.last_read_id);
    insert into public.thread_reads (root_id, user_id, channel_id)
    select new.thread_root_id, u, new.channel_id
    from (select m.sender_id as u from public.messages m where m.id = new.thread_root_id
          union select unnest(new.mentions)) p
    where u is not null and u is distinct from new.sender_id
      and exists (select 1 from public.profiles pr where pr.id = u)
    on conflict (root_id, user_id) do nothing;
  end if;
  return null;
end
$$;
revoke all on function private.maintain_thread() from public;
create trigger messages_maintain_thread after insert or update of deleted_at on public.messages
  for each row execute function private.maintain_thread();

-- The read model ---------------------------------------------------------------------------------

alter type public.message_view
  add attribute thread_root_id bigint,
  add attribute also_in_channel boolean,
  -- `{ reply_count, last_reply_id, last_reply_at, repliers }`, null for a message with no replies.
  add attribute thread jsonb,
  -- The caller's read watermark in this thread (null: not taking part; always null in events).
  add attribute thread_last_read_id bigint;

create or replace function public.message_views(ids bigint[]) returns setof public.message_view
language plpgsql stable security invoker set search_path = ''
as $$
begin
  return query
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
     from public.attachments a where a.message_id = m.id), '[]'),
    m.thread_root_id, m.also_in_channel,
    (select jsonb_build_object('reply_count', t.reply_count, 'last_reply_id', t.last_reply_id,
       'last_reply_at', private.iso_time(t.last_reply_at), 'repliers', to_jsonb(t.repliers))
     from public.message_threads t where t.root_id = m.id and t.reply_count > 0),
    (select tr.last_read_id from public.thread_reads tr
     where tr.root_id = coalesce(m.thread_root_id, m.id) and tr.user_id = (select private.caller_id()))
  from public.messages m
  where m.id = any (ids)
  order by m.id desc;
end
$$;

-- Events carry no one's own watermark (null), nor `reactions[].mine`.
create or replace function private.message_json(message_id bigint) returns jsonb
language plpgsql stable security definer set search_path = ''
as $$
declare
  j jsonb;
begin
  select private.message_view_json(v) into j
  from public.message_views(array[message_id]) v;
  if j is null then
    return null;
  end if;
  return j || jsonb_build_object('reactions', private.reactions_json(j -> 'reactions'),
    'thread_last_read_id', null);
end
$$;

-- Main-flow pages: as before, without replies kept in a thread.
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

create or replace function public.channel_messages_around(
  p_channel_id uuid,
  p_message_id bigint,
  p_limit int default 50
) returns setof public.message_view
language sql stable security invoker
as $$
  select v.* from public.message_views(array(
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
        limit least(greatest(coalesce(p_limit, 50), 1), 100) / 2)
      union all
      (select m.id from public.messages m
        where exists (select 1 from target) and m.channel_id = p_channel_id
          and m.id > p_message_id and (m.thread_root_id is null or m.also_in_channel)
        order by m.id asc
        limit least(greatest(coalesce(p_limit, 50), 1), 100) - 1
          - least(greatest(coalesce(p_limit, 50), 1), 100) / 2)
    ) page
  )) v
$$;

-- A thread's replies, oldest first, after reply `p_after` (0: from the start). Security
-- invoker: RLS decides; nothing for a root the caller cannot see.
create function public.thread_messages(p_root_id bigint, p_after bigint default 0,
  p_limit int default 50)
returns setof public.message_view
language plpgsql stable security invoker set search_path = ''
as $$
begin
  return query select v.* from public.message_views(array(
    select m.id from public.messages m
    where m.thread_root_id = p_root_id and m.id > coalesce(p_after, 0)
    order by m.id asc limit least(greatest(coalesce(p_limit, 50), 1), 100))) v
  order by v.id asc;
end
$$;
revoke all on function public.thread_messages(bigint, bigint, int) from public, anon;
grant execute on function public.thread_messages(bigint, bigint, int)
  to authenticated, chat_api, service_role;

-- The channel list: last message and unread counts of the main flow only.
create or replace function public.my_channels()
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
  mention_count bigint,
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
        'status_text', p.status_text, 'deactivated', p.deactivated_at is not null)
      from public.profiles p
      where p.id = case when c.dm_user_low = cm.user_id then c.dm_user_high else c.dm_user_low end
    ) end,
    u.unread, u.mentions,
    (select jsonb_build_object('id', m.id, 'sender_id', m.sender_id, 'kind', m.kind,
        'content', left(m.content, 200), 'created_at', m.created_at,
        'deleted', m.deleted_at is not null)
      from public.messages m where m.channel_id = c.id
        and (m.thread_root_id is null or m.also_in_channel)
      order by m.id desc limit 1)
  from public.channel_members cm
  join public.channels c on c.id = cm.channel_id
  -- Capped at 1000 (shown as "999+"): counting a huge backlog exactly helps nobody.
  cross join lateral (
    select count(*) as unread, count(*) filter (where cm.user_id = any (x.mentions)) as mentions
    from (select m.mentions from public.messages m
          where m.channel_id = c.id and m.id > cm.last_read_message_id
            and m.sender_id is distinct from cm.user_id and m.deleted_at is null
            and (m.thread_root_id is null or m.also_in_channel)
          limit 1000) x
  ) u
  where cm.user_id = (select private.caller_id())
  order by coalesce(
    (select max(m.id) from public.messages m where m.channel_id = c.id), 0) desc, c.created_at desc
$$;

-- Sending -----------------------------------------------------------------------------------------

-- `public.send_message` as before, with the thread (root and "also send to the channel").
drop function public.send_message(uuid, text, text, bigint, text[], text, real, uuid[]);
create function public.send_message(
  p_channel_id uuid,
  p_content text,
  p_client_id text,
  p_reply_to_id bigint,
  p_usernames text[],
  p_moderation text,
  p_sentiment real,
  p_attachment_ids uuid[],
  p_thread_root_id bigint default null,
  p_also_in_channel boolean default false
) returns table (created boolean, message jsonb)
language plpgsql volatile security invoker set search_path = ''
as $$
declare
  me uuid := private.caller_id();
  new_id bigint;
  mentioned uuid[] := '{}';
  linked int;
  j jsonb;
begin
  if cardinality(p_usernames) > 0 then
    select coalesce(array_agg(p.id), '{}') into mentioned
    from public.profiles p where lower(p.username) = any (p_usernames);
  end if;
  insert into public.messages (channel_id, sender_id, content, client_id, reply_to_id, mentions,
    moderation, sentiment, thread_root_id, also_in_channel)
  values (p_channel_id, me, p_content, p_client_id, p_reply_to_id, mentioned, p_moderation,
    p_sentiment, p_thread_root_id, coalesce(p_also_in_channel, false))
  on conflict (sender_id, client_id) do nothing
  returning id into new_id;
  if new_id is null then
    select x.id into new_id from public.messages x
    where x.sender_id = me and x.client_id = p_client_id;
    return query select false, private.own_message_json(new_id);
    return;
  end if;
  if cardinality(p_attachment_ids) > 0 then
    update public.attachments set message_id = new_id
    where id = any (p_attachment_ids) and message_id is null;
    get diagnostics linked = row_count;
    if linked <> cardinality(p_attachment_ids) then
      raise exception 'Unknown or used attachment' using errcode = '23514';
    end if;
  end if;
  j := private.own_message_json(new_id);
  perform set_config('chat.sent_message',
    (j || jsonb_build_object('thread_last_read_id', null))::text, true);
  return query select true, j;
end
$$;
revoke all on function public.send_message(uuid, text, text, bigint, text[], text, real, uuid[],
  bigint, boolean) from public, anon, authenticated;
grant execute on function public.send_message(uuid, text, text, bigint, text[], text, real, uuid[],
  bigint, boolean) to chat_api;

-- Events ------------------------------------------------------------------------------------------

create or replace function private.broadcast_message() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  event text;
  body jsonb;
  stashed jsonb;
  mentioned uuid;
  in_thread_only boolean := new.thread_root_id is not null and not new.also_in_channel;
begin
  if tg_op = 'INSERT' then
    event := case when in_thread_only then 'thread.reply' else 'message.created' end;
  elsif new.deleted_at is not null and old.deleted_at is null then
    event := 'message.deleted';
  elsif (new.content, new.moderation, new.mentions) is distinct from (old.content, old.moderation, old.mentions) then
    event := 'message.updated';
  else
    return null;
  end if;
  if event = 'message.deleted' then
    body := jsonb_build_object('id', new.id, 'channel_id', new.channel_id,
      'deleted_at', private.iso_time(new.deleted_at));
  else
    stashed := nullif(current_setting('chat.sent_message', true), '')::jsonb;
    if tg_op = 'INSERT' and (stashed ->> 'id')::bigint is not distinct from new.id then
      body := jsonb_build_object('message', stashed);
    else
      body := jsonb_build_object('message', private.message_json(new.id));
    end if;
    if body -> 'message' is null or body -> 'message' = 'null'::jsonb then
      return null; -- gone again before the commit
    end if;
    if event = 'message.created' then
      -- The previous message of the main flow (replies kept in a thread are not in it).
      body := body || jsonb_build_object('prev_id', (
        select p.id from public.messages p
        where p.channel_id = new.channel_id and p.id < new.id
          and (p.thread_root_id is null or p.also_in_channel)
        order by p.id desc limit 1));
    elsif event = 'thread.reply' then
      body := body || jsonb_build_object('root_id', new.thread_root_id, 'prev_id', (
        select max(p.id) from public.messages p
        where p.thread_root_id = new.thread_root_id and p.id < new.id));
    end if;
  end if;
  perform private.broadcast('channel:' || new.channel_id, event, body);
  for mentioned in
    select unnest(new.mentions)
    except
    select unnest(case when tg_op = 'UPDATE' then old.mentions else '{}'::uuid[] end)
  loop
    perform private.broadcast('user:' || mentioned, 'mention', jsonb_build_object(
      'channel_id', new.channel_id, 'message_id', new.id, 'sender_id', new.sender_id,
      'content', left(new.content, 200), 'thread_root_id', new.thread_root_id));
  end loop;
  -- Everyone else who took part in the thread hears of a new reply (mentions heard above).
  if tg_op = 'INSERT' and new.thread_root_id is not null then
    for mentioned in
      select tr.user_id from public.thread_reads tr
      where tr.root_id = new.thread_root_id and tr.user_id is distinct from new.sender_id
        and not tr.user_id = any (new.mentions)
    loop
      perform private.broadcast('user:' || mentioned, 'thread.reply', jsonb_build_object(
        'channel_id', new.channel_id, 'root_id', new.thread_root_id, 'message_id', new.id,
        'sender_id', new.sender_id, 'content', left(new.content, 200)));
    end loop;
  end if;
  return null;
end
$$;

-- The root's new summary, when the transaction commits: message.updated with the root's row.
create function private.broadcast_thread_summary() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  j jsonb := private.message_json(new.root_id);
begin
  if j is not null then
    perform private.broadcast('channel:' || new.channel_id, 'message.updated',
      jsonb_build_object('message', j));
  end if;
  return null;
end
$$;
revoke all on function private.broadcast_thread_summary() from public;
create constraint trigger message_threads_broadcast after insert or update on public.message_threads
  deferrable initially deferred
  for each row execute function private.broadcast_thread_summary();
