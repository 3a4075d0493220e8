-- Storage policies on storage.objects, checked the way the Storage API asks Postgres: as the
-- caller (role authenticated, claims set), inserting or reading rows of storage.objects.
begin;
select plan(20);
select tests.seed_chat();

create function pg_temp.upload(who text, bucket text, path text) returns boolean
language plpgsql as $$
begin
  perform tests.authenticate_as(who);
  begin
    insert into storage.objects (bucket_id, name, owner_id, metadata)
    values (bucket, path, tests.uid(who)::text, '{"size": 10, "mimetype": "image/png"}');
  exception when insufficient_privilege then
    perform tests.clear_authentication();
    return false;
  end;
  perform tests.clear_authentication();
  return true;
end $$;

create function pg_temp.sees(who text, bucket text, path text) returns boolean
language plpgsql as $$
declare
  seen boolean;
begin
  perform tests.authenticate_as(who);
  select exists (select 1 from storage.objects o where o.bucket_id = bucket and o.name = path) into seen;
  perform tests.clear_authentication();
  return seen;
end $$;

select results_eq($$ select id, public from storage.buckets order by id $$,
  $$ values ('attachments', false), ('avatars', false) $$, 'both buckets exist and are private');

select ok(pg_temp.upload('bob', 'attachments', tests.cid('general') || '/' || tests.uid('bob') || '/pic.png'),
  'a member uploads into <channel>/<own id>/');
select ok(not pg_temp.upload('bob', 'attachments', tests.cid('general') || '/' || tests.uid('alice') || '/pic.png'),
  'nobody uploads into someone else''s folder');
select ok(not pg_temp.upload('eve', 'attachments', tests.cid('secret') || '/' || tests.uid('eve') || '/pic.png'),
  'a stranger cannot upload into a channel');
select ok(not pg_temp.upload('bob', 'attachments', tests.cid('general') || '/' || tests.uid('bob') || '/deeper/pic.png'),
  'files go exactly one level below the user folder');
select ok(not pg_temp.upload('bob', 'attachments', 'not-a-channel/' || tests.uid('bob') || '/pic.png'),
  'a path that does not start with a channel id is refused');
select ok(not pg_temp.upload('dave', 'attachments', tests.cid('general') || '/' || tests.uid('dave') || '/pic.png'),
  'a deactivated member cannot upload');

select ok(pg_temp.sees('alice', 'attachments', tests.cid('general') || '/' || tests.uid('bob') || '/pic.png'),
  'members of the channel read the file');
select ok(not pg_temp.sees('eve', 'attachments', tests.cid('general') || '/' || tests.uid('bob') || '/pic.png'),
  'a stranger cannot read it');

insert into public.attachments (channel_id, uploaded_by, path, mime_type, size_bytes, sha256)
values (tests.cid('general'), tests.uid('bob'), tests.cid('general') || '/' || tests.uid('bob') || '/pic.png',
  'image/png', 10, repeat('ab', 32));
select tests.authenticate_as('bob');
select is(tests.affected($$ update storage.objects set metadata = '{"size": 99}' where bucket_id = 'attachments' $$), 0::bigint,
  'a file the API has checked and recorded cannot be replaced');
select tests.authenticate_as('alice');
select is(tests.affected($$ delete from storage.objects where bucket_id = 'attachments' $$), 0::bigint,
  'nobody deletes someone else''s attachment');
select tests.authenticate_as('bob');
select is(tests.affected($$ delete from storage.objects where bucket_id = 'attachments' $$), 0::bigint,
  'the uploader cannot delete a file recorded as an attachment: its bytes are final');
select tests.clear_authentication();
select ok(pg_temp.upload('bob', 'attachments', tests.cid('general') || '/' || tests.uid('bob') || '/draft.png'),
  'the uploader uploads another file, not recorded yet');
select tests.authenticate_as('bob');
select is(tests.affected($$ delete from storage.objects where bucket_id = 'attachments' $$), 1::bigint,
  'the uploader deletes an upload that was never recorded');
select tests.clear_authentication();
set local role service_role;
select is(tests.affected($$ delete from storage.objects where bucket_id = 'attachments' $$), 1::bigint,
  'the service role (the API cleaning up) still deletes a recorded attachment');
reset role;

select ok(pg_temp.upload('bob', 'avatars', tests.uid('bob') || '/me.png'), 'a user uploads their avatar');
select ok(not pg_temp.upload('bob', 'avatars', tests.uid('alice') || '/me.png'), 'nobody uploads someone else''s avatar');
select ok(pg_temp.sees('eve', 'avatars', tests.uid('bob') || '/me.png'), 'any signed-in user reads avatars');
select ok(not pg_temp.sees('dave', 'avatars', tests.uid('bob') || '/me.png'), 'a deactivated user reads none');
select tests.as_anon();
select is((select count(*) from storage.objects), 0::bigint, 'anon reads no object');
select tests.clear_authentication();

select * from finish();
rollback;
