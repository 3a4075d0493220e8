-- Storage: the buckets (also declared in config.toml for `supabase start`) and who may touch
-- which object. attachments: `<channel_id>/<user_id>/<file>`, read by the channel's members,
-- written only by that user into a channel they belong to. avatars: `<user_id>/<file>`, read
-- by any signed-in user, written only by its owner.

insert into storage.buckets (id, name, public, file_size_limit, allowed_mime_types)
values
  ('attachments', 'attachments', false, 26214400, array[
    'image/png', 'image/jpeg', 'image/gif', 'image/webp',
    'audio/mpeg', 'audio/ogg', 'audio/wav', 'audio/webm', 'audio/mp4',
    'video/mp4', 'video/webm', 'application/pdf', 'text/plain', 'application/zip']),
  ('avatars', 'avatars', false, 5242880, array['image/png', 'image/jpeg', 'image/gif', 'image/webp'])
on conflict (id) do nothing;

create function private.is_member_of_folder(folder text) returns boolean
language sql stable security definer set search_path = ''
as $$
  select folder ~ '^[0-9a-fA-F-]{36}$' and private.is_member(folder::uuid)
$$;
create function private.can_post_in_folder(folder text) returns boolean
language sql stable security definer set search_path = ''
as $$
  select folder ~ '^[0-9a-fA-F-]{36}$' and private.can_post(folder::uuid)
$$;
revoke all on function private.is_member_of_folder(text), private.can_post_in_folder(text) from public;
grant execute on function private.is_member_of_folder(text), private.can_post_in_folder(text)
  to authenticated, service_role;

create policy "authenticated can read attachments of own channels" on storage.objects
  for select to authenticated
  using (
    bucket_id = 'attachments'
    and (storage.foldername(name))[1] in (select c::text from private.my_channel_ids() c)
  );
create policy "authenticated can upload attachments to own folder" on storage.objects
  for insert to authenticated
  with check (
    bucket_id = 'attachments'
    and (storage.foldername(name))[2] = (select auth.uid())::text
    and array_length(storage.foldername(name), 1) = 2
    and (select private.can_post_in_folder((storage.foldername(name))[1]))
  );
-- Once the API has checked a file and recorded it as an attachment, its bytes are final.
create function private.is_recorded_attachment(path text) returns boolean
language sql stable security definer set search_path = ''
as $$
  select exists (select 1 from public.attachments a where a.bucket = 'attachments' and a.path = is_recorded_attachment.path)
$$;
revoke all on function private.is_recorded_attachment(text) from public;
grant execute on function private.is_recorded_attachment(text) to authenticated, service_role;

create policy "authenticated can update own attachments" on storage.objects
  for update to authenticated
  using (
    bucket_id = 'attachments'
    and (storage.foldername(name))[2] = (select auth.uid())::text
    and (select private.can_post_in_folder((storage.foldername(name))[1]))
    and not private.is_recorded_attachment(name)
  );
create policy "authenticated can delete own attachments" on storage.objects
  for delete to authenticated
  using (
    bucket_id = 'attachments'
    and (storage.foldername(name))[2] = (select auth.uid())::text
    and (select private.is_member_of_folder((storage.foldername(name))[1]))
  );

create policy "authenticated can read avatars" on storage.objects
  for select to authenticated
  using (bucket_id = 'avatars' and (select private.is_active_caller()));
create policy "authenticated can upload own avatar" on storage.objects
  for insert to authenticated
  with check (
    bucket_id = 'avatars'
    and (storage.foldername(name))[1] = (select auth.uid())::text
    and array_length(storage.foldername(name), 1) = 1
    and (select private.is_active_caller())
  );
create policy "authenticated can update own avatar" on storage.objects
  for update to authenticated
  using (
    bucket_id = 'avatars'
    and (storage.foldername(name))[1] = (select auth.uid())::text
    and (select private.is_active_caller())
  );
create policy "authenticated can delete own avatar" on storage.objects
  for delete to authenticated
  using (
    bucket_id = 'avatars'
    and (storage.foldername(name))[1] = (select auth.uid())::text
    and (select private.is_active_caller())
  );
