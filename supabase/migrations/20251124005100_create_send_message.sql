-- The send path in one round trip, and read-model plans that are reused.
--
-- SQL functions with a `set` clause are neither inlined nor plan-cached: Postgres plans their
-- body on every call. The hot ones here are either inlinable SQL (no `set` clause) or PL/pgSQL,
-- which keeps each statement's plan for the session; signatures and results are unchanged.
-- `public.send_message` does what `POST /channels/:id/messages` needs in one statement:
-- mentions, the idempotent insert, attachments, and the message as the page route shows it.

-- message_views loses its `set search_path` so that Postgres inlines it into the query that
-- calls it (planned, and cached, with that query): as a separate function it cost about four
-- times its own query. It is security invoker and names every object with its schema.
create or replace function public.message_views(ids bigint[]) returns setof public.message_view
language sql stable security invoker
as $$
  select m.id, m.channel_id, m.sender_id, m.kind, m.content, m.reply_to_id, m.client_id,
    m.mentions, m.created_at, m.edited_at, m.deleted_at, m.moderation, m.sentiment,
    (select jsonb_build_object('id', p.id, 'username', p.username, 'display_name', p.display_name,
       'avatar_path', p.avatar_path, 'deactivated', p.deactivated_at is not null)
     from public.profiles p where p.id = m.sender_id),
    (select jsonb_build_object('id', q.id, 'sender_id', q.sender_id,
       'content', left(q.content, 200), 'deleted', q.deleted_at is not null)
     from public.messages q where q.id = m.reply_to_id),
    coalesce((select jsonb_agg(jsonb_build_object('emoji', r.emoji, 'count', r.n,
       'user_ids', r.users, 'mine', (select private.caller_id()) = any (r.users)) order by r.first)
     from (select mr.emoji, count(*) as n, array_agg(mr.user_id order by mr.created_at) as users,
             min(mr.created_at) as first
           from public.message_reactions mr where mr.message_id = m.id group by mr.emoji) r), '[]'),
    coalesce((select jsonb_agg(jsonb_build_object('id', a.id, 'path', a.path,
       'mime_type', a.mime_type, 'size_bytes', a.size_bytes, 'width', a.width,
       'height', a.height, 'duration_ms', a.duration_ms, 'thumb_path', a.thumb_path)
       order by a.created_at)
     from public.attachments a where a.message_id = m.id), '[]')
  from public.messages m
  where m.id = any (ids)
  order by m.id desc
$$;

-- The payload helpers of the realtime events migration, in PL/pgSQL for the same reason.
create or replace function private.iso_time(t timestamptz) returns text
language plpgsql immutable set search_path = ''
as $$ begin return to_char(t at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'); end $$;

create or replace function private.reactions_json(reactions jsonb) returns jsonb
language plpgsql immutable set search_path = ''
as $$
begin
  return coalesce((select jsonb_agg(r - 'mine' order by n)
                   from jsonb_array_elements(reactions) with ordinality as x(r, n)), '[]'::jsonb);
end
$$;

-- A message view as the API's JSON writes it (timestamps as JavaScript's toISOString).
create function private.message_view_json(v public.message_view) returns jsonb
language plpgsql immutable set search_path = ''
as $$
begin
  return to_jsonb(v) || jsonb_build_object(
    'created_at', private.iso_time(v.created_at),
    'edited_at', private.iso_time(v.edited_at),
    'deleted_at', private.iso_time(v.deleted_at));
end
$$;
revoke all on function private.message_view_json(public.message_view) from public;
grant execute on function private.message_view_json(public.message_view)
  to authenticated, chat_api, service_role;
grant execute on function private.iso_time(timestamptz) to authenticated, chat_api, service_role;

create or replace function private.message_json(message_id bigint) returns jsonb
language plpgsql stable security definer set search_path = ''
as $$
declare
  j jsonb;
begin
  select private.message_view_json(v) into j
  from public.message_views(array[message_id]) v;
  if j is null then
    return null;
  end if;
  return j || jsonb_build_object('reactions', private.reactions_json(j -> 'reactions'));
end
$$;

-- The caller's own message as the page route shows it (`mine` from the caller's claims), read
-- with the owner's rights: the send path has just written it under RLS, and evaluating the read
-- policies of five tables again costs more than the insert. Null for anyone else's message.
create function private.own_message_json(message_id bigint) returns jsonb
language plpgsql stable security definer set search_path = ''
as $$
declare
  j jsonb;
begin
  if not exists (select 1 from public.messages m
                 where m.id = message_id and m.sender_id = auth.uid()) then
    return null;
  end if;
  select private.message_view_json(v) into j from public.message_views(array[message_id]) v;
  return j;
end
$$;
revoke all on function private.own_message_json(bigint) from public;
grant execute on function private.own_message_json(bigint) to chat_api;

-- `POST /channels/:id/messages` as the caller (security invoker: RLS decides who may post
-- where): `created` is false when this sender already sent `client_id` (a retry), and the
-- message is then the stored one. Attachments must be the caller's, unused (23514 otherwise).
create function public.send_message(
  p_channel_id uuid,
  p_content text,
  p_client_id text,
  p_reply_to_id bigint,
  p_usernames text[],
  p_moderation text,
  p_sentiment real,
  p_attachment_ids uuid[]
) returns table (created boolean, message jsonb)
language plpgsql volatile security invoker set search_path = ''
as $$
declare
  me uuid := private.caller_id();
  new_id bigint;
  mentioned uuid[] := '{}';
  linked int;
  j jsonb;
begin
  if cardinality(p_usernames) > 0 then
    select coalesce(array_agg(p.id), '{}') into mentioned
    from public.profiles p where lower(p.username) = any (p_usernames);
  end if;
  insert into public.messages (channel_id, sender_id, content, client_id, reply_to_id, mentions,
    moderation, sentiment)
  values (p_channel_id, me, p_content, p_client_id, p_reply_to_id, mentioned, p_moderation,
    p_sentiment)
  on conflict (sender_id, client_id) do nothing
  returning id into new_id;
  if new_id is null then
    -- The same client_id again (a retry after a lost answer): the stored message, once.
    select x.id into new_id from public.messages x
    where x.sender_id = me and x.client_id = p_client_id;
    return query select false, private.own_message_json(new_id);
    return;
  end if;
  if cardinality(p_attachment_ids) > 0 then
    update public.attachments set message_id = new_id
    where id = any (p_attachment_ids) and message_id is null;
    get diagnostics linked = row_count;
    if linked <> cardinality(p_attachment_ids) then
      raise exception 'Unknown or used attachment' using errcode = '23514';
    end if;
  end if;
  -- The broadcast trigger sends this same JSON at commit (reactions are empty: no `mine`).
  j := private.own_message_json(new_id);
  perform set_config('chat.sent_message', j::text, true);
  return query select true, j;
end
$$;
revoke all on function public.send_message(uuid, text, text, bigint, text[], text, real, uuid[])
  from public, anon, authenticated;
grant execute on function public.send_message(uuid, text, text, bigint, text[], text, real, uuid[])
  to chat_api;
