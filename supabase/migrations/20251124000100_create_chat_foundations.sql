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
