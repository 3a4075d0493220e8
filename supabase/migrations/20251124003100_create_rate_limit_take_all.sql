-- Rate limiting on Postgres, several buckets at once: a request is charged to its user's bucket
-- and to its address's bucket, and a refusal by one must not spend a token from the other (one
-- user's burst would otherwise block a neighbour behind the same NAT, and the reverse).

-- Returns each bucket's tokens before the take, in the order given. Takes one token from every
-- bucket when each has at least one, and from none otherwise. Rows are locked in key order, so
-- two requests naming overlapping buckets wait for each other instead of deadlocking.
create function private.rate_limit_take_all(
  p_keys text[],
  p_capacities double precision[],
  p_refills_per_sec double precision[],
  p_now timestamptz default now()
) returns double precision[]
language plpgsql security definer set search_path = ''
as $$
declare
  avails double precision[] := '{}';
  avail double precision;
begin
  if cardinality(p_keys) <> cardinality(p_capacities)
    or cardinality(p_keys) <> cardinality(p_refills_per_sec) then
    raise exception 'rate_limit_take_all: keys, capacities and refills differ in length';
  end if;
  insert into private.rate_limits (key, tokens, updated_at)
  select k, c, p_now from unnest(p_keys, p_capacities) as t(k, c) order by k
  on conflict (key) do nothing;
  perform 1 from private.rate_limits r where r.key = any(p_keys) order by r.key for update;
  for i in 1 .. cardinality(p_keys) loop
    select least(p_capacities[i],
      r.tokens + greatest(0, extract(epoch from p_now - r.updated_at)) * p_refills_per_sec[i])
    into avail from private.rate_limits r where r.key = p_keys[i];
    avails := avails || avail;
  end loop;
  if (select bool_and(a >= 1) from unnest(avails) as a) then
    update private.rate_limits r set tokens = t.a - 1, updated_at = greatest(r.updated_at, p_now)
    from unnest(p_keys, avails) as t(k, a) where r.key = t.k;
  end if;
  return avails;
end
$$;
revoke all on function private.rate_limit_take_all(text[], double precision[], double precision[], timestamptz) from public;
grant execute on function private.rate_limit_take_all(text[], double precision[], double precision[], timestamptz) to service_role;
