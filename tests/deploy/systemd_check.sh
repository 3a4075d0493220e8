#!/usr/bin/env bash
# Run inside a plain Debian container (no systemd there) by deploy_smoke.ts, with the repository
# at /src: runs deploy/systemd/install.sh as an operator would, and checks who owns what. The
# test then commits the container and runs the unit's own command in it, as the unit's user,
# under the unit's system-call filter.
set -euo pipefail
mkdir -p /tmp/src
tar -C /src --exclude=./node_modules --exclude=./.local --exclude=./.git -cf - . | tar -C /tmp/src -xf -
cd /tmp/src
bash deploy/systemd/install.sh >/tmp/install.log 2>&1 || {
  cat /tmp/install.log
  exit 1
}
owner() { stat -c %U "$1"; }
[[ $(owner /opt/chat/local/start.ts) == root ]] || {
  echo "the code must belong to root"
  exit 1
}
[[ $(owner /var/lib/chat) == chat && $(stat -c %a /var/lib/chat) == 700 ]] || {
  echo "the data folder must belong to chat, mode 700"
  exit 1
}
[[ $(stat -c %a /etc/chat/chat.env) == 600 ]] || {
  echo "the settings file must be mode 600"
  exit 1
}
cmp -s /etc/systemd/system/chat.service /tmp/src/deploy/systemd/chat.service
echo "installed"
