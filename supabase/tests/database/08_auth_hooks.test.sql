-- The auth hooks, called with the event JSON of the hook's contract, and granted to the role
-- Supabase Auth calls them as (supabase_auth_admin) and to nobody else.
begin;
select plan(19);
select tests.seed_chat();

create function pg_temp.attempt(who text, valid boolean) returns jsonb
language plpgsql as $$
declare
  out jsonb;
begin
  return public.password_verification_attempt_hook(
    jsonb_build_object('user_id', tests.uid(who), 'valid', valid));
end $$;

create function pg_temp.token_for(who text) returns jsonb
language plpgsql as $$
declare
  out jsonb;
begin
  out := public.custom_access_token_hook(jsonb_build_object(
    'user_id', tests.uid(who), 'authentication_method', 'password',
    'claims', jsonb_build_object('sub', tests.uid(who), 'role', 'authenticated', 'aud', 'authenticated',
      'aal', 'aal1', 'session_id', gen_random_uuid(), 'is_anonymous', false, 'exp', 9999999999)));
  return out;
end $$;

select ok(has_function_privilege('supabase_auth_admin', 'public.custom_access_token_hook(jsonb)', 'execute')
  and has_function_privilege('supabase_auth_admin', 'public.password_verification_attempt_hook(jsonb)', 'execute'),
  'Supabase Auth''s role may call both hooks');
select ok(not has_function_privilege('authenticated', 'public.custom_access_token_hook(jsonb)', 'execute')
  and not has_function_privilege('anon', 'public.password_verification_attempt_hook(jsonb)', 'execute')
  and not has_function_privilege('chat_api', 'public.password_verification_attempt_hook(jsonb)', 'execute'),
  'no API role may call them');
select ok(has_table_privilege('supabase_auth_admin', 'private.login_failures', 'insert')
  and has_table_privilege('supabase_auth_admin', 'private.login_lockouts', 'update')
  and has_table_privilege('supabase_auth_admin', 'public.user_roles', 'select'),
  'the hook''s role reaches the tables the hooks use');
select ok(not has_table_privilege('authenticated', 'private.login_failures', 'select')
  and not has_table_privilege('service_role', 'private.login_failures', 'select')
  and not has_table_privilege('chat_api', 'private.login_lockouts', 'delete'),
  'no other role touches the failure tables');

-- custom_access_token_hook
select is(pg_temp.token_for('bob') -> 'claims' ->> 'user_role', 'user', 'a user''s token says user_role user');
select is(pg_temp.token_for('mod') -> 'claims' ->> 'user_role', 'moderator', 'a moderator''s says moderator');
select is(pg_temp.token_for('admin') -> 'claims' ->> 'user_role', 'admin', 'an admin''s says admin');
select is(pg_temp.token_for('bob') -> 'claims' ->> 'sub', tests.uid('bob')::text, 'the other claims are kept');
select is(pg_temp.token_for('dave') -> 'error' ->> 'http_code', '403', 'a deactivated user gets no token');

-- password_verification_attempt_hook: 5 failures in 15 minutes lock for 15 minutes
select is(pg_temp.attempt('bob', false) ->> 'decision', 'continue', 'a first wrong password is just wrong');
select pg_temp.attempt('bob', false);
select pg_temp.attempt('bob', false);
select pg_temp.attempt('bob', false);
select is(pg_temp.attempt('bob', false) ->> 'decision', 'reject', 'the fifth failure locks the account');
select is(pg_temp.attempt('bob', false) ->> 'message', 'Invalid login credentials',
  'while locked a wrong password still reads as any wrong password (nothing revealed)');
select is(pg_temp.attempt('bob', true) ->> 'decision', 'reject',
  'while locked even the right password is refused');
select matches(pg_temp.attempt('bob', true) ->> 'message', 'locked until \d{4}-\d{2}-\d{2}T',
  'and its holder is told the account is locked, and until when');
update private.login_lockouts set locked_until = now() - interval '1 second';
select is(pg_temp.attempt('bob', true) ->> 'decision', 'continue', 'after 15 minutes the right password works again');
select is((select count(*) from private.login_failures where user_id = tests.uid('bob')), 0::bigint,
  'a successful sign-in clears the failures');
insert into private.login_failures (user_id, failed_at)
select tests.uid('alice'), now() - interval '20 minutes' from generate_series(1, 4);
select is(pg_temp.attempt('alice', false) ->> 'decision', 'continue', 'failures older than 15 minutes do not count');

-- only the hook's role touches the failure table
select tests.authenticate_as('bob');
select throws_ok($$ select * from private.login_failures $$, '42501', null, 'users cannot read the failure table');
select tests.api_as('bob');
select throws_ok($$ delete from private.login_lockouts $$, '42501', null, 'the API cannot clear lockouts');
select tests.clear_authentication();

select * from finish();
rollback;
