#!/usr/bin/env bash
# Run inside a plain Debian container (no systemd) by deploy_smoke.ts, with the repository at
# /src: runs deploy/systemd/install.sh, then starts what chat.service would start, as it would
# (its User, WorkingDirectory, Environment= lines and an EnvironmentFile), and asks /health.
set -euo pipefail
mkdir -p /tmp/src
tar -C /src --exclude=./node_modules --exclude=./.local --exclude=./.git -cf - . | tar -C /tmp/src -xf -
cd /tmp/src
bash deploy/systemd/install.sh >/tmp/install.log 2>&1 || {
  cat /tmp/install.log
  exit 1
}
unit=/etc/systemd/system/chat.service
field() { sed -n "s/^$1=//p" "$unit"; }
[[ $(stat -c %U /opt/chat/local/start.ts) == root ]] || {
  echo "the code must belong to root"
  exit 1
}
# The settings as an operator would write them into /etc/chat/chat.env.
cat >/etc/chat/chat.env <<ENV
LOCAL_API_PORT=${PORT:?}
LOCAL_DB_PORT=${DB_PORT:?}
LOCAL_HOST=127.0.0.1
SUPABASE_JWT_SECRET=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
ENV
set -a
# shellcheck disable=SC1090
. "$(field EnvironmentFile)"
while IFS= read -r kv; do export "${kv?}"; done < <(field Environment)
set +a
cd "$(field WorkingDirectory)"
# shellcheck disable=SC2046
runuser -u "$(field User)" -- $(field ExecStart) >/tmp/run.log 2>&1 &
for _ in $(seq 1 90); do grep -q READY /tmp/run.log && break; sleep 1; done
node -e "fetch('http://127.0.0.1:$PORT/functions/v1/api/health').then(async (r) => {
  console.log(r.status, await r.text()); process.exit(r.ok ? 0 : 1);
}, (e) => { console.log(String(e)); process.exit(1); })" || {
  tail -20 /tmp/run.log
  exit 1
}
# Data where the unit says, owned by the service user.
[[ $(stat -c %U "$LOCAL_DATA_DIR/db/PG_VERSION") == chat ]]
