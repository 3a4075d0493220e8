#!/usr/bin/env bash
# Installs the chat API into Supabase's self-hosting folder (the `docker/` folder of
# github.com/supabase/supabase), where its `functions` service (supabase/edge-runtime) serves
# every `volumes/functions/<name>/index.ts` at /functions/v1/<name>:
#
#   volumes/functions/api/             functions/api without its tests, plus a generated deno.json
#   volumes/functions/_shared/         functions/_shared without its tests
#   volumes/functions/_vendor/postgres the vendored postgres.js (see vendor/postgres/PATCHES.md)
#
# Usage: deploy/supabase/install-function.sh <supabase-docker-dir>
#        deploy/supabase/install-function.sh --functions-dir <dir>   (the hosted deploy's staging)
# Running it again replaces those three folders (and nothing else); then restart the service:
#   docker compose restart functions --no-deps
# Needs node or deno (to write deno.json); see deploy/supabase/README.md.
set -euo pipefail

usage() {
  echo "usage: $0 <supabase-docker-dir>   (the folder holding Supabase's docker-compose.yml)" >&2
  echo "       $0 --functions-dir <dir>   (straight into a functions folder, e.g. a Supabase CLI" >&2
  echo "                                   project's supabase/functions, for a hosted deploy)" >&2
  exit 2
}
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
if [[ $# -eq 2 && $1 == --functions-dir ]]; then
  mkdir -p "$2"
  functions=$(cd "$2" && pwd)
  dest=$functions
else
  [[ $# -eq 1 ]] || usage
  [[ $1 != -* ]] || usage
  dest=$(cd "$1" 2>/dev/null && pwd) || {
    echo "error: $1 is not a folder" >&2
    exit 1
  }
  if [[ ! -f $dest/docker-compose.yml && ! -f $dest/compose.yaml ]]; then
    echo "error: $dest has no docker-compose.yml: give Supabase's docker/ folder" >&2
    exit 1
  fi
  functions=$dest/volumes/functions
  mkdir -p "$functions"
fi

if command -v node >/dev/null 2>&1; then
  run_js=(node)
elif command -v deno >/dev/null 2>&1; then
  run_js=(deno run --quiet --no-config --allow-read --allow-write --allow-env)
else
  echo "error: node or deno is needed to write the function's deno.json" >&2
  exit 1
fi

# Stage everything next to the target (same filesystem), then swap the folders in.
stage=$(mktemp -d "$functions/.chat-install.XXXXXX")
trap 'rm -rf "$stage"' EXIT

cp -R "$repo/functions/api" "$stage/api"
cp -R "$repo/functions/_shared" "$stage/_shared"
mkdir -p "$stage/_vendor/postgres"
cp -R "$repo/vendor/postgres/src" "$repo/vendor/postgres/types" "$repo/vendor/postgres/package.json" \
  "$repo/vendor/postgres/PATCHES.md" "$stage/_vendor/postgres/"
# Tests, fixtures and editor files are not part of the function.
find "$stage" \( -name '*_test.ts' -o -name '*_test.tsx' -o -name '.DS_Store' \) -type f -delete

# Imported as a file rather than a package, the vendored copy needs two edits for type-checkers
# (the runtime ignores both): a directive naming its types, and those types as an ES module
# (`export default` where the package's CommonJS-style declaration says `export =`).
entry=$stage/_vendor/postgres/src/index.js
{
  echo '/// <reference types="../types/index.d.ts" />'
  cat "$entry"
} >"$entry.tmp"
mv "$entry.tmp" "$entry"
types=$stage/_vendor/postgres/types/index.d.ts
if ! grep -qx 'export = postgres;' "$types"; then
  echo "error: $types no longer ends with 'export = postgres;': update this script" >&2
  exit 1
fi
sed 's/^export = postgres;$/export default postgres;/' "$types" >"$types.tmp"
mv "$types.tmp" "$types"

CHAT_IMPORT_MAP=$repo/import_map.json CHAT_DENO_JSON=$repo/deno.json CHAT_FUNCTIONS=$stage \
  "${run_js[@]}" "$repo/deploy/supabase/function-imports.mjs"

for dir in api _shared _vendor; do
  rm -rf "${functions:?}/$dir"
  mv "$stage/$dir" "$functions/$dir"
done

echo "installed into $functions: api/ (deno.json generated), _shared/, _vendor/postgres/"
[[ $dest == "$functions" ]] || echo "next: docker compose restart functions --no-deps   (in $dest)"
