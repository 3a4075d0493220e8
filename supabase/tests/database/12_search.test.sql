-- Search at scale (issue 16): prefixes as you type, unspaced scripts (Japanese, Chinese,
-- Korean) found inside words, the filters (threads: issue 14's, and replies quoting a message),
-- both sorts, the archive ranked alike, and only ever the caller's own channels.
begin;
select plan(60);
select tests.seed_chat();

-- A channel whose id starts with the same 8 hex digits as general's (the index's key prefix).
insert into public.channels (id, kind, name, is_private, created_by)
values (overlay(tests.cid('other')::text placing left(tests.cid('general')::text, 8) from 1 for 8)::uuid,
  'group', 'lookalike', true, tests.uid('alice'));
insert into public.channel_members (channel_id, user_id, role)
select c.id, tests.uid('alice'), 'owner' from public.channels c where c.name = 'lookalike';
insert into public.messages (channel_id, sender_id, content, client_id)
select c.id, tests.uid('alice'), 'hello from the lookalike', 'x1' from public.channels c where c.name = 'lookalike';

insert into public.messages (channel_id, sender_id, content, client_id, mentions) values
  (tests.cid('general'), tests.uid('alice'), '東京タワーに行きました', 'ja1', '{}'),
  (tests.cid('general'), tests.uid('alice'), '我们明天去北京', 'zh1', '{}'),
  (tests.cid('general'), tests.uid('alice'), '서울에서 만나요', 'ko1', '{}'),
  (tests.cid('general'), tests.uid('alice'), 'call fetchMessages() before deploying', 'code1', '{}'),
  (tests.cid('general'), tests.uid('alice'), 'bob, the quarterly numbers are in', 'm1',
   array[tests.uid('bob')]),
  (tests.cid('general'), tests.uid('alice'), 'quarterly numbers attached', 'f1', '{}');
insert into public.messages (channel_id, sender_id, content, client_id, reply_to_id)
values (tests.cid('general'), tests.uid('bob'), 'see you soon then', 'r1', tests.mid('g2'));
insert into public.messages (channel_id, sender_id, content, client_id, thread_root_id)
values (tests.cid('general'), tests.uid('bob'), 'thread answer: yes please', 't1', tests.mid('code1'));
insert into public.attachments (message_id, channel_id, uploaded_by, path, mime_type, size_bytes, sha256)
values (tests.mid('f1'), tests.cid('general'), tests.uid('alice'),
  tests.cid('general') || '/' || tests.uid('alice') || '/numbers.pdf', 'application/pdf', 1000, repeat('a', 64));

select tests.authenticate_as('bob');

-- Words, stems and prefixes.
select is(private.search_query('runn')::text, '''runn'' | ''runn'':*', 'the last word is also a prefix');
select ok(private.search_query('late -runn')::text !~ 'runn'':\*', 'a word left out is never a prefix');
select results_eq($$ select id from public.search_messages('runn') $$, $$ values (tests.mid('g2')) $$,
  'a prefix finds the word being typed');
select results_eq($$ select id from public.search_messages('plan') $$, $$ values (tests.mid('s1')) $$,
  'a stem finds its forms');
select results_eq($$ select id from public.search_messages('fetchMessages') $$, $$ values (tests.mid('code1')) $$,
  'names from code are found as written');
select is((select snippet from public.search_messages('fetchmes')),
  'call ' || chr(2) || 'fetchMessages' || chr(3) || '() before deploying', 'the snippet marks the whole word a prefix found');
select is((select count(*) from public.search_messages('the -quarterly')), 1::bigint,
  'a word left out removes the messages that have it');

-- Japanese, Chinese and Korean: any part of a word.
select results_eq($$ select id from public.search_messages('東京') $$, $$ values (tests.mid('ja1')) $$,
  'a two-character Japanese word is found inside a sentence');
select results_eq($$ select id from public.search_messages('タワー') $$, $$ values (tests.mid('ja1')) $$,
  'and a katakana word in its middle');
select results_eq($$ select id from public.search_messages('北京') $$, $$ values (tests.mid('zh1')) $$,
  'a Chinese word at the end of a sentence is found');
select results_eq($$ select id from public.search_messages('明天去') $$, $$ values (tests.mid('zh1')) $$,
  'and three characters in its middle');
select results_eq($$ select id from public.search_messages('京') order by id $$,
  $$ values (tests.mid('ja1')), (tests.mid('zh1')) $$, 'one character is found anywhere in a run, last included');
select is((select count(*) from public.search_messages('東北')), 0::bigint,
  'characters that are not next to each other do not match');
select is((select count(*) from public.search_messages('京タワー行')), 0::bigint,
  'nor does a run that is not in the text');
select results_eq($$ select id from public.search_messages('서울') $$, $$ values (tests.mid('ko1')) $$,
  'a Korean word is found without its ending');
select is((select snippet from public.search_messages('北京')), '我们明天去' || chr(2) || '北京' || chr(3),
  'the snippet marks the run found');
select is((select snippet from public.search_messages('タワー')),
  '東京' || chr(2) || 'タワー' || chr(3) || 'に行きました', 'inside a longer run too');

-- Filters.
select results_eq($$ select id from public.search_messages('quarterly', p_has_attachment => true) $$,
  $$ values (tests.mid('f1')) $$, 'has=attachment keeps messages with files');
select results_eq($$ select id from public.search_messages('late', p_in_thread => true) $$,
  $$ values (tests.mid('g2')) $$, 'in=thread keeps a message that has replies');
select results_eq($$ select id from public.search_messages('soon', p_in_thread => true) $$,
  $$ values (tests.mid('r1')) $$, 'and the replies');
select results_eq($$ select id from public.search_messages('fetchMessages', p_in_thread => true) $$,
  $$ values (tests.mid('code1')) $$, 'in=thread keeps the root of a thread');
select results_eq($$ select id from public.search_messages('answer', p_in_thread => true) $$,
  $$ values (tests.mid('t1')) $$, 'and its replies');
select is((select count(*) from public.search_messages('hello', p_in_thread => true)), 0::bigint,
  'but no message outside a thread');
select results_eq($$ select id from public.search_messages('quarterly', p_mentions_me => true) $$,
  $$ values (tests.mid('m1')) $$, 'mentions=me keeps the messages that mention the caller');
select results_eq($$ select id from public.search_messages('quarterly', p_sender_id => tests.uid('alice'),
  p_sort => 'recent') $$, $$ values (tests.mid('f1')), (tests.mid('m1')) $$, 'sort=recent puts the newest first');
select throws_ok($$ select * from public.search_messages('hello', p_sort => 'oldest') $$, '22023', null,
  'an unknown sort is refused');
select is((select count(*) from public.search_messages('quartz')), 0::bigint,
  'a long prefix is checked beyond the four characters the index keeps');

-- Dates: whole days from the index, the bounds from the row.
select tests.clear_authentication();
update public.messages set created_at = now() - interval '10 days' where client_id = 'f1';
select tests.authenticate_as('bob');
select results_eq($$ select id from public.search_messages('quarterly', p_after => now() - interval '1 day') $$,
  $$ values (tests.mid('m1')) $$, 'after: only what came since');
select results_eq($$ select id from public.search_messages('quarterly', p_before => now() - interval '1 day') $$,
  $$ values (tests.mid('f1')) $$, 'before: only what came earlier');
select results_eq($$ select id from public.search_messages('quarterly',
  p_after => now() - interval '10 days' - interval '1 second', p_before => now() - interval '10 days' + interval '1 second') $$,
  $$ values (tests.mid('f1')) $$, 'a range of two seconds finds its message');
select is((select count(*) from public.search_messages('quarterly', p_before => now())), 1::bigint,
  'the bound is exclusive');
select is((select count(*) from public.search_messages('quarterly', p_after => now() + interval '1 day')), 0::bigint,
  'and nothing after the newest message');

-- Only the caller's channels, even where the index keys of two channels look alike.
select results_eq($$ select id from public.search_messages('hello') $$, $$ values (tests.mid('g1')) $$,
  'a channel whose id starts like one of mine stays hidden');
select tests.authenticate_as('alice');
select is((select count(*) from public.search_messages('hello')), 2::bigint, 'while its members find it');
select is((select count(*) from public.search_messages('quarterly', p_mentions_me => true)), 0::bigint,
  'mentions=me is about the caller');
select tests.authenticate_as('eve');
select is((select count(*) from public.search_messages('東京')), 0::bigint, 'a stranger finds nothing');

-- The filters' flags (20251124007000): set by triggers, and no edit, so no event goes out.
select tests.clear_authentication();
select ok((select has_attachments from public.messages where id = tests.mid('f1')),
  'a message is flagged when a file is linked to it');
select ok(not (select has_attachments from public.messages where id = tests.mid('m1')), 'and only then');
select ok((select has_replies from public.messages where id = tests.mid('g2')),
  'a message a reply quotes is flagged as in a thread');
select ok((select has_replies from public.messages where id = tests.mid('code1')), 'so is a thread''s root');
select ok(not (select has_replies from public.messages where id = tests.mid('r1')),
  'not a reply itself (its row says it is one)');
set constraints all immediate;
insert into public.messages (channel_id, sender_id, content, client_id, reply_to_id)
values (tests.cid('general'), tests.uid('bob'), 'quoting the numbers', 'r2', tests.mid('m1'));
select ok((select has_replies from public.messages where id = tests.mid('m1')),
  'a new reply flags the message it quotes at once');
select is((select count(*) from realtime.messages
  where event = 'message.updated' and (payload -> 'message' ->> 'id')::bigint = tests.mid('m1')), 0::bigint,
  'with no message.updated: the flag is not an edit');
select is((select count(*) from realtime.messages
  where event = 'message.created' and (payload -> 'message' ->> 'id')::bigint = tests.mid('r2')), 1::bigint,
  'while the reply goes out as ever');
set constraints all deferred;

-- Deleted messages.
select tests.api_as('bob');
update public.messages set deleted_at = now() where client_id = 'r1';
select tests.authenticate_as('bob');
select is((select count(*) from public.search_messages('soon')), 0::bigint, 'a deleted message is not found');

-- The archive: searched on request, ranked as it was before it moved.
select tests.clear_authentication();
create temporary table before_archive on commit drop as
  select id, score from public.search_messages('secret plans') where false;
grant select, insert on before_archive to authenticated;
select tests.authenticate_as('bob');
insert into before_archive select id, score from public.search_messages('secret plans');
select tests.clear_authentication();
update public.messages set created_at = now() - interval '400 days' where client_id = 's1';
select is(private.archive_messages_batch(now() - interval '365 days'), 1, 'one message is archived');
select tests.authenticate_as('bob');
select is((select count(*) from public.search_messages('secret plans')), 0::bigint,
  'archived messages are not searched by default');
select results_eq($$ select id, archived, score from public.search_messages('secret plans', p_include_archive => true) $$,
  $$ select id, true, score from before_archive $$, 'archive=true finds them, with the same score');
select is((select snippet from public.search_messages('plans', p_include_archive => true)),
  'secret ' || chr(2) || 'plans' || chr(3) || ' for the launch', 'and the same snippet');
select tests.authenticate_as('eve');
select is((select count(*) from public.search_messages('secret', p_include_archive => true)), 0::bigint,
  'a stranger finds nothing in the archive either');

-- Many hits: the newest first, whichever way the hits are found.
select tests.clear_authentication();
insert into public.messages (channel_id, sender_id, content, client_id)
select tests.cid('general'), tests.uid('alice'), 'busy filler number ' || n, 'busy-' || n
from generate_series(1, 3000) n;
insert into public.messages (channel_id, sender_id, content, client_id)
select tests.cid('general'), tests.uid('bob'), 'busy bee ' || n, 'bee-' || n from generate_series(1, 3) n;
insert into public.messages (channel_id, sender_id, content, client_id, reply_to_id)
values (tests.cid('general'), tests.uid('bob'), 'a reply to a filler', 'busy-reply', tests.mid('busy-10'));
insert into public.attachments (message_id, channel_id, uploaded_by, path, mime_type, size_bytes, sha256)
values (tests.mid('busy-20'), tests.cid('general'), tests.uid('alice'),
  tests.cid('general') || '/' || tests.uid('alice') || '/busy.pdf', 'application/pdf', 1000, repeat('b', 64));
analyze public.messages;
select tests.authenticate_as('bob');
select results_eq($$ select id from public.search_messages('busy', p_sort => 'recent', p_limit => 5) $$,
  $$ select tests.mid(c) from unnest(array['bee-3', 'bee-2', 'bee-1', 'busy-3000', 'busy-2999']) c $$,
  'sort=recent gives the newest hits of a common word');
select results_eq($$ select id from public.search_messages('busy', p_sender_id => tests.uid('bob'), p_sort => 'recent') $$,
  $$ select tests.mid('bee-' || n) from generate_series(3, 1, -1) n $$,
  'a sender''s few hits among many are found');
select results_eq($$ select id from public.search_messages('busy', p_sort => 'recent', p_limit => 3,
  p_cursor_id => tests.mid('busy-2000')) $$,
  $$ select tests.mid('busy-' || n) from generate_series(1999, 1997, -1) n $$,
  'and the cursor continues below the last id');
select results_eq($$ select id from public.search_messages('busy', p_limit => 50,
  p_cursor_score => (select score from public.search_messages('busy', p_limit => 1)),
  p_cursor_id => tests.mid('busy-2705')) $$, $$ values (tests.mid('busy-2704')) $$,
  'relevance ranks the newest 300 hits: nothing older comes after them');
select is((select count(*) from public.search_messages('bu', p_limit => 50)), 50::bigint,
  'a short prefix of a common word fills the page');
select results_eq($$ select id from public.search_messages('busy', p_in_thread => true) $$,
  $$ values (tests.mid('busy-10')) $$, 'in=thread among many hits: the one a reply quotes');
select results_eq($$ select id from public.search_messages('filler', p_in_thread => true) $$,
  $$ values (tests.mid('busy-reply')), (tests.mid('busy-10')) $$, 'and the reply');
select results_eq($$ select id from public.search_messages('busy', p_has_attachment => true) $$,
  $$ values (tests.mid('busy-20')) $$, 'has=attachment among many hits: the one with a file');
select tests.clear_authentication();

-- The index's keys and the n-grams, exactly (a rewrite of their functions must not change them:
-- the index and the stored vectors hold what the old ones gave).
select is(private.search_keys('c0ffee00-0000-4000-8000-000000000001', 1234567,
  '2026-01-02 03:04:05+00', 'b0b00000-0000-4000-8000-000000000002',
  array['a11ce000-0000-4000-8000-000000000003'::uuid], private.search_vector('Running 東京 fox'),
  true, false)::text,
  $$'c0ffee00D16.26967' 'c0ffee00D18.6741' 'c0ffee00D20.1685' 'c0ffee00D22.421' 'c0ffee00D24.105' 'c0ffee00D26.26' 'c0ffee00F' 'c0ffee00Ma11ce000' 'c0ffee00Pf' 'c0ffee00Pfo' 'c0ffee00Pfox' 'c0ffee00Pr' 'c0ffee00Pru' 'c0ffee00Prun' 'c0ffee00Prunn' 'c0ffee00P京' 'c0ffee00P東' 'c0ffee00P東京' 'c0ffee00Sb0b00000' 'c0ffee00T13.150' 'c0ffee00T15.37' 'c0ffee00T17.9' 'c0ffee00T19.2' 'c0ffee00T21.0' 'c0ffee00T23.0' 'c0ffee00fox' 'c0ffee00run' 'c0ffee00running' 'c0ffee00京' 'c0ffee00東京'$$,
  'the index keys of a message: words, prefixes, id and date ranges, sender, mention, file');
select is(private.search_ngrams('x 東京タワー y ไทย'), '東京 京タ タワ ワー ー ไท ทย ย',
  'the n-grams of each unspaced run, then its last character');

select * from finish();
rollback;
