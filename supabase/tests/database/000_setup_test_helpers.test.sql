-- Test helpers, in the spirit of usebasejump/supabase-test-helpers: named test users and
-- switching between them. Committed (no rollback), so with `supabase test db`, which runs the
-- files in order on one database, every later file can use them; the local runner runs this
-- file before each of the others.
create schema if not exists tests;
grant usage on schema tests to anon, authenticated, chat_api, service_role;

-- A stable id per test user name.
create or replace function tests.uid(name text) returns uuid
language sql immutable
as $$ select md5('chat-test-user:' || name)::uuid $$;

-- Creates a confirmed user (profile and role by the sign-up trigger) and returns its id.
create or replace function tests.create_user(name text, app_role text default 'user') returns uuid
language plpgsql
as $$
begin
  insert into auth.users (instance_id, id, aud, role, email, encrypted_password,
    email_confirmed_at, raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
  values ('00000000-0000-0000-0000-000000000000', tests.uid(name), 'authenticated',
    'authenticated', name || '@test.local', '', now(),
    '{"provider": "email", "providers": ["email"]}', jsonb_build_object('username', name), now(), now());
  update public.user_roles set role = app_role where user_id = tests.uid(name);
  return tests.uid(name);
end
$$;

-- Acts as `name` reading through PostgREST-style access: role authenticated, claims set.
create or replace function tests.authenticate_as(name text) returns void
language plpgsql
as $$
begin
  perform set_config('request.jwt.claims', jsonb_build_object(
    'sub', tests.uid(name), 'role', 'authenticated', 'aud', 'authenticated',
    'email', name || '@test.local')::text, true);
  perform set_config('role', 'authenticated', true);
end
$$;

-- Acts as `name` writing through the API: role chat_api, the caller's claims set.
create or replace function tests.api_as(name text) returns void
language plpgsql
as $$
begin
  perform set_config('request.jwt.claims', jsonb_build_object(
    'sub', tests.uid(name), 'role', 'authenticated', 'aud', 'authenticated',
    'email', name || '@test.local')::text, true);
  perform set_config('role', 'chat_api', true);
end
$$;

create or replace function tests.as_anon() returns void
language plpgsql
as $$
begin
  perform set_config('request.jwt.claims', '{"role": "anon"}', true);
  perform set_config('role', 'anon', true);
end
$$;

-- Back to the session user (postgres), with no claims.
create or replace function tests.clear_authentication() returns void
language plpgsql
as $$
begin
  perform set_config('role', 'none', true);
  perform set_config('request.jwt.claims', '', true);
end
$$;

-- pgTAP keeps its results in temporary tables owned by postgres; let the roles the tests
-- switch to write them.
create or replace function tests.allow_tap() returns void
language plpgsql
as $$
declare
  t record;
begin
  for t in select c.relname, c.relkind from pg_class c
           where c.relnamespace = pg_my_temp_schema() and c.relkind in ('r', 'S') loop
    execute format('grant all on %s %I to anon, authenticated, chat_api',
      case when t.relkind = 'S' then 'sequence' else 'table' end, t.relname);
  end loop;
end
$$;

grant execute on all functions in schema tests to anon, authenticated, chat_api, service_role;

select plan(1);
select ok(true, 'test helpers installed');
select * from finish();
