-- Local only: the Broadcast-from-Database NOTIFY carries the row's topic and its insertion time
-- in microseconds, as JSON: `{"id", "us", "topic"}`. The local Realtime then reads a row only
-- when it has subscribers to its topic, and knows where a gap began when its LISTEN connection
-- was lost (it replays rows inserted since). A topic too long for NOTIFY's 8 KB is left out
-- (the row is then always read). The index serves that replay, and `local_seq` orders it as
-- the rows were inserted (the rows of one transaction share their `inserted_at`).
create sequence if not exists realtime.messages_local_seq;
grant usage on sequence realtime.messages_local_seq
  to postgres, anon, authenticated, service_role, supabase_realtime_admin;
alter table realtime.messages add column if not exists local_seq bigint
  default nextval('realtime.messages_local_seq');
alter sequence realtime.messages_local_seq owner to supabase_realtime_admin;

create or replace function realtime.notify_local_broadcast() returns trigger
language plpgsql
as $$
begin
  if new.extension = 'broadcast' then
    perform pg_notify('realtime_local_broadcast', json_build_object(
      'id', new.id,
      'us', ((extract(epoch from new.inserted_at) * 1000000)::bigint)::text,
      'topic', case when octet_length(new.topic) <= 4000 then new.topic end
    )::text);
  end if;
  return null;
end
$$;

create index if not exists messages_local_replay_index
  on realtime.messages (inserted_at)
  where extension = 'broadcast';
