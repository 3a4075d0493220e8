-- profiles and user_roles: who may read and change what.
begin;
select plan(26);
select tests.seed_chat();

-- Sign-up trigger.
select is((select username from public.profiles where id = tests.uid('alice')), 'alice',
  'the sign-up trigger makes a profile with the username from the metadata');
select is((select role from public.user_roles where user_id = tests.uid('alice')), 'user',
  'the sign-up trigger gives the default role');
select throws_ok(
  $$ insert into auth.users (id, aud, role, email, raw_user_meta_data)
     values (gen_random_uuid(), 'authenticated', 'authenticated', 'x@test.local', '{"username": "ALICE"}') $$,
  '23505', 'username "alice" is taken',
  'a username taken in any letter case fails the sign-up');
select throws_ok(
  $$ insert into auth.users (id, aud, role, email, raw_user_meta_data)
     values (gen_random_uuid(), 'authenticated', 'authenticated', 'y@test.local', '{"username": "no spaces"}') $$,
  '23514', null, 'a malformed username fails the sign-up');
insert into auth.users (id, aud, role, email, raw_user_meta_data)
values ('11111111-1111-4111-8111-111111111111', 'authenticated', 'authenticated', 'alice@oauth.test', '{"name": "Alice O"}');
select is((select username from public.profiles where id = '11111111-1111-4111-8111-111111111111'), 'alice_1',
  'a sign-up without a username (OAuth) gets a free one derived from the email');

-- anon
select tests.as_anon();
select throws_ok($$ select * from public.profiles $$, '42501', 'permission denied for table profiles',
  'anon cannot read profiles');
select throws_ok($$ select * from public.user_roles $$, '42501', null, 'anon cannot read roles');
select tests.clear_authentication();

-- authenticated (member and stranger alike)
select tests.authenticate_as('eve');
select is((select count(*) from public.profiles where id in (tests.uid('alice'), tests.uid('bob'))), 2::bigint,
  'an active user can read other profiles (to find people)');
select is((select count(*) from public.user_roles), 1::bigint, 'a user sees only their own role');
select throws_ok($$ update public.profiles set display_name = 'x' where id = tests.uid('eve') $$,
  '42501', null, 'authenticated cannot update profiles directly (only through the API)');
select throws_ok($$ insert into public.user_roles (user_id, role) values (tests.uid('eve'), 'admin') $$,
  '42501', null, 'authenticated cannot grant itself a role');
select tests.clear_authentication();

-- deactivated
select tests.authenticate_as('dave');
select is((select count(*) from public.profiles), 0::bigint, 'a deactivated user reads no profile');
select is((select count(*) from public.user_roles), 0::bigint, 'a deactivated user reads no role');
select tests.clear_authentication();
select tests.api_as('dave');
select is(tests.affected($$ update public.profiles set display_name = 'back' where id = tests.uid('dave') $$), 0::bigint,
  'a deactivated user cannot update their profile');
select tests.clear_authentication();

-- chat_api as the user
select tests.api_as('eve');
select is(tests.affected($$ update public.profiles set display_name = 'Eve!', status_text = 'hi' where id = tests.uid('eve') $$), 1::bigint,
  'the API updates the caller''s own profile');
select is(tests.affected($$ update public.profiles set display_name = 'hacked' where id = tests.uid('alice') $$), 0::bigint,
  'the API cannot update someone else''s profile');
select throws_ok($$ update public.profiles set id = gen_random_uuid() where id = tests.uid('eve') $$,
  '42501', null, 'nobody changes a profile id (column not granted)');
select throws_ok($$ delete from public.profiles where id = tests.uid('eve') $$,
  '42501', null, 'the API cannot delete profiles');
select is(tests.affected($$ update public.user_roles set role = 'admin' where user_id = tests.uid('eve') $$), 0::bigint,
  'a user cannot promote themselves');
select is(tests.affected($$ update public.profiles set deactivated_at = now() where id = tests.uid('eve') $$), 1::bigint,
  'a user can deactivate their own account');
select tests.clear_authentication();

-- moderator, admin
select tests.authenticate_as('mod');
select is((select count(*) from public.user_roles), 8::bigint, 'a moderator reads every role (admin view; 7 test users and the assistant)');
select tests.clear_authentication();
select tests.api_as('mod');
select is(tests.affected($$ update public.user_roles set role = 'admin' where user_id = tests.uid('bob') $$), 0::bigint,
  'a moderator cannot change roles');
select tests.clear_authentication();
select tests.api_as('admin');
select is(tests.affected($$ update public.user_roles set role = 'moderator' where user_id = tests.uid('bob') $$), 1::bigint,
  'an admin changes roles');
select is(tests.affected($$ update public.profiles set deactivated_at = null where id = tests.uid('dave') $$), 1::bigint,
  'an admin reactivates a deactivated user');
select throws_ok($$ update public.profiles set display_name = 'renamed' where id = tests.uid('bob') $$,
  '42501', 'only the user may edit their profile', 'an admin cannot edit someone else''s profile fields');
select tests.clear_authentication();
select is((select role from public.user_roles where user_id = tests.uid('bob')), 'moderator',
  'the role change is stored');

select * from finish();
rollback;
