-- The functions that keep one generic plan per connection read by index, whatever the size of
-- the tables when they were planned.
--
-- Postgres plans a generic plan once and keeps it until something invalidates it (an ANALYZE
-- of a table it reads). public.message_views (20251124007200) was planned while `messages` was
-- small, so its plan read the message by a sequential scan, and kept doing so as the table
-- grew: on the send benchmark, 10,000 rows later, each read-back of a new message scanned the
-- whole table (1 ms, then 10 ms per call) and the send path ran at half its rate. The history
-- pages (20251124006800) keep their generic plans the same way, for the page's ids and the
-- rows hanging off them; a young project's first pages would have planned them the same. An
-- autovacuum ANALYZE replans them eventually; with sequential scans priced out they read by
-- their indexes from the first plan. Same results.
-- A later `create or replace` of these functions must restate the setting.

alter function public.message_views(bigint[]) set enable_seqscan = off;
alter function private.member_channel_page(uuid, bigint, bigint, int) set enable_seqscan = off;
alter function private.member_channel_around(uuid, bigint, int) set enable_seqscan = off;
