-- Liaison schema version 6: audit appends only through the append functions, serialised on a
-- lock only the log's owner can take, and checked for contiguity once per statement.
--
-- 0002 numbered every row in a BEFORE INSERT row trigger under a transaction-level advisory lock,
-- and left the writer a direct INSERT grant. Three things change here:
--   * The writer loses its INSERT grant on audit.entries. audit.append and audit.append_batch
--     (SECURITY DEFINER, run as the owner) are the only way in; they number the entries
--     themselves, from max(seq) + 1 read under the lock, in array order.
--   * Appends serialise on LOCK TABLE audit.entries IN SHARE ROW EXCLUSIVE MODE instead of an
--     advisory lock. That mode needs UPDATE, DELETE or TRUNCATE on the table, which no serving
--     role holds, so no role but the owner can hold the log's lock and stall every request; it
--     does not conflict with the auditor's reads (ACCESS SHARE).
--   * Contiguity is checked once per INSERT statement over its transition table rather than by
--     a lookup per row. The checks below hold on every path into the table, the owner's own
--     INSERTs included:
--       before the statement: READ COMMITTED (so each later statement sees every append that
--         committed before the lock was granted), then the lock;
--       after it: the new seqs are one run a..b with no repeats (the primary key refuses
--         repeats of older seqs), a is 0 or a - 1 is stored, and b is the largest stored seq.
--     By induction the log keeps exactly the leaves 0..n-1. A failed check rolls the statement
--     back, so nothing of the batch is stored.
--
-- Applied by `liaison migrate` inside one transaction, as the database owner, after 0005.

DROP TRIGGER entries_assign_seq ON audit.entries;
DROP FUNCTION audit.assign_seq();

CREATE FUNCTION audit.lock_for_append() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, audit
  AS $$
BEGIN
  -- At REPEATABLE READ or SERIALIZABLE the snapshot predates the lock, so max(seq) could be
  -- stale; the checks would still refuse, but say why instead.
  IF current_setting('transaction_isolation') <> 'read committed' THEN
    RAISE EXCEPTION 'audit entries must be appended at READ COMMITTED, not %',
      current_setting('transaction_isolation') USING ERRCODE = 'invalid_transaction_state';
  END IF;
  LOCK TABLE audit.entries IN SHARE ROW EXCLUSIVE MODE;
  RETURN NULL;
END
$$;

CREATE FUNCTION audit.check_contiguous() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, audit
  AS $$
DECLARE
  first_new bigint;
  last_new bigint;
  added bigint;
  next_seq bigint;
BEGIN
  SELECT min(a.seq), max(a.seq), count(*) INTO first_new, last_new, added FROM appended a;
  IF added = 0 THEN
    RETURN NULL;
  END IF;
  IF last_new - first_new + 1 = added
     AND (first_new = 0 OR EXISTS (SELECT 1 FROM audit.entries e WHERE e.seq = first_new - 1))
     AND last_new = (SELECT max(e.seq) FROM audit.entries e) THEN
    RETURN NULL;
  END IF;
  SELECT coalesce(max(e.seq) + 1, 0) INTO next_seq FROM audit.entries e WHERE e.seq < first_new;
  RAISE EXCEPTION 'audit entries % to % (% of them) would leave the log non-contiguous: the next entry is %',
    first_new, last_new, added, next_seq
    USING ERRCODE = 'check_violation';
END
$$;

REVOKE EXECUTE ON FUNCTION audit.lock_for_append() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION audit.check_contiguous() FROM PUBLIC;

CREATE TRIGGER entries_lock_for_append BEFORE INSERT ON audit.entries
  FOR EACH STATEMENT EXECUTE FUNCTION audit.lock_for_append();
CREATE TRIGGER entries_check_contiguous AFTER INSERT ON audit.entries
  REFERENCING NEW TABLE AS appended
  FOR EACH STATEMENT EXECUTE FUNCTION audit.check_contiguous();

REVOKE INSERT ON audit.entries FROM liaison_audit_writer;

-- Same arguments, result and grants as in 0002; only the lock changes.
CREATE OR REPLACE FUNCTION audit.append_batch(recorded_at timestamptz[], requester text[], officer_pseudonym text[],
                                              role text[], purpose text[], case_reference text[], query_kind text[],
                                              query_digest bytea[], decision text[], reason text[],
                                              record_refs text[], response_digest bytea[], entry bytea[])
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
  IF current_setting('transaction_isolation') <> 'read committed' THEN
    RAISE EXCEPTION 'audit entries must be appended at READ COMMITTED, not %',
      current_setting('transaction_isolation') USING ERRCODE = 'invalid_transaction_state';
  END IF;
  LOCK TABLE audit.entries IN SHARE ROW EXCLUSIVE MODE;
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
                              ord);
  RETURN QUERY SELECT first_seq + i - 1 FROM generate_series(1, n) AS i;
END
$$;

-- One entry: a batch of one, so both functions number the same way. Same signature and grants
-- as in 0002. record_refs travels as the text of its array, the form append_batch takes.
CREATE OR REPLACE FUNCTION audit.append(recorded_at timestamptz, requester text, officer_pseudonym text, role text,
                                        purpose text, case_reference text, query_kind text, query_digest bytea,
                                        decision text, reason text, record_refs text[], response_digest bytea,
                                        entry bytea)
  RETURNS bigint
  LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, audit
  AS $$
    SELECT audit.append_batch(ARRAY[$1], ARRAY[$2], ARRAY[$3], ARRAY[$4], ARRAY[$5], ARRAY[$6], ARRAY[$7],
                              ARRAY[$8], ARRAY[$9], ARRAY[$10], ARRAY[$11::text], ARRAY[$12], ARRAY[$13])
  $$;
