# Shared by scripts/test and scripts/demo: install what Liaison needs, build it, and run a private
# PostgreSQL cluster inside the checkout. Source it; do not run it.
# shellcheck shell=bash

LIAISON_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LIAISON_BUILD=${LIAISON_BUILD:-$LIAISON_ROOT/build}
LIAISON_PGBIN=/usr/lib/postgresql/15/bin

# Debian 12 packages the build, the tests and the demo need.
LIAISON_PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config
  capnproto libcapnp-dev libsodium-dev libpqxx-dev libssl-dev libboost-dev
  libgtest-dev libgmock-dev libtomlplusplus-dev nlohmann-json3-dev
  clang libclang-rt-14-dev
  postgresql-15 postgresql-client-15
)

# Database roles the invoking OS user may log in as (created by the migrations in schema/sql).
LIAISON_DB_ROLES=(liaison_admin liaison_enforcement liaison_health liaison_justice liaison_audit_writer
                  liaison_auditor liaison_gateway liaison_importer)

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else die "need root for: $* (run as root or install sudo)"; fi
}

# Installs the missing packages only, so a second run does not touch apt at all.
install_packages() {
  local missing=()
  for p in "${LIAISON_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Configures and builds into $LIAISON_BUILD (extra CMake arguments pass through).
build_liaison() {
  log "building in $LIAISON_BUILD"
  cmake -S "$LIAISON_ROOT" -B "$LIAISON_BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
  ninja -C "$LIAISON_BUILD"
}

# Builds every fuzz target (tests/*_fuzz.cc) with clang, libFuzzer and AddressSanitizer into
# build-fuzz/, then runs each for LIAISON_FUZZ_SECONDS (default 10) on a copy of its corpus.
# Fails on the first crash, leak or sanitizer report; the reproducer is left in build-fuzz/.
fuzz_liaison() {
  local build=$LIAISON_ROOT/build-fuzz seconds=${LIAISON_FUZZ_SECONDS:-10} targets=() t
  for t in "$LIAISON_ROOT"/tests/*_fuzz.cc; do targets+=("$(basename "$t" .cc)"); done
  [ ${#targets[@]} -eq 0 ] && return 0
  log "fuzzing ${targets[*]} for ${seconds} s each (clang, libFuzzer, AddressSanitizer)"
  CCACHE_SLOPPINESS=pch_defines,time_macros cmake -S "$LIAISON_ROOT" -B "$build" -G Ninja \
    -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DLIAISON_FUZZ=ON -DLIAISON_WERROR=OFF \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  ninja -C "$build" "${targets[@]}" >/dev/null
  for t in "${targets[@]}"; do
    local corpus; corpus=$(mktemp -d)
    cp -r "$LIAISON_ROOT/tests/corpus/$t/." "$corpus/" 2>/dev/null || true
    (cd "$build" && "$build/bin/$t" -max_total_time="$seconds" -rss_limit_mb=2048 -print_final_stats=0 "$corpus" \
      >"$build/$t.log" 2>&1) || { tail -n 40 "$build/$t.log" >&2; rm -rf "$corpus"; die "fuzz target $t failed"; }
    printf '  %-14s %s\n' "$t" "$(grep -o 'Done [0-9]* runs in [0-9]* second(s)' "$build/$t.log" | tail -n 1)"
    rm -rf "$corpus"
  done
}

# --- private PostgreSQL cluster ---------------------------------------------------------------
# Data lives in $LIAISON_ROOT/.pg/data; the server listens on a unix socket only. When we are root
# the server runs as the unprivileged `postgres` user. Authentication is peer with an ident map:
# only the invoking OS user may log in, as the admin role or as one of Liaison's roles.

pg_user() { if [ "$(id -u)" -eq 0 ]; then echo postgres; else id -un; fi; }
as_pg_user() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_paths() {
  PG_DIR=${LIAISON_PG_DIR:-$LIAISON_ROOT/.pg}
  if [ "$(id -u)" -eq 0 ] && ! runuser -u postgres -- test -x "$LIAISON_ROOT"; then
    # The checkout sits where the postgres user cannot reach (e.g. under /root): keep the
    # cluster in a private folder it can reach instead.
    PG_DIR=/var/tmp/liaison-pg-$(printf '%s' "$LIAISON_ROOT" | sha256sum | cut -c1-12)
  fi
  PG_DATA=$PG_DIR/data
  PG_SOCKET=$PG_DIR/run
  # Unix socket paths are limited to 107 bytes.
  if [ ${#PG_SOCKET} -gt 90 ]; then
    PG_SOCKET=/tmp/liaison-pg-$(printf '%s' "$PG_DIR" | sha256sum | cut -c1-12)
  fi
  export PGHOST=$PG_SOCKET PGUSER=liaison_admin PGDATABASE=postgres
}

pg_start() {
  pg_paths
  local me; me=$(id -un)
  mkdir -p "$PG_DIR" "$PG_SOCKET"
  if [ "$(id -u)" -eq 0 ]; then chown postgres: "$PG_DIR" "$PG_SOCKET"; fi
  chmod 0700 "$PG_SOCKET"
  if [ ! -f "$PG_DATA/PG_VERSION" ]; then
    log "initialising PostgreSQL cluster in $PG_DATA"
    as_pg_user "$LIAISON_PGBIN/initdb" -D "$PG_DATA" -U liaison_admin --auth-local=peer --auth-host=reject \
      -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  # Rewritten on every start so that roles added by later migrations can log in.
  as_pg_user tee "$PG_DATA/pg_hba.conf" >/dev/null <<HBA
# Private Liaison cluster: unix socket only, peer authentication through the 'liaison' map.
local all all peer map=liaison
HBA
  {
    echo "# OS user -> database roles it may log in as"
    for role in "${LIAISON_DB_ROLES[@]}"; do
      echo "liaison $me $role"
      [ "$me" != "$(pg_user)" ] && echo "liaison $(pg_user) $role"
    done
  } | as_pg_user tee "$PG_DATA/pg_ident.conf" >/dev/null
  if as_pg_user "$LIAISON_PGBIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; then
    as_pg_user "$LIAISON_PGBIN/pg_ctl" -D "$PG_DATA" reload >/dev/null
    return 0
  fi
  log "starting PostgreSQL (socket $PG_SOCKET)"
  as_pg_user "$LIAISON_PGBIN/pg_ctl" -D "$PG_DATA" -l "$PG_DIR/postgres.log" -w -t 60 start \
    -o "-c listen_addresses='' -c unix_socket_directories='$PG_SOCKET' -c fsync=on -c max_connections=200 -c shared_buffers=256MB" \
    >/dev/null || { tail -n 20 "$PG_DIR/postgres.log" >&2; die "PostgreSQL did not start"; }
}

# Drops databases that an interrupted test run left behind (tests drop their own when they finish).
pg_drop_test_databases() {
  local db
  for db in $(psql -qXAt -d postgres -c "SELECT datname FROM pg_database WHERE datname LIKE 'liaison\_test\_%'"); do
    psql -qX -d postgres -c "DROP DATABASE \"$db\" WITH (FORCE)"
  done
}

pg_stop() {
  pg_paths
  if [ -f "$PG_DATA/PG_VERSION" ]; then
    log "stopping PostgreSQL"
    as_pg_user "$LIAISON_PGBIN/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null 2>&1 || true
  fi
}
