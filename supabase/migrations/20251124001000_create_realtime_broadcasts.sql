-- Realtime: triggers broadcast every change from the database (Broadcast from Database,
-- `realtime.send`) on private topics, and RLS on realtime.messages decides who may join:
--   channel:<id>  members only: message.*, reaction.changed, receipt.updated, member.changed;
--                 members may also send `typing` broadcasts and track presence there.
--   user:<id>     that user only: channel.added, mention.
--   online        every active signed-in user: presence only.

create function private.topic_channel_id(topic text) returns uuid
language sql immutable set search_path = ''
as $$
  select case when topic ~ '^channel:[0-9a-fA-F-]{36}$' then substr(topic, 9)::uuid end
$$;

create function private.can_read_topic(topic text) returns boolean
language sql stable security definer set search_path = ''
as $$
  select case
    when topic like 'channel:%' then coalesce(private.is_member(private.topic_channel_id(topic)), false)
    when topic like 'user:%' then topic = 'user:' || (select auth.uid())::text and private.is_active_caller()
    when topic = 'online' then private.is_active_caller()
    else false
  end
$$;

create function private.can_write_topic(topic text, extension text) returns boolean
language sql stable security definer set search_path = ''
as $$
  select case
    when topic like 'channel:%' then extension in ('broadcast', 'presence')
      and coalesce(private.is_member(private.topic_channel_id(topic)), false)
    when topic = 'online' then extension = 'presence' and private.is_active_caller()
    else false
  end
$$;

revoke all on function private.topic_channel_id(text), private.can_read_topic(text),
  private.can_write_topic(text, text) from public;
grant execute on function private.topic_channel_id(text), private.can_read_topic(text),
  private.can_write_topic(text, text) to authenticated, chat_api, service_role;

create policy "authenticated can receive on topics they belong to" on realtime.messages
  for select to authenticated
  using (
    extension in ('broadcast', 'presence')
    and (select private.can_read_topic((select realtime.topic())))
  );
create policy "authenticated can send typing and presence on their topics" on realtime.messages
  for insert to authenticated
  with check ((select private.can_write_topic((select realtime.topic()), extension)));

-- Broadcasts run with the trigger owner's rights (security definer), as Supabase's docs show.
create function private.broadcast(topic text, event text, payload jsonb) returns void
language plpgsql security definer set search_path = ''
as $$
begin
  if current_setting('chat.archiving', true) = 'on' then
    return;
  end if;
  perform realtime.send(payload, event, topic, true);
end
$$;
revoke all on function private.broadcast(text, text, jsonb) from public;

create function private.broadcast_message() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  event text;
  body jsonb;
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
  body := jsonb_build_object('message', to_jsonb(new) - 'fts');
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
create trigger messages_broadcast after insert or update on public.messages
  for each row execute function private.broadcast_message();

create function private.broadcast_reaction() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  r record := case when tg_op = 'DELETE' then old else new end;
begin
  perform private.broadcast('channel:' || r.channel_id, 'reaction.changed', jsonb_build_object(
    'message_id', r.message_id, 'emoji', r.emoji, 'user_id', r.user_id,
    'action', case when tg_op = 'DELETE' then 'removed' else 'added' end,
    'count', (select count(*) from public.message_reactions x
              where x.message_id = r.message_id and x.emoji = r.emoji)));
  return null;
end
$$;
create trigger message_reactions_broadcast after insert or delete on public.message_reactions
  for each row execute function private.broadcast_reaction();

create function private.broadcast_membership() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  r record := case when tg_op = 'DELETE' then old else new end;
begin
  if tg_op = 'UPDATE' then
    if (new.last_delivered_message_id, new.last_read_message_id)
       is distinct from (old.last_delivered_message_id, old.last_read_message_id) then
      perform private.broadcast('channel:' || r.channel_id, 'receipt.updated', jsonb_build_object(
        'channel_id', r.channel_id, 'user_id', r.user_id,
        'last_delivered_message_id', new.last_delivered_message_id,
        'last_read_message_id', new.last_read_message_id));
    end if;
    if new.role is distinct from old.role then
      perform private.broadcast('channel:' || r.channel_id, 'member.changed', jsonb_build_object(
        'channel_id', r.channel_id, 'user_id', r.user_id, 'action', 'updated', 'role', new.role));
    end if;
    return null;
  end if;
  perform private.broadcast('channel:' || r.channel_id, 'member.changed', jsonb_build_object(
    'channel_id', r.channel_id, 'user_id', r.user_id, 'role', r.role,
    'action', case when tg_op = 'DELETE' then 'removed' else 'added' end));
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
