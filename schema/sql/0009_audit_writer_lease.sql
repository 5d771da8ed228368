-- Liaison schema version 9: one audit log, one writer.
--
-- Two nodes on one database each kept their own tree and signed heads of their own sizes with the
-- same member key, so partners alternating between them saw a head smaller than one they held:
-- false fork alarms, evidence written and valid answers thrown away. Now the node that appends to
-- a database's audit log and signs its heads holds a lease for its whole life, and a second node
-- refuses to start, naming the first (adapters/writer_lease.h).
--
--   * audit.writer_lock never holds a row. The running node's lease session keeps a transaction
--     open that holds LOCK TABLE audit.writer_lock IN EXCLUSIVE MODE. That mode needs UPDATE,
--     DELETE or TRUNCATE on the table, which only the writer role holds, so no serving role can
--     take it; and it conflicts with neither ACCESS SHARE nor anything taken on other tables, so
--     no serving role can block it or be blocked by it. Not ACCESS EXCLUSIVE: at wal_level replica
--     and above that lock is WAL-logged, which gives the transaction an id, and an open
--     transaction with an id holds back VACUUM of the whole database. The lease transaction runs
--     at READ COMMITTED and holds no snapshot between statements, so it holds back nothing. When
--     the node dies its session ends and the lock goes with it: a crashed node never blocks its
--     restart.
--   * audit.writer_leases records every lease taken, after the lock is held: the random instance
--     id of that start, the member, host, process id and time. The newest row names the running
--     writer, which is what a second node's refusal quotes; and a node whose lease session was cut
--     (a database restart) that takes the lock again finds out from it whether another node held
--     the log in between, and then stops appending. Append-only, like the log it guards.
--
-- Applied by `liaison migrate` inside one transaction, as the database owner, after 0008.

CREATE TABLE audit.writer_lock ();

CREATE TABLE audit.writer_leases (
  lease       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  instance_id text NOT NULL UNIQUE CHECK (instance_id ~ '^[0-9a-f]{32}$'),
  member      text NOT NULL CHECK (member ~ '^[A-Za-z0-9._-]{1,64}$'),
  host        text NOT NULL CHECK (length(host) BETWEEN 1 AND 255 AND host !~ '[[:cntrl:]]'),
  pid         bigint NOT NULL CHECK (pid > 0),
  started_at  timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE TRIGGER writer_leases_append_only BEFORE UPDATE OR DELETE ON audit.writer_leases
  FOR EACH ROW EXECUTE FUNCTION audit.refuse_change();
CREATE TRIGGER writer_leases_no_truncate BEFORE TRUNCATE ON audit.writer_leases
  FOR EACH STATEMENT EXECUTE FUNCTION audit.refuse_change();

REVOKE ALL ON audit.writer_lock, audit.writer_leases FROM PUBLIC;
-- UPDATE only so that the writer may take the lock: the table never has a row to update.
GRANT UPDATE ON audit.writer_lock TO liaison_audit_writer;
GRANT SELECT, INSERT ON audit.writer_leases TO liaison_audit_writer;
GRANT SELECT ON audit.writer_leases TO liaison_auditor;
