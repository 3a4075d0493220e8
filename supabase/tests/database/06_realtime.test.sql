-- Realtime: who may join (receive) and send on which private topic, judged by the RLS on
-- realtime.messages the way Supabase Realtime asks (role, claims and realtime.topic set), and
-- what the triggers broadcast.
begin;
select plan(31);
select tests.seed_chat();
-- Message and reaction events are sent at commit (deferred triggers); this test never commits,
-- so they fire at the end of each statement instead.
set constraints all immediate;

create function pg_temp.can_receive(who text, topic text) returns boolean
language plpgsql as $$
declare
  seen boolean;
begin
  -- As Realtime does: a probe row written with full rights, then read back as the user.
  perform tests.clear_authentication();
  insert into realtime.messages (topic, extension, event, payload, private)
  values (topic, 'broadcast', 'probe', '{}', true);
  perform tests.authenticate_as(who);
  perform set_config('realtime.topic', topic, true);
  select exists (select 1 from realtime.messages m where m.topic = can_receive.topic and m.event = 'probe') into seen;
  perform tests.clear_authentication();
  delete from realtime.messages m where m.topic = can_receive.topic and m.event = 'probe';
  return seen;
end $$;

create function pg_temp.can_send(who text, topic text, ext text) returns boolean
language plpgsql as $$
begin
  perform tests.authenticate_as(who);
  perform set_config('realtime.topic', topic, true);
  begin
    insert into realtime.messages (topic, extension, event, payload, private)
    values (topic, ext, 'typing', '{"typing": true}', true);
  exception when insufficient_privilege then
    perform tests.clear_authentication();
    return false;
  end;
  perform tests.clear_authentication();
  return true;
end $$;

select ok(pg_temp.can_receive('bob', 'channel:' || tests.cid('general')), 'a member joins the channel topic');
select ok(pg_temp.can_receive('bob', 'channel:' || tests.cid('secret')), 'a member joins a private group''s topic');
select ok(not pg_temp.can_receive('eve', 'channel:' || tests.cid('secret')), 'a stranger cannot join a private group''s topic');
select ok(not pg_temp.can_receive('eve', 'channel:' || tests.cid('general')), 'a non-member cannot join even a public group''s topic');
select ok(not pg_temp.can_receive('dave', 'channel:' || tests.cid('general')), 'a deactivated member cannot join');
select ok(not pg_temp.can_receive('bob', 'channel:not-a-uuid'), 'a malformed topic is refused, not an error');
select ok(pg_temp.can_receive('bob', 'user:' || tests.uid('bob')), 'a user joins their own user topic');
select ok(not pg_temp.can_receive('eve', 'user:' || tests.uid('bob')), 'nobody joins someone else''s user topic');
select ok(pg_temp.can_receive('eve', 'online'), 'every active user joins the online topic');
select ok(not pg_temp.can_receive('dave', 'online'), 'a deactivated user does not');
select ok(not pg_temp.can_receive('bob', 'anything-else'), 'unknown topics are closed');

select ok(not pg_temp.can_send('bob', 'channel:' || tests.cid('general'), 'broadcast'), 'only the database broadcasts on a channel topic, not even a member');
select ok(not pg_temp.can_send('bob', 'channel:' || tests.cid('general'), 'presence'), 'nobody tracks presence on a channel topic');
select ok(not pg_temp.can_send('eve', 'channel:' || tests.cid('general'), 'broadcast'), 'a non-member cannot send on a channel topic');
select ok(pg_temp.can_receive('bob', 'typing:' || tests.cid('general')), 'a member joins the channel''s typing topic');
select ok(not pg_temp.can_receive('eve', 'typing:' || tests.cid('secret')), 'a stranger cannot join a typing topic');
select ok(pg_temp.can_send('bob', 'typing:' || tests.cid('general'), 'broadcast'), 'a member sends typing on the typing topic');
select ok(not pg_temp.can_send('bob', 'typing:' || tests.cid('general'), 'presence'), 'but tracks no presence there');
select ok(not pg_temp.can_send('eve', 'typing:' || tests.cid('general'), 'broadcast'), 'a non-member cannot send typing');
select ok(pg_temp.can_send('eve', 'online', 'presence'), 'everyone tracks presence on online');
select ok(not pg_temp.can_send('eve', 'online', 'broadcast'), 'nobody broadcasts on online');
select ok(not pg_temp.can_send('bob', 'user:' || tests.uid('bob'), 'broadcast'), 'nobody sends on a user topic, not even its user');

insert into realtime.messages (topic, extension, event, payload) values ('online', 'presence', 'probe', '{}');
select tests.as_anon();
select is((select count(*) from realtime.messages), 0::bigint, 'anon matches no policy: it joins no topic');
select tests.clear_authentication();

-- broadcasts from the database
delete from realtime.messages;
select tests.api_as('bob');
insert into public.messages (channel_id, sender_id, content, client_id, mentions)
values (tests.cid('general'), tests.uid('bob'), 'ping @alice', 'rt1', array[tests.uid('alice')]);
select tests.clear_authentication();
select results_eq(
  $$ select topic, event, private, payload -> 'message' ->> 'client_id' from realtime.messages where event like 'message.%' $$,
  $$ values ('channel:' || tests.cid('general'), 'message.created', true, 'rt1') $$,
  'a new message is broadcast on its channel''s private topic');
select results_eq(
  $$ select topic, payload ->> 'sender_id' from realtime.messages where event = 'mention' $$,
  $$ values ('user:' || tests.uid('alice'), tests.uid('bob')::text) $$,
  'a mention is sent to the mentioned user''s topic');
select ok((select not (payload -> 'message' ? 'fts') from realtime.messages where event = 'message.created'),
  'the broadcast carries the message without its search vector');

select tests.api_as('bob');
update public.messages set content = 'ping @alice (edited)' where client_id = 'rt1';
update public.messages set deleted_at = now() where client_id = 'rt1';
select tests.clear_authentication();
select results_eq($$ select event from realtime.messages where event like 'message.%' order by inserted_at, event $$,
  $$ values ('message.created'), ('message.deleted'), ('message.updated') $$,
  'edits and deletes are broadcast');

select tests.api_as('alice');
insert into public.message_reactions (message_id, user_id, emoji) values (tests.mid('g2'), tests.uid('alice'), '👍');
select tests.clear_authentication();
select results_eq($$ select payload -> 'reactions' -> 0 ->> 'emoji', (payload -> 'reactions' -> 0 ->> 'count')::int from realtime.messages where event = 'reaction.changed' $$,
  $$ values ('👍', 1) $$, 'a reaction is broadcast with the message''s reactions');

select tests.api_as('bob');
update public.channel_members set last_delivered_message_id = 5, last_read_message_id = 4
where channel_id = tests.cid('general') and user_id = tests.uid('bob');
select tests.clear_authentication();
select results_eq($$ select (payload ->> 'last_read_message_id')::bigint from realtime.messages where event = 'receipt.updated' $$,
  $$ values (4::bigint) $$, 'moving a read watermark broadcasts a receipt');

select tests.api_as('alice');
insert into public.channel_members (channel_id, user_id) values (tests.cid('secret'), tests.uid('eve'));
select tests.clear_authentication();
select results_eq($$ select topic, payload -> 'channel' ->> 'name' from realtime.messages where event = 'channel.added' $$,
  $$ values ('user:' || tests.uid('eve'), 'secret') $$, 'the added user hears of the channel on their own topic');
select results_eq($$ select topic, payload ->> 'action' from realtime.messages where event = 'member.changed' $$,
  $$ values ('channel:' || tests.cid('secret'), 'added') $$, 'the channel hears of the new member');

select * from finish();
rollback;
