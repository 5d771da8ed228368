-- Liaison schema version 7: who the node verified, what the request claimed, and where it came from.
--
-- An entry used to record the officer fields exactly as the request stated them, before any
-- check: a request signed by officer A that named officer B was logged as B. Entries now keep the
-- identity the signature established (requester, officer_pseudonym, role), the signer itself,
-- and, apart, what the request claimed when that differs. Refusals of unauthenticated traffic name
-- the connection's address and client certificate pin, so an auditor can trace their source; a
-- burst of them from one source may be folded into one entry with a repeat count. Reads and writes
-- of records from the command line name the operating-system user and the command.
--
-- The columns mirror the canonical entry bytes (schema/audit.capnp) as the older ones do, so that
-- searches can filter on them; audit.append_batch gains one array per column. The functions of 0002
-- and 0006 keep their signatures and store the new columns empty.
--
-- Applied by `liaison migrate` inside one transaction, as the database owner, after 0006.

ALTER TABLE audit.entries
  ADD COLUMN signer            text   NOT NULL DEFAULT '',
  ADD COLUMN claimed_requester text   NOT NULL DEFAULT '',
  ADD COLUMN claimed_officer   text   NOT NULL DEFAULT '',
  ADD COLUMN claimed_role      text   NOT NULL DEFAULT '',
  ADD COLUMN remote_address    text   NOT NULL DEFAULT '',
  ADD COLUMN peer_pin          text   NOT NULL DEFAULT '',
  ADD COLUMN local_user        text   NOT NULL DEFAULT '',
  ADD COLUMN command           text   NOT NULL DEFAULT '',
  ADD COLUMN repeat_count      bigint NOT NULL DEFAULT 0 CHECK (repeat_count >= 0);

CREATE FUNCTION audit.append_batch(recorded_at timestamptz[], requester text[], officer_pseudonym text[],
                                   role text[], purpose text[], case_reference text[], query_kind text[],
                                   query_digest bytea[], decision text[], reason text[], record_refs text[],
                                   response_digest bytea[], entry bytea[], signer text[],
                                   claimed_requester text[], claimed_officer text[], claimed_role text[],
                                   remote_address text[], peer_pin text[], local_user text[], command text[],
                                   repeat_count bigint[])
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
     OR n IS DISTINCT FROM cardinality(append_batch.response_digest)
     OR n IS DISTINCT FROM cardinality(append_batch.signer)
     OR n IS DISTINCT FROM cardinality(append_batch.claimed_requester)
     OR n IS DISTINCT FROM cardinality(append_batch.claimed_officer)
     OR n IS DISTINCT FROM cardinality(append_batch.claimed_role)
     OR n IS DISTINCT FROM cardinality(append_batch.remote_address)
     OR n IS DISTINCT FROM cardinality(append_batch.peer_pin)
     OR n IS DISTINCT FROM cardinality(append_batch.local_user)
     OR n IS DISTINCT FROM cardinality(append_batch.command)
     OR n IS DISTINCT FROM cardinality(append_batch.repeat_count) THEN
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
                             query_kind, query_digest, decision, reason, record_refs, response_digest, entry,
                             signer, claimed_requester, claimed_officer, claimed_role, remote_address, peer_pin,
                             local_user, command, repeat_count)
  SELECT first_seq + b.ord - 1, b.recorded_at, b.requester, b.officer_pseudonym, b.role, b.purpose,
         b.case_reference, b.query_kind, b.query_digest, b.decision, b.reason, b.record_refs::text[],
         b.response_digest, b.entry, b.signer, b.claimed_requester, b.claimed_officer, b.claimed_role,
         b.remote_address, b.peer_pin, b.local_user, b.command, b.repeat_count
    FROM unnest(append_batch.recorded_at, append_batch.requester, append_batch.officer_pseudonym,
                append_batch.role, append_batch.purpose, append_batch.case_reference, append_batch.query_kind,
                append_batch.query_digest, append_batch.decision, append_batch.reason,
                append_batch.record_refs, append_batch.response_digest, append_batch.entry,
                append_batch.signer, append_batch.claimed_requester, append_batch.claimed_officer,
                append_batch.claimed_role, append_batch.remote_address, append_batch.peer_pin,
                append_batch.local_user, append_batch.command, append_batch.repeat_count)
         WITH ORDINALITY AS b(recorded_at, requester, officer_pseudonym, role, purpose, case_reference,
                              query_kind, query_digest, decision, reason, record_refs, response_digest, entry,
                              signer, claimed_requester, claimed_officer, claimed_role, remote_address,
                              peer_pin, local_user, command, repeat_count, ord);
  RETURN QUERY SELECT first_seq + i - 1 FROM generate_series(1, n) AS i;
END
$$;

-- The batch of 0006, kept for callers that set none of the new fields: they are stored empty.
CREATE OR REPLACE FUNCTION audit.append_batch(recorded_at timestamptz[], requester text[], officer_pseudonym text[],
                                              role text[], purpose text[], case_reference text[], query_kind text[],
                                              query_digest bytea[], decision text[], reason text[],
                                              record_refs text[], response_digest bytea[], entry bytea[])
  RETURNS SETOF bigint
  LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, audit
  AS $$
    SELECT audit.append_batch($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13,
                              array_fill(''::text, ARRAY[coalesce(cardinality($13), 0)]),
                              array_fill(''::text, ARRAY[coalesce(cardinality($13), 0)]),
                              array_fill(''::text, ARRAY[coalesce(cardinality($13), 0)]),
                              array_fill(''::text, ARRAY[coalesce(cardinality($13), 0)]),
                              array_fill(''::text, ARRAY[coalesce(cardinality($13), 0)]),
                              array_fill(''::text, ARRAY[coalesce(cardinality($13), 0)]),
                              array_fill(''::text, ARRAY[coalesce(cardinality($13), 0)]),
                              array_fill(''::text, ARRAY[coalesce(cardinality($13), 0)]),
                              array_fill(0::bigint, ARRAY[coalesce(cardinality($13), 0)]))
  $$;

REVOKE EXECUTE ON FUNCTION audit.append_batch(timestamptz[], text[], text[], text[], text[], text[], text[],
                                              bytea[], text[], text[], text[], bytea[], bytea[], text[], text[],
                                              text[], text[], text[], text[], text[], text[], bigint[])
  FROM PUBLIC;
GRANT EXECUTE ON FUNCTION audit.append_batch(timestamptz[], text[], text[], text[], text[], text[], text[],
                                             bytea[], text[], text[], text[], bytea[], bytea[], text[], text[],
                                             text[], text[], text[], text[], text[], text[], bigint[])
  TO liaison_audit_writer;

-- Auditors look for the source of refusals.
CREATE INDEX entries_remote_address ON audit.entries (remote_address) WHERE remote_address <> '';
