-- Liaison schema version 2: what the serving node itself needs.
--   * node.nonces, the replay guard: each (requester, nonce) is accepted once, across restarts.
--   * audit.append / audit.append_batch, the only way the audit writer is meant to append, with
--     leaf indices (seq) that stay gap-free even when an append rolls back.
--
-- Applied by `liaison migrate` inside one transaction, as the database owner, after 0001.

-- ---------------------------------------------------------------------------------------------
-- Role. Cluster-wide, so created only where missing (see 0001).
-- ---------------------------------------------------------------------------------------------
DO $roles$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'liaison_gateway') THEN
    BEGIN
      CREATE ROLE liaison_gateway LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN
      NULL;  -- another database of this cluster is being migrated at the same moment
    END;
  END IF;
END
$roles$;

-- ---------------------------------------------------------------------------------------------
-- Replay guard. A claim only has to outlive the request's validity window: after `expires_at`
-- the window itself refuses the request, so expired claims may be purged.
-- ---------------------------------------------------------------------------------------------
CREATE SCHEMA node;

CREATE TABLE node.nonces (
  requester  text NOT NULL CHECK (requester ~ '^[A-Za-z0-9._-]{1,64}$'),
  nonce      bytea NOT NULL CHECK (length(nonce) = 32),
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (requester, nonce)
);
CREATE INDEX nonces_expires_at ON node.nonces (expires_at);

-- ---------------------------------------------------------------------------------------------
-- Gap-free audit sequence numbers.
--
-- `seq` is the entry's leaf index in an RFC 6962 Merkle log, so the log must hold exactly the
-- leaves 0..n-1. An identity column cannot promise that: nextval() is not transactional, so an
-- append that rolls back (the request then failed and was never answered) burns its number and
-- leaves a hole that breaks the tree's contiguity. Instead every insert is numbered by
-- audit.assign_seq below:
--   1. it takes a transaction-level advisory lock, so appends are serialised until the appending
--      transaction commits or rolls back;
--   2. it numbers the row max(seq) + 1 (0 for the first), which it can see because, at READ
--      COMMITTED, each statement takes a fresh snapshot after the lock was granted, so every
--      earlier append has committed or vanished by then.
-- A rolled-back append releases the lock and takes its row with it, so the next append reuses its
-- number: no gap. Seq order is commit order. The cost is one appender at a time, which the node's
-- group commit (many entries per transaction, adapters/audit_log.h) amortises.
--
-- The numbering lives in a BEFORE INSERT trigger rather than only in audit.append so that it holds
-- on every path into the table, including the writer's direct INSERT grant from 0001. An insert
-- that names a seq is accepted only if it is exactly the next one; anything else is refused.
-- ---------------------------------------------------------------------------------------------
ALTER TABLE audit.entries ALTER COLUMN seq DROP IDENTITY;
ALTER TABLE audit.entries ADD CONSTRAINT entries_seq_non_negative CHECK (seq >= 0);

-- The advisory lock key (any constant not used elsewhere in this database): "LiaisAud".
-- pg_advisory_xact_lock(5506039124970272100) below must stay in step with it.
CREATE FUNCTION audit.assign_seq() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, audit
  AS $$
DECLARE
  next_seq bigint;
BEGIN
  -- At REPEATABLE READ or SERIALIZABLE the snapshot predates the lock and max(seq) could be
  -- stale; the primary key would catch the duplicate, but say why instead.
  IF current_setting('transaction_isolation') <> 'read committed' THEN
    RAISE EXCEPTION 'audit entries must be appended at READ COMMITTED, not %',
      current_setting('transaction_isolation') USING ERRCODE = 'invalid_transaction_state';
  END IF;
  PERFORM pg_advisory_xact_lock(5506039124970272100);
  SELECT coalesce(max(e.seq) + 1, 0) INTO next_seq FROM audit.entries e;
  IF NEW.seq IS NULL THEN
    NEW.seq := next_seq;
  ELSIF NEW.seq <> next_seq THEN
    RAISE EXCEPTION 'audit entry % would leave the log non-contiguous: the next entry is %', NEW.seq, next_seq
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END
$$;
REVOKE EXECUTE ON FUNCTION audit.assign_seq() FROM PUBLIC;

CREATE TRIGGER entries_assign_seq BEFORE INSERT ON audit.entries
  FOR EACH ROW EXECUTE FUNCTION audit.assign_seq();

-- Appends one entry and returns its seq. SECURITY DEFINER so that the writer needs neither SELECT
-- on the log nor any say over the numbering.
CREATE FUNCTION audit.append(recorded_at timestamptz, requester text, officer_pseudonym text, role text,
                             purpose text, case_reference text, query_kind text, query_digest bytea,
                             decision text, reason text, record_refs text[], response_digest bytea,
                             entry bytea)
  RETURNS bigint
  LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, audit
  AS $$
    INSERT INTO audit.entries (recorded_at, requester, officer_pseudonym, role, purpose, case_reference,
                               query_kind, query_digest, decision, reason, record_refs, response_digest, entry)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
    RETURNING seq
  $$;

-- Appends entries in array order (one array per column, all of one length) and returns their seqs
-- in the same order. PostgreSQL arrays cannot be jagged, so `record_refs` carries one array
-- literal per entry (e.g. '{"a","b"}'). The seqs are numbered here from the locked max(seq) by
-- array position, so they never depend on the order the executor happens to insert in; the
-- trigger re-checks each one and refuses the whole batch rather than misnumber an entry.
CREATE FUNCTION audit.append_batch(recorded_at timestamptz[], requester text[], officer_pseudonym text[],
                                   role text[], purpose text[], case_reference text[], query_kind text[],
                                   query_digest bytea[], decision text[], reason text[], record_refs text[],
                                   response_digest bytea[], entry bytea[])
  RETURNS SETOF bigint
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, audit
  AS $$
DECLARE
  n integer := coalesce(cardinality(append_batch.entry), 0);
  first_seq bigint;
BEGIN
  IF n = 0 THEN
    RETURN;
  END IF;
  IF array_ndims(append_batch.entry) <> 1
     OR n IS DISTINCT FROM cardinality(append_batch.recorded_at)
     OR n IS DISTINCT FROM cardinality(append_batch.requester)
     OR n IS DISTINCT FROM cardinality(append_batch.officer_pseudonym)
     OR n IS DISTINCT FROM cardinality(append_batch.role)
     OR n IS DISTINCT FROM cardinality(append_batch.purpose)
     OR n IS DISTINCT FROM cardinality(append_batch.case_reference)
     OR n IS DISTINCT FROM cardinality(append_batch.query_kind)
     OR n IS DISTINCT FROM cardinality(append_batch.query_digest)
     OR n IS DISTINCT FROM cardinality(append_batch.decision)
     OR n IS DISTINCT FROM cardinality(append_batch.reason)
     OR n IS DISTINCT FROM cardinality(append_batch.record_refs)
     OR n IS DISTINCT FROM cardinality(append_batch.response_digest) THEN
    RAISE EXCEPTION 'audit.append_batch: every array must have the % elements of entry', n
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  PERFORM pg_advisory_xact_lock(5506039124970272100);
  SELECT coalesce(max(e.seq) + 1, 0) INTO first_seq FROM audit.entries e;
  INSERT INTO audit.entries (seq, recorded_at, requester, officer_pseudonym, role, purpose, case_reference,
                             query_kind, query_digest, decision, reason, record_refs, response_digest, entry)
  SELECT first_seq + b.ord - 1, b.recorded_at, b.requester, b.officer_pseudonym, b.role, b.purpose,
         b.case_reference, b.query_kind, b.query_digest, b.decision, b.reason, b.record_refs::text[],
         b.response_digest, b.entry
    FROM unnest(append_batch.recorded_at, append_batch.requester, append_batch.officer_pseudonym,
                append_batch.role, append_batch.purpose, append_batch.case_reference, append_batch.query_kind,
                append_batch.query_digest, append_batch.decision, append_batch.reason,
                append_batch.record_refs, append_batch.response_digest, append_batch.entry)
         WITH ORDINALITY AS b(recorded_at, requester, officer_pseudonym, role, purpose, case_reference,
                              query_kind, query_digest, decision, reason, record_refs, response_digest, entry,
                              ord)
   ORDER BY b.ord;
  RETURN QUERY SELECT first_seq + i - 1 FROM generate_series(1, n) AS i;
END
$$;

-- ---------------------------------------------------------------------------------------------
-- Grants. The gateway reaches the nonces and nothing else; only the audit writer may append.
-- ---------------------------------------------------------------------------------------------
REVOKE ALL ON SCHEMA node FROM PUBLIC;
GRANT USAGE ON SCHEMA node TO liaison_gateway;
GRANT SELECT, INSERT, DELETE ON node.nonces TO liaison_gateway;

REVOKE EXECUTE ON FUNCTION audit.append(timestamptz, text, text, text, text, text, text, bytea, text, text,
                                        text[], bytea, bytea) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION audit.append_batch(timestamptz[], text[], text[], text[], text[], text[], text[],
                                              bytea[], text[], text[], text[], bytea[], bytea[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION audit.append(timestamptz, text, text, text, text, text, text, bytea, text, text,
                                       text[], bytea, bytea) TO liaison_audit_writer;
GRANT EXECUTE ON FUNCTION audit.append_batch(timestamptz[], text[], text[], text[], text[], text[], text[],
                                             bytea[], text[], text[], text[], bytea[], bytea[])
  TO liaison_audit_writer;
