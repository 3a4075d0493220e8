-- Local demo data, applied after the migrations by `deno task start` on a new database and by
-- `deno task db:reset` (as `supabase db reset` does). Never applied to a hosted project.
-- The chat's demo users, channels and messages arrive with the chat schema.
select 1;
