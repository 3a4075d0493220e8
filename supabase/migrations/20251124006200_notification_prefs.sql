-- Notifications that people control (issue 14): a do-not-disturb window and a sound toggle per
-- user, a level per channel (all / mentions / muted) and the user's Web Push subscriptions.
-- Each row is its user's alone: nobody else reads or writes it by any path. The API sends a
-- push after storing a message through public.push_targets (the sender's own fresh message
-- only) and removes a subscription the push service answered 404/410 through
-- public.push_gone (only one of that message's targets).

create table public.notification_prefs (
  user_id uuid primary key default auth.uid() references public.profiles (id) on delete cascade,
  -- Local times of day in time_zone; both null: no do-not-disturb window. Across midnight
  -- when dnd_end <= dnd_start.
  dnd_start time,
  dnd_end time,
  time_zone text not null default 'UTC',
  sound boolean not null default false,
  updated_at timestamptz not null default now(),
  constraint notification_prefs_dnd_both check ((dnd_start is null) = (dnd_end is null)),
  constraint notification_prefs_tz_length check (char_length(time_zone) between 1 and 64)
);
comment on table public.notification_prefs is
  'Per user: do-not-disturb window (local time in time_zone) and whether notifications sound.';

create table public.channel_notify_levels (
  user_id uuid not null default auth.uid() references public.profiles (id) on delete cascade,
  channel_id uuid not null references public.channels (id) on delete cascade,
  level text not null,
  primary key (user_id, channel_id),
  constraint channel_notify_levels_level_check check (level in ('all', 'mentions', 'muted'))
);
comment on table public.channel_notify_levels is
  'Per user and channel: notify for every message, for mentions only, or never.';

create table public.push_subscriptions (
  id bigint generated always as identity primary key,
  user_id uuid not null default auth.uid() references public.profiles (id) on delete cascade,
  endpoint text not null,
  p256dh text not null,
  auth text not null,
  created_at timestamptz not null default now(),
  constraint push_subscriptions_user_endpoint unique (user_id, endpoint),
  constraint push_subscriptions_endpoint_length check (char_length(endpoint) between 8 and 1024),
  constraint push_subscriptions_key_length check (
    char_length(p256dh) between 40 and 200 and char_length(auth) between 8 and 100)
);
comment on table public.push_subscriptions is
  'Web Push subscriptions (endpoint and the browser''s p256dh/auth keys) of a user.';

do $$
declare
  t text;
begin
  foreach t in array array['notification_prefs', 'channel_notify_levels', 'push_subscriptions']
  loop
    execute format('revoke all on public.%I from anon, authenticated, chat_api', t);
    execute format('alter table public.%I enable row level security', t);
    execute format('grant select on public.%I to authenticated, chat_api', t);
    execute format('grant insert, update, delete on public.%I to chat_api', t);
    execute format($p$create policy "own rows only" on public.%I for all to authenticated, chat_api
      using (user_id = (select auth.uid())) with check (user_id = (select auth.uid()))$p$, t);
  end loop;
end
$$;
grant usage on sequence public.push_subscriptions_id_seq to chat_api;

-- Who a stored message notifies, with their rules and subscriptions: the other person of a DM
-- and the mentioned members of a group. Only for the caller's own message, sent in the last
-- five minutes (the API calls it right after storing one).
create function public.push_targets(p_message_id bigint)
returns table (
  user_id uuid, mention boolean, level text, dnd_start time, dnd_end time, time_zone text,
  endpoint text, p256dh text, auth text, channel_title text, sender_name text, content text,
  channel_id uuid, kind text
)
language sql stable security definer set search_path = ''
as $$
  select cm.user_id, cm.user_id = any (m.mentions),
    coalesce(l.level, case when cm.muted then 'mentions' else 'all' end),
    p.dnd_start, p.dnd_end, coalesce(p.time_zone, 'UTC'),
    s.endpoint, s.p256dh, s.auth,
    coalesce(c.name, nullif(sp.display_name, ''), sp.username),
    coalesce(nullif(sp.display_name, ''), sp.username, ''),
    m.content, m.channel_id, c.kind
  from public.messages m
  join public.channels c on c.id = m.channel_id
  join public.channel_members cm on cm.channel_id = m.channel_id and cm.user_id <> m.sender_id
  join public.profiles up on up.id = cm.user_id and up.deactivated_at is null
  join public.push_subscriptions s on s.user_id = cm.user_id
  left join public.profiles sp on sp.id = m.sender_id
  left join public.channel_notify_levels l on l.user_id = cm.user_id and l.channel_id = c.id
  left join public.notification_prefs p on p.user_id = cm.user_id
  where m.id = p_message_id and m.sender_id = (select auth.uid()) and m.deleted_at is null
    and m.created_at > now() - interval '5 minutes'
    and (c.kind = 'direct' or cm.user_id = any (m.mentions))
$$;
revoke all on function public.push_targets(bigint) from public, anon, authenticated;
grant execute on function public.push_targets(bigint) to chat_api;

-- The push service said the subscription is gone (404/410): remove it. Only a target of the
-- caller's message, as push_targets returned it.
create function public.push_gone(p_message_id bigint, p_endpoint text) returns bigint
language sql volatile security definer set search_path = ''
as $$
  with gone as (
    delete from public.push_subscriptions s
    where s.endpoint = p_endpoint
      and s.user_id in (select t.user_id from public.push_targets(p_message_id) t)
    returning 1
  )
  select count(*) from gone
$$;
revoke all on function public.push_gone(bigint, text) from public, anon, authenticated;
grant execute on function public.push_gone(bigint, text) to chat_api;
