-- Guests: users signed in with Supabase's anonymous sign-ins (`signInAnonymously()`, on when
-- `[auth] enable_anonymous_sign_ins` is true) read the chat but do not write in it. Their
-- token says `is_anonymous: true`, the claim Supabase's docs check in RLS. A guest may join and
-- leave public groups (and so read them), move their own read watermarks, keep their own
-- profile, saved messages and notification settings; everything other people would see is
-- refused: messages (and replies), reactions, attachments and uploads, pins, reports, new
-- channels, adding others, typing broadcasts, and every admin or moderator power.
--
-- Restrictive policies, ANDed with the permissive ones: nothing else about who may do what
-- changes. Converting the account (an email and password set through updateUser) issues tokens
-- without the claim, and the writes open at once. The API refuses the same writes first, with
-- a clear 403 (functions/api/middleware/anonymous.ts); these policies hold without it.

-- Security definer, as the other private helpers: chat_api has no rights on schema auth.
create function private.is_anonymous_caller() returns boolean
language sql stable security definer set search_path = ''
as $$
  select coalesce(((select auth.jwt()) ->> 'is_anonymous')::boolean, false)
$$;
comment on function private.is_anonymous_caller() is
  'True when the caller''s token is an anonymous sign-in''s (is_anonymous claim).';
revoke all on function private.is_anonymous_caller() from public;
grant execute on function private.is_anonymous_caller() to authenticated, chat_api, service_role;

-- Messages, replies and their edits and deletions.
create policy "chat_api can send messages as a permanent user" on public.messages
  as restrictive for insert to chat_api
  with check (not (select private.is_anonymous_caller()));
create policy "chat_api can change messages as a permanent user" on public.messages
  as restrictive for update to chat_api
  using (not (select private.is_anonymous_caller()));

create policy "chat_api can react as a permanent user" on public.message_reactions
  as restrictive for insert to chat_api
  with check (not (select private.is_anonymous_caller()));
create policy "chat_api can remove reactions as a permanent user" on public.message_reactions
  as restrictive for delete to chat_api
  using (not (select private.is_anonymous_caller()));

create policy "chat_api can record uploads as a permanent user" on public.attachments
  as restrictive for insert to chat_api
  with check (not (select private.is_anonymous_caller()));
create policy "chat_api can attach uploads as a permanent user" on public.attachments
  as restrictive for update to chat_api
  using (not (select private.is_anonymous_caller()));
create policy "chat_api can delete uploads as a permanent user" on public.attachments
  as restrictive for delete to chat_api
  using (not (select private.is_anonymous_caller()));

create policy "chat_api can pin as a permanent user" on public.message_pins
  as restrictive for insert to chat_api
  with check (not (select private.is_anonymous_caller()));
create policy "chat_api can unpin as a permanent user" on public.message_pins
  as restrictive for delete to chat_api
  using (not (select private.is_anonymous_caller()));

create policy "chat_api can hide link previews as a permanent user" on public.link_previews
  as restrictive for update to chat_api
  using (not (select private.is_anonymous_caller()));

-- Channels: no new groups or direct channels, no settings; membership only their own, and
-- only into public groups.
create policy "chat_api can create channels as a permanent user" on public.channels
  as restrictive for insert to chat_api
  with check (not (select private.is_anonymous_caller()));
create policy "chat_api can update channels as a permanent user" on public.channels
  as restrictive for update to chat_api
  using (not (select private.is_anonymous_caller()));

create policy "chat_api can add members, guests only themselves to public groups"
  on public.channel_members
  as restrictive for insert to chat_api
  with check (
    not (select private.is_anonymous_caller())
    or (user_id = (select auth.uid()) and (select private.is_public_channel(channel_id)))
  );
create policy "chat_api can update memberships, guests only their own" on public.channel_members
  as restrictive for update to chat_api
  using (not (select private.is_anonymous_caller()) or user_id = (select auth.uid()));
create policy "chat_api can remove members, guests only themselves" on public.channel_members
  as restrictive for delete to chat_api
  using (not (select private.is_anonymous_caller()) or user_id = (select auth.uid()));

-- Reports and the powers of admins and moderators (should a guest ever be given a role).
create policy "chat_api can report as a permanent user" on public.reports
  as restrictive for insert to chat_api
  with check (not (select private.is_anonymous_caller()));
create policy "chat_api can review reports as a permanent user" on public.reports
  as restrictive for update to chat_api
  using (not (select private.is_anonymous_caller()));
create policy "chat_api can add roles as a permanent user" on public.user_roles
  as restrictive for insert to chat_api
  with check (not (select private.is_anonymous_caller()));
create policy "chat_api can change roles as a permanent user" on public.user_roles
  as restrictive for update to chat_api
  using (not (select private.is_anonymous_caller()));
create policy "chat_api can remove roles as a permanent user" on public.user_roles
  as restrictive for delete to chat_api
  using (not (select private.is_anonymous_caller()));
create policy "chat_api can add blocked terms as a permanent user" on public.blocked_terms
  as restrictive for insert to chat_api
  with check (not (select private.is_anonymous_caller()));
create policy "chat_api can change blocked terms as a permanent user" on public.blocked_terms
  as restrictive for update to chat_api
  using (not (select private.is_anonymous_caller()));
create policy "chat_api can remove blocked terms as a permanent user" on public.blocked_terms
  as restrictive for delete to chat_api
  using (not (select private.is_anonymous_caller()));

-- Storage: no uploads (attachments, avatars) straight to Storage either.
create policy "authenticated can upload files as a permanent user" on storage.objects
  as restrictive for insert to authenticated
  with check (not (select private.is_anonymous_caller()));
create policy "authenticated can replace files as a permanent user" on storage.objects
  as restrictive for update to authenticated
  using (not (select private.is_anonymous_caller()));

-- Realtime: presence (being seen online, reading) stays; typing broadcasts do not.
create policy "authenticated can broadcast on topics as a permanent user" on realtime.messages
  as restrictive for insert to authenticated
  with check (not (select private.is_anonymous_caller()) or extension = 'presence');
