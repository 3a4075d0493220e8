-- Local only: the mail inbox of the local stack (what Inbucket/Mailpit is for `supabase start`).
-- Every email the local Auth server sends is kept here and shown at /_inbox.
create table if not exists _local.mail (
  id uuid primary key default gen_random_uuid(),
  "to" text not null,
  subject text not null,
  text text not null,
  html text not null,
  created_at timestamptz not null default now()
);
create index if not exists mail_to_idx on _local.mail (lower("to"), created_at desc);
grant usage on schema _local to supabase_auth_admin;
grant select, insert, delete on _local.mail to supabase_auth_admin;
