-- Recovery of two-factor authentication goes through Auth's admin API.
--
-- 20251124006500_admin_requires_aal2.sql gave chat_api private.reset_mfa(user), which deleted
-- rows of auth.mfa_factors (and fixed up auth.sessions and auth.mfa_amr_claims) from SQL. On a
-- hosted project the auth schema belongs to supabase_auth_admin: the project's own roles must
-- not write it, and what a factor's removal changes is Auth's business. The API now checks the
-- caller (an admin, at aal2 once they have a factor: private.app_role, private.mfa_satisfied)
-- and asks Auth with the service key: GET and DELETE /auth/v1/admin/users/:id/factors[/:id]
-- (functions/_shared/auth_admin.ts authFactorReset). private.mfa_satisfied() stays: the staff
-- checks and policies read it.

drop function if exists private.reset_mfa(uuid);
