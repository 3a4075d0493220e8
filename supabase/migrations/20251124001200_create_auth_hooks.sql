-- Auth hooks (declared in supabase/config.toml), called by Supabase Auth as
-- supabase_auth_admin:
--   custom_access_token_hook: adds the claim `user_role`; deactivated users get no token.
--   password_verification_attempt_hook: 5 failed passwords in 15 minutes lock the account for
--   15 minutes. On hosted Supabase this hook needs the Team plan or above.

create table private.login_failures (
  id bigint generated always as identity primary key,
  user_id uuid not null references auth.users (id) on delete cascade,
  failed_at timestamptz not null default now()
);
comment on table private.login_failures is
  'Failed password attempts, read and written only by the password verification hook.';
create index login_failures_user_idx on private.login_failures (user_id, failed_at desc);

create table private.login_lockouts (
  user_id uuid primary key references auth.users (id) on delete cascade,
  locked_until timestamptz not null
);
comment on table private.login_lockouts is 'Accounts locked by the password verification hook.';

alter table private.login_failures enable row level security;
alter table private.login_lockouts enable row level security;
revoke all on private.login_failures, private.login_lockouts
  from public, anon, authenticated, service_role, chat_api;
grant usage on schema private to supabase_auth_admin;
grant select, insert, delete on private.login_failures, private.login_lockouts to supabase_auth_admin;
grant update on private.login_lockouts to supabase_auth_admin;
create policy "supabase_auth_admin can manage login failures" on private.login_failures
  for all to supabase_auth_admin using (true) with check (true);
create policy "supabase_auth_admin can manage lockouts" on private.login_lockouts
  for all to supabase_auth_admin using (true) with check (true);

create function public.custom_access_token_hook(event jsonb) returns jsonb
language plpgsql stable set search_path = ''
as $$
declare
  uid uuid := (event ->> 'user_id')::uuid;
  claims jsonb := event -> 'claims';
  profile record;
begin
  select p.deactivated_at into profile from public.profiles p where p.id = uid;
  if found and profile.deactivated_at is not null then
    return jsonb_build_object('error', jsonb_build_object(
      'http_code', 403, 'message', 'This account has been deactivated'));
  end if;
  claims := jsonb_set(claims, '{user_role}', to_jsonb(coalesce(
    (select r.role from public.user_roles r where r.user_id = uid), 'user')));
  return jsonb_build_object('claims', claims);
end
$$;

create function public.password_verification_attempt_hook(event jsonb) returns jsonb
language plpgsql volatile set search_path = ''
as $$
declare
  uid uuid := (event ->> 'user_id')::uuid;
  valid boolean := coalesce((event ->> 'valid')::boolean, false);
  max_failures constant int := 5;
  win constant interval := interval '15 minutes';
  lock_for constant interval := interval '15 minutes';
  failures int;
  -- The same words as an unknown email or a wrong password: no account enumeration.
  rejected constant jsonb := jsonb_build_object(
    'decision', 'reject', 'message', 'Invalid login credentials', 'should_logout_user', false);
begin
  if exists (select 1 from private.login_lockouts l where l.user_id = uid and l.locked_until > now()) then
    return rejected;
  end if;
  if valid then
    delete from private.login_failures f where f.user_id = uid;
    delete from private.login_lockouts l where l.user_id = uid;
    return jsonb_build_object('decision', 'continue');
  end if;
  insert into private.login_failures (user_id) values (uid);
  select count(*) into failures from private.login_failures f
  where f.user_id = uid and f.failed_at > now() - win;
  if failures >= max_failures then
    insert into private.login_lockouts (user_id, locked_until) values (uid, now() + lock_for)
    on conflict (user_id) do update set locked_until = excluded.locked_until;
    delete from private.login_failures f where f.user_id = uid;
    return rejected;
  end if;
  return jsonb_build_object('decision', 'continue');
end
$$;

revoke all on function public.custom_access_token_hook(jsonb),
  public.password_verification_attempt_hook(jsonb) from public, anon, authenticated, chat_api;
grant execute on function public.custom_access_token_hook(jsonb),
  public.password_verification_attempt_hook(jsonb) to supabase_auth_admin;
grant usage on schema public to supabase_auth_admin;
grant select on public.user_roles, public.profiles to supabase_auth_admin;
create policy "supabase_auth_admin can read roles for tokens" on public.user_roles
  for select to supabase_auth_admin using (true);
create policy "supabase_auth_admin can read profiles for tokens" on public.profiles
  for select to supabase_auth_admin using (true);
