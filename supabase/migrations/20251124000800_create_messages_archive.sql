-- Archiving: messages older than N days move, with their reactions, to messages_archive in
-- small batches (each its own short transaction), so the live table stays small and is never
-- locked for long. Members can still read (and search, on request) their channels' archive.

create table public.messages_archive (
  id bigint primary key,
  channel_id uuid not null references public.channels (id) on delete cascade,
  sender_id uuid references public.profiles (id) on delete set null,
  kind text not null,
  content text not null,
  reply_to_id bigint,
  client_id text not null,
  mentions uuid[] not null default '{}',
  created_at timestamptz not null,
  edited_at timestamptz,
  deleted_at timestamptz,
  deleted_by uuid references public.profiles (id) on delete set null,
  moderation text not null,
  sentiment real,
  fts tsvector generated always as (to_tsvector('english'::regconfig, content)) stored,
  -- What lived in other tables: [{emoji, user_id, created_at}] and the attachment ids.
  reactions jsonb not null default '[]',
  attachment_ids uuid[] not null default '{}',
  archived_at timestamptz not null default now()
);
comment on table public.messages_archive is
  'Messages moved out of public.messages by private.archive_messages_batch (same columns, plus their reactions).';
create index messages_archive_channel_id_idx on public.messages_archive (channel_id, id desc);
create index messages_archive_fts_idx on public.messages_archive using gin (fts);

revoke all on public.messages_archive from anon, authenticated, chat_api;
alter table public.messages_archive enable row level security;
grant select on public.messages_archive to authenticated, chat_api;

create policy "authenticated can read archived messages of own channels" on public.messages_archive
  for select to authenticated, chat_api
  using (channel_id in (select private.my_channel_ids()));

-- Moves up to batch_size messages created before cutoff; returns how many moved. Rows other
-- sessions hold are skipped (SKIP LOCKED) and picked up by a later batch.
create function private.archive_messages_batch(cutoff timestamptz, batch_size int default 500)
returns int
language plpgsql security definer set search_path = ''
as $$
declare
  moved int;
begin
  -- Tell the realtime triggers this is housekeeping, not a user action.
  perform set_config('chat.archiving', 'on', true);
  with batch as (
    select m.id from public.messages m
    where m.created_at < cutoff
    order by m.id
    limit batch_size
    for update skip locked
  ), gone as (
    delete from public.messages m using batch b where m.id = b.id
    returning m.*
  ), archived as (
    insert into public.messages_archive (id, channel_id, sender_id, kind, content, reply_to_id,
      client_id, mentions, created_at, edited_at, deleted_at, deleted_by, moderation, sentiment, reactions,
      attachment_ids)
    select g.id, g.channel_id, g.sender_id, g.kind, g.content, g.reply_to_id, g.client_id,
      g.mentions, g.created_at, g.edited_at, g.deleted_at, g.deleted_by, g.moderation, g.sentiment,
      coalesce((select jsonb_agg(jsonb_build_object('emoji', r.emoji, 'user_id', r.user_id,
                 'created_at', r.created_at) order by r.created_at)
                from public.message_reactions r where r.message_id = g.id), '[]'),
      coalesce(array(select a.id from public.attachments a where a.message_id = g.id), '{}')
    from gone g
    returning 1
  )
  select count(*) into moved from archived;
  perform set_config('chat.archiving', 'off', true);
  return moved;
end
$$;
comment on function private.archive_messages_batch(timestamptz, int) is
  'Moves one batch of messages older than cutoff (with their reactions) into messages_archive.';

-- Archives everything older than `older_than`, one committed batch at a time. Neither
-- security definer nor SET: Postgres forbids COMMIT in such procedures; the batch function
-- it calls carries the rights.
create procedure private.archive_old_messages(
  older_than interval default interval '365 days', batch_size int default 500
)
language plpgsql
as $$
declare
  cutoff timestamptz := now() - older_than;
  moved int;
begin
  loop
    moved := private.archive_messages_batch(cutoff, batch_size);
    commit;
    exit when moved < batch_size;
  end loop;
end
$$;

revoke all on function private.archive_messages_batch(timestamptz, int) from public;
revoke all on procedure private.archive_old_messages(interval, int) from public;
grant execute on function private.archive_messages_batch(timestamptz, int) to service_role;
grant execute on procedure private.archive_old_messages(interval, int) to service_role;

-- On Supabase (and wherever pg_cron is installed) archive nightly; elsewhere run
-- `call private.archive_old_messages();` from any scheduler.
do $$
begin
  if exists (select 1 from pg_available_extensions where name = 'pg_cron') then
    execute 'create extension if not exists pg_cron';
    execute $cron$select cron.schedule('archive-old-messages', '17 3 * * *',
      'call private.archive_old_messages()')$cron$;
  else
    raise notice 'pg_cron is not available: schedule "call private.archive_old_messages()" yourself';
  end if;
end
$$;
