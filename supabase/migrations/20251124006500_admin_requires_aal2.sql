-- Two-factor authentication and the staff roles.
--
-- 1. Staff powers need the second factor once it is set up. A moderator or admin who has a
--    verified MFA factor acts as one only from an aal2 session (after the TOTP code); with a
--    password-only (aal1) session they are an ordinary user. This is Supabase's "enforce MFA
--    for users who have set it up" pattern:
--      array[auth.jwt() ->> 'aal'] <@ (select case when count(id) > 0 then array['aal2']
--        else array['aal1', 'aal2'] end from auth.mfa_factors
--        where user_id = auth.uid() and status = 'verified')
--    written once, in private.is_moderator() and private.is_admin(), so every policy that asks
--    them (and with them every admin write of the API) follows.
-- 2. Recovery through an admin: private.reset_mfa(user) removes a person's factors, as Auth's
--    admin API does (DELETE /admin/users/:id/factors/:factor_id): the sessions they raised go
--    back to aal1. Only an admin (at aal2, by 1.) may call it.

create or replace function private.mfa_satisfied() returns boolean
language plpgsql stable security definer set search_path = ''
as $$
begin
  return coalesce(auth.jwt() ->> 'aal', 'aal1') = 'aal2'
    or not exists (
      select 1 from auth.mfa_factors f where f.user_id = auth.uid() and f.status = 'verified'
    );
end
$$;
comment on function private.mfa_satisfied() is
  'Whether the caller''s session has the assurance level their factors ask for: aal2 once a '
  'verified MFA factor exists, aal1 otherwise.';

create or replace function private.is_moderator() returns boolean
language plpgsql stable security definer set search_path = ''
as $$
begin
  return private.is_active_caller()
    and private.app_role(auth.uid()) in ('moderator', 'admin')
    and private.mfa_satisfied();
end
$$;

create or replace function private.is_admin() returns boolean
language plpgsql stable security definer set search_path = ''
as $$
begin
  return private.is_active_caller()
    and private.app_role(auth.uid()) = 'admin'
    and private.mfa_satisfied();
end
$$;

create or replace function private.reset_mfa(target uuid) returns integer
language plpgsql volatile security definer set search_path = ''
as $$
declare
  removed integer;
begin
  if not private.is_admin() then
    raise exception 'only admins may remove two-factor authentication' using errcode = '42501';
  end if;
  delete from auth.mfa_amr_claims c
  using auth.sessions s, auth.mfa_factors f
  where c.session_id = s.id and s.factor_id = f.id and f.user_id = target
    and c.authentication_method = f.factor_type::text;
  update auth.sessions set aal = 'aal1', factor_id = null, updated_at = now()
  where user_id = target and factor_id is not null;
  delete from auth.mfa_factors f where f.user_id = target;
  get diagnostics removed = row_count;
  return removed;
end
$$;
comment on function private.reset_mfa(uuid) is
  'An admin removes a person''s MFA factors (they lost their authenticator); returns how many.';

revoke all on function private.mfa_satisfied(), private.reset_mfa(uuid) from public;
grant execute on function private.mfa_satisfied() to authenticated, chat_api, service_role;
grant execute on function private.reset_mfa(uuid) to chat_api;
