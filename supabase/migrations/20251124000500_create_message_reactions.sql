-- Emoji reactions: one row per (message, user, emoji); toggling is insert/delete.

create table public.message_reactions (
  message_id bigint not null references public.messages (id) on delete cascade,
  user_id uuid not null references public.profiles (id) on delete cascade,
  emoji text not null,
  -- Copied from the message by a trigger, so policies need no join.
  channel_id uuid not null references public.channels (id) on delete cascade,
  created_at timestamptz not null default now(),
  primary key (message_id, user_id, emoji),
  constraint message_reactions_emoji_length check (char_length(emoji) between 1 and 32)
);
comment on table public.message_reactions is 'Who reacted to which message with which emoji.';
create index message_reactions_message_idx on public.message_reactions (message_id, emoji);
create index message_reactions_user_idx on public.message_reactions (user_id);

revoke all on public.message_reactions from anon, authenticated, chat_api;
alter table public.message_reactions enable row level security;
grant select on public.message_reactions to authenticated, chat_api;
grant insert (message_id, user_id, emoji), delete on public.message_reactions to chat_api;

create policy "authenticated can read reactions in own channels" on public.message_reactions
  for select to authenticated, chat_api
  using (channel_id in (select private.my_channel_ids()));
create policy "chat_api can react in own channels" on public.message_reactions
  for insert to chat_api
  with check (user_id = (select auth.uid()) and (select private.can_post(channel_id)));
create policy "chat_api can remove own reactions" on public.message_reactions
  for delete to chat_api
  using (user_id = (select auth.uid()) and (select private.is_member(channel_id)));

create function private.set_reaction_channel() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  msg record;
begin
  select m.channel_id, m.deleted_at into msg from public.messages m where m.id = new.message_id;
  if not found then
    raise exception 'message % does not exist', new.message_id using errcode = '23503';
  end if;
  if msg.deleted_at is not null then
    raise exception 'message % is deleted', new.message_id using errcode = '42501';
  end if;
  new.channel_id := msg.channel_id;
  new.created_at := now();
  return new;
end
$$;
create trigger message_reactions_set_channel before insert on public.message_reactions
  for each row execute function private.set_reaction_channel();
