-- Liaison schema version 4: the signed tree heads of the audit log.
--
-- The node signs a tree head (log id, tree size, RFC 6962 root hash, time) with its member key
-- every few seconds while entries arrive and on shutdown, and keeps every head it signed here.
-- At start it recomputes the tree from audit.entries and refuses to serve if the tree no longer
-- matches the latest head it signed: the stored log was altered underneath it. Partners and
-- auditors keep their own copies of the heads they were given, so rewriting both tables together
-- is still caught by them.
--
-- Applied by `liaison migrate` inside one transaction, as the database owner, after 0003.

CREATE TABLE audit.tree_heads (
  tree_size bigint NOT NULL CHECK (tree_size >= 0),
  root_hash bytea NOT NULL CHECK (length(root_hash) = 32),
  signed_at timestamptz NOT NULL,
  envelope  bytea NOT NULL CHECK (length(envelope) BETWEEN 1 AND 4096),  -- the signed envelope as served
  PRIMARY KEY (tree_size, signed_at)
);

-- Heads are evidence: append-only like the entries they commit to.
CREATE TRIGGER tree_heads_append_only BEFORE UPDATE OR DELETE ON audit.tree_heads
  FOR EACH ROW EXECUTE FUNCTION audit.refuse_change();
CREATE TRIGGER tree_heads_no_truncate BEFORE TRUNCATE ON audit.tree_heads
  FOR EACH STATEMENT EXECUTE FUNCTION audit.refuse_change();

GRANT INSERT ON audit.tree_heads TO liaison_audit_writer;
GRANT SELECT ON audit.tree_heads TO liaison_auditor;
