-- message_reactions and attachments: members only; the API acts as the caller.
begin;
select plan(24);
select tests.seed_chat();

-- reactions
select tests.api_as('bob');
select lives_ok(format($$ insert into public.message_reactions (message_id, user_id, emoji) values (%s, tests.uid('bob'), '👍') $$, tests.mid('g1')),
  'a member reacts to a message');
select throws_ok(format($$ insert into public.message_reactions (message_id, user_id, emoji) values (%s, tests.uid('bob'), '👍') $$, tests.mid('g1')),
  '23505', null, 'the same reaction twice is refused (toggle = insert or delete)');
select throws_ok(format($$ insert into public.message_reactions (message_id, user_id, emoji) values (%s, tests.uid('alice'), '🎉') $$, tests.mid('g1')),
  '42501', null, 'nobody reacts in someone else''s name');
select throws_ok(format($$ insert into public.message_reactions (message_id, user_id, emoji, channel_id) values (%s, tests.uid('bob'), '🎉', tests.cid('eves')) $$, tests.mid('g1')),
  '42501', null, 'the channel of a reaction cannot be forged (column not granted)');
select tests.api_as('eve');
select throws_ok(format($$ insert into public.message_reactions (message_id, user_id, emoji) values (%s, tests.uid('eve'), '👀') $$, tests.mid('s1')),
  '42501', null, 'a stranger cannot react');
select tests.api_as('alice');
select lives_ok(format($$ insert into public.message_reactions (message_id, user_id, emoji) values (%s, tests.uid('alice'), '❤️') $$, tests.mid('g1')),
  'another member reacts');
select tests.authenticate_as('alice');
select is((select count(*) from public.message_reactions), 2::bigint, 'members read the reactions of their channels');
select tests.authenticate_as('eve');
select is((select count(*) from public.message_reactions), 0::bigint, 'a stranger reads no reaction');
select tests.authenticate_as('dave');
select is((select count(*) from public.message_reactions), 0::bigint, 'a deactivated member reads no reaction');
select throws_ok(format($$ delete from public.message_reactions where message_id = %s $$, tests.mid('g1')),
  '42501', null, 'authenticated cannot delete reactions directly');
select tests.api_as('alice');
select is(tests.affected(format($$ delete from public.message_reactions where message_id = %s and user_id = tests.uid('bob') $$, tests.mid('g1'))), 0::bigint,
  'nobody removes someone else''s reaction');
select is(tests.affected(format($$ delete from public.message_reactions where message_id = %s and user_id = tests.uid('alice') $$, tests.mid('g1'))), 1::bigint,
  'a member removes their own reaction');
select tests.clear_authentication();
update public.messages set deleted_at = now() where client_id = 'd1';
select tests.api_as('alice');
select throws_ok(format($$ insert into public.message_reactions (message_id, user_id, emoji) values (%s, tests.uid('alice'), '👍') $$, tests.mid('d1')),
  '42501', null, 'nobody reacts to a deleted message');

-- attachments
select tests.api_as('bob');
select lives_ok($$ insert into public.attachments (channel_id, uploaded_by, path, mime_type, size_bytes, width, height, sha256)
                   values (tests.cid('general'), tests.uid('bob'), tests.cid('general') || '/' || tests.uid('bob') || '/a.png',
                     'image/png', 1234, 64, 48, repeat('ab', 32)) $$,
  'a member records an upload in their own folder of the channel');
select throws_ok($$ insert into public.attachments (channel_id, uploaded_by, path, mime_type, size_bytes, sha256)
                    values (tests.cid('general'), tests.uid('bob'), tests.cid('general') || '/' || tests.uid('alice') || '/b.png',
                      'image/png', 1, repeat('ab', 32)) $$,
  '42501', null, 'nobody records a file in someone else''s folder');
select throws_ok($$ insert into public.attachments (channel_id, uploaded_by, path, mime_type, size_bytes, sha256)
                    values (tests.cid('general'), tests.uid('bob'), tests.cid('general') || '/' || tests.uid('bob') || '/c.png',
                      'image/png', 1, 'not-a-hash') $$,
  '23514', null, 'a malformed checksum is refused');
select throws_ok(format($$ update public.attachments set message_id = %s where uploaded_by = tests.uid('bob') $$, tests.mid('g1')),
  '42501', null, 'an upload cannot join someone else''s message');
select is(tests.affected(format($$ update public.attachments set message_id = %s where uploaded_by = tests.uid('bob') $$, tests.mid('g2'))), 1::bigint,
  'an upload joins its uploader''s message');
select tests.api_as('eve');
select throws_ok($$ insert into public.attachments (channel_id, uploaded_by, path, mime_type, size_bytes, sha256)
                    values (tests.cid('secret'), tests.uid('eve'), tests.cid('secret') || '/' || tests.uid('eve') || '/x.png',
                      'image/png', 1, repeat('ab', 32)) $$,
  '42501', null, 'a stranger cannot record files in a channel');
select tests.authenticate_as('alice');
select is((select count(*) from public.attachments), 1::bigint, 'members read the attachments of their channels');
select tests.authenticate_as('eve');
select is((select count(*) from public.attachments), 0::bigint, 'a stranger reads no attachment');
select tests.authenticate_as('dave');
select is((select count(*) from public.attachments), 0::bigint, 'a deactivated member reads no attachment');
select tests.api_as('bob');
select is(tests.affected($$ delete from public.attachments where uploaded_by = tests.uid('bob') $$), 0::bigint,
  'an attachment already sent with a message is not deleted');
select tests.as_anon();
select throws_ok($$ select * from public.attachments $$, '42501', null, 'anon cannot read attachments');
select tests.clear_authentication();

select * from finish();
rollback;
