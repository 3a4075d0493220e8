-- Channels (direct messages and groups) and their members, with per-member delivery and read
-- watermarks. One DM channel per pair of users is a unique constraint, not application code.

create table public.channels (
  id uuid primary key default gen_random_uuid(),
  kind text not null,
  name text,
  topic text not null default '',
  is_private boolean not null default false,
  created_by uuid references public.profiles (id) on delete set null,
  created_at timestamptz not null default now(),
  archived_at timestamptz,
  -- For direct channels: the two users, smaller uuid first.
  dm_user_low uuid references public.profiles (id) on delete cascade,
  dm_user_high uuid references public.profiles (id) on delete cascade,
  constraint channels_kind_check check (kind in ('direct', 'group')),
  constraint channels_name_check check (
    (kind = 'direct' and name is null)
    or (kind = 'group' and char_length(trim(name)) between 1 and 80)
  ),
  constraint channels_topic_length check (char_length(topic) <= 250),
  constraint channels_direct_pair check (
    (kind = 'direct' and dm_user_low is not null and dm_user_high is not null
      and dm_user_low < dm_user_high and is_private)
    or (kind = 'group' and dm_user_low is null and dm_user_high is null)
  ),
  constraint channels_one_dm_per_pair unique (dm_user_low, dm_user_high)
);
comment on table public.channels is 'Direct (1:1) and group channels. Archived channels are read-only.';
create index channels_public_idx on public.channels (name) where kind = 'group' and not is_private;

create table public.channel_members (
  channel_id uuid not null references public.channels (id) on delete cascade,
  user_id uuid not null references public.profiles (id) on delete cascade,
  role text not null default 'member',
  joined_at timestamptz not null default now(),
  last_delivered_message_id bigint not null default 0,
  last_read_message_id bigint not null default 0,
  muted boolean not null default false,
  primary key (channel_id, user_id),
  constraint channel_members_role_check check (role in ('owner', 'admin', 'member')),
  constraint channel_members_read_after_delivered check (last_read_message_id <= last_delivered_message_id)
);
comment on table public.channel_members is
  'Who belongs to which channel; watermarks say up to which message id each member has received and read.';
create index channel_members_user_idx on public.channel_members (user_id, channel_id);

-- Membership lookups for policies: one place, security definer, no recursive policy checks.
create function private.is_member(channel uuid) returns boolean
language sql stable security definer set search_path = ''
as $$
  select exists (
    select 1 from public.channel_members m
    where m.channel_id = channel and m.user_id = (select auth.uid())
  ) and private.is_active_caller()
$$;
comment on function private.is_member(uuid) is
  'True when the (active) caller belongs to the channel. The one membership check policies use.';

-- The caller's channels as a set: policies test `channel_id in (select private.my_channel_ids())`,
-- which Postgres evaluates once per query (a hashed subplan) instead of once per row.
create function private.my_channel_ids() returns setof uuid
language sql stable security definer set search_path = ''
as $$
  select m.channel_id from public.channel_members m
  where m.user_id = (select auth.uid()) and private.is_active_caller()
$$;
comment on function private.my_channel_ids() is
  'Channels the (active) caller belongs to; the set form of private.is_member for row filters.';

-- Channels whose member lists the caller may see: their own and every public group.
create function private.visible_member_channel_ids() returns setof uuid
language sql stable security definer set search_path = ''
as $$
  select private.my_channel_ids()
  union
  select c.id from public.channels c
  where c.kind = 'group' and not c.is_private and private.is_active_caller()
$$;

create function private.channel_role(channel uuid) returns text
language sql stable security definer set search_path = ''
as $$
  select m.role from public.channel_members m
  where m.channel_id = channel and m.user_id = (select auth.uid()) and private.is_active_caller()
$$;

create function private.is_public_channel(channel uuid) returns boolean
language sql stable security definer set search_path = ''
as $$
  select exists (
    select 1 from public.channels c
    where c.id = channel and c.kind = 'group' and not c.is_private and c.archived_at is null
  )
$$;

create function private.can_post(channel uuid) returns boolean
language sql stable security definer set search_path = ''
as $$
  select private.is_member(channel) and exists (
    select 1 from public.channels c where c.id = channel and c.archived_at is null
  )
$$;

-- Who may add `member` to `channel`: yourself into a public group; anyone as a channel
-- owner/admin; the creator while setting up a new group; either user of a DM pair.
create function private.can_add_member(channel uuid, member uuid) returns boolean
language sql stable security definer set search_path = ''
as $$
  select private.is_active_caller() and private.is_active(member) and exists (
    select 1 from public.channels c
    where c.id = channel and c.archived_at is null and (
      (c.kind = 'direct' and (select auth.uid()) in (c.dm_user_low, c.dm_user_high)
        and member in (c.dm_user_low, c.dm_user_high))
      or (c.kind = 'group' and (
        (member = (select auth.uid()) and not c.is_private)
        or (c.created_by = (select auth.uid()) and not exists (
          select 1 from public.channel_members m where m.channel_id = c.id and m.user_id <> c.created_by))
        -- The creator takes their place once, while the group has no owner yet (not to
        -- reclaim a group they were removed from).
        or (c.created_by = (select auth.uid()) and member = c.created_by and not exists (
          select 1 from public.channel_members m where m.channel_id = c.id and m.role = 'owner'))
        or private.channel_role(channel) in ('owner', 'admin')
      ))
    )
  )
$$;

create function private.can_remove_member(channel uuid, member uuid) returns boolean
language sql stable security definer set search_path = ''
as $$
  select private.is_active_caller() and exists (
    select 1 from public.channels c where c.id = channel and c.kind = 'group'
  ) and (
    member = (select auth.uid())
    or private.is_admin()
    or (private.channel_role(channel) in ('owner', 'admin') and coalesce((
      select m.role from public.channel_members m where m.channel_id = channel and m.user_id = member
    ), 'member') <> 'owner')
  )
$$;

revoke all on function private.my_channel_ids(), private.visible_member_channel_ids()
  from public;
grant execute on function private.my_channel_ids(), private.visible_member_channel_ids()
  to authenticated, chat_api, service_role;
revoke all on function private.is_member(uuid), private.channel_role(uuid),
  private.is_public_channel(uuid), private.can_post(uuid), private.can_add_member(uuid, uuid),
  private.can_remove_member(uuid, uuid) from public;
grant execute on function private.is_member(uuid), private.channel_role(uuid),
  private.is_public_channel(uuid), private.can_post(uuid), private.can_add_member(uuid, uuid),
  private.can_remove_member(uuid, uuid) to authenticated, chat_api, service_role;

revoke all on public.channels, public.channel_members from anon, authenticated, chat_api;
alter table public.channels enable row level security;
alter table public.channel_members enable row level security;
grant select on public.channels, public.channel_members to authenticated, chat_api;
grant insert on public.channels to chat_api;
grant update (name, topic, is_private, archived_at) on public.channels to chat_api;
grant insert, delete on public.channel_members to chat_api;
grant update (role, last_delivered_message_id, last_read_message_id, muted)
  on public.channel_members to chat_api;

create policy "authenticated can read own channels and public groups" on public.channels
  for select to authenticated, chat_api
  using (
    id in (select private.my_channel_ids())
    or (kind = 'group' and not is_private and (select private.is_active_caller()))
    -- The creator sees a new channel before adding the members (INSERT … RETURNING needs it).
    or (created_by = (select auth.uid()) and (select private.is_active_caller()))
  );
create policy "chat_api can create channels as an active user" on public.channels
  for insert to chat_api
  with check (
    created_by = (select auth.uid())
    and (select private.is_active_caller())
    and (kind = 'group' or (select auth.uid()) in (dm_user_low, dm_user_high))
  );
create policy "chat_api can update groups as channel admin" on public.channels
  for update to chat_api
  using (kind = 'group' and (select private.channel_role(id)) in ('owner', 'admin'))
  with check (kind = 'group');

create policy "authenticated can read members of own channels and public groups"
  on public.channel_members
  for select to authenticated, chat_api
  using (channel_id in (select private.visible_member_channel_ids()));
create policy "chat_api can add members when allowed" on public.channel_members
  for insert to chat_api
  with check ((select private.can_add_member(channel_id, user_id)));
create policy "chat_api can update own membership or as channel admin" on public.channel_members
  for update to chat_api
  using (
    user_id = (select auth.uid()) and (select private.is_active_caller())
    or (select private.channel_role(channel_id)) in ('owner', 'admin')
  );
create policy "chat_api can remove members when allowed" on public.channel_members
  for delete to chat_api
  using ((select private.can_remove_member(channel_id, user_id)));

-- Watermarks only move forward and only their owner moves them; only channel owners/admins
-- change roles, and nobody makes a second owner.
-- Security invoker on purpose: current_user must be the caller's role (chat_api for the API).
create function private.guard_member_update() returns trigger
language plpgsql set search_path = ''
as $$
declare
  caller uuid := private.caller_id();
begin
  if current_user <> 'chat_api' then
    return new;
  end if;
  if (new.last_delivered_message_id, new.last_read_message_id, new.muted)
     is distinct from (old.last_delivered_message_id, old.last_read_message_id, old.muted)
     and old.user_id is distinct from caller then
    raise exception 'only the member moves their own watermarks' using errcode = '42501';
  end if;
  new.last_read_message_id := greatest(old.last_read_message_id, new.last_read_message_id);
  new.last_delivered_message_id := greatest(
    old.last_delivered_message_id, new.last_delivered_message_id, new.last_read_message_id);
  if new.role is distinct from old.role then
    if private.channel_role(old.channel_id) is distinct from 'owner'
       and (private.channel_role(old.channel_id) is distinct from 'admin' or 'owner' in (old.role, new.role)) then
      raise exception 'only channel owners and admins change roles' using errcode = '42501';
    end if;
  end if;
  return new;
end
$$;
create trigger channel_members_guard_update before update on public.channel_members
  for each row execute function private.guard_member_update();

-- The creator of a group becomes its owner; everyone else joins as a member, with what was
-- written before they joined counted as read.
create function private.group_creator(channel uuid) returns uuid
language sql stable security definer set search_path = ''
as $$
  select c.created_by from public.channels c where c.id = channel and c.kind = 'group'
$$;

create function private.has_owner(channel uuid) returns boolean
language sql stable security definer set search_path = ''
as $$
  select exists (select 1 from public.channel_members m where m.channel_id = channel and m.role = 'owner')
$$;
revoke all on function private.has_owner(uuid) from public;
grant execute on function private.has_owner(uuid) to chat_api, service_role;

-- plpgsql: public.messages is created by the next migration.
create function private.last_message_id(channel uuid) returns bigint
language plpgsql stable security definer set search_path = ''
as $$
begin
  return (select coalesce(max(m.id), 0) from public.messages m where m.channel_id = channel);
end
$$;
revoke all on function private.group_creator(uuid), private.last_message_id(uuid) from public;
grant execute on function private.group_creator(uuid), private.last_message_id(uuid)
  to chat_api, service_role;

-- Security invoker on purpose: current_user must be the caller's role (chat_api for the API).
create function private.set_member_role() returns trigger
language plpgsql set search_path = ''
as $$
begin
  if current_user = 'chat_api' then
    new.role := case when private.group_creator(new.channel_id) = new.user_id
      and not private.has_owner(new.channel_id) then 'owner' else 'member' end;
    new.joined_at := now();
    -- History from before joining counts as read.
    new.last_read_message_id := private.last_message_id(new.channel_id);
    new.last_delivered_message_id := new.last_read_message_id;
  end if;
  return new;
end
$$;
create trigger channel_members_set_role before insert on public.channel_members
  for each row execute function private.set_member_role();
