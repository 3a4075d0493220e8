-- Local only: Auth taking access back reaches the local Realtime at once. Supabase Realtime
-- keeps serving a joined channel until the token expires; the local one LISTENs on
-- `realtime_local_revoke` and closes every subscription joined with a token of the session or
-- user named: a session row deleted (sign-out of any scope, a ban, a deleted user, refresh
-- token reuse), a user banned (banned_until in the future) or soft-deleted. NOTIFY is
-- transactional: nothing is said about a change that is rolled back.
create or replace function realtime.notify_local_revoke() returns trigger
language plpgsql
as $$
begin
  if tg_table_name = 'sessions' then
    perform pg_notify('realtime_local_revoke',
      json_build_object('session_id', old.id, 'user_id', old.user_id)::text);
  elsif tg_op = 'DELETE' then
    perform pg_notify('realtime_local_revoke', json_build_object('user_id', old.id)::text);
  elsif (new.banned_until is not null and new.banned_until > now()
         and new.banned_until is distinct from old.banned_until)
        or (new.deleted_at is not null and old.deleted_at is null) then
    perform pg_notify('realtime_local_revoke', json_build_object('user_id', new.id)::text);
  end if;
  return null;
end
$$;
alter function realtime.notify_local_revoke() owner to supabase_realtime_admin;

drop trigger if exists realtime_local_revoke on auth.sessions;
create trigger realtime_local_revoke after delete on auth.sessions
  for each row execute function realtime.notify_local_revoke();

drop trigger if exists realtime_local_revoke_delete on auth.users;
create trigger realtime_local_revoke_delete after delete on auth.users
  for each row execute function realtime.notify_local_revoke();

drop trigger if exists realtime_local_revoke_ban on auth.users;
create trigger realtime_local_revoke_ban after update of banned_until, deleted_at on auth.users
  for each row execute function realtime.notify_local_revoke();
