-- Supabase platform layer, part 1: roles, schemas and default privileges.
--
-- A real Supabase project (hosted or `supabase start`) already has all of this; the local stack
-- applies it before `supabase/migrations/` so that the same migrations run unchanged on both.
-- Roles are cluster-wide, so they are created only when missing.
--
-- As on Supabase, the cluster's superuser is `supabase_admin` (it applies this layer), and
-- `postgres` — the role migrations, seeds and the dashboard use — is not a superuser, so a
-- migration that needs more than a hosted project allows fails here too.

do $$
declare
  r record;
begin
  for r in
    select * from (values
      ('postgres', 'login createdb createrole replication bypassrls'),
      ('anon', 'nologin inherit'),
      ('authenticated', 'nologin inherit'),
      ('service_role', 'nologin inherit bypassrls'),
      ('authenticator', 'login noinherit'),
      ('supabase_auth_admin', 'login noinherit nocreaterole'),
      ('supabase_storage_admin', 'login noinherit createrole'),
      ('supabase_realtime_admin', 'nologin noinherit'),
      ('dashboard_user', 'nologin createrole createdb replication')
    ) as t(name, attrs)
  loop
    if not exists (select 1 from pg_roles where rolname = r.name) then
      execute format('create role %I %s', r.name, r.attrs);
    end if;
  end loop;
end
$$;

-- Local passwords are the Supabase CLI's well-known default; real projects have their own.
alter role postgres with password 'postgres';
alter role authenticator with password 'postgres';
alter role supabase_auth_admin with password 'postgres';
alter role supabase_storage_admin with password 'postgres';

grant anon, authenticated, service_role to authenticator;
grant anon, authenticated, service_role to postgres;
-- Supabase lets `postgres` create policies on storage.objects and realtime.messages without
-- owning them (supautils' policy_grants). Plain Postgres only lets the owner do that, so
-- locally postgres inherits the owners' rights instead (a little more than hosted allows).
grant supabase_storage_admin, supabase_realtime_admin to postgres;

-- Supabase puts extensions in their own schema and keeps it on everybody's search_path.
create schema if not exists extensions;
grant usage on schema extensions to anon, authenticated, service_role, supabase_auth_admin;
grant usage on schema extensions to postgres with grant option;
create extension if not exists pgcrypto with schema extensions;
create extension if not exists "uuid-ossp" with schema extensions;

-- Role-level settings are cluster-wide, so they also hold in databases cloned from a template.
alter role postgres set search_path = "$user", public, extensions;
alter role anon set search_path = "$user", public, extensions;
alter role authenticated set search_path = "$user", public, extensions;
alter role service_role set search_path = "$user", public, extensions;
alter role authenticator set search_path = "$user", public, extensions;
alter role supabase_auth_admin set search_path = auth;
alter role supabase_storage_admin set search_path = storage;
alter role authenticated set statement_timeout = '8s';
alter role anon set statement_timeout = '3s';
alter role authenticator set statement_timeout = '8s';
alter role authenticator set lock_timeout = '8s';

-- As on Supabase, new objects in `public` are granted to the API roles by default; the chat's
-- migrations revoke what they do not want (every table starts closed there).
grant usage on schema public to postgres, anon, authenticated, service_role;
grant all on schema public to postgres with grant option;
do $$ begin execute format('alter database %I owner to postgres', current_database()); end $$;
alter default privileges for role postgres in schema public
  grant all on tables to postgres, anon, authenticated, service_role;
alter default privileges for role postgres in schema public
  grant all on sequences to postgres, anon, authenticated, service_role;
alter default privileges for role postgres in schema public
  grant all on functions to postgres, anon, authenticated, service_role;
