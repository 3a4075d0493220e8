-- Every table the chat keeps in `public` has row-level security on, and so do the private
-- lockout tables; anon holds no privilege on any of them.
begin;
select plan(4);

select is_empty(
  $$ select c.relname::text from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname in ('public', 'private') and c.relkind in ('r', 'p') and not c.relrowsecurity $$,
  'every table in public and private has row-level security enabled'
);

select is_empty(
  $$ select table_name::text || ':' || privilege_type from information_schema.role_table_grants
     where table_schema = 'public' and grantee = 'anon' $$,
  'anon holds no privilege on any public table'
);

select is_empty(
  $$ select table_name::text || ':' || privilege_type from information_schema.role_table_grants
     where table_schema = 'public' and grantee = 'authenticated' and privilege_type <> 'SELECT' $$,
  'authenticated can only select from public tables: every write goes through chat_api'
);

select ok(
  (select not rolcanlogin from pg_roles where rolname = 'chat_api')
  and pg_has_role('postgres', 'chat_api', 'member'),
  'chat_api is a NOLOGIN role granted to postgres'
);

select * from finish();
rollback;
