-- A group's creator sets it up once: removed (by a site admin) or gone, they do not walk back
-- in as owner, and in a private group not at all without an invitation.
begin;
select plan(12);
select tests.seed_chat();

-- A new group, set up the way the API and the creators' flows do it.
select tests.api_as('eve');
select lives_ok($$ insert into public.channels (id, kind, name, is_private, created_by)
                   values (tests.cid('eves'), 'group', 'eve''s room', true, tests.uid('eve')) $$,
  'eve creates a private group');
select lives_ok($$ insert into public.channel_members (channel_id, user_id) values (tests.cid('eves'), tests.uid('bob')) $$,
  'the creator invites someone before taking her own place');
select lives_ok($$ insert into public.channel_members (channel_id, user_id) values (tests.cid('eves'), tests.uid('eve')) $$,
  'the creator takes her place');
select lives_ok($$ insert into public.channel_members (channel_id, user_id) values (tests.cid('eves'), tests.uid('admin')) $$,
  'as owner she invites a site admin');
select tests.clear_authentication();
select is((select role from public.channel_members where channel_id = tests.cid('eves') and user_id = tests.uid('eve')), 'owner',
  'on her first seat the creator is the owner');
select ok(private.creator_was_seated(tests.cid('eves')), 'the seat is remembered');
insert into public.messages (channel_id, sender_id, content, client_id)
values (tests.cid('eves'), tests.uid('bob'), 'plans eve should not see', 'e1');

-- A site admin in the group removes the owner-creator: the group has no owner now.
select tests.api_as('admin');
select is(tests.affected($$ delete from public.channel_members where channel_id = tests.cid('eves') and user_id = tests.uid('eve') $$), 1::bigint,
  'a site admin removes the creator');
select tests.api_as('eve');
select throws_ok($$ insert into public.channel_members (channel_id, user_id) values (tests.cid('eves'), tests.uid('eve')) $$,
  '42501', null, 'the removed creator cannot add herself back to the ownerless private group');
select throws_ok($$ insert into public.channel_members (channel_id, user_id) values (tests.cid('eves'), tests.uid('alice')) $$,
  '42501', null, 'nor invite anyone into it');
select tests.authenticate_as('eve');
select is((select count(*) from public.messages where channel_id = tests.cid('eves')), 0::bigint,
  'nor read its messages');
select tests.clear_authentication();

-- A public group: she may come back, but only as a plain member.
update public.channel_members set role = 'member' where channel_id = tests.cid('general') and user_id = tests.uid('alice');
delete from public.channel_members where channel_id = tests.cid('general') and user_id = tests.uid('alice');
select tests.api_as('alice');
select lives_ok($$ insert into public.channel_members (channel_id, user_id) values (tests.cid('general'), tests.uid('alice')) $$,
  'the creator rejoins her public group like anyone may');
select tests.clear_authentication();
select is((select role from public.channel_members where channel_id = tests.cid('general') and user_id = tests.uid('alice')), 'member',
  'and comes back as a member, not as its owner');

select * from finish();
rollback;
