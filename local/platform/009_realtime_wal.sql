-- Supabase platform layer, part 9: Broadcast from Database off the WAL, as Supabase Realtime
-- reads it: a publication of `realtime.messages` inserts (under the partitioned root's name),
-- which local Realtime streams through a logical replication slot. The NOTIFY of part 7 goes
-- away where the WAL can be read: a transaction that NOTIFYs holds a cluster-wide lock from
-- the start of its commit to the end of it, so with one NOTIFY per broadcast every commit that
-- broadcast waited for the one before it (1,000 inserts a second with it, 2,000 without, at 32
-- concurrent writers on this project's benchmark machine).
--
-- Where `wal_level` is not `logical` (an external database set up otherwise) nothing changes
-- and Realtime keeps listening; it tells the two apart by this publication.
do $$
begin
  if current_setting('wal_level') = 'logical' then
    if not exists (select 1 from pg_publication where pubname = 'supabase_realtime_messages_publication') then
      create publication supabase_realtime_messages_publication for table realtime.messages
        with (publish = 'insert', publish_via_partition_root = true);
    end if;
    drop trigger if exists notify_local_broadcast on realtime.messages;
  else
    raise notice 'wal_level is %, not logical: local Realtime keeps NOTIFY for Broadcast from Database',
      current_setting('wal_level');
  end if;
end
$$;
