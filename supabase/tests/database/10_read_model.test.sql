-- Read-model functions, called as the signed-in user: pages of a channel, my channels with
-- unread counts, and full-text search over the caller's channels only.
begin;
select plan(26);
select tests.seed_chat();

-- 120 more messages in general, alternating senders.
insert into public.messages (channel_id, sender_id, content, client_id)
select tests.cid('general'), case when n % 2 = 0 then tests.uid('alice') else tests.uid('bob') end,
  'filler message number ' || n, 'fill-' || n
from generate_series(1, 120) n;
insert into public.message_reactions (message_id, user_id, emoji) values (tests.mid('fill-120'), tests.uid('bob'), '👍');

select tests.authenticate_as('bob');
select is((select count(*) from public.channel_messages(tests.cid('general'))), 50::bigint, 'the first page holds the last 50 messages');
select is((select max(id) from public.channel_messages(tests.cid('general'))), tests.mid('fill-120'), 'the first page starts at the newest message');
select ok((select bool_and(a.id > b.id) from (select id, lead(id) over () as next from public.channel_messages(tests.cid('general'))) a
  join lateral (select a.next as id) b on b.id is not null), 'pages are newest first');
select is((select min(id) from public.channel_messages(tests.cid('general'), p_before => tests.mid('fill-71'))), tests.mid('fill-21'),
  'the page before a message is the 50 just older than it');
select is((select count(*) from public.channel_messages(tests.cid('general'), p_before => tests.mid('fill-3'))), 4::bigint,
  'the last page is short');
select results_eq($$ select min(id), max(id), count(*) from public.channel_messages(tests.cid('general'), p_after => tests.mid('fill-100'), p_limit => 10) $$,
  $$ select tests.mid('fill-101'), tests.mid('fill-110'), 10::bigint $$,
  'the page after a message is the next ones in order (catching up after a reconnect)');
select is((select count(*) from public.channel_messages(tests.cid('general'), p_limit => 1000)), 100::bigint, 'a page holds at most 100');
select is((select sender ->> 'username' from public.channel_messages(tests.cid('general')) where client_id = 'fill-120'), 'alice',
  'each message comes with its sender');
select is((select reactions -> 0 ->> 'count' from public.channel_messages(tests.cid('general')) where client_id = 'fill-120'), '1',
  'and its reactions with counts');
select is((select (reactions -> 0 ->> 'mine')::boolean from public.channel_messages(tests.cid('general')) where client_id = 'fill-120'), true,
  'marking the caller''s own reactions');
select tests.authenticate_as('eve');
select is((select count(*) from public.channel_messages(tests.cid('general'))), 0::bigint, 'a non-member gets an empty page');
select is((select count(*) from public.channel_messages(tests.cid('secret'))), 0::bigint, 'and nothing of a private group');

-- my channels
select tests.clear_authentication();
update public.channel_members set last_delivered_message_id = tests.mid('fill-100'), last_read_message_id = tests.mid('fill-100')
where channel_id = tests.cid('general') and user_id = tests.uid('bob');
select tests.authenticate_as('bob');
select results_eq($$ select kind, coalesce(name, '(dm)') from public.my_channels() order by kind, name $$,
  $$ values ('direct', '(dm)'), ('group', 'general'), ('group', 'secret') $$, 'my channels lists exactly mine');
select is((select unread_count from public.my_channels() where id = tests.cid('general')), 10::bigint,
  'unread counts the others'' messages after my read watermark');
select is((select last_message ->> 'content' from public.my_channels() where id = tests.cid('general')), 'filler message number 120',
  'with the last message');
select is((select other_user ->> 'username' from public.my_channels() where kind = 'direct'), 'alice',
  'a DM names the other person');
select is((select unread_count from public.my_channels() where kind = 'direct'), 0::bigint, 'my own messages are never unread');
select tests.authenticate_as('dave');
select is((select count(*) from public.my_channels()), 0::bigint, 'a deactivated user has no channels');

-- search
select tests.authenticate_as('bob');
select results_eq($$ select id from public.search_messages('secret plans') $$, $$ values (tests.mid('s1')) $$,
  'search finds words in the caller''s channels');
select is((select snippet from public.search_messages('plans')), 'secret ' || chr(2) || 'plans' || chr(3) || ' for the launch',
  'hits are marked in the snippet with U+0002 and U+0003, never HTML');
select ok(exists (select 1 from public.search_messages('runn') where id = tests.mid('g2')), 'partial words match (trigrams)');
select is((select count(*) from public.search_messages('filler', p_sender_id => tests.uid('alice'))), 20::bigint,
  'filters by sender (and limits to 20 by default)');
select tests.authenticate_as('eve');
select is((select count(*) from public.search_messages('secret')), 0::bigint, 'a stranger finds nothing of channels they are not in');
select tests.authenticate_as('bob');
select is((
  with page1 as (select * from public.search_messages('filler', p_limit => 30)),
       last as (select score, id from page1 order by score, id limit 1)
  select count(*) from public.search_messages('filler', p_limit => 50,
    p_cursor_score => (select score from last), p_cursor_id => (select id from last))
), 50::bigint, 'the cursor continues after the last hit of the previous page');
select tests.clear_authentication();

-- Plans kept for a connection's life read by index, whatever the tables' size when they were
-- made (20251124007300): made while `messages` was small, they scanned it whole ever after.
select is((select count(*) from pg_proc p
  where p.proconfig @> array['plan_cache_mode=force_generic_plan', 'enable_seqscan=off',
      'enable_bitmapscan=off']
    and p.oid in ('public.message_views(bigint[])'::regprocedure,
      'private.member_channel_page(uuid, bigint, bigint, int)'::regprocedure,
      'private.member_channel_around(uuid, bigint, int)'::regprocedure)), 3::bigint,
  'the read-back and the history pages keep generic plans that read by index');
select is((select count(*) from pg_proc p
  where p.proconfig @> array['enable_seqscan=off', 'enable_bitmapscan=off']
    and p.oid in (
      'public.send_message(uuid, text, text, bigint, text[], text, real, uuid[], bigint, boolean)'::regprocedure,
      'private.own_message_json(bigint)'::regprocedure,
      'private.broadcast_message()'::regprocedure, 'private.check_message_insert()'::regprocedure,
      'private.check_thread_reply()'::regprocedure, 'private.maintain_thread()'::regprocedure,
      'private.mark_has_replies()'::regprocedure, 'private.queue_flagged_message()'::regprocedure,
      'private.unpin_deleted_message()'::regprocedure)), 9::bigint,
  'the send and the triggers of a message write read by index from their first plan');

select * from finish();
rollback;
