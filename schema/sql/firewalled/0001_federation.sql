-- A firewalled compartment's database, version 1: what row-level security needs, as in the main
-- database (0001 and 0005 there), in a database of its own.
--
-- Health and justice records live in databases of their own because PostgreSQL cannot hide one
-- database's catalogs and statistics from a role connected to it: pg_stat_user_tables,
-- pg_class.reltuples and pg_relation_size tell any role how many rows a table holds and how often
-- it was read. Enforcement-facing roles may not connect here at all (see the grants in 0002).
--
-- Applied by `liaison migrate` inside one transaction, as the database owner, before the main
-- database is migrated; the roles exist by then (migrate creates them first).

REVOKE ALL ON SCHEMA public FROM PUBLIC;

CREATE SCHEMA federation;

CREATE TABLE federation.group_members (
  group_id  text NOT NULL CHECK (group_id ~ '^[A-Za-z0-9._-]{1,64}$'),
  member_id text NOT NULL CHECK (member_id ~ '^[A-Za-z0-9._-]{1,64}$'),
  PRIMARY KEY (group_id, member_id)
);

CREATE FUNCTION federation.requesting_member() RETURNS text
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$ SELECT nullif(current_setting('liaison.member', true), '') $$;

CREATE FUNCTION federation.requesting_groups() RETURNS text[]
  LANGUAGE plpgsql STABLE PARALLEL SAFE
  AS $$
BEGIN
  RETURN ARRAY(SELECT g.group_id FROM federation.group_members g WHERE g.member_id = federation.requesting_member());
END
$$;

-- Nothing without a requesting member; otherwise the owner, a member listed in visible_to, or a
-- member of a group listed there. One expression, so the planner inlines it into each policy.
CREATE FUNCTION federation.may_see(owner text, visible_to text[]) RETURNS boolean
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$
    SELECT federation.requesting_member() IS NOT NULL
       AND (owner = federation.requesting_member()
            OR federation.requesting_member() = ANY (visible_to)
            OR visible_to && federation.requesting_groups())
  $$;

CREATE DOMAIN federation.member_id AS text CHECK (VALUE ~ '^[A-Za-z0-9._-]{1,64}$');
CREATE DOMAIN federation.handling_code AS text CHECK (VALUE IN ('h0', 'h1', 'h2', 'h3'));
CREATE DOMAIN federation.partial_date AS text CHECK (VALUE ~ '^([0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?)?$');
CREATE DOMAIN federation.sex AS text CHECK (VALUE IN ('unspecified', 'female', 'male'));
CREATE DOMAIN federation.state_code AS text CHECK (VALUE ~ '^([A-Z][A-Z<]{2})?$');

-- Who may connect: the compartment's own serving role and the importer (0002 grants them);
-- nobody else, whatever PostgreSQL grants PUBLIC by default.
DO $connect$
BEGIN
  EXECUTE format('REVOKE ALL ON DATABASE %I FROM PUBLIC', current_database());
  EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO liaison_importer', current_database());
END
$connect$;

GRANT USAGE ON SCHEMA federation TO liaison_importer;
GRANT SELECT ON federation.group_members TO liaison_importer;
GRANT USAGE ON SCHEMA liaison_meta TO liaison_importer;
GRANT SELECT ON liaison_meta.migrations TO liaison_importer;
