-- reports, blocked_terms and messages_archive: who reads and writes them.
begin;
select plan(22);
select tests.seed_chat();

-- reports
select tests.api_as('bob');
select lives_ok(format($$ insert into public.reports (message_id, reporter_id, reason) values (%s, tests.uid('bob'), 'rude') $$, tests.mid('s1')),
  'a member reports a message of their channel');
select throws_ok(format($$ insert into public.reports (message_id, reporter_id, reason) values (%s, tests.uid('bob'), 'again') $$, tests.mid('s1')),
  '23505', null, 'one report per reporter and message');
select throws_ok(format($$ insert into public.reports (message_id, reporter_id, reason) values (%s, tests.uid('alice'), 'framed') $$, tests.mid('g1')),
  '42501', null, 'nobody reports in someone else''s name');
select tests.api_as('eve');
select throws_ok(format($$ insert into public.reports (message_id, reporter_id, reason) values (%s, tests.uid('eve'), 'curious') $$, tests.mid('s1')),
  '42501', null, 'a stranger cannot report messages of channels they are not in');
select tests.authenticate_as('bob');
select is((select count(*) from public.reports), 1::bigint, 'a reporter reads their own reports');
select tests.authenticate_as('alice');
select is((select count(*) from public.reports), 0::bigint, 'a user reads no one else''s report');
select tests.authenticate_as('mod');
select is((select count(*) from public.reports), 1::bigint, 'a moderator reads the queue');
select is((select content from public.messages where client_id = 's1'), 'secret plans for the launch',
  'a moderator reads a reported message of a channel they are not in');
select tests.api_as('mod');
select is(tests.affected($$ update public.reports set status = 'actioned' $$), 1::bigint, 'a moderator decides a report');
select is(tests.affected($$ update public.messages set deleted_at = now() where client_id = 's1' $$), 1::bigint,
  'a moderator deletes a reported message');
select tests.api_as('bob');
select is(tests.affected($$ update public.reports set status = 'dismissed' $$), 0::bigint, 'a reporter cannot decide reports');
select tests.clear_authentication();
select results_eq($$ select status, reviewed_by from public.reports $$, $$ values ('actioned', tests.uid('mod')) $$,
  'the decision records who reviewed it');

-- a flagged message files a report by itself
insert into public.messages (channel_id, sender_id, content, client_id, moderation)
values (tests.cid('general'), tests.uid('bob'), 'borderline words', 'f1', 'flagged');
select results_eq($$ select reporter_id, status from public.reports where message_id = tests.mid('f1') $$,
  $$ values (null::uuid, 'open') $$, 'a message stored as flagged lands in the moderators'' queue');

-- blocked terms
select tests.api_as('admin');
select lives_ok($$ insert into public.blocked_terms (term, action) values ('grr', 'mask') $$, 'an admin adds a blocked term');
select throws_ok($$ insert into public.blocked_terms (term, action) values ('Grr ', 'mask') $$, '23514', null,
  'terms are stored trimmed and lower-case');
select tests.api_as('mod');
select throws_ok($$ insert into public.blocked_terms (term, action) values ('meh', 'flag') $$, '42501', null,
  'a moderator cannot add blocked terms');
select tests.authenticate_as('mod');
select is((select count(*) from public.blocked_terms), 1::bigint, 'a moderator reads the blocked terms');
select tests.authenticate_as('bob');
select is((select count(*) from public.blocked_terms), 0::bigint, 'a plain user reads no blocked term');
select tests.api_as('bob');
select is(tests.affected($$ delete from public.blocked_terms $$), 0::bigint, 'a plain user cannot remove blocked terms');
select tests.api_as('admin');
select is(tests.affected($$ delete from public.blocked_terms where term = 'grr' $$), 1::bigint, 'an admin removes a blocked term');

-- messages_archive: read-only, members only
select tests.api_as('alice');
select throws_ok($$ insert into public.messages_archive (id, channel_id, kind, content, client_id, created_at, moderation)
                    values (1, tests.cid('general'), 'text', 'fake', 'zz', now(), 'ok') $$,
  '42501', null, 'nobody writes the archive through the API');
select tests.as_anon();
select throws_ok($$ select * from public.messages_archive $$, '42501', null, 'anon cannot read the archive');
select tests.clear_authentication();

select * from finish();
rollback;
