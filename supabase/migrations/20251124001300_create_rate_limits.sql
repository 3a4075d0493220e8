-- Rate limiting on Postgres, for where the API runs without Deno KV (Supabase's hosted edge
-- runtime has no Deno.openKv): token buckets taken atomically by one function.

create table private.rate_limits (
  key text primary key,
  tokens double precision not null,
  updated_at timestamptz not null
);
comment on table private.rate_limits is 'Token buckets of the API''s rate limiter (Postgres backend).';
alter table private.rate_limits enable row level security;
revoke all on private.rate_limits from public, anon, authenticated, chat_api, service_role;

-- Takes one token from bucket `key` (capacity tokens, refilled at `refill_per_sec`); the row
-- lock makes concurrent takes of one bucket wait for each other, so the budget always holds.
create function private.rate_limit_take(
  p_key text, p_capacity int, p_refill_per_sec double precision, p_now timestamptz default now()
) returns table (allowed boolean, remaining double precision, retry_after_ms int)
language plpgsql security definer set search_path = ''
as $$
declare
  cur record;
  avail double precision;
begin
  insert into private.rate_limits (key, tokens, updated_at) values (p_key, p_capacity, p_now)
  on conflict (key) do nothing;
  select r.tokens, r.updated_at into cur from private.rate_limits r where r.key = p_key for update;
  avail := least(p_capacity::double precision,
    cur.tokens + greatest(0, extract(epoch from p_now - cur.updated_at)) * p_refill_per_sec);
  if avail >= 1 then
    update private.rate_limits set tokens = avail - 1, updated_at = greatest(cur.updated_at, p_now) where key = p_key;
    return query select true, avail - 1, 0;
  else
    update private.rate_limits set tokens = avail, updated_at = greatest(cur.updated_at, p_now) where key = p_key;
    return query select false, avail, ceil((1 - avail) / p_refill_per_sec * 1000)::int;
  end if;
end
$$;
revoke all on function private.rate_limit_take(text, int, double precision, timestamptz) from public;
grant execute on function private.rate_limit_take(text, int, double precision, timestamptz) to service_role;
