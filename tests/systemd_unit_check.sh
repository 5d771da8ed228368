#!/usr/bin/env bash
# Checks deploy/systemd/liaison-node.service (ctest `systemd_unit`, label unit):
#  1. `systemd-analyze verify` accepts it without a single warning (it exits 0 on an unknown key or
#     a bad value and only warns, so any output fails the check), with ExecStart pointing at the
#     binary just built (verify refuses a unit whose binary does not exist);
#  2. `systemd-analyze security --offline` rates its exposure at most 2.0 ("OK");
#  3. every hardening option the README promises is there with its value, the state directory is
#     the only writable path, and no capability is granted.
# Then it checks that this checker can fail: copies of the unit with one option removed, a value
# misspelt or the binary missing must each be refused.
# Usage: systemd_unit_check.sh UNIT_FILE LIAISON_BINARY
set -euo pipefail

unit=$1 binary=$(realpath -m "$2")
command -v systemd-analyze >/dev/null || {
  echo "systemd-analyze is missing: install the Debian package systemd (scripts/lib.sh install_packages)" >&2
  exit 1
}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# One line each, exactly as the unit must hold it.
required=(
  "User=liaison" "Group=liaison" "UMask=0077"
  "ExecStart=/usr/local/bin/liaison node --config /etc/liaison/node.toml"
  "KillSignal=SIGTERM" "TimeoutStopSec=30"
  "NoNewPrivileges=yes" "ProtectSystem=strict" "ReadWritePaths=/var/lib/liaison" "StateDirectory=liaison"
  "PrivateTmp=yes" "PrivateDevices=yes" "PrivateMounts=yes" "ProtectHome=yes" "CapabilityBoundingSet="
  "AmbientCapabilities=" "LimitCORE=0" "LimitMEMLOCK=8M" "ProtectKernelTunables=yes" "ProtectKernelModules=yes"
  "ProtectKernelLogs=yes" "ProtectControlGroups=yes" "ProtectClock=yes" "ProtectHostname=yes"
  "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6" "SystemCallFilter=@system-service"
  "SystemCallArchitectures=native" "MemoryDenyWriteExecute=yes" "LockPersonality=yes" "RestrictNamespaces=yes"
  "RestrictRealtime=yes" "RestrictSUIDSGID=yes"
)

# Prints what is wrong with unit file $1 (its ExecStart binary is expected at $2); fails if anything is.
check_unit() {
  local file=$1 bin=$2 problems=0 copy line output
  copy=$work/check/liaison-node.service
  mkdir -p "$work/check"
  sed "s#^ExecStart=/usr/local/bin/liaison #ExecStart=$bin #" "$file" >"$copy"
  for line in "${required[@]}"; do
    grep -qxF -- "$line" "$file" || { echo "$file: missing \`$line\`"; problems=1; }
  done
  # The state directory is the only writable path; no capability comes back through another key.
  if [ "$(grep -c '^ReadWritePaths=' "$file")" != 1 ]; then echo "$file: ReadWritePaths= must appear once"; problems=1; fi
  if grep -E '^(ReadWriteDirectories|CapabilityBoundingSet|AmbientCapabilities)=.+' "$file"; then
    echo "$file: grants a capability or another writable path"; problems=1
  fi
  if ! output=$(cd "$work/check" && systemd-analyze verify "$copy" 2>&1) || [ -n "$output" ]; then
    echo "$file: systemd-analyze verify: ${output:-failed}"; problems=1
  fi
  if ! output=$(systemd-analyze security --offline=yes --threshold=20 "$copy" 2>&1); then
    echo "$file: systemd-analyze security --offline --threshold=20 refused it:"
    echo "$output" | grep -E '✗|Overall|rror' || echo "$output"
    problems=1
  fi
  return "$problems"
}

status=0
if ! check_unit "$unit" "$binary"; then status=1; fi
[ "$status" = 0 ] && echo "$unit: valid, exposure $(systemd-analyze security --offline=yes "$work/check/liaison-node.service" 2>&1 | grep -o 'level for [^:]*: [0-9.]*' | awk '{print $NF}')"

# The checker must refuse each of these broken copies.
mutant() {
  local name=$1 expr=$2 bin=${3:-$binary}
  sed "$expr" "$unit" >"$work/$name.service"
  if check_unit "$work/$name.service" "$bin" >"$work/$name.out"; then
    echo "self-check: a unit with $name was accepted"; status=1
  fi
}
mutant "NoNewPrivileges removed" '/^NoNewPrivileges=/d'
mutant "ProtectSystem misspelt" 's/^ProtectSystem=strict$/ProtectSystem=strictt/'
mutant "an unknown key" 's/^PrivateTmp=yes$/PrivateTmp=yes\nPrivateTemp=yes/'
mutant "a capability granted" 's/^AmbientCapabilities=$/AmbientCapabilities=CAP_NET_ADMIN/'
mutant "a second writable path" 's#^ReadWritePaths=/var/lib/liaison$#ReadWritePaths=/var/lib/liaison /etc#'
mutant "no system call filter" '/^SystemCallFilter=/d'
mutant "a missing binary" 's/x/x/' "$work/no-such-liaison"
exit "$status"
