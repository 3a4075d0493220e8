#!/usr/bin/env bash
# Installs the chat as a systemd service on this host, from this checkout (run as root; needs
# npm when Deno 2.9.6 is not installed yet):
#   - Deno 2.9.6 (from npm) at /usr/local/bin/deno, where chat.service expects it;
#   - the code in /opt/chat (owned by root), its dependencies installed and cached;
#   - the system user "chat", which owns only its data (/var/lib/chat), its Deno cache
#     (/var/cache/chat) and the dependency folder Deno refreshes at start;
#   - /etc/chat/chat.env from deploy/env/production.env.example, if there is none yet (mode 600);
#   - the unit, then `systemctl daemon-reload` where systemd runs.
# Running it again updates the code and dependencies and keeps the settings and data.
# Then: edit /etc/chat/chat.env, and `systemctl enable --now chat`.
set -euo pipefail
[[ $(id -u) -eq 0 ]] || {
  echo "run as root" >&2
  exit 1
}
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
prefix=${CHAT_PREFIX:-/opt/chat}
cache=/var/cache/chat

if ! deno --version 2>/dev/null | grep -q '^deno 2\.9\.6 '; then
  npm install -g deno@2.9.6 >/dev/null
fi
[[ -e /usr/local/bin/deno ]] || ln -s "$(command -v deno)" /usr/local/bin/deno

id chat >/dev/null 2>&1 ||
  useradd --system --user-group --home-dir /var/lib/chat --no-create-home --shell /usr/sbin/nologin chat
install -d -m 700 -o chat -g chat /var/lib/chat
install -d -m 700 -o chat -g chat "$cache"

# The code: a copy without dependencies, data, build output or git.
install -d -m 755 "$prefix"
tar -C "$src" --exclude=./node_modules --exclude=./.local --exclude=./.git --exclude=./web/dist \
  --exclude=.env -cf - . | tar -C "$prefix" --no-same-owner -xf -
chown -R root:root "$prefix"
rm -rf "$prefix/node_modules"
install -d -m 755 -o chat -g chat "$prefix/node_modules"
# Dependencies, installed and cached as the service user, into the folders it will use.
runuser -u chat -- env -C "$prefix" DENO_DIR="$cache/deno" DENO_NO_UPDATE_CHECK=1 HOME=/var/lib/chat \
  /usr/local/bin/deno install --frozen --quiet
runuser -u chat -- env -C "$prefix" DENO_DIR="$cache/deno" DENO_NO_UPDATE_CHECK=1 HOME=/var/lib/chat \
  /usr/local/bin/deno eval \
  'import { hydratePgSymlinks } from "./local/db/cluster.ts"; hydratePgSymlinks();'

install -d -m 755 /etc/chat
if [[ ! -e /etc/chat/chat.env ]]; then
  install -m 600 "$src/deploy/env/production.env.example" /etc/chat/chat.env
  echo "wrote /etc/chat/chat.env: fill in every <...> before starting"
fi
# The unit names /opt/chat; another CHAT_PREFIX is written into it.
sed "s#/opt/chat#$prefix#g" "$src/deploy/systemd/chat.service" >/etc/systemd/system/chat.service
chmod 644 /etc/systemd/system/chat.service
if [[ -d /run/systemd/system ]]; then
  systemctl daemon-reload
  echo "installed; start with: systemctl enable --now chat"
else
  echo "installed (systemd is not running here: no daemon-reload)"
fi
