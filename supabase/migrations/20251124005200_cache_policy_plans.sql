-- The policies' helper functions in PL/pgSQL, with the same bodies and results.
--
-- A SQL function with a `set` clause (here `set search_path = ''`, which every security
-- definer function must have) is never inlined, and Postgres plans its body again in every
-- query that calls it: a message send ran about a dozen such plans for its policy checks.
-- PL/pgSQL keeps each statement's plan for the session.

create or replace function private.caller_id() returns uuid
language plpgsql stable security definer set search_path = ''
as $$ begin return auth.uid(); end $$;

create or replace function private.is_active(uid uuid) returns boolean
language plpgsql stable security definer set search_path = ''
as $$
begin
  return exists (select 1 from public.profiles p where p.id = uid and p.deactivated_at is null);
end
$$;

create or replace function private.is_active_caller() returns boolean
language plpgsql stable security definer set search_path = ''
as $$ begin return private.is_active(auth.uid()); end $$;

create or replace function private.app_role(uid uuid) returns text
language plpgsql stable security definer set search_path = ''
as $$
begin
  return coalesce((select r.role from public.user_roles r where r.user_id = uid), 'user');
end
$$;

create or replace function private.is_moderator() returns boolean
language plpgsql stable security definer set search_path = ''
as $$
begin
  return private.is_active_caller() and private.app_role(auth.uid()) in ('moderator', 'admin');
end
$$;

create or replace function private.is_admin() returns boolean
language plpgsql stable security definer set search_path = ''
as $$
begin
  return private.is_active_caller() and private.app_role(auth.uid()) = 'admin';
end
$$;

create or replace function private.is_member(channel uuid) returns boolean
language plpgsql stable security definer set search_path = ''
as $$
begin
  return exists (
    select 1 from public.channel_members m
    where m.channel_id = channel and m.user_id = auth.uid()
  ) and private.is_active_caller();
end
$$;

create or replace function private.my_channel_ids() returns setof uuid
language plpgsql stable security definer set search_path = ''
as $$
begin
  if not private.is_active_caller() then
    return;
  end if;
  return query select m.channel_id from public.channel_members m where m.user_id = auth.uid();
end
$$;

create or replace function private.channel_role(channel uuid) returns text
language plpgsql stable security definer set search_path = ''
as $$
begin
  if not private.is_active_caller() then
    return null;
  end if;
  return (select m.role from public.channel_members m
          where m.channel_id = channel and m.user_id = auth.uid());
end
$$;

create or replace function private.can_post(channel uuid) returns boolean
language plpgsql stable security definer set search_path = ''
as $$
begin
  return private.is_member(channel) and exists (
    select 1 from public.channels c where c.id = channel and c.archived_at is null
  );
end
$$;

create or replace function private.is_reported(message bigint) returns boolean
language plpgsql stable security definer set search_path = ''
as $$
begin
  return exists (select 1 from public.reports r where r.message_id = message);
end
$$;
