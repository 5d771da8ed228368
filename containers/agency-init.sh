#!/bin/sh
# One agency's set-up (compose.yaml's <agency>-init), run once per start of the federation and
# idempotent: a second run keeps every key and changes no record.
#   1. the node's Ed25519 signing key and TLS identity into the agency's `keys` volume (owned by the
#      node's account, 0600; never in an image), and the SPKI pin file the health check uses;
#   2. the officers' key pairs ($OFFICERS: "pseudonym ..."), into the `officers` volume, which plays
#      the officers' own workstations in this test federation; the node gets the public halves;
#   3. the node's public key and certificate into the shared `federation-public` volume, from which
#      the directory is signed;
#   4. waits for the agency's PostgreSQL, migrates, syncs the policy's groups and runs $IMPORT
#      (re-importing changes nothing), as the operator's account.
# Runs as root only to own the volumes; every step runs as `liaison` or `liaison-admin`.
set -eu
: "${AGENCY:?name the agency, e.g. xa-police}"
keys=/var/lib/liaison/keys officers=/var/lib/liaison/officers public=/federation/public
as_node() { setpriv --reuid=liaison --regid=liaison --init-groups -- "$@"; }
as_admin() { setpriv --reuid=liaison-admin --regid=liaison-admin --init-groups -- "$@"; }

install -d -o liaison -g liaison -m 0700 "$keys" "$keys/officers" /var/lib/liaison/state
install -d -o root -g root -m 0700 "$officers"
[ -f "$keys/node.key" ] || as_node liaison keygen --out "$keys/node"
[ -f "$keys/node-tls.crt" ] || as_node liaison tls-cert --out "$keys/node-tls" --name "$AGENCY"
as_node sh -c "openssl x509 -in '$keys/node-tls.crt' -pubkey -noout >'$keys/node-tls.pin.pem'"
for officer in ${OFFICERS:-}; do
  [ -f "$officers/$officer.key" ] || liaison keygen --out "$officers/$officer" >/dev/null
  install -o liaison -g liaison -m 0644 "$officers/$officer.pub" "$keys/officers/$officer.pub"
done
install -m 0644 "$keys/node.pub" "$public/$AGENCY.pub"
install -m 0644 "$keys/node-tls.crt" "$public/$AGENCY-tls.crt"

for _ in $(seq 1 120); do
  pg_isready -q -h /run/postgresql && break
  sleep 0.5
done
pg_isready -h /run/postgresql >/dev/null || { echo "$AGENCY-init: PostgreSQL did not come up within 60 s" >&2; exit 1; }
export LIAISON_DB="host=/run/postgresql dbname=liaison"
as_admin liaison migrate
as_admin liaison groups sync --policy /etc/liaison/policy.toml
if [ -n "${IMPORT:-}" ]; then as_admin sh -euc "$IMPORT"; fi
echo "$AGENCY-init: done"
