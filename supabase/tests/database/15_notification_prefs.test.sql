-- notification_prefs, channel_notify_levels, push_subscriptions: each row is its user's alone;
-- a stranger reads and writes none by any path (tables as authenticated or chat_api, the push
-- functions); push_targets answers only the sender of a fresh message.
begin;
select plan(24);
select tests.seed_chat();

select tests.api_as('bob');
select lives_ok($$ insert into public.notification_prefs (user_id, dnd_start, dnd_end, time_zone, sound)
                   values (tests.uid('bob'), '22:00', '07:00', 'Europe/Berlin', true) $$,
  'a user stores their own prefs');
select lives_ok(format($$ insert into public.channel_notify_levels (user_id, channel_id, level) values (tests.uid('bob'), %L, 'mentions') $$, tests.cid('general')),
  'a user stores their own channel level');
select lives_ok($$ insert into public.push_subscriptions (user_id, endpoint, p256dh, auth)
                   values (tests.uid('bob'), 'https://push.example/bob', repeat('B', 87), repeat('a', 22)) $$,
  'a user stores their own push subscription');
select throws_ok($$ insert into public.notification_prefs (user_id, dnd_start) values (tests.uid('bob'), '22:00') $$,
  '23514', null, 'a window has both ends');
select throws_ok(format($$ insert into public.channel_notify_levels (user_id, channel_id, level) values (tests.uid('bob'), %L, 'loud') $$, tests.cid('secret')),
  '23514', null, 'only all, mentions and muted');

select tests.api_as('eve');
select throws_ok($$ insert into public.notification_prefs (user_id) values (tests.uid('alice')) $$,
  '42501', null, 'a stranger cannot write someone else''s prefs');
select throws_ok(format($$ insert into public.channel_notify_levels (user_id, channel_id, level) values (tests.uid('bob'), %L, 'muted') $$, tests.cid('general')),
  '42501', null, 'a stranger cannot set someone else''s channel level');
select throws_ok($$ insert into public.push_subscriptions (user_id, endpoint, p256dh, auth)
                   values (tests.uid('bob'), 'https://push.example/eve', repeat('B', 87), repeat('a', 22)) $$,
  '42501', null, 'a stranger cannot add a subscription for someone else');
select is((select count(*) from public.notification_prefs), 0::bigint, 'a stranger reads no prefs (chat_api)');
select is((select count(*) from public.channel_notify_levels), 0::bigint, 'a stranger reads no levels (chat_api)');
select is((select count(*) from public.push_subscriptions), 0::bigint, 'a stranger reads no subscriptions (chat_api)');
select is(tests.affected($$ update public.notification_prefs set sound = false $$), 0::bigint,
  'a stranger updates no prefs');
select is(tests.affected($$ update public.push_subscriptions set endpoint = 'https://evil.example/x' $$), 0::bigint,
  'a stranger redirects no subscription');
select is(tests.affected($$ delete from public.push_subscriptions $$), 0::bigint,
  'a stranger deletes no subscription');
select is(tests.affected($$ delete from public.channel_notify_levels $$), 0::bigint,
  'a stranger deletes no level');
select is((select count(*) from public.push_targets(tests.mid('d1'))), 0::bigint,
  'push_targets answers nothing for someone else''s message');
select is(public.push_gone(tests.mid('d1'), 'https://push.example/bob'), 0::bigint,
  'push_gone removes nothing for someone else''s message');

select tests.authenticate_as('eve');
select is((select count(*) from public.push_subscriptions), 0::bigint, 'a stranger reads no subscriptions (authenticated)');
select throws_ok($$ delete from public.push_subscriptions $$, '42501', null, 'authenticated cannot write directly');
select throws_ok(format($$ select * from public.push_targets(%s) $$, tests.mid('d1')),
  '42501', null, 'authenticated cannot call push_targets');
select tests.as_anon();
select throws_ok($$ select * from public.notification_prefs $$, '42501', null, 'anon cannot read prefs');

select tests.authenticate_as('bob');
select is((select count(*) from public.push_subscriptions), 1::bigint, 'the owner reads their subscription');

-- Alice writes to Bob in their DM: Bob is a target (one subscription), with his rules.
select tests.clear_authentication();
insert into public.messages (channel_id, sender_id, content, client_id)
  values (tests.cid('dm'), tests.uid('alice'), 'are you there?', 'd2');
select tests.api_as('alice');
select is((select array_agg(endpoint || ' ' || level || ' ' || time_zone) from public.push_targets(tests.mid('d2'))),
  array['https://push.example/bob all Europe/Berlin'], 'the sender of a DM reaches the other person');
select is(public.push_gone(tests.mid('d2'), 'https://push.example/bob'), 1::bigint,
  'a gone subscription of a target is removed');

select * from finish();
rollback;
