-- public.message_views keeps one generic plan per connection (20251124007200). Postgres plans it
-- once, for the table as it is then, and keeps it until something invalidates it (an ANALYZE).
-- Planned while `messages` was small, that plan read the message by a sequential scan, and kept
-- doing so as the table grew: on the send benchmark, after 10,000 rows, each read-back of a new
-- message scanned the whole table (1 ms, then 10 ms per call) and the send path ran at half its
-- rate. With sequential scans priced out, the kept plan reads `messages` by its primary key and
-- every subquery by its index, whatever the table's size when it was planned. Same results.
-- A later `create or replace` of message_views must restate both settings.

alter function public.message_views(bigint[]) set enable_seqscan = off;
