#!/usr/bin/env bash
# Stages the API function for `supabase functions deploy` to a hosted project, laid out as the
# Supabase CLI expects a project (the folder given gets supabase/config.toml, supabase/functions/
# api with its own deno.json, _shared, and the patched postgres.js in _vendor), so that the
# deployed function runs on vendor/postgres as the local stack does (the repository's deno.json
# "links" that copy for local runs only). Then:
#   supabase functions deploy api --workdir <dir> --project-ref <ref> --no-verify-jwt --use-api
# Usage: deploy/supabase/stage-hosted-function.sh <dir>   (emptied first)
set -euo pipefail
[[ $# -eq 1 && $1 != -* ]] || {
  echo "usage: $0 <dir>" >&2
  exit 2
}
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
stage=$1
rm -rf "$stage"
mkdir -p "$stage/supabase"
bash "$repo/deploy/supabase/install-function.sh" --functions-dir "$stage/supabase/functions" >/dev/null
# The repository's config, with the function in the CLI's default place.
grep -Ev '^(entrypoint|import_map) *=' "$repo/supabase/config.toml" >"$stage/supabase/config.toml"
# The CLI validates the whole config: the files it names must be there too.
cp -R "$repo/supabase/templates" "$stage/supabase/"
cp "$repo/supabase/seed.sql" "$stage/supabase/"
missing=0
while read -r f; do
  [[ -f $stage/$f ]] || {
    echo "error: the staged config names $f, which is missing" >&2
    missing=1
  }
done < <(grep -oE '(content_path|sql_paths) *= *.*' "$stage/supabase/config.toml" |
  grep -oE '"[^"]+"' | tr -d '"' | sed -E 's#^\./seed\.sql$#supabase/seed.sql#')
[[ $missing -eq 0 ]]
echo "staged in $stage: supabase/config.toml, supabase/functions/{api,_shared,_vendor}"
