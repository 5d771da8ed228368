# The container engine for scripts/federation and the container test: an existing Docker engine,
# or Debian's podman (installed and set up here with apt where missing) behind its Docker-compatible
# API for Debian's docker-compose. Source it after scripts/lib.sh; do not run it.
# shellcheck shell=bash

LIAISON_BASE_IMAGE=localhost/liaison-base:bookworm
LIAISON_NODE_IMAGE=localhost/liaison:dev
LIAISON_POSTGRES_IMAGE=localhost/liaison-postgres:15
LIAISON_COMPOSE_PROJECT=${LIAISON_COMPOSE_PROJECT:-liaison-federation}
# iptables: netavark sets up the containers' networks with it (without it a build's RUN step fails
# with "netavark: No such file or directory", as on a fresh Debian machine).
LIAISON_CONTAINER_PACKAGES=(podman runc netavark aardvark-dns catatonit iptables debootstrap docker-compose curl)
LIAISON_PODMAN_SOCKET=/run/podman/podman.sock

# Sets ENGINE (docker or podman) and COMPOSE (the compose command as an array), preparing podman
# where no Docker engine answers. Fails naming what is missing where neither can run.
engine_prepare() {
  if command -v docker >/dev/null && docker info >/dev/null 2>&1 && docker compose version >/dev/null 2>&1; then
    ENGINE=docker COMPOSE=(docker compose -p "$LIAISON_COMPOSE_PROJECT")
    return 0
  fi
  if ! command -v podman >/dev/null || ! command -v docker-compose >/dev/null || ! command -v debootstrap >/dev/null ||
    ! PATH=$PATH:/usr/sbin:/sbin command -v iptables >/dev/null; then
    command -v apt-get >/dev/null || die "no Docker engine answers and podman is missing: install Docker (with 'docker compose') or podman and docker-compose"
    log "installing the container packages: ${LIAISON_CONTAINER_PACKAGES[*]} (Debian)"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      "${LIAISON_CONTAINER_PACKAGES[@]}" >/dev/null
  fi
  [ "$(id -u)" -eq 0 ] || die "podman is used as root here (the federation's networks and volumes); run as root"
  podman_configure
  ENGINE=podman
  podman_service
  export DOCKER_HOST=unix://$LIAISON_PODMAN_SOCKET COMPOSE_DOCKER_CLI_BUILD=0 DOCKER_BUILDKIT=0
  COMPOSE=(docker-compose -p "$LIAISON_COMPOSE_PROJECT")
}

# /etc/containers/containers.conf for a machine without systemd as init and with a hybrid cgroup
# set-up: runc (crun refuses it), cgroupfs, events to a file, ulimits within the machine's hard
# limits. Written only when absent, or when it is the one this script wrote before; podman's API
# service is restarted when it changes.
podman_configure() {
  local conf=/etc/containers/containers.conf marker="# written by Liaison's containers/engine.sh"
  if [ -f "$conf" ] && ! head -n 1 "$conf" | grep -qF "$marker"; then
    return 0  # the machine's own configuration: left alone
  fi
  local nofile nproc; nofile=$(ulimit -Hn) nproc=$(ulimit -Hu)
  [ "$nofile" = unlimited ] && nofile=1048576
  [ "$nofile" -gt 65536 ] && nofile=65536
  # runc was refused an nproc of 4096 and more on such a machine (each uid's processes and threads
  # count; three nodes and their databases need a few hundred).
  [ "$nproc" = unlimited ] && nproc=2048
  [ "$nproc" -gt 2048 ] && nproc=2048
  as_root mkdir -p /etc/containers
  local before; before=$(cat "$conf" 2>/dev/null || true)
  as_root tee "$conf.new" >/dev/null <<CONF
$marker
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
CONF
  if [ "$before" = "$(cat "$conf.new")" ]; then as_root rm -f "$conf.new"; return 0; fi
  as_root mv "$conf.new" "$conf"
  pkill -f "podman system service" 2>/dev/null || true  # reads the configuration when it starts
}

# Runs podman's Docker-compatible API on $LIAISON_PODMAN_SOCKET unless it answers already.
podman_service() {
  if curl -fsS --unix-socket "$LIAISON_PODMAN_SOCKET" http://d/_ping >/dev/null 2>&1; then return 0; fi
  mkdir -p "$(dirname "$LIAISON_PODMAN_SOCKET")"
  log "starting podman's API service on $LIAISON_PODMAN_SOCKET"
  # It ends by itself after 10 idle minutes (no process outlives a CI run for long); the next
  # command starts it again.
  setsid podman system service --time=600 "unix://$LIAISON_PODMAN_SOCKET" </dev/null >/var/log/liaison-podman-service.log 2>&1 &
  for _ in $(seq 1 100); do
    curl -fsS --unix-socket "$LIAISON_PODMAN_SOCKET" http://d/_ping >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  die "podman's API service did not start (see /var/log/liaison-podman-service.log)"
}

# The registry-free base image: a minimal Debian bookworm made with debootstrap from the mirror apt
# uses, imported once (about 1-2 minutes) and reused while it exists.
base_image() {
  if $ENGINE image exists "$LIAISON_BASE_IMAGE" 2>/dev/null || $ENGINE image inspect "$LIAISON_BASE_IMAGE" >/dev/null 2>&1; then
    return 0
  fi
  local mirror rootfs
  mirror=$(apt_mirror)
  rootfs=$(mktemp -d /var/tmp/liaison-rootfs.XXXXXX)
  log "making the base image $LIAISON_BASE_IMAGE with debootstrap from $mirror"
  as_root debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$rootfs.log" 2>&1 ||
    { tail -n 20 "$rootfs.log" >&2; as_root rm -rf "$rootfs" "$rootfs.log"; die "debootstrap failed"; }
  # Images install with apt from the same mirror, and keep no package lists.
  echo "deb $mirror bookworm main" | as_root tee "$rootfs/etc/apt/sources.list" >/dev/null
  as_root sh -c "rm -rf '$rootfs'/var/cache/apt/archives/*.deb '$rootfs'/var/lib/apt/lists/*"
  as_root tar -C "$rootfs" -c . | $ENGINE import - "$LIAISON_BASE_IMAGE" >/dev/null
  as_root rm -rf "$rootfs" "$rootfs.log"
}

# The Debian mirror this machine's apt uses (deb822 or one-line sources).
apt_mirror() {
  local uri
  uri=$(grep -hsE '^(URIs:|deb )' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list /etc/apt/sources.list 2>/dev/null |
        grep -v security | head -n 1 | sed -E 's/^URIs:[[:space:]]*//; s/^deb[[:space:]]+(\[[^]]*\][[:space:]]+)?//; s/[[:space:]].*//' || true)
  echo "${uri:-http://deb.debian.org/debian}"
}
