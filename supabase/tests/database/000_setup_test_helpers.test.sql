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

-- Acts as user `name` under database role `db_role`, with that user's claims set.
create or replace function tests.act_as(name text, db_role text) returns void
language plpgsql
as $$
begin
  perform set_config('request.jwt.claims', jsonb_build_object(
    'sub', tests.uid(name), 'role', 'authenticated', 'aud', 'authenticated',
    'email', name || '@test.local')::text, true);
  perform set_config('role', db_role, true);
end
$$;

-- Acts as `name` reading through PostgREST-style access: role authenticated.
create or replace function tests.authenticate_as(name text) returns void
language sql
as $$ select tests.act_as(name, 'authenticated') $$;

-- Acts as `name` writing through the API: role chat_api.
create or replace function tests.api_as(name text) returns void
language sql
as $$ select tests.act_as(name, 'chat_api') $$;

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

-- Rows a statement changed, run as the current role (RLS filters silently: 0 rows).
create or replace function tests.affected(statement text) returns bigint
language plpgsql
as $$
declare
  n bigint;
begin
  execute statement;
  get diagnostics n = row_count;
  return n;
end
$$;

create or replace function tests.cid(name text) returns uuid
language sql immutable
as $$ select md5('chat-test-channel:' || name)::uuid $$;

create or replace function tests.mid(client_id text) returns bigint
language sql stable security definer set search_path = ''
as $$ select m.id from public.messages m where m.client_id = mid.client_id $$;

-- The fixture most files use, made as postgres (no RLS):
--   users alice, bob, eve (a stranger to every channel), dave (deactivated), mod (moderator),
--   admin (admin); channels general (public group: alice owner, bob, dave, mod),
--   secret (private group: alice owner, bob), dm (alice and bob);
--   messages g1 (alice, general), g2 (bob, general), s1 (alice, secret), d1 (bob, dm).
create or replace function tests.seed_chat() returns void
language plpgsql
as $$
begin
  perform tests.create_user('alice');
  perform tests.create_user('bob');
  perform tests.create_user('eve');
  perform tests.create_user('dave');
  perform tests.create_user('mod', 'moderator');
  perform tests.create_user('admin', 'admin');
  insert into public.channels (id, kind, name, is_private, created_by) values
    (tests.cid('general'), 'group', 'general', false, tests.uid('alice')),
    (tests.cid('secret'), 'group', 'secret', true, tests.uid('alice'));
  insert into public.channels (id, kind, is_private, created_by, dm_user_low, dm_user_high) values
    (tests.cid('dm'), 'direct', true, tests.uid('alice'),
     least(tests.uid('alice'), tests.uid('bob')), greatest(tests.uid('alice'), tests.uid('bob')));
  insert into public.channel_members (channel_id, user_id, role) values
    (tests.cid('general'), tests.uid('alice'), 'owner'),
    (tests.cid('general'), tests.uid('bob'), 'member'),
    (tests.cid('general'), tests.uid('dave'), 'member'),
    (tests.cid('general'), tests.uid('mod'), 'member'),
    (tests.cid('secret'), tests.uid('alice'), 'owner'),
    (tests.cid('secret'), tests.uid('bob'), 'member'),
    (tests.cid('dm'), tests.uid('alice'), 'member'),
    (tests.cid('dm'), tests.uid('bob'), 'member');
  insert into public.messages (channel_id, sender_id, content, client_id) values
    (tests.cid('general'), tests.uid('alice'), 'hello general world', 'g1'),
    (tests.cid('general'), tests.uid('bob'), 'running late today', 'g2'),
    (tests.cid('secret'), tests.uid('alice'), 'secret plans for the launch', 's1'),
    (tests.cid('dm'), tests.uid('bob'), 'hi alice, lunch?', 'd1');
  update public.profiles set deactivated_at = now() where id = tests.uid('dave');
end
$$;

grant execute on all functions in schema tests to anon, authenticated, chat_api, service_role;

select plan(1);
select ok(true, 'test helpers installed');
select * from finish();
