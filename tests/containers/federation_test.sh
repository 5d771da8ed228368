#!/usr/bin/env bash
# The three-agency federation of compose.yaml in real containers (scripts/federation): brought up,
# a federated check-document from XB-BORDER's officer answered by XA-POLICE and XC-IMMIGRATION
# through the containers, every auditor's log verified, the deployment tried as a careless operator
# and a hostile neighbour would, one agency's node stopped (unreachable, the other still answers),
# then everything torn down. scripts/test runs it on full runs. Skipped, saying why, only where no
# container engine can run or be installed (neither a Docker engine nor apt-get as root).
set -euo pipefail
source "$(dirname "$0")/../../scripts/lib.sh"
federation=$LIAISON_ROOT/scripts/federation

if ! { command -v docker >/dev/null && docker info >/dev/null 2>&1; } &&
   ! { [ "$(id -u)" -eq 0 ] && { command -v podman >/dev/null || command -v apt-get >/dev/null; }; }; then
  echo "SKIPPED: no Docker engine answers, and podman can neither run here as root nor be installed with apt-get"
  exit 0
fi

failures=0
check() {  # check DESCRIPTION COMMAND...: runs COMMAND, reports and counts a failure
  local what=$1; shift
  if "$@"; then printf '  ok    %s\n' "$what"; else printf '  FAIL  %s\n' "$what"; failures=$((failures + 1)); fi
}
contains() { grep -qE -- "$2" <<<"$1"; }
lacks() { ! grep -qE -- "$2" <<<"$1"; }

cleanup() { [ "${LIAISON_KEEP_FEDERATION:-0}" = 1 ] || "$federation" down >/dev/null 2>&1 || true; }
trap cleanup EXIT
"$federation" down >/dev/null 2>&1 || true  # a run interrupted before leaves nothing in the way
"$federation" up
source "$LIAISON_ROOT/containers/engine.sh"
engine_prepare
compose() { (cd "$LIAISON_ROOT" && "${COMPOSE[@]}" -f compose.yaml "$@"); }
in_node() { compose exec -T "$@"; }

echo "== a federated check-document through the containers"
answer=$("$federation" query 2>&1) || true
printf '%s\n' "$answer" | sed 's/^/    /'
check "XA-POLICE answered" contains "$answer" '^== XA-POLICE: answered'
check "XC-IMMIGRATION answered" contains "$answer" '^== XC-IMMIGRATION: answered'
check "one hit from each partner" test "$(grep -c '^  HIT: ' <<<"$answer")" -eq 2
check "the summary names both as answered" contains "$answer" '^  XC-IMMIGRATION: answered'

echo "== every auditor verifies their own node's audit log"
for agency in xa-police xb-border xc-immigration; do
  verified=$("$federation" as "$agency" auditor-0001 audit verify 2>&1) || true
  check "$agency: audit verify" contains "$verified" '^VERIFIED'
done

echo "== the deployment as a careless operator and a hostile neighbour would try it"
for agency in xa-police xb-border xc-immigration; do
  check "$agency: the node runs as its own account, not root" test "$(in_node "$agency" id -un)" = liaison
  check "$agency: the node's account logs in as a serving role on the socket (the control)" \
    test "$(in_node "$agency" psql -h /run/postgresql -U liaison_gateway -d liaison -Atc 'SELECT 1' 2>&1)" = 1
  check "$agency: the node's account cannot log in as the database owner" \
    lacks "$(in_node "$agency" psql -h /run/postgresql -U liaison_admin -d liaison -Atc 'SELECT 1' 2>&1)" '^1$'
  check "$agency: nor as the importer" \
    lacks "$(in_node "$agency" psql -h /run/postgresql -U liaison_importer -d liaison -Atc 'SELECT 1' 2>&1)" '^1$'
  check "$agency: the health role counts the health database's records (the control)" \
    contains "$(in_node "$agency" psql -h /run/postgresql -U liaison_health -d liaison_health -Atc 'SELECT count(*) FROM health.records' 2>&1)" '^[0-9]+$'
  check "$agency: the enforcement role cannot reach the health database" \
    lacks "$(in_node "$agency" psql -h /run/postgresql -U liaison_enforcement -d liaison_health -Atc 'SELECT count(*) FROM health.records' 2>&1)" '^[0-9]+$'
  check "$agency: the signing key is the node's alone (0600)" \
    test "$(in_node "$agency" stat -c '%a %U' /var/lib/liaison/keys/node.key)" = "600 liaison"
  check "$agency: the TLS key is the node's alone (0600)" \
    test "$(in_node "$agency" stat -c '%a %U' /var/lib/liaison/keys/node-tls.tlskey)" = "600 liaison"
  check "$agency: the node's file system is read-only" \
    contains "$(in_node "$agency" sh -c 'touch /var/lib/liaison/x && echo WROTE' 2>&1)" 'Read-only file system'
  check "$agency: the node writes only its state volume" \
    test "$(in_node "$agency" sh -c 'touch /var/lib/liaison/state/probe && rm /var/lib/liaison/state/probe && echo WROTE' 2>&1)" = WROTE
  check "$agency: PostgreSQL has no network" \
    test "$(compose exec -T "$agency-postgres" sh -c 'ls /sys/class/net' | tr -d '\r' | xargs)" = lo
done
check "the database's socket is not reachable over TCP from a node" \
  lacks "$(in_node xa-police sh -c 'pg_isready -h xa-police-postgres -t 3' 2>&1)" 'accepting connections'
ports=$(compose ps 2>/dev/null | grep -oE '[0-9.]+:[0-9]+->[0-9]+/tcp' | sort | xargs)
check "only the three federation ports are published, on loopback ($ports)" \
  test "$ports" = "127.0.0.1:8443->8443/tcp 127.0.0.1:9443->8443/tcp 127.0.0.1:9444->8443/tcp"
check "the node image holds no key" \
  test -z "$($ENGINE run --rm --network none "$LIAISON_NODE_IMAGE" sh -c 'find / -xdev \( -name "*.key" -o -name "*.tlskey" \) 2>/dev/null')"
check "no secret key is in the repository's compose file" lacks "$(cat "$LIAISON_ROOT/compose.yaml")" 'PRIVATE KEY|password:'

echo "== XC-IMMIGRATION's node stops: XA still answers, XC is unreachable"
"$federation" stop xc-immigration >/dev/null 2>&1
started=$(date +%s%N)
answer=$("$federation" query 2>&1) || true
elapsed_ms=$(( ($(date +%s%N) - started) / 1000000 ))
printf '%s\n' "$answer" | sed 's/^/    /'
check "XA-POLICE answered" contains "$answer" '^== XA-POLICE: answered'
check "XC-IMMIGRATION unreachable" contains "$answer" '^  XC-IMMIGRATION: unreachable'
check "within the federation deadline (${elapsed_ms} ms)" test "$elapsed_ms" -lt 5000
verified=$("$federation" as xb-border auditor-0001 audit verify 2>&1) || true
check "xb-border: audit verify after the partner went away" contains "$verified" '^VERIFIED'

echo "== down removes what up made"
"$federation" down >/dev/null 2>&1
check "no container of the federation is left" test -z "$($ENGINE ps -a --filter "name=$LIAISON_COMPOSE_PROJECT" -q)"
check "no volume of the federation is left" test -z "$($ENGINE volume ls -q | grep "^${LIAISON_COMPOSE_PROJECT}_" || true)"
check "no officer file is left" test ! -e "$LIAISON_ROOT/.federation"

[ "$failures" -eq 0 ] || die "$failures check(s) of the federation in containers failed"
echo "the federation in containers: every check passed"
