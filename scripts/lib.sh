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
  libgtest-dev libgmock-dev libtomlplusplus-dev nlohmann-json3-dev libcli11-dev
  clang libclang-rt-14-dev
  libicu-dev  # screening/: name transliteration
  llvm  # llvm-symbolizer: sanitizer reports name functions, files and lines
  postgresql-15 postgresql-client-15
  jq  # scripts/demo reads the auditors' JSON
)
LIAISON_PACKAGES+=(systemd)  # systemd-analyze: the ctest systemd_unit checks deploy/systemd/liaison-node.service
# The audit console's browser test (tests/console): headless Chromium driven from Node.js.
LIAISON_PACKAGES+=(chromium fonts-dejavu-core nodejs)

# Database roles the invoking OS user may log in as (created by the migrations in schema/sql).
LIAISON_DB_ROLES=(liaison_admin liaison_enforcement liaison_health liaison_justice liaison_audit_writer
                  liaison_auditor liaison_gateway liaison_importer liaison_screening)

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

# The browser test's one npm package (playwright-core, pinned with its digest in
# tests/console/package-lock.json), installed into tests/console/node_modules when missing or
# when the lock file changed since. Debian's nodejs comes without npm; NodeSource's brings it.
install_browser_test_tools() {
  local dir=$LIAISON_ROOT/tests/console
  if ! command -v npm >/dev/null; then
    log "installing npm"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends npm >/dev/null
  fi
  if [ ! -f "$dir/node_modules/.package-lock.json" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    log "installing the browser test's npm packages (tests/console)"
    npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error >/dev/null
  fi
}

# Configures and builds into $LIAISON_BUILD (extra CMake arguments pass through). Optimised as
# shipped (-O2), with line tables and function names only (-g1: backtraces name file and line)
# rather than full debug information, which costs a third of the compile time.
build_liaison() {
  log "building in $LIAISON_BUILD"
  cmake -S "$LIAISON_ROOT" -B "$LIAISON_BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" \
    "$@" >/dev/null
  ninja -C "$LIAISON_BUILD"
}

# --- sanitizer builds --------------------------------------------------------------------------
# Each sanitizer build is a clang build in a folder of its own (instrumented objects never mix with
# build/'s), compiled at -O1 with line tables only: sanitizers need little optimisation and no full
# debug information to name file and line, and both would cost CI minutes. Assertions stay on.
# Every report aborts the test that caused it (-fno-sanitize-recover, halt_on_error).
LIAISON_ASAN_BUILD=$LIAISON_ROOT/build-fuzz
LIAISON_TSAN_BUILD=$LIAISON_ROOT/build-tsan
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1:detect_stack_use_after_return=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$LIAISON_ROOT/tests/lsan.supp:print_suppressions=0}
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1}

# Configures a clang build in $1 with the CMake options that follow, and builds the targets of
# ${LIAISON_TARGETS[@]} in it.
build_with_clang() {
  local build=$1; shift
  CCACHE_SLOPPINESS=pch_defines,time_macros cmake -S "$LIAISON_ROOT" -B "$build" -G Ninja \
    -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DLIAISON_WERROR=OFF \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" "$@" >/dev/null
  ninja -C "$build" "${LIAISON_TARGETS[@]}"
}

fuzz_targets() { local t; for t in "$LIAISON_ROOT"/tests/*_fuzz.cc; do basename "$t" .cc; done; }

# The AddressSanitizer + UBSan build in build-fuzz/ (-DLIAISON_FUZZ=ON): coverage-instrumented
# objects that make both the libFuzzer targets and every test executable, so one build serves
# the whole ctest suite and the fuzzing.
build_asan() {
  local LIAISON_TARGETS=(liaison liaison_unit_tests liaison_pg_tests)
  mapfile -t -O 3 LIAISON_TARGETS < <(fuzz_targets)
  build_with_clang "$LIAISON_ASAN_BUILD" -DLIAISON_FUZZ=ON
}

# The ThreadSanitizer build in build-tsan/ (-DLIAISON_TSAN=ON): the `liaison` binary and
# liaison_tsan_tests, the tests of the code that runs on several threads (tests/CMakeLists.txt).
build_tsan() {
  local LIAISON_TARGETS=(liaison liaison_tsan_tests)
  build_with_clang "$LIAISON_TSAN_BUILD" -DLIAISON_TSAN=ON
}

# Runs each fuzz target of build-fuzz/ (build_asan) for LIAISON_FUZZ_SECONDS (default 10) on a copy
# of its corpus. Fails on the first crash, leak or sanitizer report; the reproducer is left in
# build-fuzz/.
fuzz_liaison() {
  local build=$LIAISON_ASAN_BUILD seconds=${LIAISON_FUZZ_SECONDS:-10} t running=0 failed=0
  fuzz_one() {
    local t=$1 corpus; corpus=$(mktemp -d)
    cp -r "$LIAISON_ROOT/tests/corpus/$t/." "$corpus/" 2>/dev/null || true
    if (cd "$build" && "$build/bin/$t" -max_total_time="$seconds" -rss_limit_mb=2048 -print_final_stats=0 "$corpus" \
      >"$build/$t.log" 2>&1); then
      printf '  %-22s %s\n' "$t" "$(grep -o 'Done [0-9]* runs in [0-9]* second(s)' "$build/$t.log" | tail -n 1)"
    else
      tail -n 40 "$build/$t.log" >&2
      printf 'fuzz target %s failed (log: %s)\n' "$t" "$build/$t.log" >&2
      rm -rf "$corpus"
      return 1
    fi
    rm -rf "$corpus"
  }
  # One target per core at a time: each is a single process.
  for t in $(fuzz_targets); do
    fuzz_one "$t" &
    running=$((running + 1))
    if [ "$running" -ge "$(nproc)" ]; then wait -n || failed=1; running=$((running - 1)); fi
  done
  while [ "$running" -gt 0 ]; do wait -n || failed=1; running=$((running - 1)); done
  [ "$failed" = 0 ] || die "a fuzz target failed"
}

# --- phases ----------------------------------------------------------------------------------
# `phase NAME COMMAND...` runs COMMAND as one step of a script and remembers how long it took, in
# wall time and in CPU time of the processes it ran (not PostgreSQL's): on a dedicated machine of
# N cores a step that keeps them busy takes about its CPU time / N. phase_summary prints every
# step (scripts/test calls it on exit, also after a failure).
LIAISON_PHASES=()
cpu_ticks() {
  local stat; read -ra stat </proc/$$/stat
  echo $((stat[13] + stat[14] + stat[15] + stat[16]))  # utime stime cutime cstime of this shell
}
phase() {
  local name=$1 start=$SECONDS ticks; ticks=$(cpu_ticks); shift
  log "$name"
  LIAISON_PHASES+=("$(printf '  %-44s failed' "$name")")
  "$@"
  LIAISON_PHASES[-1]=$(printf '  %-44s %5d s  (CPU %5d s)' "$name" $((SECONDS - start)) \
    $((($(cpu_ticks) - ticks) / $(getconf CLK_TCK))))
}
phase_summary() {
  [ ${#LIAISON_PHASES[@]} -eq 0 ] && return 0
  log "time per phase (total $((SECONDS / 60)) min $((SECONDS % 60)) s)"
  printf '%s\n' "${LIAISON_PHASES[@]}" >&2
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
    -o "-c listen_addresses='' -c unix_socket_directories='$PG_SOCKET' -c fsync=on -c max_connections=200 -c shared_buffers=256MB ${LIAISON_PG_OPTIONS:-}" \
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
