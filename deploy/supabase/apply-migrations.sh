#!/usr/bin/env bash
# Applies supabase/migrations to a self-hosted Supabase database without the Supabase CLI, the
# way `supabase db push` does: each file not yet applied, in version order, in one transaction,
# recorded in supabase_migrations.schema_migrations (so `supabase db push` or `migration list`
# agree with it later). Never applies supabase/seed.sql (demo accounts).
#
# Usage: deploy/supabase/apply-migrations.sh <supabase-docker-dir>
#   runs psql inside the `db` container: docker compose exec -T db psql -U postgres -d postgres
# Or:    PSQL="psql postgresql://…" deploy/supabase/apply-migrations.sh
#   runs the given psql command instead (any database that has Supabase's auth, storage and
#   realtime schemas).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
if [[ -n ${PSQL:-} ]]; then
  [[ $# -eq 0 ]] || { echo "usage: PSQL=\"psql <url>\" $0" >&2; exit 2; }
  read -r -a psql <<<"$PSQL"
else
  [[ $# -eq 1 ]] || { echo "usage: $0 <supabase-docker-dir>" >&2; exit 2; }
  cd "$1"
  psql=(docker compose exec -T db psql -U postgres -d postgres)
fi
run() { "${psql[@]}" -X -q -v ON_ERROR_STOP=1 "$@"; }

# The migrations add policies to realtime.messages and storage.objects and read auth.users:
# those exist once Auth, Storage and Realtime have started (Realtime creates its tables on its
# first health check).
missing=$(run -tA -c "select string_agg(t, ', ') from unnest(array['auth.users',
  'storage.buckets', 'storage.objects', 'realtime.messages']) t where to_regclass(t) is null")
if [[ -n $missing ]]; then
  echo "error: not there yet: $missing. Start the stack and wait until 'docker compose ps'" >&2
  echo "shows auth, storage and realtime healthy, then run this again." >&2
  exit 1
fi

run -c "set client_min_messages = warning;
  create schema if not exists supabase_migrations;
  create table if not exists supabase_migrations.schema_migrations (
    version text not null primary key, statements text[], name text)"
applied=" $(run -tA -c "select string_agg(version, ' ') from supabase_migrations.schema_migrations") "

count=0
for file in "$repo"/supabase/migrations/*.sql; do
  base=$(basename "$file")
  if [[ ! $base =~ ^([0-9]+)_([A-Za-z0-9_]+)\.sql$ ]]; then
    echo "skip $base (not <version>_<name>.sql)" >&2
    continue
  fi
  version=${BASH_REMATCH[1]} name=${BASH_REMATCH[2]}
  [[ $applied == *" $version "* ]] && continue
  echo "applying $base"
  {
    cat "$file"
    printf '\n;insert into supabase_migrations.schema_migrations (version, name) values (%s, %s);\n' \
      "'$version'" "'$name'"
  } | run --single-transaction -f -
  count=$((count + 1))
done
echo "$count migration(s) applied"
