-- messages: members read, the API writes as the sender; idempotent client ids, replies,
-- mentions, edits, soft deletes, moderator deletes, limits.
begin;
select plan(30);
select tests.seed_chat();

select tests.as_anon();
select throws_ok($$ select * from public.messages $$, '42501', null, 'anon cannot read messages');
select tests.authenticate_as('alice');
select is((select count(*) from public.messages), 4::bigint, 'a member reads the messages of all her channels');
select tests.authenticate_as('bob');
select results_eq($$ select client_id from public.messages where channel_id = tests.cid('secret') $$,
  $$ values ('s1') $$, 'a member of the private group reads it');
select tests.authenticate_as('eve');
select is((select count(*) from public.messages), 0::bigint, 'a stranger reads no message, not even of a public group she has not joined');
select tests.authenticate_as('dave');
select is((select count(*) from public.messages), 0::bigint, 'a deactivated member reads no message');
select tests.authenticate_as('mod');
select is((select count(*) from public.messages), 2::bigint, 'a moderator reads only the channels they are in (and reported messages)');
select tests.authenticate_as('alice');
select throws_ok($$ insert into public.messages (channel_id, sender_id, content, client_id)
                    values (tests.cid('general'), tests.uid('alice'), 'direct', 'x1') $$,
  '42501', null, 'authenticated cannot write messages directly, bypassing moderation and rate limits');
select tests.clear_authentication();

-- sending through the API
select tests.api_as('bob');
select lives_ok($$ insert into public.messages (channel_id, sender_id, content, client_id, mentions)
                   values (tests.cid('general'), tests.uid('bob'), 'hey @alice and @eve', 'b1',
                     array[tests.uid('alice'), tests.uid('eve'), tests.uid('bob')]) $$,
  'a member sends a message');
select tests.clear_authentication();
select is((select mentions from public.messages where client_id = 'b1'), array[tests.uid('alice')],
  'mentions keep only other members of the channel');
select tests.api_as('bob');
select throws_ok($$ insert into public.messages (channel_id, sender_id, content, client_id)
                    values (tests.cid('general'), tests.uid('bob'), 'again', 'b1') $$,
  '23505', null, 'a repeated client_id of the same sender is refused (idempotent sends)');
select tests.api_as('alice');
select lives_ok($$ insert into public.messages (channel_id, sender_id, content, client_id)
                   values (tests.cid('general'), tests.uid('alice'), 'same id, other sender', 'b1') $$,
  'client_id is unique per sender only');
select throws_ok($$ insert into public.messages (channel_id, sender_id, content, client_id)
                    values (tests.cid('general'), tests.uid('bob'), 'in bob''s name', 'a9') $$,
  '42501', null, 'nobody sends in someone else''s name');
select throws_ok($$ insert into public.messages (channel_id, sender_id, kind, content, client_id)
                    values (tests.cid('general'), tests.uid('alice'), 'system', 'fake system notice', 'a8') $$,
  '42501', null, 'nobody sends system messages');
select throws_ok(format($$ insert into public.messages (channel_id, sender_id, content, client_id)
                    values (tests.cid('general'), tests.uid('alice'), %L, 'a7') $$, repeat('x', 4001)),
  '23514', null, 'content longer than 4000 characters is refused');
select throws_ok($$ insert into public.messages (channel_id, sender_id, content, client_id)
                    values (tests.cid('general'), tests.uid('alice'), '', 'a6') $$,
  '23514', null, 'an empty text message is refused');
select throws_ok(format($$ insert into public.messages (channel_id, sender_id, content, client_id, reply_to_id)
                    values (tests.cid('general'), tests.uid('alice'), 'quoting', 'a5', %s) $$, tests.mid('s1')),
  '23503', null, 'a reply must quote a message of the same channel');
select lives_ok(format($$ insert into public.messages (channel_id, sender_id, content, client_id, reply_to_id)
                    values (tests.cid('general'), tests.uid('alice'), 'quoting', 'a5', %s) $$, tests.mid('g2')),
  'a reply quotes a message of the same channel');
select tests.api_as('eve');
select throws_ok($$ insert into public.messages (channel_id, sender_id, content, client_id)
                    values (tests.cid('secret'), tests.uid('eve'), 'let me in', 'e1') $$,
  '42501', null, 'a stranger cannot post into a channel');
select tests.api_as('dave');
select throws_ok($$ insert into public.messages (channel_id, sender_id, content, client_id)
                    values (tests.cid('general'), tests.uid('dave'), 'still here?', 'dv1') $$,
  '42501', null, 'a deactivated member cannot post');

-- editing and deleting
select tests.api_as('bob');
select is(tests.affected($$ update public.messages set content = 'running very late' where client_id = 'g2' $$), 1::bigint,
  'the sender edits their message');
select is(tests.affected($$ update public.messages set content = 'alice says hi' where client_id = 'g1' $$), 0::bigint,
  'nobody edits someone else''s message');
select tests.clear_authentication();
select isnt((select edited_at from public.messages where client_id = 'g2'), null, 'an edit is marked with edited_at');
select tests.api_as('alice');
select is(tests.affected($$ update public.messages set deleted_at = now() where client_id = 'g1' and sender_id = tests.uid('alice') $$), 1::bigint,
  'the sender deletes their message');
select tests.clear_authentication();
select results_eq($$ select content, deleted_at is not null, deleted_by from public.messages where client_id = 'g1' and sender_id = tests.uid('alice') $$,
  $$ values ('', true, tests.uid('alice')) $$, 'a deleted message stays as a tombstone with its content cleared');
select tests.api_as('alice');
select throws_ok($$ update public.messages set content = 'resurrected' where client_id = 'g1' and sender_id = tests.uid('alice') $$,
  '42501', null, 'a deleted message cannot be edited back');
select throws_ok($$ delete from public.messages where client_id = 'g2' $$, '42501', null,
  'messages are never hard-deleted through the API');
select tests.api_as('mod');
select throws_ok($$ update public.messages set content = 'moderated words' where client_id = 'g2' $$,
  '42501', 'only the sender edits a message', 'a moderator cannot rewrite someone else''s message');
select is(tests.affected($$ update public.messages set deleted_at = now() where client_id = 'g2' $$), 1::bigint,
  'a moderator deletes any message they can see');
select tests.clear_authentication();
select is((select content from public.messages where client_id = 'g2'), '', 'the moderator''s delete clears the content');

-- archived channels are read-only
update public.channels set archived_at = now() where id = tests.cid('secret');
select tests.api_as('alice');
select throws_ok($$ insert into public.messages (channel_id, sender_id, content, client_id)
                    values (tests.cid('secret'), tests.uid('alice'), 'anyone?', 'a4') $$,
  '42501', null, 'nobody posts into an archived channel');
select tests.clear_authentication();

select * from finish();
rollback;
