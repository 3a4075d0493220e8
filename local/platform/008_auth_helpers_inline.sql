-- Supabase platform layer, part 8: auth.uid(), auth.role(), auth.email() and auth.jwt() exactly
-- as supabase/auth defines them (migrations/tenant/20211202183645_update_auth_uid.up.sql and
-- neighbours): `language sql stable` with no `set` clause. Part 2 gave them
-- `set search_path = ''`, which Supabase does not; a function with a `set` clause is never
-- inlined, so every policy that calls auth.uid() planned it again on every query. Their bodies
-- name only pg_catalog functions, which are found whatever the search path.

create or replace function auth.uid() returns uuid
language sql stable
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.sub', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
  )::uuid
$$;

create or replace function auth.role() returns text
language sql stable
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.role', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role')
  )::text
$$;

create or replace function auth.email() returns text
language sql stable
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.email', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'email')
  )::text
$$;

create or replace function auth.jwt() returns jsonb
language sql stable
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim', true), ''),
    nullif(current_setting('request.jwt.claims', true), '')
  )::jsonb
$$;
