-- A default channel: every new user starts in it, as Slack's #general and Discord's system
-- channel. It is a setting of the data, not of the code: at most one public, open group is
-- marked `is_default` (the local seed marks #general; a hosted project marks its own with one
-- `update`). With none marked, nobody is joined and the client shows its empty state.
--
-- A user joins once they are a person who can sign in: when the profile is made for an address
-- already confirmed (OAuth, an admin's user, a seeded one), or when the address is confirmed
-- later (the mailed link or code). Sign-ups that are never confirmed do not swell the default
-- channel's member list.
--
-- The join is the database's own (security definer): no API caller exists while Auth creates
-- or confirms the user. As when someone joins, what was written before counts as read, and the
-- channel's members hear `member.changed` and the newcomer `channel.added` (the membership
-- broadcast trigger).

alter table public.channels add column is_default boolean not null default false;
alter table public.channels add constraint channels_default_is_open_group
  check (not is_default or (kind = 'group' and not is_private));
comment on column public.channels.is_default is
  'New users join this channel once their address is confirmed (at most one; a public group).';
create unique index channels_one_default on public.channels (is_default) where is_default;

create function private.join_default_channel(p_user uuid) returns void
language plpgsql security definer set search_path = ''
as $$
declare
  channel uuid;
  upto bigint;
begin
  select c.id into channel from public.channels c
  where c.is_default and c.archived_at is null and c.kind = 'group' and not c.is_private;
  if channel is null or not exists (select 1 from public.profiles p where p.id = p_user) then
    return;
  end if;
  upto := private.last_message_id(channel);
  insert into public.channel_members
    (channel_id, user_id, role, last_delivered_message_id, last_read_message_id)
  values (channel, p_user, 'member', upto, upto)
  on conflict (channel_id, user_id) do nothing;
end
$$;
revoke all on function private.join_default_channel(uuid) from public;
comment on function private.join_default_channel(uuid) is
  'Joins a user to the channel marked is_default, if there is one (idempotent).';

-- The profile is made (by private.handle_new_user) for an address that is already confirmed.
create function private.join_default_channel_on_profile() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if exists (select 1 from auth.users u where u.id = new.id and u.email_confirmed_at is not null)
  then
    perform private.join_default_channel(new.id);
  end if;
  return null;
end
$$;
revoke all on function private.join_default_channel_on_profile() from public;
create trigger profiles_join_default_channel after insert on public.profiles
  for each row execute function private.join_default_channel_on_profile();

-- The address is confirmed after sign-up.
create function private.join_default_channel_on_confirm() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  perform private.join_default_channel(new.id);
  return null;
end
$$;
revoke all on function private.join_default_channel_on_confirm() from public;
create trigger on_auth_user_confirmed_join_default after update of email_confirmed_at on auth.users
  for each row when (old.email_confirmed_at is null and new.email_confirmed_at is not null)
  execute function private.join_default_channel_on_confirm();
