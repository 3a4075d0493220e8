-- Plans a connection keeps (PL/pgSQL statements, generic plans) are made when the statement
-- first runs, and kept as the tables grow (until an ANALYZE). Made here while `messages` holds a
-- few rows, they must still read a grown table by index (20251124007300): one more message,
-- its broadcast (the channel's previous message, the message read back) and a read-back touch a
-- handful of rows, not the channel's 1,500.
begin;
select plan(2);
select tests.seed_chat();
-- Message events run at commit (deferred triggers); here, at each insert.
set constraints all immediate;

-- A young project: the first messages, one at a time, so that the send's statements are
-- planned (and their plans kept) while the table is small.
do $$
begin
  for n in 1..12 loop
    insert into public.messages (channel_id, sender_id, content, client_id)
    values (tests.cid('general'), tests.uid('alice'), 'early message ' || n, 'early-' || n);
    perform public.message_views(array[tests.mid('early-' || n)]);
  end loop;
end
$$;

-- It grows.
insert into public.messages (channel_id, sender_id, content, client_id)
select tests.cid('general'), tests.uid('bob'), 'later message ' || n, 'later-' || n
from generate_series(1, 1500) n;

/** Rows of `messages` this transaction has read so far, by any scan. */
create function pg_temp.rows_read() returns bigint language sql as $$
  select coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0)
  from pg_stat_xact_user_tables where relid = 'public.messages'::regclass
$$;

select set_config('tests.read_before', pg_temp.rows_read()::text, true);
insert into public.messages (channel_id, sender_id, content, client_id)
values (tests.cid('general'), tests.uid('alice'), 'one more', 'one-more');
select cmp_ok(pg_temp.rows_read() - current_setting('tests.read_before')::bigint, '<', 20::bigint,
  'a message written to a grown channel reads a few rows of it, by index');

-- (tests.mid scans: the id first.)
select set_config('tests.one_more', tests.mid('one-more')::text, true);
select set_config('tests.read_before', pg_temp.rows_read()::text, true);
select count(*) from public.message_views(array[current_setting('tests.one_more')::bigint]);
select cmp_ok(pg_temp.rows_read() - current_setting('tests.read_before')::bigint, '<', 5::bigint,
  'the message read back reads it by its key');

select * from finish();
rollback;
