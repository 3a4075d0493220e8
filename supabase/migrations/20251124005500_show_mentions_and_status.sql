-- What the channel list and the members panel show besides names: how many unread messages
-- mention me (a badge of its own in the list), and people's status text (saved by `PATCH /me`,
-- shown to no one before). `my_channels()` gains `mention_count` and the DM partner's
-- `status_text`; `member.changed` events carry the member's `status_text`.

-- The column list changes, so the function is made again (nothing depends on it; the API reads
-- `select *`). Unread and mention counts come from one scan of the unread messages.
drop function public.my_channels();

create function public.my_channels()
returns table (
  id uuid,
  kind text,
  name text,
  topic text,
  is_private boolean,
  created_by uuid,
  created_at timestamptz,
  archived_at timestamptz,
  my_role text,
  muted boolean,
  last_read_message_id bigint,
  last_delivered_message_id bigint,
  member_count bigint,
  other_user jsonb,
  unread_count bigint,
  mention_count bigint,
  last_message jsonb
)
language sql stable security invoker set search_path = ''
as $$
  select c.id, c.kind, c.name, c.topic, c.is_private, c.created_by, c.created_at, c.archived_at,
    cm.role, cm.muted, cm.last_read_message_id, cm.last_delivered_message_id,
    (select count(*) from public.channel_members x where x.channel_id = c.id),
    case when c.kind = 'direct' then (
      select jsonb_build_object('id', p.id, 'username', p.username, 'display_name', p.display_name,
        'avatar_path', p.avatar_path, 'last_seen_at', p.last_seen_at,
        'status_text', p.status_text, 'deactivated', p.deactivated_at is not null)
      from public.profiles p
      where p.id = case when c.dm_user_low = cm.user_id then c.dm_user_high else c.dm_user_low end
    ) end,
    u.unread, u.mentions,
    (select jsonb_build_object('id', m.id, 'sender_id', m.sender_id, 'kind', m.kind,
        'content', left(m.content, 200), 'created_at', m.created_at,
        'deleted', m.deleted_at is not null)
      from public.messages m where m.channel_id = c.id order by m.id desc limit 1)
  from public.channel_members cm
  join public.channels c on c.id = cm.channel_id
  -- Capped at 1000 (shown as "999+"): counting a huge backlog exactly helps nobody.
  cross join lateral (
    select count(*) as unread, count(*) filter (where cm.user_id = any (x.mentions)) as mentions
    from (select m.mentions from public.messages m
          where m.channel_id = c.id and m.id > cm.last_read_message_id
            and m.sender_id is distinct from cm.user_id and m.deleted_at is null
          limit 1000) x
  ) u
  where cm.user_id = (select private.caller_id())
  order by coalesce(
    (select max(m.id) from public.messages m where m.channel_id = c.id), 0) desc, c.created_at desc
$$;

revoke all on function public.my_channels() from public, anon;
grant execute on function public.my_channels() to authenticated, chat_api, service_role;

-- A member as `member.changed` carries it, now with the status text the members panel shows.
create or replace function private.member_json(p_channel_id uuid, p_user_id uuid) returns jsonb
language sql stable security definer set search_path = ''
as $$
  select jsonb_build_object('user_id', m.user_id, 'role', m.role,
    'joined_at', private.iso_time(m.joined_at),
    'last_delivered_message_id', m.last_delivered_message_id,
    'last_read_message_id', m.last_read_message_id,
    'username', p.username, 'display_name', p.display_name, 'avatar_path', p.avatar_path,
    'status_text', p.status_text, 'deactivated', p.deactivated_at is not null)
  from public.channel_members m join public.profiles p on p.id = m.user_id
  where m.channel_id = p_channel_id and m.user_id = p_user_id
$$;
