-- Liaison schema version 10: the screening index's view of notices and watchlist persons.
--
-- A node screens names against an in-memory index (screening/) built from notices.notices and
-- watchlist.persons, which holds each record's owner and visible_to and answers exactly what the
-- row-level security policies would (tests/screening_index_pgtest.cc checks it over random
-- records and members). To build it the node reads every row once, as liaison_screening: a role
-- that may read those two tables and the group memberships, and nothing else; no request is
-- ever served as it, and it cannot reach health or justice (their own databases).
--
-- Then the index stays current without reading everything again: statement triggers note every
-- inserted, deleted or updated ref in screening.changes and notify channel `liaison_screening`.
-- The node reads the changes numbered after the last one it read, and applies each noted ref by
-- reading the row again (present: upsert; absent: remove), which makes a change read twice
-- harmless. A writer locks screening.changes against other writers before it numbers its changes
-- and holds the lock until it commits, so changes become visible in the order of their numbers
-- and a reader never skips one that commits late. (Transaction ids would do it without the lock,
-- but the functions that show them are locked away from every role: they tell who is writing.)
-- Record writes are imports and purges, rare and in bulk, so serialising them costs little.
-- Changes older than a day are deleted by the node; a node that lost its connection rebuilds the
-- index from scratch.
--
-- Applied by `liaison migrate` inside one transaction, as the database owner, after 0009.

DO $roles$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'liaison_screening') THEN
    BEGIN
      CREATE ROLE liaison_screening LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN
      NULL;  -- another database of this cluster is being migrated at the same moment
    END;
  END IF;
END
$roles$;

CREATE SCHEMA screening;

CREATE TABLE screening.changes (
  seq        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  changed_at timestamptz NOT NULL DEFAULT now(),
  kind       text NOT NULL CHECK (kind IN ('notice', 'watchlist-person', 'groups', 'rebuild')),
  ref        uuid  -- the record changed; null for `groups` and `rebuild`
);
CREATE INDEX changes_changed_at ON screening.changes (changed_at);

-- Runs as its owner (the database owner) whoever writes the records, so importers need no
-- privilege on screening.changes.
CREATE FUNCTION screening.note_rows() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
  AS $$
  BEGIN
    LOCK TABLE screening.changes IN SHARE ROW EXCLUSIVE MODE;  -- until commit: numbers in commit order
    IF TG_OP = 'INSERT' OR TG_OP = 'UPDATE' THEN
      INSERT INTO screening.changes (kind, ref) SELECT TG_ARGV[0], n.ref FROM new_rows n;
    END IF;
    IF TG_OP = 'DELETE' OR TG_OP = 'UPDATE' THEN
      INSERT INTO screening.changes (kind, ref) SELECT TG_ARGV[0], o.ref FROM old_rows o;
    END IF;
    PERFORM pg_notify('liaison_screening', TG_ARGV[0]);
    RETURN NULL;
  END
  $$;

CREATE FUNCTION screening.note_statement() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
  AS $$
  BEGIN
    LOCK TABLE screening.changes IN SHARE ROW EXCLUSIVE MODE;
    INSERT INTO screening.changes (kind) VALUES (TG_ARGV[0]);
    PERFORM pg_notify('liaison_screening', TG_ARGV[0]);
    RETURN NULL;
  END
  $$;
REVOKE ALL ON FUNCTION screening.note_rows(), screening.note_statement() FROM PUBLIC;

DO $triggers$
DECLARE
  t text[];
BEGIN
  FOREACH t SLICE 1 IN ARRAY ARRAY[['notices.notices', 'notice'], ['watchlist.persons', 'watchlist-person']] LOOP
    EXECUTE format('CREATE TRIGGER screening_inserts AFTER INSERT ON %s REFERENCING NEW TABLE AS new_rows '
                   'FOR EACH STATEMENT EXECUTE FUNCTION screening.note_rows(%L)', t[1], t[2]);
    EXECUTE format('CREATE TRIGGER screening_deletes AFTER DELETE ON %s REFERENCING OLD TABLE AS old_rows '
                   'FOR EACH STATEMENT EXECUTE FUNCTION screening.note_rows(%L)', t[1], t[2]);
    EXECUTE format('CREATE TRIGGER screening_updates AFTER UPDATE ON %s REFERENCING OLD TABLE AS old_rows '
                   'NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION screening.note_rows(%L)', t[1], t[2]);
    EXECUTE format('CREATE TRIGGER screening_truncates AFTER TRUNCATE ON %s '
                   'FOR EACH STATEMENT EXECUTE FUNCTION screening.note_statement(''rebuild'')', t[1]);
  END LOOP;
END
$triggers$;

CREATE TRIGGER screening_groups AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON federation.group_members
  FOR EACH STATEMENT EXECUTE FUNCTION screening.note_statement('groups');

-- The index reads every row of the two tables: a permissive policy for this role alone (the
-- serving roles' reads stay under member_reads).
CREATE POLICY screening_index_reads ON notices.notices FOR SELECT TO liaison_screening USING (true);
CREATE POLICY screening_index_reads ON watchlist.persons FOR SELECT TO liaison_screening USING (true);

GRANT USAGE ON SCHEMA notices, watchlist, federation, screening TO liaison_screening;
GRANT SELECT ON notices.notices, watchlist.persons, federation.group_members TO liaison_screening;
GRANT SELECT, DELETE ON screening.changes TO liaison_screening;
GRANT USAGE ON SCHEMA liaison_meta TO liaison_screening;
GRANT SELECT ON liaison_meta.migrations TO liaison_screening;

DO $connect$
BEGIN
  EXECUTE format('GRANT CONNECT ON DATABASE %I TO liaison_screening', current_database());
END
$connect$;
