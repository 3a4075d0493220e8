-- The @assistant: a user nobody can sign in as (no password, banned), whose replies the API
-- posts when someone mentions it. Its messages go through one security definer function that
-- only answers a message which really mentions the assistant.

insert into auth.users (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
  banned_until, raw_app_meta_data, raw_user_meta_data, created_at, updated_at,
  confirmation_token, recovery_token, email_change_token_new, email_change)
values ('00000000-0000-0000-0000-000000000000', '00000000-0000-4000-8000-00000000a551', 'authenticated',
  'authenticated', 'assistant@chat.invalid', '', now(), 'infinity',
  '{"provider": "assistant", "providers": []}', '{"username": "assistant", "display_name": "Assistant"}',
  now(), now(), '', '', '', '')
on conflict (id) do nothing;

-- Posts the assistant's answer to message `question` (which must mention the assistant and be
-- visible to the caller, i.e. in one of their channels). Returns the new message id.
create function private.assistant_reply(question bigint, answer text) returns bigint
language plpgsql security definer set search_path = ''
as $$
declare
  q record;
  new_id bigint;
begin
  select m.id, m.channel_id, m.mentions into q from public.messages m
  where m.id = question and m.deleted_at is null and private.assistant_id() = any (m.mentions)
    and m.channel_id in (select private.my_channel_ids());
  if not found then
    raise exception 'message % does not ask the assistant', question using errcode = '42501';
  end if;
  insert into public.messages (channel_id, sender_id, content, client_id, reply_to_id)
  values (q.channel_id, private.assistant_id(), left(answer, 4000), 'assistant-' || question, question)
  on conflict (sender_id, client_id) do nothing
  returning id into new_id;
  return new_id;
end
$$;
revoke all on function private.assistant_reply(bigint, text) from public;
grant execute on function private.assistant_reply(bigint, text) to chat_api, service_role;
