-- Local demo data, applied after the migrations by `deno task start` on a new database and by
-- `deno task db:reset` (as `supabase db reset` does). Never applied to a hosted project.
--
-- Demo accounts (local only), password "chat-demo-2024" for all:
--   alice@example.com (admin), bob@example.com (moderator), carol@example.com, dave@example.com

-- Users as GoTrue stores them: bcrypt hashes (pgcrypto's crypt() writes the same $2a$ format),
-- confirmed emails, and an email identity each. The profiles trigger adds profiles and roles.
insert into auth.users (
  instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
  raw_app_meta_data, raw_user_meta_data, created_at, updated_at,
  confirmation_token, recovery_token, email_change_token_new, email_change
)
select '00000000-0000-0000-0000-000000000000', u.id, 'authenticated', 'authenticated', u.email,
  extensions.crypt('chat-demo-2024', extensions.gen_salt('bf', 10)), now(),
  '{"provider": "email", "providers": ["email"]}',
  jsonb_build_object('username', u.username, 'display_name', u.display_name),
  now() - interval '30 days', now(), '', '', '', ''
from (values
  ('a11ce000-0000-4000-8000-000000000001'::uuid, 'alice@example.com', 'alice', 'Alice Liddell'),
  ('b0b00000-0000-4000-8000-000000000002'::uuid, 'bob@example.com', 'bob', 'Bob Builder'),
  ('ca201000-0000-4000-8000-000000000003'::uuid, 'carol@example.com', 'carol', 'Carol Danvers'),
  ('da7e0000-0000-4000-8000-000000000004'::uuid, 'dave@example.com', 'dave', 'Dave Grohl')
) as u (id, email, username, display_name);

insert into auth.identities (provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at)
select u.id::text, u.id,
  jsonb_build_object('sub', u.id::text, 'email', u.email, 'email_verified', true, 'phone_verified', false),
  'email', now(), now(), now()
from auth.users u
where u.email in ('alice@example.com', 'bob@example.com', 'carol@example.com', 'dave@example.com');

update public.user_roles set role = 'admin' where user_id = 'a11ce000-0000-4000-8000-000000000001';
update public.user_roles set role = 'moderator' where user_id = 'b0b00000-0000-4000-8000-000000000002';

insert into public.channels (id, kind, name, topic, is_private, created_by, created_at)
values
  ('c0000000-0000-4000-8000-0000000000a1', 'group', 'general', 'Everything and nothing', false,
   'a11ce000-0000-4000-8000-000000000001', now() - interval '29 days'),
  ('c0000000-0000-4000-8000-0000000000a2', 'group', 'random', 'Off-topic', false,
   'b0b00000-0000-4000-8000-000000000002', now() - interval '29 days'),
  ('c0000000-0000-4000-8000-0000000000a3', 'group', 'moderators', 'Private: moderation team', true,
   'a11ce000-0000-4000-8000-000000000001', now() - interval '29 days');
-- New users start in #general (migration …_default_channel.sql).
update public.channels set is_default = true where id = 'c0000000-0000-4000-8000-0000000000a1';
insert into public.channels (id, kind, is_private, created_by, dm_user_low, dm_user_high, created_at)
values ('c0000000-0000-4000-8000-0000000000d1', 'direct', true,
  'a11ce000-0000-4000-8000-000000000001',
  'a11ce000-0000-4000-8000-000000000001', 'ca201000-0000-4000-8000-000000000003',
  now() - interval '20 days');

insert into public.channel_members (channel_id, user_id, role)
values
  ('c0000000-0000-4000-8000-0000000000a1', 'a11ce000-0000-4000-8000-000000000001', 'owner'),
  ('c0000000-0000-4000-8000-0000000000a1', 'b0b00000-0000-4000-8000-000000000002', 'member'),
  ('c0000000-0000-4000-8000-0000000000a1', 'ca201000-0000-4000-8000-000000000003', 'member'),
  ('c0000000-0000-4000-8000-0000000000a1', 'da7e0000-0000-4000-8000-000000000004', 'member'),
  ('c0000000-0000-4000-8000-0000000000a2', 'b0b00000-0000-4000-8000-000000000002', 'owner'),
  ('c0000000-0000-4000-8000-0000000000a2', 'ca201000-0000-4000-8000-000000000003', 'member'),
  ('c0000000-0000-4000-8000-0000000000a3', 'a11ce000-0000-4000-8000-000000000001', 'owner'),
  ('c0000000-0000-4000-8000-0000000000a3', 'b0b00000-0000-4000-8000-000000000002', 'member'),
  ('c0000000-0000-4000-8000-0000000000d1', 'a11ce000-0000-4000-8000-000000000001', 'member'),
  ('c0000000-0000-4000-8000-0000000000d1', 'ca201000-0000-4000-8000-000000000003', 'member');

insert into public.messages (channel_id, sender_id, content, client_id, mentions)
select m.channel_id::uuid, m.sender_id::uuid, m.content, 'seed-' || m.n, m.mentions::uuid[]
from (values
  (1, 'c0000000-0000-4000-8000-0000000000a1', 'a11ce000-0000-4000-8000-000000000001', 'Welcome to #general! Be kind, stay curious.', '{}'),
  (2, 'c0000000-0000-4000-8000-0000000000a1', 'b0b00000-0000-4000-8000-000000000002', 'Hi all 👋 Bob here, I keep the place tidy.', '{}'),
  (3, 'c0000000-0000-4000-8000-0000000000a1', 'ca201000-0000-4000-8000-000000000003', 'Has anyone tried the new search? It finds partial words too.', '{}'),
  (4, 'c0000000-0000-4000-8000-0000000000a1', 'da7e0000-0000-4000-8000-000000000004', '@carol yes, searching for "runn" finds "running" 🏃', '{ca201000-0000-4000-8000-000000000003}'),
  (5, 'c0000000-0000-4000-8000-0000000000a2', 'b0b00000-0000-4000-8000-000000000002', 'Random thought: tabs or spaces?', '{}'),
  (6, 'c0000000-0000-4000-8000-0000000000a2', 'ca201000-0000-4000-8000-000000000003', 'Spaces. Obviously.', '{}'),
  (7, 'c0000000-0000-4000-8000-0000000000a3', 'a11ce000-0000-4000-8000-000000000001', 'Reports queue is empty today.', '{}'),
  (8, 'c0000000-0000-4000-8000-0000000000d1', 'a11ce000-0000-4000-8000-000000000001', 'Hey Carol, got a minute for the release notes?', '{}'),
  (9, 'c0000000-0000-4000-8000-0000000000d1', 'ca201000-0000-4000-8000-000000000003', 'Sure, send them over!', '{}')
) as m (n, channel_id, sender_id, content, mentions)
order by m.n;

insert into public.message_reactions (message_id, user_id, emoji)
select m.id, r.user_id::uuid, r.emoji
from public.messages m
join (values
  ('seed-1', 'b0b00000-0000-4000-8000-000000000002', '🎉'),
  ('seed-1', 'ca201000-0000-4000-8000-000000000003', '🎉'),
  ('seed-6', 'b0b00000-0000-4000-8000-000000000002', '😂')
) as r (client_id, user_id, emoji) on r.client_id = m.client_id;

insert into public.blocked_terms (term, action)
values ('badword', 'reject'), ('darn', 'mask'), ('spoiler', 'flag');
