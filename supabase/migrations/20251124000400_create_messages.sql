-- Messages: bigint identity ids (keyset pagination), idempotent sends by (sender_id,
-- client_id), edits marked by edited_at, soft deletes that clear the content, and a tsvector
-- for full-text search (plus trigrams for partial words).

create table public.messages (
  id bigint generated always as identity primary key,
  channel_id uuid not null references public.channels (id) on delete cascade,
  sender_id uuid references public.profiles (id) on delete set null,
  kind text not null default 'text',
  content text not null default '',
  -- No foreign key: the quoted message may have been archived since.
  reply_to_id bigint,
  client_id text not null,
  mentions uuid[] not null default '{}',
  created_at timestamptz not null default now(),
  edited_at timestamptz,
  deleted_at timestamptz,
  deleted_by uuid references public.profiles (id) on delete set null,
  moderation text not null default 'ok',
  -- Lexicon sentiment of the content, -5..5 per word on average (null: not scored).
  sentiment real,
  fts tsvector generated always as (to_tsvector('english'::regconfig, content)) stored,
  constraint messages_kind_check check (kind in ('text', 'image', 'file', 'audio', 'system')),
  constraint messages_content_length check (char_length(content) <= 4000),
  constraint messages_text_not_empty check (
    deleted_at is not null or kind <> 'text' or char_length(content) >= 1
  ),
  constraint messages_deleted_has_no_content check (deleted_at is null or content = ''),
  constraint messages_client_id_length check (char_length(client_id) between 1 and 64),
  constraint messages_moderation_check check (moderation in ('ok', 'masked', 'flagged')),
  constraint messages_mentions_count check (cardinality(mentions) <= 50),
  constraint messages_client_id_key unique (sender_id, client_id)
);
comment on table public.messages is
  'Chat messages. Deleted messages keep their row as a tombstone with empty content.';
-- Last 50 and keyset pages of one channel.
create index messages_channel_id_idx on public.messages (channel_id, id desc);
create index messages_fts_idx on public.messages using gin (fts);
create index messages_content_trgm_idx on public.messages
  using gin (content extensions.gin_trgm_ops);
create index messages_sender_idx on public.messages (sender_id, id desc);
create index messages_created_at_idx on public.messages (created_at);

revoke all on public.messages from anon, authenticated, chat_api;
alter table public.messages enable row level security;
grant select on public.messages to authenticated, chat_api;
grant insert (channel_id, sender_id, kind, content, reply_to_id, client_id, mentions, moderation, sentiment)
  on public.messages to chat_api;
grant update (content, mentions, edited_at, deleted_at, deleted_by, moderation, sentiment)
  on public.messages to chat_api;

create policy "authenticated can read messages of own channels" on public.messages
  for select to authenticated, chat_api
  using (channel_id in (select private.my_channel_ids()));
create policy "chat_api can send messages to own channels" on public.messages
  for insert to chat_api
  with check (
    sender_id = (select auth.uid())
    and kind <> 'system'
    and (select private.can_post(channel_id))
  );
create policy "chat_api can edit or delete own messages" on public.messages
  for update to chat_api
  using (sender_id = (select auth.uid()) and (select private.can_post(channel_id)))
  with check (sender_id = (select auth.uid()));
create policy "chat_api can delete any message as moderator" on public.messages
  for update to chat_api
  using ((select private.is_moderator()))
  with check ((select private.is_moderator()));

-- Inserts: a reply must quote a message of the same channel; mentions keep only members
-- (and the assistant).
create function private.check_message_insert() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if new.reply_to_id is not null and not exists (
    select 1 from public.messages m where m.id = new.reply_to_id and m.channel_id = new.channel_id
  ) and not exists (
    select 1 from public.messages_archive a where a.id = new.reply_to_id and a.channel_id = new.channel_id
  ) then
    raise exception 'reply_to_id % is not a message of this channel', new.reply_to_id
      using errcode = '23503';
  end if;
  -- Mentions keep other members of the channel, and the @assistant (who answers anywhere).
  new.mentions := coalesce(array(
    select distinct u from unnest(new.mentions) u
    where u is distinct from new.sender_id
      and (u = private.assistant_id() or exists (
        select 1 from public.channel_members cm where cm.channel_id = new.channel_id and cm.user_id = u))
  ), '{}');
  new.created_at := now();
  new.edited_at := null;
  new.deleted_at := null;
  new.deleted_by := null;
  return new;
end
$$;
create trigger messages_check_insert before insert on public.messages
  for each row execute function private.check_message_insert();

-- Updates: an edit is the sender's alone and marks edited_at; a delete (by the sender or a
-- moderator) clears content and mentions; a deleted message never changes again.
-- Security invoker on purpose: current_user must be the caller's role (chat_api for the API).
create function private.guard_message_update() returns trigger
language plpgsql set search_path = ''
as $$
declare
  caller uuid := private.caller_id();
begin
  if old.deleted_at is not null then
    raise exception 'message % is deleted', old.id using errcode = '42501';
  end if;
  if new.deleted_at is not null then
    new.deleted_at := now();
    new.deleted_by := coalesce(caller, new.deleted_by);
    new.content := '';
    new.mentions := '{}';
    new.sentiment := null;
    new.edited_at := old.edited_at;
    return new;
  end if;
  if current_user = 'chat_api' and caller is distinct from old.sender_id then
    raise exception 'only the sender edits a message' using errcode = '42501';
  end if;
  if new.content is distinct from old.content then
    new.edited_at := now();
  else
    new.edited_at := old.edited_at;
  end if;
  new.deleted_by := null;
  return new;
end
$$;
create trigger messages_guard_update before update on public.messages
  for each row execute function private.guard_message_update();
