-- channels and channel_members: visibility, creation, one DM per pair, joining, inviting,
-- leaving, watermarks and roles.
begin;
select plan(40);
select tests.seed_chat();

-- anon
select tests.as_anon();
select throws_ok($$ select * from public.channels $$, '42501', null, 'anon cannot read channels');
select throws_ok($$ select * from public.channel_members $$, '42501', null, 'anon cannot read members');
select tests.clear_authentication();

-- reading
select tests.authenticate_as('alice');
select is((select count(*) from public.channels), 3::bigint, 'a member reads her channels (group, private group, DM)');
select tests.authenticate_as('eve');
select results_eq($$ select name from public.channels $$, $$ values ('general') $$,
  'a stranger sees only public groups, not private groups or DMs');
select is((select count(*) from public.channel_members where channel_id = tests.cid('general')), 4::bigint,
  'a stranger may see who is in a public group');
select is((select count(*) from public.channel_members where channel_id in (tests.cid('secret'), tests.cid('dm'))), 0::bigint,
  'a stranger sees no member of a private group or DM');
select tests.authenticate_as('dave');
select is((select count(*) from public.channels), 0::bigint, 'a deactivated user reads no channel');
select is((select count(*) from public.channel_members), 0::bigint, 'a deactivated user reads no membership');
select throws_ok($$ insert into public.channels (kind, name, created_by) values ('group', 'x', tests.uid('dave')) $$,
  '42501', null, 'authenticated cannot create channels directly');
select tests.clear_authentication();

-- creating
select tests.api_as('eve');
select lives_ok($$ insert into public.channels (id, kind, name, is_private, created_by)
                   values (tests.cid('eves'), 'group', 'eve''s room', true, tests.uid('eve')) $$,
  'the API creates a group for its caller');
select throws_ok($$ insert into public.channels (kind, name, created_by) values ('group', 'fake', tests.uid('alice')) $$,
  '42501', null, 'nobody creates a channel in someone else''s name');
select lives_ok($$ insert into public.channel_members (channel_id, user_id) values (tests.cid('eves'), tests.uid('bob')) $$,
  'the creator invites people while setting up a new group');
select lives_ok($$ insert into public.channel_members (channel_id, user_id, role) values (tests.cid('eves'), tests.uid('eve'), 'member') $$,
  'the creator joins her group');
select tests.clear_authentication();
select is((select role from public.channel_members where channel_id = tests.cid('eves') and user_id = tests.uid('eve')), 'owner',
  'the creator of a group becomes its owner, whatever role was asked');
select tests.api_as('eve');
select lives_ok($$ insert into public.channels (id, kind, is_private, created_by, dm_user_low, dm_user_high)
                   values (tests.cid('eve-alice'), 'direct', true, tests.uid('eve'),
                     least(tests.uid('eve'), tests.uid('alice')), greatest(tests.uid('eve'), tests.uid('alice'))) $$,
  'the API opens a DM between its caller and someone else');
select throws_ok($$ insert into public.channels (kind, is_private, created_by, dm_user_low, dm_user_high)
                    values ('direct', true, tests.uid('eve'),
                      least(tests.uid('eve'), tests.uid('alice')), greatest(tests.uid('eve'), tests.uid('alice'))) $$,
  '23505', null, 'a second DM for the same pair violates the one-DM-per-pair constraint');
select throws_ok($$ insert into public.channels (kind, is_private, created_by, dm_user_low, dm_user_high)
                    values ('direct', true, tests.uid('eve'),
                      least(tests.uid('bob'), tests.uid('alice')), greatest(tests.uid('bob'), tests.uid('alice'))) $$,
  '42501', null, 'nobody opens a DM between two other people');
select throws_ok($$ insert into public.channels (kind, is_private, created_by, dm_user_low, dm_user_high)
                    values ('direct', false, tests.uid('eve'),
                      least(tests.uid('eve'), tests.uid('bob')), greatest(tests.uid('eve'), tests.uid('bob'))) $$,
  '23514', null, 'a DM is always private');

-- joining and inviting
select lives_ok($$ insert into public.channel_members (channel_id, user_id, role) values (tests.cid('general'), tests.uid('eve'), 'owner') $$,
  'anyone joins a public group');
select tests.clear_authentication();
select is((select role from public.channel_members where channel_id = tests.cid('general') and user_id = tests.uid('eve')), 'member',
  'joining gives the member role, whatever role was asked');
select tests.api_as('eve');
select throws_ok($$ insert into public.channel_members (channel_id, user_id) values (tests.cid('secret'), tests.uid('eve')) $$,
  '42501', null, 'nobody joins a private group uninvited');
select tests.api_as('bob');
select throws_ok($$ insert into public.channel_members (channel_id, user_id) values (tests.cid('secret'), tests.uid('eve')) $$,
  '42501', null, 'a plain member cannot invite into a private group');
select tests.api_as('alice');
select lives_ok($$ insert into public.channel_members (channel_id, user_id) values (tests.cid('secret'), tests.uid('eve')) $$,
  'the owner invites into a private group');
select throws_ok($$ insert into public.channel_members (channel_id, user_id) values (tests.cid('secret'), tests.uid('dave')) $$,
  '42501', null, 'a deactivated user cannot be added');
select tests.api_as('dave');
select throws_ok($$ insert into public.channel_members (channel_id, user_id) values (tests.cid('eves'), tests.uid('dave')) $$,
  '42501', null, 'a deactivated user cannot join anything');

-- watermarks and roles
select tests.api_as('bob');
select is(tests.affected($$ update public.channel_members set last_delivered_message_id = 10, last_read_message_id = 8
                           where channel_id = tests.cid('general') and user_id = tests.uid('bob') $$), 1::bigint,
  'a member moves their own watermarks');
select is(tests.affected($$ update public.channel_members set last_read_message_id = 2
                           where channel_id = tests.cid('general') and user_id = tests.uid('bob') $$), 1::bigint,
  'an attempt to move a watermark back is accepted …');
select tests.clear_authentication();
select is((select last_read_message_id from public.channel_members where channel_id = tests.cid('general') and user_id = tests.uid('bob')), 8::bigint,
  '… but the watermark never moves backwards');
select tests.api_as('alice');
select throws_ok($$ update public.channel_members set last_read_message_id = 99
                    where channel_id = tests.cid('general') and user_id = tests.uid('bob') $$,
  '42501', 'only the member moves their own watermarks', 'even the owner cannot move someone else''s watermark');
select is(tests.affected($$ update public.channel_members set role = 'admin'
                           where channel_id = tests.cid('general') and user_id = tests.uid('bob') $$), 1::bigint,
  'the owner makes a member admin');
select tests.api_as('mod');
select is(tests.affected($$ update public.channel_members set role = 'admin'
                           where channel_id = tests.cid('general') and user_id = tests.uid('dave') $$), 0::bigint,
  'a plain member cannot change roles');

-- leaving, removing, renaming
select tests.api_as('eve');
select is(tests.affected($$ delete from public.channel_members where channel_id = tests.cid('general') and user_id = tests.uid('mod') $$), 0::bigint,
  'a member cannot remove someone else');
select is(tests.affected($$ delete from public.channel_members where channel_id = tests.cid('general') and user_id = tests.uid('eve') $$), 1::bigint,
  'a member leaves a group');
select tests.api_as('bob');
select is(tests.affected($$ delete from public.channel_members where channel_id = tests.cid('dm') and user_id = tests.uid('bob') $$), 0::bigint,
  'nobody leaves a DM');
select is(tests.affected($$ update public.channels set name = 'hijacked' where id = tests.cid('secret') $$), 0::bigint,
  'a plain member cannot rename a group');
select tests.api_as('alice');
select is(tests.affected($$ update public.channels set name = 'lobby', topic = 'Say hi' where id = tests.cid('general') $$), 1::bigint,
  'the owner renames a group and sets its topic');
select is(tests.affected($$ update public.channels set topic = 'x' where id = tests.cid('dm') $$), 0::bigint,
  'a DM has no name or topic to change');
select tests.clear_authentication();

-- A creator who handed the group over and left does not walk back in.
select tests.api_as('alice');
select is(tests.affected($$ update public.channel_members set role = 'owner' where channel_id = tests.cid('secret') and user_id = tests.uid('bob') $$), 1::bigint,
  'the owner hands ownership to another member');
select is(tests.affected($$ delete from public.channel_members where channel_id = tests.cid('secret') and user_id = tests.uid('alice') $$), 1::bigint,
  'the creator leaves her private group');
select throws_ok($$ insert into public.channel_members (channel_id, user_id) values (tests.cid('secret'), tests.uid('alice')) $$,
  '42501', null, 'the creator cannot rejoin a private group that has an owner');
select tests.clear_authentication();

select * from finish();
rollback;
