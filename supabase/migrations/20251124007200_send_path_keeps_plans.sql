-- Three more things a message send planned again every time, found in a profile of the send
-- transaction (perf, dwarf call graphs, one connection sending back to back). Same results.
--
-- 1. private.is_anonymous_caller(), in the restrictive policies on every write: a SQL function
--    with `set search_path` is never inlined, so its body was planned in every statement (as
--    20251124005200_cache_policy_plans explains). In PL/pgSQL it is one cached expression.
-- 2. check_message_insert ran its mention and reply queries for every message. Their plans
--    depend on the row's values (an empty array, a null id), so Postgres kept choosing a fresh
--    custom plan for each. Now a message with no mentions and no reply runs no query at all.
-- 3. public.message_views (the message as the API returns it, read back after each send, and
--    every page) had the same churn: its `id = any(ids)` costs less to plan for a known short
--    array than for the generic one, so every call planned its eight subqueries again (about
--    0.3 ms). The generic plan is the same index scan for any length, so it is kept. A later
--    `create or replace` of message_views must restate this setting.

create or replace function private.is_anonymous_caller() returns boolean
language plpgsql stable security definer set search_path = ''
as $$
begin
  return coalesce((auth.jwt() ->> 'is_anonymous')::boolean, false);
end
$$;

create or replace function private.check_message_insert() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if new.reply_to_id is not null then
    if not exists (
      select 1 from public.messages m where m.id = new.reply_to_id and m.channel_id = new.channel_id
    ) and not exists (
      select 1 from public.messages_archive a
      where a.id = new.reply_to_id and a.channel_id = new.channel_id
    ) then
      raise exception 'reply_to_id % is not a message of this channel', new.reply_to_id
        using errcode = '23503';
    end if;
  end if;
  -- Mentions keep other members of the channel, and the @assistant (who answers anywhere).
  if coalesce(cardinality(new.mentions), 0) = 0 then
    new.mentions := '{}';
  else
    new.mentions := coalesce(array(
      select distinct u from unnest(new.mentions) u
      where u is distinct from new.sender_id
        and (u = private.assistant_id() or exists (
          select 1 from public.channel_members cm
          where cm.channel_id = new.channel_id and cm.user_id = u))
    ), '{}');
  end if;
  new.created_at := now();
  new.edited_at := null;
  new.deleted_at := null;
  new.deleted_by := null;
  return new;
end
$$;

alter function public.message_views(bigint[]) set plan_cache_mode = force_generic_plan;
