-- Archiving: old messages move, with their reactions, to messages_archive in batches;
-- members still read them; nothing is broadcast for housekeeping.
begin;
select plan(11);
select tests.seed_chat();

insert into public.message_reactions (message_id, user_id, emoji) values (tests.mid('g1'), tests.uid('bob'), '🎉');
update public.messages set created_at = now() - interval '400 days' where client_id in ('g1', 'g2', 's1');
delete from realtime.messages;

select is(private.archive_messages_batch(now() - interval '365 days', 2), 2, 'a batch moves at most batch_size messages');
select is(private.archive_messages_batch(now() - interval '365 days', 2), 1, 'the next batch moves the rest');
select is(private.archive_messages_batch(now() - interval '365 days', 2), 0, 'then there is nothing left to move');
select results_eq($$ select client_id from public.messages $$, $$ values ('d1') $$, 'recent messages stay');
select results_eq($$ select client_id, reactions -> 0 ->> 'emoji' from public.messages_archive order by id $$,
  $$ values ('g1', '🎉'), ('g2', null), ('s1', null) $$, 'archived messages keep their reactions');
select is((select count(*) from public.message_reactions), 0::bigint, 'the live reactions of archived messages are gone');
select is((select count(*) from realtime.messages), 0::bigint, 'archiving broadcasts nothing');

select tests.authenticate_as('bob');
select is((select count(*) from public.messages_archive), 3::bigint, 'members read their channels'' archive');
select tests.authenticate_as('eve');
select is((select count(*) from public.messages_archive), 0::bigint, 'a stranger reads none of it');
select tests.clear_authentication();

select tests.api_as('alice');
select lives_ok(format($$ insert into public.messages (channel_id, sender_id, content, client_id, reply_to_id)
                   values (tests.cid('general'), tests.uid('alice'), 'remember this?', 'r1', %s) $$,
                   (select id from public.messages_archive where client_id = 'g2')),
  'a reply may still quote an archived message');
select tests.clear_authentication();
select ok(not has_function_privilege('authenticated', 'private.archive_messages_batch(timestamptz, int)', 'execute'),
  'users cannot run the archiver');

select * from finish();
rollback;
