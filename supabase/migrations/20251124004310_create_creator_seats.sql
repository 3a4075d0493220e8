-- A group's creator sets it up once. Until now the creator could add themselves back, as
-- owner, whenever the group had no owner (or no other member): after a site admin removed
-- them, after they left, or after everyone else had gone. Now the creator's setup rights end
-- the first time they take their place in the group, and that is remembered here: a removed
-- creator is an ordinary ex-member (a private group needs an invitation, and they come back as
-- a plain member).

create table private.creator_seats (
  channel_id uuid primary key references public.channels (id) on delete cascade,
  seated_at timestamptz not null default now()
);
comment on table private.creator_seats is
  'Groups whose creator has taken their place once; their setup rights are spent.';
revoke all on private.creator_seats from public, anon, authenticated, chat_api;
alter table private.creator_seats enable row level security;

-- Every group that exists already has been set up.
insert into private.creator_seats (channel_id, seated_at)
select id, created_at from public.channels where kind = 'group'
on conflict do nothing;

create function private.creator_was_seated(channel uuid) returns boolean
language sql stable security definer set search_path = ''
as $$
  select exists (select 1 from private.creator_seats s where s.channel_id = channel)
$$;
revoke all on function private.creator_was_seated(uuid) from public;
grant execute on function private.creator_was_seated(uuid) to authenticated, chat_api, service_role;

create function private.seat_creator() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if new.user_id = private.group_creator(new.channel_id) then
    insert into private.creator_seats (channel_id) values (new.channel_id) on conflict do nothing;
  end if;
  return null;
end
$$;
create trigger channel_members_seat_creator after insert on public.channel_members
  for each row execute function private.seat_creator();

-- As before, with the creator's two setup paths limited to a group they have not sat in yet.
create or replace function private.can_add_member(channel uuid, member uuid) returns boolean
language sql stable security definer set search_path = ''
as $$
  select private.is_active_caller() and private.is_active(member) and exists (
    select 1 from public.channels c
    where c.id = channel and c.archived_at is null and (
      (c.kind = 'direct' and (select auth.uid()) in (c.dm_user_low, c.dm_user_high)
        and member in (c.dm_user_low, c.dm_user_high))
      or (c.kind = 'group' and (
        (member = (select auth.uid()) and not c.is_private)
        or (c.created_by = (select auth.uid()) and not private.creator_was_seated(c.id) and (
          not exists (
            select 1 from public.channel_members m where m.channel_id = c.id and m.user_id <> c.created_by)
          or (member = c.created_by and not exists (
            select 1 from public.channel_members m where m.channel_id = c.id and m.role = 'owner'))))
        or private.channel_role(channel) in ('owner', 'admin')
      ))
    )
  )
$$;

-- Owner only on the creator's first seat: a removed creator who rejoins a public group is a
-- member like anyone else.
create or replace function private.set_member_role() returns trigger
language plpgsql set search_path = ''
as $$
begin
  if current_user = 'chat_api' then
    new.role := case when private.group_creator(new.channel_id) = new.user_id
      and not private.has_owner(new.channel_id)
      and not private.creator_was_seated(new.channel_id) then 'owner' else 'member' end;
    new.joined_at := now();
    -- History from before joining counts as read.
    new.last_read_message_id := private.last_message_id(new.channel_id);
    new.last_delivered_message_id := new.last_read_message_id;
  end if;
  return new;
end
$$;
