-- Threads: replies kept out of the main flow, the root's summary, participants' read
-- watermarks, and RLS on the new tables (a stranger reads nothing of a channel they are not in).
begin;
select plan(16);
select tests.seed_chat();

insert into public.messages (channel_id, sender_id, content, client_id, thread_root_id) values
  (tests.cid('secret'), tests.uid('bob'), 'thread reply in secret', 'sr1', tests.mid('s1')),
  (tests.cid('general'), tests.uid('bob'), 'first reply', 't1', tests.mid('g1')),
  (tests.cid('general'), tests.uid('alice'), 'second reply', 't2', tests.mid('g1'));
insert into public.messages (channel_id, sender_id, content, client_id, thread_root_id, also_in_channel)
values (tests.cid('general'), tests.uid('mod'), 'reply also in channel', 't3', tests.mid('g1'), true);
-- A reply to a reply joins the root's thread.
insert into public.messages (channel_id, sender_id, content, client_id, thread_root_id)
values (tests.cid('general'), tests.uid('bob'), 'reply to a reply', 't4', tests.mid('t1'));

select is((select thread_root_id from public.messages where client_id = 't4'), tests.mid('g1'),
  'a reply to a reply joins the root''s thread');
select throws_ok($$ insert into public.messages (channel_id, sender_id, content, client_id, thread_root_id)
  values (tests.cid('general'), tests.uid('bob'), 'x', 'bad', tests.mid('s1')) $$, '23503', null,
  'a thread root must be a message of the same channel');
select is((select also_in_channel from public.messages where client_id = 'g2'), false,
  'a message outside a thread is never also_in_channel');

select tests.authenticate_as('bob');
select results_eq($$ select client_id from public.channel_messages(tests.cid('general')) order by id $$,
  $$ values ('g1'), ('g2'), ('t3') $$,
  'the main flow leaves out replies kept in the thread, but shows one also sent to the channel');
select results_eq($$ select client_id from public.thread_messages(tests.mid('g1')) $$,
  $$ values ('t1'), ('t2'), ('t3'), ('t4') $$, 'the thread holds every reply, oldest first');
select is((select (thread ->> 'reply_count')::int from public.message_views(array[tests.mid('g1')])), 4,
  'the root counts its replies');
select is((select thread -> 'repliers' from public.message_views(array[tests.mid('g1')])),
  jsonb_build_array(tests.uid('bob'), tests.uid('mod'), tests.uid('alice')),
  'and names its last three repliers, newest first');
select is((select thread_last_read_id from public.message_views(array[tests.mid('g1')])), tests.mid('t4'),
  'a replier has read up to their own reply');
select is((select last_message ->> 'content' from public.my_channels() where id = tests.cid('general')),
  'reply also in channel', 'the channel list''s last message is of the main flow');
select is((select count(*) from public.thread_messages(tests.mid('g1'), tests.mid('t2'))), 2::bigint,
  'a thread page starts after a given reply');

select tests.authenticate_as('alice');
select is((select last_read_id from public.thread_reads where root_id = tests.mid('g1')), tests.mid('t2'),
  'the root''s author takes part in the thread');
select is((select count(*) from public.thread_reads), 2::bigint, 'and reads only their own watermarks');

select tests.api_as('alice');
select is(tests.affected($$ update public.thread_reads set last_read_id = 999999999
  where root_id = tests.mid('g1') and user_id = tests.uid('bob') $$), 0::bigint,
  'nobody moves someone else''s watermark');

select tests.authenticate_as('eve');
select is((select count(*) from public.thread_messages(tests.mid('g1'))), 0::bigint,
  'a stranger reads no replies of a channel they are not in');
select is((select count(*) from public.message_threads), 0::bigint, 'nor its thread summaries');
select tests.authenticate_as('alice');
select is((select count(*) from public.thread_messages(tests.mid('s1'))), 1::bigint,
  'while a member of the private group reads its thread');

select * from finish();
rollback;
