-- Foundations of the chat schema: extensions, the private schema for policy helpers, and the
-- `chat_api` role, the only role that writes chat tables (the API switches to it per request,
-- with the caller's claims set, so RLS still judges every write as the caller).

create extension if not exists pg_trgm with schema extensions;

create schema if not exists private;
comment on schema private is
  'Helpers for RLS policies and triggers (security definer, fixed search_path). Not exposed by the API.';
revoke all on schema private from public;

do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'chat_api') then
    create role chat_api nologin noinherit;
  end if;
end
$$;
comment on role chat_api is
  'The API function''s writer: the only role with INSERT/UPDATE/DELETE on chat tables.';
grant chat_api to postgres;
grant usage on schema public, extensions to chat_api;
grant usage on schema private to authenticated, chat_api, service_role;
grant usage on schema realtime to chat_api;

-- New functions in public are not callable by anon unless granted (Supabase grants by default).
alter default privileges for role postgres in schema public revoke execute on functions from anon;

-- The caller's user id for trigger functions that run as the caller (security invoker):
-- chat_api has no usage on schema auth, so they cannot call auth.uid() themselves.
create function private.caller_id() returns uuid
language sql stable security definer set search_path = ''
as $$ select auth.uid() $$;
revoke all on function private.caller_id() from public;
grant execute on function private.caller_id() to authenticated, chat_api, service_role;

-- The @assistant's user id (the user itself is made by the assistant migration).
create function private.assistant_id() returns uuid
language sql immutable
as $$ select '00000000-0000-4000-8000-00000000a551'::uuid $$;
grant execute on function private.assistant_id() to authenticated, chat_api, service_role;
