-- The functions behind the search index and the stored search vector in PL/pgSQL, with the same
-- bodies and results (the index and the column stay valid: nothing is rebuilt).
--
-- A SQL function whose body holds a subquery is never inlined, so Postgres parsed and planned
-- its body again in every statement that called it. Every INSERT of a message called three:
-- search_ngrams (the stored vector), and both search_keys (the GIN index's expression). A
-- profile of a bare INSERT (perf, dwarf call graphs) put about a quarter of the backend's time
-- in planning those bodies. PL/pgSQL keeps each statement's plan for the session, as
-- 20251124005200_cache_policy_plans does for the policies' helpers.

create or replace function private.search_ngrams(content text) returns text
language plpgsql immutable parallel safe strict
as $$
begin
  -- Most text has none of these scripts: an expression, no query.
  if content !~ private.unspaced_script_class() then
    return '';
  end if;
  return (
    select string_agg(case when i < char_length(r.run[1]) then substr(r.run[1], i, 2)
                           else substr(r.run[1], i, 1) end, ' ' order by r.n, i)
    from regexp_matches(content, private.unspaced_script_class() || '+', 'g')
      with ordinality as r(run, n),
      generate_series(1, char_length(r.run[1])) i);
end
$$;

create or replace function private.search_keys(channel uuid, id bigint, at timestamptz,
  sender uuid, mentions uuid[], v tsvector) returns tsvector
language plpgsql immutable parallel safe
as $$
begin
  return array_to_tsvector(array(
    select left(channel::text, 8) || k from (
      select l as k from unnest(tsvector_to_array(v)) l
      union all
      select 'P' || left(l, n) from unnest(tsvector_to_array(v)) l, generate_series(1, 4) n
      where char_length(l) >= n
      union all
      select 'T' || s || '.' || (id >> s) from unnest(array[13, 15, 17, 19, 21, 23]) s
      union all
      select 'D' || s || '.' || (floor(extract(epoch from at))::bigint >> s)
      from unnest(array[16, 18, 20, 22, 24, 26]) s
      union all
      select 'S' || left(sender::text, 8) where sender is not null
      union all
      select 'M' || left(u::text, 8) from unnest(mentions) u) x
    where length(v) > 0));
end
$$;

create or replace function private.search_keys(channel uuid, id bigint, at timestamptz,
  sender uuid, mentions uuid[], v tsvector, files boolean, thread boolean) returns tsvector
language plpgsql immutable parallel safe
as $$
begin
  -- Most messages have neither: no query for the tags.
  if not coalesce(files or thread, false) then
    return private.search_keys(channel, id, at, sender, mentions, v);
  end if;
  return private.search_keys(channel, id, at, sender, mentions, v)
    || array_to_tsvector(array(
      select left(channel::text, 8) || k
      from (select 'F' as k where files union all select 'R' where thread) x
      where length(v) > 0));
end
$$;
