#!/usr/bin/env bash
# Makes a Docker engine and the local base image ready for `deno task test:deploy`, on a machine
# with no image registry (see ../shared/docs/toolchain.md §10):
#   - installs Debian's docker.io, debootstrap and docker-compose if they are missing;
#   - starts dockerd without a bridge network (host networking only) if none answers;
#   - builds `$BASE_IMAGE` (Debian bookworm + Node 18 + npm + the host's extra CAs + a `node`
#     user, like the official node image) once, with debootstrap; later runs reuse it;
#   - builds `$CADDY_IMAGE` on it (Debian's caddy), for the compose file's TLS profile.
# Exits 3 when Docker cannot be made to work here, so callers can tell "no Docker" from a failure.
set -euo pipefail
BASE_IMAGE="${BASE_IMAGE:-local/chat-base:bookworm}"
CADDY_IMAGE="${CADDY_IMAGE:-local/caddy:bookworm}"
log() { echo "docker_up: $*" >&2; }

# Inside a container without a Docker engine of its own (a CI job's container), none can start.
if [ -f /.dockerenv ] && ! docker info >/dev/null 2>&1; then
  log "in a container without a Docker engine"
  exit 3
fi

need=()
command -v dockerd >/dev/null || need+=(docker.io)
command -v debootstrap >/dev/null || need+=(debootstrap)
command -v docker-compose >/dev/null || need+=(docker-compose)
if [ "${#need[@]}" -gt 0 ]; then
  log "installing ${need[*]}"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}") \
    >/dev/null 2>&1 || { log "cannot install ${need[*]}"; exit 3; }
fi

if ! docker info >/dev/null 2>&1; then
  log "starting dockerd (no bridge, no iptables)"
  nohup dockerd --bridge=none --iptables=false --ip-masq=false >/tmp/dockerd.log 2>&1 &
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
  docker info >/dev/null 2>&1 || { log "dockerd did not start: $(tail -3 /tmp/dockerd.log)"; exit 3; }
fi

# Where a registry is reachable (GitHub's runners), the official images are simply pulled.
have() { docker image inspect "$1" >/dev/null 2>&1 || docker pull -q "$1" >/dev/null 2>&1; }

caddy() {
  have "$CADDY_IMAGE" && return 0
  log "building $CADDY_IMAGE (Debian's caddy on the base)"
  DOCKER_BUILDKIT=0 docker build -q --network host --build-arg "BASE_IMAGE=$BASE_IMAGE" \
    -t "$CADDY_IMAGE" -f "$(dirname "$0")/caddy.Dockerfile" "$(dirname "$0")" >/dev/null
}

if have "$BASE_IMAGE"; then
  caddy
  exit 0
fi

log "building $BASE_IMAGE with debootstrap (once)"
mirror="$(awk '/^URIs/{print $2; exit}' /etc/apt/sources.list.d/* 2>/dev/null || true)"
mirror="${mirror:-http://deb.debian.org/debian}"
root="$(mktemp -d /tmp/chat-base.XXXXXX)"
trap 'rm -rf "$root"' EXIT
debootstrap --variant=minbase bookworm "$root" "$mirror" >/dev/null
# Traffic out of this machine is re-signed by its egress proxy: the image trusts the same CAs.
if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
  mkdir -p "$root/usr/local/share/ca-certificates"
  cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
fi
cp /etc/resolv.conf "$root/etc/resolv.conf"
chroot "$root" /bin/sh -c '
  set -e
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends nodejs npm ca-certificates >/dev/null
  update-ca-certificates >/dev/null
  groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node
  apt-get clean && rm -rf /var/lib/apt/lists/*
'
: >"$root/etc/resolv.conf"
tar -C "$root" -c . | docker import \
  -c 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt' \
  -c 'CMD ["node"]' - "$BASE_IMAGE" >/dev/null
log "built $BASE_IMAGE"
caddy
