-- Once the API has checked a file and recorded it as an attachment (size, type, dimensions,
-- sha256), its bytes are final. Overwriting was already refused (the update policy), but the
-- uploader could delete the object and upload other bytes at the same path, behind a record
-- that still described the old ones. Deleting is now refused too, for the file and for the
-- thumbnail the record names. Refusing rather than voiding the record keeps sent messages
-- whole. This is RLS on storage.objects, so Supabase Storage applies it on hosted projects
-- too (remove needs DELETE, upsert/update/move need UPDATE, copy onto a path needs UPDATE
-- when it overwrites). The service role bypasses RLS: the API still cleans up (thumbnails,
-- moderation).

create or replace function private.is_recorded_attachment(path text) returns boolean
language sql stable security definer set search_path = ''
as $$
  select exists (
    select 1 from public.attachments a
    where a.bucket = 'attachments'
      and (a.path = is_recorded_attachment.path or a.thumb_path = is_recorded_attachment.path)
  )
$$;

create index attachments_thumb_path_idx on public.attachments (thumb_path)
  where thumb_path is not null;

drop policy "authenticated can delete own attachments" on storage.objects;
create policy "authenticated can delete own unrecorded attachments" on storage.objects
  for delete to authenticated
  using (
    bucket_id = 'attachments'
    and (storage.foldername(name))[2] = (select auth.uid())::text
    and (select private.is_member_of_folder((storage.foldername(name))[1]))
    and not private.is_recorded_attachment(name)
  );
