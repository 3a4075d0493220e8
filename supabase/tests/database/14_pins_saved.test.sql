-- message_pins and saved_messages: members pin, strangers see and change nothing by any path;
-- saved messages are their user's alone.
begin;
select plan(27);
select tests.seed_chat();

-- pins
select tests.api_as('bob');
select lives_ok(format($$ insert into public.message_pins (message_id, pinned_by) values (%s, tests.uid('bob')) $$, tests.mid('g1')),
  'a member pins a message of their channel');
select throws_ok(format($$ insert into public.message_pins (message_id, pinned_by) values (%s, tests.uid('bob')) $$, tests.mid('g1')),
  '23505', null, 'a message is pinned once');
select throws_ok(format($$ insert into public.message_pins (message_id, pinned_by) values (%s, tests.uid('alice')) $$, tests.mid('g2')),
  '42501', null, 'nobody pins in someone else''s name');
select throws_ok(format($$ insert into public.message_pins (message_id, pinned_by, channel_id) values (%s, tests.uid('bob'), tests.cid('dm')) $$, tests.mid('g2')),
  '42501', null, 'the channel of a pin cannot be forged (column not granted)');
select lives_ok(format($$ insert into public.message_pins (message_id, pinned_by) values (%s, tests.uid('bob')) $$, tests.mid('d1')),
  'either person of a DM pins');
select is((select channel_id from public.message_pins where message_id = tests.mid('g1')), tests.cid('general'),
  'a pin takes its channel from the message');

select tests.api_as('eve');
select throws_ok(format($$ insert into public.message_pins (message_id, pinned_by) values (%s, tests.uid('eve')) $$, tests.mid('s1')),
  '42501', null, 'a stranger cannot pin');
select is(tests.affected(format($$ delete from public.message_pins where message_id = %s $$, tests.mid('g1'))), 0::bigint,
  'a stranger cannot unpin');
select throws_ok(format($$ update public.message_pins set pinned_by = tests.uid('eve') where message_id = %s $$, tests.mid('g1')),
  '42501', null, 'nobody updates a pin');
select tests.authenticate_as('eve');
select is((select count(*) from public.message_pins), 0::bigint, 'a stranger reads no pin');
select throws_ok(format($$ delete from public.message_pins where message_id = %s $$, tests.mid('g1')),
  '42501', null, 'authenticated cannot delete pins directly');
select tests.authenticate_as('dave');
select is((select count(*) from public.message_pins), 0::bigint, 'a deactivated member reads no pin');
select tests.as_anon();
select throws_ok($$ select * from public.message_pins $$, '42501', null, 'anon cannot read pins');
select tests.authenticate_as('alice');
select is((select count(*) from public.message_pins), 2::bigint, 'members read the pins of their channels');

select tests.api_as('dave');
select throws_ok(format($$ insert into public.message_pins (message_id, pinned_by) values (%s, tests.uid('dave')) $$, tests.mid('g2')),
  '42501', null, 'a deactivated member cannot pin');
select tests.api_as('alice');
select is(tests.affected(format($$ delete from public.message_pins where message_id = %s $$, tests.mid('g1'))), 1::bigint,
  'the channel owner unpins someone else''s pin');
select tests.api_as('mod');
select lives_ok(format($$ insert into public.message_pins (message_id, pinned_by) values (%s, tests.uid('mod')) $$, tests.mid('g2')),
  'a plain member pins');
select tests.api_as('bob');
select is(tests.affected(format($$ delete from public.message_pins where message_id = %s $$, tests.mid('g2'))), 0::bigint,
  'a plain member cannot unpin someone else''s pin');
select tests.api_as('alice');
-- 49 more messages to reach the cap of 50 in general (g2 is pinned).
select tests.clear_authentication();
insert into public.messages (channel_id, sender_id, content, client_id)
  select tests.cid('general'), tests.uid('alice'), 'filler ' || i, 'f' || i from generate_series(1, 50) i;
select tests.api_as('alice');
select lives_ok($$ insert into public.message_pins (message_id, pinned_by)
                   select id, tests.uid('alice') from public.messages where client_id like 'f%' and client_id <> 'f50' $$,
  'a channel holds 50 pins');
select throws_ok(format($$ insert into public.message_pins (message_id, pinned_by) values (%s, tests.uid('alice')) $$, tests.mid('f50')),
  '23514', null, 'the 51st pin is refused');
select tests.clear_authentication();
update public.messages set deleted_at = now() where client_id = 'g2';
select is((select count(*) from public.message_pins where message_id = tests.mid('g2')), 0::bigint,
  'a deleted message loses its pin');

-- saved
select tests.api_as('bob');
select lives_ok(format($$ insert into public.saved_messages (message_id, user_id) values (%s, tests.uid('bob')) $$, tests.mid('s1')),
  'a member saves a message of their channel');
select tests.api_as('eve');
select throws_ok(format($$ insert into public.saved_messages (message_id, user_id) values (%s, tests.uid('eve')) $$, tests.mid('s1')),
  '42501', null, 'a stranger cannot save a message of a channel they are not in');
select throws_ok(format($$ insert into public.saved_messages (message_id, user_id) values (%s, tests.uid('bob')) $$, tests.mid('g1')),
  '42501', null, 'nobody saves in someone else''s name');
select is(tests.affected(format($$ delete from public.saved_messages where message_id = %s $$, tests.mid('s1'))), 0::bigint,
  'nobody removes someone else''s saved message');
select tests.authenticate_as('alice');
select is((select count(*) from public.saved_messages), 0::bigint, 'saved messages are private, even to the channel''s owner');
select tests.authenticate_as('bob');
select is((select count(*) from public.saved_messages), 1::bigint, 'a user reads their own saved messages');
select tests.clear_authentication();

select * from finish();
rollback;
