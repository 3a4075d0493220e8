-- Pinned messages (per channel, seen by its members) and saved messages (personal bookmarks).
--
-- Pins: any member who may post pins (groups and DMs alike); the pinner, a channel owner/admin
-- or a moderator unpins. At most 50 per channel (PINS_PER_CHANNEL in
-- functions/_shared/limits.ts; tests/contract/pins_test.ts compares). A deleted message
-- loses its pin. Every change is sent as `pin.changed` on channel:<id> at commit (deferred, as
-- in 20251124005000_create_realtime_events.sql), carrying the pin and the new count.
-- Saved: private to their user, who must be in the message's channel to save it; at most
-- 1000 each (SAVED_PER_USER). Changes go to the user's own topic as `saved.changed`, so
-- other tabs follow.

-- Pins -----------------------------------------------------------------------------------------

create table public.message_pins (
  message_id bigint primary key references public.messages (id) on delete cascade,
  -- Copied from the message by a trigger, so policies need no join.
  channel_id uuid not null references public.channels (id) on delete cascade,
  pinned_by uuid references public.profiles (id) on delete set null,
  pinned_at timestamptz not null default now()
);
comment on table public.message_pins is
  'Messages pinned in their channel (at most 50 per channel); members read them.';
create index message_pins_channel_idx on public.message_pins (channel_id, pinned_at desc);

revoke all on public.message_pins from anon, authenticated, chat_api;
alter table public.message_pins enable row level security;
grant select on public.message_pins to authenticated, chat_api;
grant insert (message_id, pinned_by), delete on public.message_pins to chat_api;

-- Who may unpin: the pinner, the channel's owner/admin, an app moderator (members only, except
-- moderators, who act on any channel as they may delete any message).
create function private.can_unpin(channel uuid, pinner uuid) returns boolean
language sql stable security definer set search_path = ''
as $$
  select private.is_moderator() or (private.is_member(channel) and (
    pinner = (select auth.uid()) or private.channel_role(channel) in ('owner', 'admin')))
$$;
revoke all on function private.can_unpin(uuid, uuid) from public;
grant execute on function private.can_unpin(uuid, uuid) to authenticated, chat_api, service_role;

create policy "authenticated can read pins in own channels" on public.message_pins
  for select to authenticated, chat_api
  using (channel_id in (select private.my_channel_ids()));
create policy "chat_api can pin in own channels" on public.message_pins
  for insert to chat_api
  with check (pinned_by = (select auth.uid()) and (select private.can_post(channel_id)));
create policy "chat_api can unpin own pins or as channel admin" on public.message_pins
  for delete to chat_api
  using ((select private.can_unpin(channel_id, pinned_by)));

create function private.prepare_pin() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  msg record;
begin
  select m.channel_id, m.deleted_at into msg from public.messages m where m.id = new.message_id;
  if not found then
    raise exception 'message % does not exist', new.message_id using errcode = '23503';
  end if;
  if msg.deleted_at is not null then
    raise exception 'message % is deleted', new.message_id using errcode = '42501';
  end if;
  new.channel_id := msg.channel_id;
  new.pinned_at := now();
  -- One pinner at a time per channel, so two pins at once cannot pass the cap together.
  perform pg_advisory_xact_lock(hashtext('message_pins:' || msg.channel_id::text));
  if (select count(*) from public.message_pins p where p.channel_id = msg.channel_id) >= 50 then
    raise exception 'A channel holds at most 50 pinned messages; unpin one first'
      using errcode = '23514';
  end if;
  return new;
end
$$;
create trigger message_pins_prepare before insert on public.message_pins
  for each row execute function private.prepare_pin();

-- A pin as `GET /channels/:id/pins` lists it: the message (as message.created carries it) with
-- who pinned it and when.
create function private.pin_json(p_message_id bigint) returns jsonb
language sql stable security definer set search_path = ''
as $$
  select jsonb_build_object('message_id', p.message_id, 'channel_id', p.channel_id,
    'pinned_by', p.pinned_by, 'pinned_at', private.iso_time(p.pinned_at),
    'pinned_by_name', coalesce(nullif(u.display_name, ''), u.username),
    'message', private.message_json(p.message_id))
  from public.message_pins p left join public.profiles u on u.id = p.pinned_by
  where p.message_id = p_message_id
$$;
revoke all on function private.pin_json(bigint) from public;

create function private.broadcast_pin() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  r record := case when tg_op = 'DELETE' then old else new end;
  pin jsonb := private.pin_json(r.message_id);
begin
  -- At commit: a pin made and removed in one transaction says the final state once each.
  perform private.broadcast('channel:' || r.channel_id, 'pin.changed', jsonb_build_object(
    'channel_id', r.channel_id, 'message_id', r.message_id,
    'action', case when pin is null then 'unpinned' else 'pinned' end,
    'pin', pin,
    'pin_count', (select count(*) from public.message_pins p where p.channel_id = r.channel_id)));
  return null;
end
$$;
create constraint trigger message_pins_broadcast after insert or delete on public.message_pins
  deferrable initially deferred
  for each row execute function private.broadcast_pin();

-- A tombstoned message is no longer pinned (nor saved: its text is gone).
create function private.unpin_deleted_message() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  delete from public.message_pins p where p.message_id = new.id;
  delete from public.saved_messages s where s.message_id = new.id;
  return null;
end
$$;

-- Saved ---------------------------------------------------------------------------------------

create table public.saved_messages (
  user_id uuid not null references public.profiles (id) on delete cascade,
  message_id bigint not null references public.messages (id) on delete cascade,
  channel_id uuid not null references public.channels (id) on delete cascade,
  saved_at timestamptz not null default now(),
  primary key (user_id, message_id)
);
comment on table public.saved_messages is
  'Messages a user saved for later (at most 1000 each); nobody else reads them.';
create index saved_messages_user_idx on public.saved_messages (user_id, saved_at desc, message_id desc);
create index saved_messages_message_idx on public.saved_messages (message_id);

revoke all on public.saved_messages from anon, authenticated, chat_api;
alter table public.saved_messages enable row level security;
grant select on public.saved_messages to authenticated, chat_api;
grant insert (user_id, message_id), delete on public.saved_messages to chat_api;

create policy "authenticated can read own saved messages" on public.saved_messages
  for select to authenticated, chat_api
  using (user_id = (select auth.uid()) and (select private.is_active_caller()));
create policy "chat_api can save messages of own channels" on public.saved_messages
  for insert to chat_api
  with check (user_id = (select auth.uid()) and (select private.is_member(channel_id)));
create policy "chat_api can remove own saved messages" on public.saved_messages
  for delete to chat_api
  using (user_id = (select auth.uid()) and (select private.is_active_caller()));

create function private.prepare_saved() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  msg record;
begin
  select m.channel_id, m.deleted_at into msg from public.messages m where m.id = new.message_id;
  if not found then
    raise exception 'message % does not exist', new.message_id using errcode = '23503';
  end if;
  if msg.deleted_at is not null then
    raise exception 'message % is deleted', new.message_id using errcode = '42501';
  end if;
  new.channel_id := msg.channel_id;
  new.saved_at := now();
  perform pg_advisory_xact_lock(hashtext('saved_messages:' || new.user_id::text));
  if (select count(*) from public.saved_messages s where s.user_id = new.user_id) >= 1000 then
    raise exception 'At most 1000 saved messages; remove some first' using errcode = '23514';
  end if;
  return new;
end
$$;
create trigger saved_messages_prepare before insert on public.saved_messages
  for each row execute function private.prepare_saved();

create function private.broadcast_saved() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  r record := case when tg_op = 'DELETE' then old else new end;
  still timestamptz;
begin
  select s.saved_at into still from public.saved_messages s
  where s.user_id = r.user_id and s.message_id = r.message_id;
  perform private.broadcast('user:' || r.user_id, 'saved.changed', jsonb_build_object(
    'message_id', r.message_id, 'channel_id', r.channel_id, 'saved', still is not null,
    'saved_at', private.iso_time(still),
    'message', case when still is null then null else private.message_json(r.message_id) end));
  return null;
end
$$;
create constraint trigger saved_messages_broadcast after insert or delete on public.saved_messages
  deferrable initially deferred
  for each row execute function private.broadcast_saved();

revoke all on function private.prepare_pin(), private.broadcast_pin(),
  private.unpin_deleted_message(), private.prepare_saved(), private.broadcast_saved() from public;

create trigger messages_unpin_deleted after update of deleted_at on public.messages
  for each row when (new.deleted_at is not null and old.deleted_at is null)
  execute function private.unpin_deleted_message();
