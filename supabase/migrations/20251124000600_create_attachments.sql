-- Attachments: metadata of files uploaded to Storage (bucket `attachments`, path
-- `<channel_id>/<user_id>/<uuid>.<ext>`), recorded by the API after it has checked the file.

create table public.attachments (
  id uuid primary key default gen_random_uuid(),
  message_id bigint references public.messages (id) on delete set null,
  channel_id uuid not null references public.channels (id) on delete cascade,
  uploaded_by uuid references public.profiles (id) on delete set null,
  bucket text not null default 'attachments',
  path text not null,
  mime_type text not null,
  size_bytes bigint not null,
  width int,
  height int,
  duration_ms int,
  thumb_path text,
  sha256 text not null,
  created_at timestamptz not null default now(),
  constraint attachments_bucket_check check (bucket = 'attachments'),
  constraint attachments_path_in_channel check (
    path like channel_id::text || '/%' and char_length(path) <= 512
  ),
  constraint attachments_mime_type_format check (mime_type ~ '^[a-z0-9.+-]+/[a-z0-9.+-]+$'),
  constraint attachments_size_check check (size_bytes >= 0),
  constraint attachments_dimensions_check check (
    (width is null or width > 0) and (height is null or height > 0)
  ),
  constraint attachments_sha256_format check (sha256 ~ '^[0-9a-f]{64}$'),
  constraint attachments_bucket_path_key unique (bucket, path)
);
comment on table public.attachments is 'Files attached to messages; the bytes live in Storage.';
create index attachments_message_idx on public.attachments (message_id);
create index attachments_channel_idx on public.attachments (channel_id, created_at desc);

revoke all on public.attachments from anon, authenticated, chat_api;
alter table public.attachments enable row level security;
grant select on public.attachments to authenticated, chat_api;
grant insert (channel_id, uploaded_by, bucket, path, mime_type, size_bytes, width, height,
  duration_ms, thumb_path, sha256) on public.attachments to chat_api;
grant update (message_id) on public.attachments to chat_api;
grant delete on public.attachments to chat_api;

create policy "authenticated can read attachments of own channels" on public.attachments
  for select to authenticated, chat_api
  using (channel_id in (select private.my_channel_ids()));
create policy "chat_api can record own uploads in own channels" on public.attachments
  for insert to chat_api
  with check (
    uploaded_by = (select auth.uid())
    and (select private.can_post(channel_id))
    and path like channel_id::text || '/' || (select auth.uid())::text || '/%'
  );
create policy "chat_api can attach own uploads to own messages" on public.attachments
  for update to chat_api
  using (uploaded_by = (select auth.uid()) and message_id is null and (select private.is_active_caller()))
  with check (uploaded_by = (select auth.uid()));
create policy "chat_api can delete own unsent uploads" on public.attachments
  for delete to chat_api
  using (uploaded_by = (select auth.uid()) and message_id is null and (select private.is_active_caller()));

-- An attachment joins a message of its own channel, sent by its uploader.
create function private.check_attachment_link() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if new.message_id is not null and not exists (
    select 1 from public.messages m
    where m.id = new.message_id and m.channel_id = new.channel_id and m.sender_id = new.uploaded_by
  ) then
    raise exception 'attachment % cannot join message %', new.id, new.message_id
      using errcode = '42501';
  end if;
  return new;
end
$$;
create trigger attachments_check_link before insert or update of message_id on public.attachments
  for each row execute function private.check_attachment_link();
