-- Link previews (issue 14): the title, description, site name and image of the first http(s)
-- link of a message, fetched by the API after the send (functions/_shared/unfurl.ts) and written
-- with the API's own connection (no caller: nobody else writes). Members read them; the sender or
-- a moderator hides one (`hidden`, through PATCH /messages/:id/preview as chat_api). The image is
-- cached in Storage's `attachments` bucket at `<channel_id>/<sender_id>/link-preview-<id>.<ext>`,
-- so only the channel's members can read it. A message row (public.message_view) carries it as
-- `preview` (`{ url, title, description, site_name, image_path, image_width, image_height,
-- hidden }`, null when there is none, the message is deleted or its text no longer has the link);
-- a preview stored or hidden goes out as message.updated when its transaction commits.

create table public.link_previews (
  message_id bigint primary key references public.messages (id) on delete cascade,
  channel_id uuid not null references public.channels (id) on delete cascade,
  url text not null check (char_length(url) between 1 and 4000),
  title text check (char_length(title) <= 200),
  description text check (char_length(description) <= 400),
  site_name text not null check (char_length(site_name) between 1 and 100),
  image_path text check (char_length(image_path) <= 300),
  image_width int check (image_width > 0),
  image_height int check (image_height > 0),
  fetched_at timestamptz not null default now(),
  hidden boolean not null default false
);
comment on table public.link_previews is
  'The preview of the first link of a message (written by the API alone); members read it, the sender or a moderator hides it.';

revoke all on public.link_previews from anon, authenticated, chat_api;
alter table public.link_previews enable row level security;
grant select on public.link_previews to authenticated, chat_api;
grant update (hidden) on public.link_previews to chat_api;

create function private.can_hide_link_preview(message bigint) returns boolean
language sql stable security definer set search_path = ''
as $$
  select exists (select 1 from public.messages m where m.id = message and m.deleted_at is null
    and (m.sender_id = (select auth.uid()) or private.is_moderator()))
$$;
revoke all on function private.can_hide_link_preview(bigint) from public;
grant execute on function private.can_hide_link_preview(bigint)
  to authenticated, chat_api, service_role;

create policy "authenticated can read link previews in own channels" on public.link_previews
  for select to authenticated, chat_api
  using (channel_id in (select private.my_channel_ids()));
create policy "chat_api can hide link previews of own messages" on public.link_previews
  for update to chat_api
  using (private.can_hide_link_preview(message_id))
  with check (private.can_hide_link_preview(message_id));

-- The read model: `preview` at the end of the row.
alter type public.message_view add attribute preview jsonb;

create or replace function public.message_views(ids bigint[]) returns setof public.message_view
language plpgsql stable security invoker set search_path = ''
as $$
begin
  return query
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
     from public.attachments a where a.message_id = m.id), '[]'),
    m.thread_root_id, m.also_in_channel,
    (select jsonb_build_object('reply_count', t.reply_count, 'last_reply_id', t.last_reply_id,
       'last_reply_at', private.iso_time(t.last_reply_at), 'repliers', to_jsonb(t.repliers))
     from public.message_threads t where t.root_id = m.id and t.reply_count > 0),
    (select tr.last_read_id from public.thread_reads tr
     where tr.root_id = coalesce(m.thread_root_id, m.id) and tr.user_id = (select private.caller_id())),
    (select jsonb_build_object('url', lp.url, 'title', lp.title, 'description', lp.description,
       'site_name', lp.site_name, 'image_path', lp.image_path, 'image_width', lp.image_width,
       'image_height', lp.image_height, 'hidden', lp.hidden)
     from public.link_previews lp
     where lp.message_id = m.id and m.deleted_at is null and strpos(m.content, lp.url) > 0)
  from public.messages m
  where m.id = any (ids)
  order by m.id desc;
end
$$;

-- A preview stored or hidden: the message's new row, once the transaction commits.
create function private.broadcast_link_preview() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  j jsonb := private.message_json(new.message_id);
begin
  if j is not null then
    perform private.broadcast('channel:' || new.channel_id, 'message.updated',
      jsonb_build_object('message', j));
  end if;
  return null;
end
$$;
revoke all on function private.broadcast_link_preview() from public;
create constraint trigger link_previews_broadcast after insert or update of hidden
  on public.link_previews deferrable initially deferred
  for each row execute function private.broadcast_link_preview();
