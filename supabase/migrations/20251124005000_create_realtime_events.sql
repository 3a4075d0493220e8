-- Realtime events that carry their data, on topics only the database writes (README "Realtime
-- events"):
--   channel:<id>  members read; nobody broadcasts or tracks presence there. message.created
--                 ({message, prev_id}), message.updated ({message}), message.deleted,
--                 reaction.changed (the message's reactions), member.changed (with the member),
--                 receipt.updated (channels of at most 20 members) or receipt.summary (larger
--                 ones, at most once a second, sent by private.flush_receipt_summaries()).
--   typing:<id>   members read and broadcast (typing only).
-- Message events are sent when the transaction commits (deferred triggers), so they carry what
-- the transaction left: attachments linked after the insert, the final reaction list.
-- The numbers 20 and 1 second are RECEIPT_DETAIL_MAX_MEMBERS, RECEIPT_SUMMARY_MESSAGES and
-- RECEIPT_SUMMARY_INTERVAL_MS in functions/_shared/limits.ts (limits_test.ts compares them).

-- Topics ---------------------------------------------------------------------------------------

create or replace function private.topic_channel_id(topic text) returns uuid
language sql immutable set search_path = ''
as $$
  select case
    when topic ~ '^channel:[0-9a-fA-F-]{36}$' then substr(topic, 9)::uuid
    when topic ~ '^typing:[0-9a-fA-F-]{36}$' then substr(topic, 8)::uuid
  end
$$;

create or replace function private.can_read_topic(topic text) returns boolean
language sql stable security definer set search_path = ''
as $$
  select case
    when topic like 'channel:%' or topic like 'typing:%'
      then coalesce(private.is_member(private.topic_channel_id(topic)), false)
    when topic like 'user:%' then topic = 'user:' || (select auth.uid())::text and private.is_active_caller()
    when topic = 'online' then private.is_active_caller()
    else false
  end
$$;

-- Data topics are written by the database alone: a member may broadcast only on typing:<id>.
create or replace function private.can_write_topic(topic text, extension text) returns boolean
language sql stable security definer set search_path = ''
as $$
  select case
    when topic like 'typing:%' then extension = 'broadcast'
      and coalesce(private.is_member(private.topic_channel_id(topic)), false)
    when topic = 'online' then extension = 'presence' and private.is_active_caller()
    else false
  end
$$;

alter policy "authenticated can send typing and presence on their topics" on realtime.messages
  rename to "authenticated can send typing and online presence";

-- Payloads -------------------------------------------------------------------------------------

-- A timestamp as the API's JSON writes it (JavaScript's toISOString: UTC, milliseconds).
create function private.iso_time(t timestamptz) returns text
language sql immutable set search_path = ''
as $$ select to_char(t at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') $$;

-- Reactions as events carry them: the read model's list without `mine` (the receiver's own).
create function private.reactions_json(reactions jsonb) returns jsonb
language sql immutable set search_path = ''
as $$
  select coalesce(jsonb_agg(r - 'mine' order by n), '[]'::jsonb)
  from jsonb_array_elements(reactions) with ordinality as x(r, n)
$$;

-- A message exactly as `GET /channels/:id/messages` returns it (public.message_views), except
-- `reactions[].mine`. Runs as the owner: the caller of the trigger may not read everything it
-- shows (it is sent only to the channel's members).
create function private.message_json(message_id bigint) returns jsonb
language sql stable security definer set search_path = ''
as $$
  select to_jsonb(v) || jsonb_build_object(
    'created_at', private.iso_time(v.created_at),
    'edited_at', private.iso_time(v.edited_at),
    'deleted_at', private.iso_time(v.deleted_at),
    'reactions', private.reactions_json(v.reactions))
  from public.message_views(array[message_id]) v
$$;

create function private.member_json(p_channel_id uuid, p_user_id uuid) returns jsonb
language sql stable security definer set search_path = ''
as $$
  select jsonb_build_object('user_id', m.user_id, 'role', m.role,
    'joined_at', private.iso_time(m.joined_at),
    'last_delivered_message_id', m.last_delivered_message_id,
    'last_read_message_id', m.last_read_message_id,
    'username', p.username, 'display_name', p.display_name, 'avatar_path', p.avatar_path,
    'deactivated', p.deactivated_at is not null)
  from public.channel_members m join public.profiles p on p.id = m.user_id
  where m.channel_id = p_channel_id and m.user_id = p_user_id
$$;

-- Members, counted up to `cap` (cheap for a large channel when only "more than 20?" matters).
create function private.member_count(p_channel_id uuid, cap int default null) returns int
language sql stable security definer set search_path = ''
as $$
  select count(*)::int from (
    select 1 from public.channel_members m where m.channel_id = p_channel_id limit cap
  ) x
$$;

revoke all on function private.iso_time(timestamptz), private.reactions_json(jsonb),
  private.message_json(bigint), private.member_json(uuid, uuid), private.member_count(uuid, int)
  from public;

-- Messages -------------------------------------------------------------------------------------

drop trigger messages_broadcast on public.messages;
drop function private.broadcast_message();

create function private.broadcast_message() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  event text;
  body jsonb;
  stashed jsonb;
  mentioned uuid;
begin
  if tg_op = 'INSERT' then
    event := 'message.created';
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
    -- public.send_message leaves the message it built in `chat.sent_message` (this transaction
    -- only): the same JSON, not built twice.
    stashed := nullif(current_setting('chat.sent_message', true), '')::jsonb;
    if event = 'message.created' and (stashed ->> 'id')::bigint is not distinct from new.id then
      body := jsonb_build_object('message', stashed);
    else
      body := jsonb_build_object('message', private.message_json(new.id));
    end if;
    if body -> 'message' is null or body -> 'message' = 'null'::jsonb then
      return null; -- gone again before the commit
    end if;
    if event = 'message.created' then
      body := body || jsonb_build_object('prev_id', (
        select max(p.id) from public.messages p
        where p.channel_id = new.channel_id and p.id < new.id));
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
      'content', left(new.content, 200)));
  end loop;
  return null;
end
$$;
create constraint trigger messages_broadcast after insert or update on public.messages
  deferrable initially deferred
  for each row execute function private.broadcast_message();

-- Reactions ------------------------------------------------------------------------------------

drop trigger message_reactions_broadcast on public.message_reactions;
drop function private.broadcast_reaction();

create function private.broadcast_reaction() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  r record := case when tg_op = 'DELETE' then old else new end;
begin
  perform private.broadcast('channel:' || r.channel_id, 'reaction.changed', jsonb_build_object(
    'message_id', r.message_id, 'channel_id', r.channel_id,
    'reactions', coalesce((select private.reactions_json(v.reactions)
                           from public.message_views(array[r.message_id]) v), '[]'::jsonb)));
  return null;
end
$$;
create constraint trigger message_reactions_broadcast
  after insert or delete on public.message_reactions
  deferrable initially deferred
  for each row execute function private.broadcast_reaction();

-- Members and receipts -------------------------------------------------------------------------

-- Channels whose receipt.summary is due: marked by receipts, sent (at most once a second per
-- channel) by private.flush_receipt_summaries().
create table private.receipt_summaries (
  channel_id uuid primary key references public.channels (id) on delete cascade,
  dirty boolean not null default true,
  sent_at timestamptz not null default '-infinity'
);
create index receipt_summaries_dirty_idx on private.receipt_summaries (sent_at) where dirty;
alter table private.receipt_summaries enable row level security;
revoke all on private.receipt_summaries from public, anon, authenticated, chat_api;

create function private.receipt_summary(p_channel_id uuid) returns jsonb
language sql stable security definer set search_path = ''
as $$
  select jsonb_build_object(
    'channel_id', p_channel_id,
    'member_count', private.member_count(p_channel_id),
    'messages', coalesce((
      select jsonb_agg(jsonb_build_object(
        'id', m.id,
        'delivered', (select count(*) from public.channel_members cm
                      where cm.channel_id = p_channel_id and cm.user_id is distinct from m.sender_id
                        and cm.last_delivered_message_id >= m.id),
        'read', (select count(*) from public.channel_members cm
                 where cm.channel_id = p_channel_id and cm.user_id is distinct from m.sender_id
                   and cm.last_read_message_id >= m.id)) order by m.id)
      from (select x.id, x.sender_id from public.messages x
            where x.channel_id = p_channel_id and x.deleted_at is null
            order by x.id desc limit 20) m), '[]'::jsonb))
$$;

-- Sends the due summaries; returns how many. One caller at a time (an advisory lock), so
-- several API instances (or pg_cron and an API) may all call it every few hundred ms.
create function private.flush_receipt_summaries() returns int
language plpgsql security definer set search_path = ''
as $$
declare
  ch uuid;
  n int := 0;
begin
  if not pg_try_advisory_xact_lock(hashtext('private.flush_receipt_summaries')) then
    return 0;
  end if;
  for ch in
    update private.receipt_summaries s set dirty = false, sent_at = clock_timestamp()
    where s.dirty and s.sent_at <= clock_timestamp() - interval '1 second'
    returning s.channel_id
  loop
    perform private.broadcast('channel:' || ch, 'receipt.summary', private.receipt_summary(ch));
    n := n + 1;
  end loop;
  return n;
end
$$;
revoke all on function private.receipt_summary(uuid), private.flush_receipt_summaries() from public;
grant execute on function private.flush_receipt_summaries() to chat_api, service_role;

-- `member.changed` on the channel's topic: who, what, how many now, and the member's row as
-- `GET /channels/:id` lists it (null once removed).
create function private.broadcast_member_changed(
  p_channel_id uuid, p_user_id uuid, p_action text, p_role text
) returns void
language sql security definer set search_path = ''
as $$
  select private.broadcast('channel:' || p_channel_id, 'member.changed', jsonb_build_object(
    'channel_id', p_channel_id, 'user_id', p_user_id, 'action', p_action, 'role', p_role,
    'member_count', private.member_count(p_channel_id),
    'member', case when p_action = 'removed' then null
                   else private.member_json(p_channel_id, p_user_id) end))
$$;
revoke all on function private.broadcast_member_changed(uuid, uuid, text, text) from public;

drop trigger channel_members_broadcast on public.channel_members;
drop function private.broadcast_membership();

create function private.broadcast_membership() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  r record := case when tg_op = 'DELETE' then old else new end;
begin
  if tg_op = 'UPDATE' then
    if (new.last_delivered_message_id, new.last_read_message_id)
       is distinct from (old.last_delivered_message_id, old.last_read_message_id) then
      if private.member_count(r.channel_id, 21) <= 20 then
        perform private.broadcast('channel:' || r.channel_id, 'receipt.updated', jsonb_build_object(
          'channel_id', r.channel_id, 'user_id', r.user_id,
          'last_delivered_message_id', new.last_delivered_message_id,
          'last_read_message_id', new.last_read_message_id));
      elsif not exists (select 1 from private.receipt_summaries s
                        where s.channel_id = r.channel_id and s.dirty) then
        -- Checked first without a lock: a busy channel's receipts do not queue on this row.
        insert into private.receipt_summaries (channel_id) values (r.channel_id)
        on conflict (channel_id) do update set dirty = true;
      end if;
    end if;
    if new.role is distinct from old.role then
      perform private.broadcast_member_changed(r.channel_id, r.user_id, 'updated', new.role);
    end if;
    return null;
  end if;
  perform private.broadcast_member_changed(r.channel_id, r.user_id,
    case when tg_op = 'DELETE' then 'removed' else 'added' end, r.role);
  if tg_op = 'INSERT' then
    perform private.broadcast('user:' || r.user_id, 'channel.added', jsonb_build_object(
      'channel', (select to_jsonb(c) from public.channels c where c.id = r.channel_id),
      'role', r.role));
  end if;
  return null;
end
$$;
create trigger channel_members_broadcast after insert or update or delete on public.channel_members
  for each row execute function private.broadcast_membership();

-- On Supabase (and wherever pg_cron is installed) summaries are flushed every second; the API
-- process flushes them too (functions/api/receipt_summaries.ts), the advisory lock keeps it once.
do $$
begin
  if exists (select 1 from pg_available_extensions where name = 'pg_cron') then
    execute 'create extension if not exists pg_cron';
    execute $cron$select cron.schedule('flush-receipt-summaries', '1 seconds',
      'select private.flush_receipt_summaries()')$cron$;
  end if;
end
$$;
