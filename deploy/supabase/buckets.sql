-- The Storage buckets of supabase/config.toml ([storage.buckets.*]) for a self-hosted Supabase,
-- where no `supabase config push` exists. The migrations already create both buckets (and skip
-- existing ones); this file also brings existing buckets back to the configured limits.
-- Sizes in bytes: 25MiB = 26214400, 5MiB = 5242880. Global cap: the storage service's
-- FILE_SIZE_LIMIT (52428800 = 50MiB in Supabase's docker-compose.yml, as [storage] says).
--
--   docker compose exec -T db psql -U postgres -d postgres -v ON_ERROR_STOP=1 < buckets.sql

insert into storage.buckets (id, name, public, file_size_limit, allowed_mime_types)
values
  ('attachments', 'attachments', false, 26214400, array[
    'image/png', 'image/jpeg', 'image/gif', 'image/webp',
    'audio/mpeg', 'audio/ogg', 'audio/wav', 'audio/webm', 'audio/mp4',
    'video/mp4', 'video/webm',
    'application/pdf', 'text/plain', 'application/zip']),
  ('avatars', 'avatars', false, 5242880, array[
    'image/png', 'image/jpeg', 'image/gif', 'image/webp'])
on conflict (id) do update set
  public = excluded.public,
  file_size_limit = excluded.file_size_limit,
  allowed_mime_types = excluded.allowed_mime_types;
