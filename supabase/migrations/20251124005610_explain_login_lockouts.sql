-- A locked account says so, to the one person who may know: the password verification hook
-- now answers the RIGHT password, while the account is locked, with the lock and its end
-- ("… locked until 2025-11-24T10:15:00Z"), which the client shows in the reader's language and
-- time ("locked, try again in 14 minutes"). Before, it said "Invalid login credentials", so the
-- owner kept retrying a password that was correct.
--
-- It reveals nothing to anyone else: a wrong password, locked or not, still gets exactly the
-- words of an unknown email, and the lock itself starts with the same words. Only someone who
-- knows the password learns that the account exists (they knew) and is locked. The answer
-- keeps GoTrue's shape: `decision: reject` with a `message`, which Auth returns as 400
-- `invalid_credentials` with that message.

create or replace function public.password_verification_attempt_hook(event jsonb) returns jsonb
language plpgsql volatile set search_path = ''
as $$
declare
  uid uuid := (event ->> 'user_id')::uuid;
  valid boolean := coalesce((event ->> 'valid')::boolean, false);
  max_failures constant int := 5;
  win constant interval := interval '15 minutes';
  lock_for constant interval := interval '15 minutes';
  failures int;
  lock_end timestamptz;
  -- The same words as an unknown email or a wrong password: no account enumeration.
  rejected constant jsonb := jsonb_build_object(
    'decision', 'reject', 'message', 'Invalid login credentials', 'should_logout_user', false);
begin
  select l.locked_until into lock_end from private.login_lockouts l
  where l.user_id = uid and l.locked_until > now();
  if lock_end is not null then
    if not valid then
      return rejected;
    end if;
    return jsonb_build_object(
      'decision', 'reject',
      'message', format(
        'Account locked after too many failed sign-in attempts; locked until %s',
        to_char(lock_end at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')),
      'should_logout_user', false);
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
