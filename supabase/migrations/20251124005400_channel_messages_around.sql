-- A page of a channel centred on one message, for jumping to a search hit or a quoted message
-- (`GET /channels/:id/messages?around=<id>`): the message itself, the floor(limit / 2) messages
-- before it and up to limit - 1 - floor(limit / 2) after it, newest first, each row as the other
-- pages' (`public.channel_messages`). The two halves are fixed, never topped up from the other
-- side, so a caller knows more may exist beyond an edge when its half came back full, as with
-- the other pages. Nothing at all when the caller cannot see the message in this channel.
--
-- Security invoker: RLS on the tables decides what the caller sees. Like `message_views`, it has
-- no `set` clause so that Postgres inlines it into the calling query (and caches that plan);
-- every object is named with its schema. The comparisons on id stay plain so that, under RLS,
-- they reach the (channel_id, id) index.
create function public.channel_messages_around(
  p_channel_id uuid,
  p_message_id bigint,
  p_limit int default 50
) returns setof public.message_view
language sql stable security invoker
as $$
  select v.* from public.message_views(array(
    with target as (
      select m.id from public.messages m
      where m.channel_id = p_channel_id and m.id = p_message_id
    )
    select page.id from (
      (select t.id from target t)
      union all
      (select m.id from public.messages m
        where exists (select 1 from target) and m.channel_id = p_channel_id
          and m.id < p_message_id
        order by m.id desc
        limit least(greatest(coalesce(p_limit, 50), 1), 100) / 2)
      union all
      (select m.id from public.messages m
        where exists (select 1 from target) and m.channel_id = p_channel_id
          and m.id > p_message_id
        order by m.id asc
        limit least(greatest(coalesce(p_limit, 50), 1), 100) - 1
          - least(greatest(coalesce(p_limit, 50), 1), 100) / 2)
    ) page
  )) v
$$;

comment on function public.channel_messages_around(uuid, bigint, int) is
  'A page centred on one message: floor(limit/2) older, the message, the rest newer; newest first.';

revoke all on function public.channel_messages_around(uuid, bigint, int) from public, anon;
grant execute on function public.channel_messages_around(uuid, bigint, int)
  to authenticated, chat_api, service_role;
