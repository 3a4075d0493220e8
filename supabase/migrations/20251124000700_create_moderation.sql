-- Moderation: user reports of messages with a moderator queue, and the admin-managed list of
-- blocked terms (each rejects, masks or flags a message).

create table public.reports (
  id bigint generated always as identity primary key,
  message_id bigint not null references public.messages (id) on delete cascade,
  channel_id uuid not null references public.channels (id) on delete cascade,
  -- Null for reports the moderation pipeline files by itself (a flagged term).
  reporter_id uuid references public.profiles (id) on delete set null,
  reason text not null,
  status text not null default 'open',
  reviewed_by uuid references public.profiles (id) on delete set null,
  reviewed_at timestamptz,
  created_at timestamptz not null default now(),
  constraint reports_reason_length check (char_length(trim(reason)) between 1 and 500),
  constraint reports_status_check check (status in ('open', 'dismissed', 'actioned')),
  constraint reports_one_per_reporter unique nulls not distinct (message_id, reporter_id)
);
comment on table public.reports is 'Reports of messages, reviewed by moderators.';
create index reports_open_idx on public.reports (created_at) where status = 'open';

create table public.blocked_terms (
  term text primary key,
  action text not null default 'reject',
  created_by uuid references public.profiles (id) on delete set null,
  created_at timestamptz not null default now(),
  constraint blocked_terms_term_format check (term = lower(trim(term)) and char_length(term) between 1 and 100),
  constraint blocked_terms_action_check check (action in ('reject', 'mask', 'flag'))
);
comment on table public.blocked_terms is 'Admin-managed terms the moderation pipeline rejects, masks or flags.';

revoke all on public.reports, public.blocked_terms from anon, authenticated, chat_api;
alter table public.reports enable row level security;
alter table public.blocked_terms enable row level security;
grant select on public.reports, public.blocked_terms to authenticated, chat_api;
grant insert (message_id, reporter_id, reason) on public.reports to chat_api;
grant update (status) on public.reports to chat_api;
grant insert (term, action), update (action), delete on public.blocked_terms to chat_api;

create policy "authenticated can read own reports, moderators all" on public.reports
  for select to authenticated, chat_api
  using (
    (reporter_id = (select auth.uid()) and (select private.is_active_caller()))
    or (select private.is_moderator())
  );
create policy "chat_api can report messages of own channels" on public.reports
  for insert to chat_api
  with check (reporter_id = (select auth.uid()) and (select private.is_member(channel_id)));
create policy "chat_api can review reports as moderator" on public.reports
  for update to chat_api
  using ((select private.is_moderator()))
  with check ((select private.is_moderator()));

create policy "authenticated can read blocked terms as moderator" on public.blocked_terms
  for select to authenticated, chat_api
  using ((select private.is_moderator()));
create policy "chat_api can add blocked terms as admin" on public.blocked_terms
  for insert to chat_api
  with check ((select private.is_admin()));
create policy "chat_api can change blocked terms as admin" on public.blocked_terms
  for update to chat_api
  using ((select private.is_admin()))
  with check ((select private.is_admin()));
create policy "chat_api can remove blocked terms as admin" on public.blocked_terms
  for delete to chat_api
  using ((select private.is_admin()));

create function private.prepare_report() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    select m.channel_id into new.channel_id from public.messages m where m.id = new.message_id;
    if new.channel_id is null then
      raise exception 'message % does not exist', new.message_id using errcode = '23503';
    end if;
    new.status := 'open';
    new.reviewed_by := null;
    new.reviewed_at := null;
    new.created_at := now();
  elsif new.status is distinct from old.status then
    new.reviewed_by := (select auth.uid());
    new.reviewed_at := now();
  end if;
  return new;
end
$$;
create trigger reports_prepare before insert or update on public.reports
  for each row execute function private.prepare_report();

create function private.stamp_blocked_term() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  new.created_by := (select auth.uid());
  new.created_at := now();
  return new;
end
$$;
create trigger blocked_terms_stamp before insert on public.blocked_terms
  for each row execute function private.stamp_blocked_term();

-- A message stored as flagged goes to the moderators' queue by itself.
create function private.queue_flagged_message() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if new.moderation = 'flagged' and (tg_op = 'INSERT' or old.moderation is distinct from 'flagged') then
    insert into public.reports (message_id, channel_id, reporter_id, reason)
    values (new.id, new.channel_id, null, 'Flagged automatically by a blocked term')
    on conflict (message_id, reporter_id) do nothing;
  end if;
  return null;
end
$$;
create trigger messages_queue_flagged after insert or update of moderation on public.messages
  for each row execute function private.queue_flagged_message();

-- Moderators review reported messages of channels they are not in, and may delete them.
create function private.is_reported(message bigint) returns boolean
language sql stable security definer set search_path = ''
as $$
  select exists (select 1 from public.reports r where r.message_id = message)
$$;
revoke all on function private.is_reported(bigint) from public;
grant execute on function private.is_reported(bigint) to authenticated, chat_api, service_role;

create policy "authenticated can read reported messages as moderator" on public.messages
  for select to authenticated, chat_api
  using ((select private.is_moderator()) and private.is_reported(id));
