-- Profiles (one per auth user, made by a trigger on sign-up) and application roles.

create table public.profiles (
  id uuid primary key references auth.users (id) on delete cascade,
  username text not null,
  display_name text not null default '',
  avatar_path text,
  status_text text not null default '',
  locale text not null default 'en',
  last_seen_at timestamptz,
  deactivated_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint profiles_username_format check (username ~ '^[a-z0-9_.]{3,32}$'),
  constraint profiles_display_name_length check (char_length(display_name) <= 64),
  constraint profiles_status_text_length check (char_length(status_text) <= 140),
  constraint profiles_avatar_path_length check (char_length(avatar_path) <= 512),
  constraint profiles_locale_format check (locale ~ '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$')
);
comment on table public.profiles is
  'Public face of a user. Usernames are stored lower-case, so uniqueness is case-insensitive.';
create unique index profiles_username_key on public.profiles (lower(username));
create index profiles_username_trgm_idx on public.profiles
  using gin (username extensions.gin_trgm_ops);
create index profiles_display_name_trgm_idx on public.profiles
  using gin (lower(display_name) extensions.gin_trgm_ops);

create table public.user_roles (
  user_id uuid primary key references auth.users (id) on delete cascade,
  role text not null default 'user',
  updated_at timestamptz not null default now(),
  updated_by uuid references auth.users (id) on delete set null,
  constraint user_roles_role_check check (role in ('user', 'moderator', 'admin'))
);
comment on table public.user_roles is
  'Application role of each user; custom_access_token_hook copies it into the JWT as user_role.';

-- Helpers used by policies everywhere. They read tables the caller may not see, hence
-- security definer; search_path is empty so every name is qualified.
create function private.is_active(uid uuid) returns boolean
language sql stable security definer set search_path = ''
as $$
  select exists (select 1 from public.profiles p where p.id = uid and p.deactivated_at is null)
$$;

create function private.is_active_caller() returns boolean
language sql stable security definer set search_path = ''
as $$
  select private.is_active((select auth.uid()))
$$;

create function private.app_role(uid uuid) returns text
language sql stable security definer set search_path = ''
as $$
  select coalesce((select r.role from public.user_roles r where r.user_id = uid), 'user')
$$;

create function private.is_moderator() returns boolean
language sql stable security definer set search_path = ''
as $$
  select private.is_active_caller()
     and private.app_role((select auth.uid())) in ('moderator', 'admin')
$$;

create function private.is_admin() returns boolean
language sql stable security definer set search_path = ''
as $$
  select private.is_active_caller() and private.app_role((select auth.uid())) = 'admin'
$$;

revoke all on function private.is_active(uuid), private.is_active_caller(),
  private.app_role(uuid), private.is_moderator(), private.is_admin() from public;
grant execute on function private.is_active(uuid), private.is_active_caller(),
  private.app_role(uuid), private.is_moderator(), private.is_admin()
  to authenticated, chat_api, service_role;

-- Every table starts closed; then the minimum is granted back.
revoke all on public.profiles, public.user_roles from anon, authenticated, chat_api;
alter table public.profiles enable row level security;
alter table public.user_roles enable row level security;
grant select on public.profiles, public.user_roles to authenticated, chat_api;
grant update (username, display_name, avatar_path, status_text, locale, last_seen_at,
  deactivated_at, updated_at) on public.profiles to chat_api;
grant insert, update, delete on public.user_roles to chat_api;

create policy "authenticated can read profiles while active" on public.profiles
  for select to authenticated, chat_api
  using ((select private.is_active_caller()));
create policy "chat_api can update own profile" on public.profiles
  for update to chat_api
  using (id = (select auth.uid()) and (select private.is_active_caller()))
  with check (id = (select auth.uid()));
create policy "chat_api can update any profile as admin" on public.profiles
  for update to chat_api
  using ((select private.is_admin()))
  with check ((select private.is_admin()));

create policy "authenticated can read own role, admins every role" on public.user_roles
  for select to authenticated, chat_api
  using (
    (user_id = (select auth.uid()) and (select private.is_active_caller()))
    or (select private.is_moderator())
  );
create policy "chat_api can add roles as admin" on public.user_roles
  for insert to chat_api
  with check ((select private.is_admin()));
create policy "chat_api can change roles as admin" on public.user_roles
  for update to chat_api
  using ((select private.is_admin()))
  with check ((select private.is_admin()));
create policy "chat_api can remove roles as admin" on public.user_roles
  for delete to chat_api
  using ((select private.is_admin()));

-- Only the user may change their own username etc.; an admin may only (de)activate others.
-- Security invoker on purpose: current_user must be the caller's role (chat_api for the API).
create function private.guard_profile_update() returns trigger
language plpgsql set search_path = ''
as $$
begin
  if new.id is distinct from old.id or new.created_at is distinct from old.created_at then
    raise exception 'profile id and created_at cannot change' using errcode = '42501';
  end if;
  if current_user = 'chat_api' and old.id is distinct from private.caller_id() and (
    new.username, new.display_name, new.avatar_path, new.status_text, new.locale, new.last_seen_at
  ) is distinct from (
    old.username, old.display_name, old.avatar_path, old.status_text, old.locale, old.last_seen_at
  ) then
    raise exception 'only the user may edit their profile' using errcode = '42501';
  end if;
  new.username := lower(new.username);
  new.updated_at := now();
  return new;
end
$$;
create trigger profiles_guard_update before update on public.profiles
  for each row execute function private.guard_profile_update();

create function private.touch_user_role() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  new.updated_at := now();
  new.updated_by := (select auth.uid());
  return new;
end
$$;
create trigger user_roles_touch before insert or update on public.user_roles
  for each row execute function private.touch_user_role();

-- Sign-up: a profile and the default role for every new auth user. The username comes from
-- the sign-up metadata (`data.username`); OAuth sign-ups without one get a free name derived
-- from their provider name or email. A taken or malformed chosen username fails the sign-up.
create function private.handle_new_user() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  meta jsonb := coalesce(new.raw_user_meta_data, '{}'::jsonb);
  wanted text := lower(nullif(trim(meta ->> 'username'), ''));
  base text;
  candidate text;
  n int := 0;
begin
  if wanted is not null then
    if wanted !~ '^[a-z0-9_.]{3,32}$' then
      raise exception 'username must be 3-32 characters of a-z, 0-9, _ and .'
        using errcode = '23514', constraint = 'profiles_username_format';
    end if;
    if exists (select 1 from public.profiles p where lower(p.username) = wanted) then
      raise exception 'username "%" is taken', wanted
        using errcode = '23505', constraint = 'profiles_username_key';
    end if;
    candidate := wanted;
  else
    base := left(regexp_replace(lower(coalesce(
      meta ->> 'user_name', meta ->> 'preferred_username', split_part(new.email, '@', 1), 'user'
    )), '[^a-z0-9_.]', '', 'g'), 24);
    if char_length(base) < 3 then base := rpad(coalesce(base, ''), 3, '_'); end if;
    candidate := base;
    while exists (select 1 from public.profiles p where lower(p.username) = candidate) loop
      n := n + 1;
      candidate := base || '_' || n::text;
    end loop;
  end if;

  insert into public.profiles (id, username, display_name, locale)
  values (
    new.id,
    candidate,
    left(coalesce(nullif(trim(meta ->> 'display_name'), ''), nullif(trim(meta ->> 'full_name'), ''),
      nullif(trim(meta ->> 'name'), ''), candidate), 64),
    case when meta ->> 'locale' ~ '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$' then meta ->> 'locale' else 'en' end
  );
  insert into public.user_roles (user_id, role) values (new.id, 'user');
  return new;
end
$$;
create trigger on_auth_user_created after insert on auth.users
  for each row execute function private.handle_new_user();
