-- link_previews: written by the API's own connection only; members read them (and see them in
-- message rows); the sender or a moderator hides one; strangers see and change nothing.
begin;
select plan(13);
select tests.seed_chat();

select tests.clear_authentication();
insert into public.messages (channel_id, sender_id, content, client_id) values
  (tests.cid('general'), tests.uid('alice'), 'see https://example.com/a', 'lp1'),
  (tests.cid('secret'), tests.uid('alice'), 'see https://example.com/b', 'lp2');
insert into public.link_previews (message_id, channel_id, url, title, site_name)
  select id, channel_id, substr(content, 5), 'Title ' || client_id, 'example.com'
  from public.messages where client_id in ('lp1', 'lp2');
create temp table ids on commit drop as
  select client_id, id from public.messages where client_id in ('lp1', 'lp2');
grant select on ids to public;

select tests.authenticate_as('bob');
select is((select count(*) from public.link_previews), 2::bigint,
  'a member reads the previews of their channels');
select is((select (v.preview ->> 'title') from public.message_views(array[(select id from ids where client_id = 'lp1')]) v),
  'Title lp1', 'a message row carries its preview');
select throws_ok(format($$ insert into public.link_previews (message_id, channel_id, url, site_name) values (%s, tests.cid('general'), 'x', 'x') $$, tests.mid('g2')),
  '42501', null, 'authenticated cannot write previews');

select tests.authenticate_as('eve');
select is((select count(*) from public.link_previews), 0::bigint, 'a stranger reads no preview');
select tests.authenticate_as('dave');
select is((select count(*) from public.link_previews), 0::bigint, 'a deactivated member reads none');
select tests.as_anon();
select throws_ok($$ select * from public.link_previews $$, '42501', null, 'anon cannot read previews');

select tests.api_as('bob');
select is(tests.affected(format($$ update public.link_previews set hidden = true where message_id = %s $$,
  (select id from ids where client_id = 'lp1'))), 0::bigint, 'another member cannot hide a preview');
select throws_ok(format($$ update public.link_previews set title = 'forged' where message_id = %s $$,
  (select id from ids where client_id = 'lp1')), '42501', null, 'nobody changes a preview''s text');
select throws_ok(format($$ insert into public.link_previews (message_id, channel_id, url, site_name) values (%s, tests.cid('general'), 'x', 'x') $$, tests.mid('g2')),
  '42501', null, 'chat_api cannot write previews either');
select tests.api_as('alice');
select is(tests.affected(format($$ update public.link_previews set hidden = true where message_id = %s $$,
  (select id from ids where client_id = 'lp1'))), 1::bigint, 'the sender hides their preview');
select tests.api_as('mod');
select is(tests.affected(format($$ update public.link_previews set hidden = false where message_id = %s $$,
  (select id from ids where client_id = 'lp1'))), 1::bigint, 'a moderator may too');

select tests.clear_authentication();
update public.messages set content = 'no link any more' where client_id = 'lp1';
select tests.authenticate_as('alice');
select is((select v.preview from public.message_views(array[(select id from ids where client_id = 'lp1')]) v),
  null, 'a message whose text lost the link shows no preview');
select tests.clear_authentication();
update public.messages set deleted_at = now() where client_id = 'lp2';
select tests.authenticate_as('alice');
select is((select v.preview from public.message_views(array[(select id from ids where client_id = 'lp2')]) v),
  null, 'a deleted message shows no preview');
select * from finish();
rollback;
