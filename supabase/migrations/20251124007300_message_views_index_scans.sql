-- The functions that keep plans for the life of a connection read by index, whatever the size
-- of the tables when they were planned.
--
-- Postgres plans a statement of a PL/pgSQL function (or a function with a generic plan) once
-- and keeps the plan until something invalidates it (an ANALYZE of a table it reads). Planned
-- while `messages` was small, such a plan reads it by a sequential scan (or a bitmap scan and a
-- sort), and keeps doing so as the table grows. On the send benchmark, whose table grows by
-- 20,000 rows in a minute (before autovacuum's first ANALYZE), three plans did this on every
-- message:
--   - public.message_views (20251124007200), the message read back: 1 ms, then 10 ms per call,
--     and the send path at half its rate;
--   - the insert trigger's `prev_id` (the channel's previous message);
--   - own_message_json's check that the message is the caller's.
-- A backend's CPU per insert grew with the table, the bare INSERT's included (in one run from
-- 1.8 to 5.9 ms as the table grew by 11,000 rows). The history pages (20251124006800) keep
-- their generic plans the same way, for the page's ids and the rows hanging off them.
-- Autovacuum replans them eventually (its ANALYZE comes within a minute or so, and again at
-- every 10% of growth); with sequential and bitmap scans priced out they read by their indexes
-- from the first plan. Every statement here has an index to use; one without would still scan.
-- Same results. A later `create or replace` of these functions must restate the settings
-- (pgTAP 10_read_model checks them; 17_kept_plans shows a grown table read by index).

do $$
declare
  f regprocedure;
begin
  foreach f in array array[
    -- The message read back, and the history pages (generic plans).
    'public.message_views(bigint[])',
    'private.member_channel_page(uuid, bigint, bigint, int)',
    'private.member_channel_around(uuid, bigint, int)',
    -- The send and the triggers of every message write.
    'public.send_message(uuid, text, text, bigint, text[], text, real, uuid[], bigint, boolean)',
    'private.own_message_json(bigint)',
    'private.broadcast_message()',
    'private.check_message_insert()',
    'private.check_thread_reply()',
    'private.maintain_thread()',
    'private.mark_has_replies()',
    'private.queue_flagged_message()',
    'private.unpin_deleted_message()'
  ]::regprocedure[] loop
    execute format('alter function %s set enable_seqscan = off set enable_bitmapscan = off', f);
  end loop;
end
$$;
