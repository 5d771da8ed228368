-- Liaison schema version 8: the firewalled compartments leave the main database, and serving
-- roles may only read.
--
-- Inside one database, PostgreSQL's statistics views and catalogs (pg_stat_user_tables,
-- pg_class.reltuples, pg_relation_size, index statistics) tell any connected role how many rows
-- a table holds and how often it was read, whatever its privileges on the table. So health and
-- justice records now live in databases of their own (schema/sql/firewalled), which enforcement-
-- facing roles may not even connect to. `liaison migrate` creates and migrates those databases
-- first and copies any health and justice records into them, inside this migration's transaction
-- while it holds the old tables locked; this migration then drops the old schemas here.
--
-- Least privilege: liaison_enforcement loses INSERT and DELETE on the record tables (it serves
-- reads only); imports and retention purges write as liaison_importer, which never serves a
-- request. Only the roles that work here may connect to this database.
--
-- Applied by `liaison migrate` inside one transaction, as the database owner, after 0007.

DROP SCHEMA health CASCADE;
DROP SCHEMA justice CASCADE;
REVOKE ALL ON SCHEMA federation FROM liaison_health, liaison_justice;
REVOKE ALL ON federation.group_members FROM liaison_health, liaison_justice;

REVOKE INSERT, DELETE, UPDATE, TRUNCATE ON ALL TABLES IN SCHEMA notices, documents, immigration, watchlist
  FROM liaison_enforcement;

GRANT USAGE ON SCHEMA federation, notices, documents, immigration, watchlist TO liaison_importer;
GRANT SELECT ON federation.group_members TO liaison_importer;
GRANT SELECT, INSERT, DELETE ON ALL TABLES IN SCHEMA notices, documents, immigration, watchlist TO liaison_importer;

-- The node reads the schema version at start, as the role it serves with, and refuses a database
-- of another version than the binary's.
GRANT USAGE ON SCHEMA liaison_meta TO liaison_enforcement, liaison_importer;
GRANT SELECT ON liaison_meta.migrations TO liaison_enforcement, liaison_importer;

DO $connect$
BEGIN
  EXECUTE format('REVOKE ALL ON DATABASE %I FROM PUBLIC', current_database());
  EXECUTE format('GRANT CONNECT ON DATABASE %I TO liaison_enforcement, liaison_audit_writer, liaison_auditor, '
                 'liaison_gateway, liaison_importer', current_database());
  EXECUTE format('GRANT TEMPORARY ON DATABASE %I TO liaison_importer', current_database());
END
$connect$;
