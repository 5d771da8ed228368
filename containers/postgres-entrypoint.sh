#!/bin/sh
# An agency's PostgreSQL (compose.yaml's <agency>-postgres). On first start: a cluster whose owner
# role is liaison_admin and the empty main database `liaison` (`liaison migrate` adds the firewalled
# compartments' own databases). On every start: unix socket only (in the volume the agency's other
# containers share, /run/postgresql), peer authentication only, and the map of who may be whom:
#   liaison        (the node, uid 10001)        the serving roles; never the owner nor the importer
#   liaison-admin  (init and operator, 10002)   every role, the owner included
#   postgres       (this container)             the owner, for maintenance
# Runs as root only long enough to own its folders, then as postgres.
set -eu
PGBIN=/usr/lib/postgresql/15/bin
SOCKET=/run/postgresql
as_postgres() { setpriv --reuid=postgres --regid=postgres --init-groups -- "$@"; }

install -d -o postgres -g postgres -m 0755 "$SOCKET"
install -d -o postgres -g postgres -m 0700 "$PGDATA"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  echo "liaison-postgres: initialising the cluster in $PGDATA"
  as_postgres "$PGBIN/initdb" -D "$PGDATA" -U liaison_admin --auth-local=peer --auth-host=reject \
    -E UTF8 --locale=C.UTF-8 >/dev/null
  echo "CREATE DATABASE liaison" | as_postgres "$PGBIN/postgres" --single -D "$PGDATA" postgres >/dev/null
fi

serving="liaison_enforcement liaison_health liaison_justice liaison_audit_writer liaison_auditor liaison_gateway liaison_screening"
{
  echo "# Written by liaison-postgres on every start: unix socket, peer authentication, the map only."
  echo "local all all peer map=liaison"
} >"$PGDATA/pg_hba.conf"
{
  echo "# OS account  database role"
  for role in $serving; do echo "liaison liaison $role"; done
  for role in liaison_admin liaison_importer $serving; do echo "liaison liaison-admin $role"; done
  echo "liaison postgres liaison_admin"
} >"$PGDATA/pg_ident.conf"
chown postgres:postgres "$PGDATA/pg_hba.conf" "$PGDATA/pg_ident.conf"
chmod 0600 "$PGDATA/pg_hba.conf" "$PGDATA/pg_ident.conf"

exec setpriv --reuid=postgres --regid=postgres --init-groups -- "$PGBIN/postgres" -D "$PGDATA" \
  -c listen_addresses='' -c unix_socket_directories="$SOCKET" -c unix_socket_permissions=0777 \
  -c max_connections=200 -c log_line_prefix='%m [%p] %u@%d '
