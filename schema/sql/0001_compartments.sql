-- Liaison schema version 1: one PostgreSQL schema per compartment, the database roles that
-- enforce the firewalls, row-level security keyed on the requesting member, and the audit log.
--
-- Applied by `liaison migrate` inside one transaction, as the database owner (never by the node's
-- serving roles). Roles are cluster-wide, so they are created only where missing; grants are per
-- database and are (re)issued every time.

-- ---------------------------------------------------------------------------------------------
-- Roles. Login without password; the cluster's pg_hba decides how each may authenticate.
-- None of them owns a table, so row-level security always applies to them.
-- ---------------------------------------------------------------------------------------------
DO $roles$
DECLARE
  r text;
BEGIN
  FOREACH r IN ARRAY ARRAY['liaison_enforcement', 'liaison_health', 'liaison_justice',
                           'liaison_audit_writer', 'liaison_auditor'] LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
      BEGIN
        EXECUTE format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS', r);
      EXCEPTION WHEN duplicate_object OR unique_violation THEN
        NULL;  -- another database of this cluster is being migrated at the same moment
      END;
    END IF;
  END LOOP;
END
$roles$;

REVOKE ALL ON SCHEMA public FROM PUBLIC;

-- ---------------------------------------------------------------------------------------------
-- Federation: the requesting member of the current transaction and its groups.
-- The store sets `liaison.member` with set_config(..., true) at the start of every transaction;
-- when it is unset nothing is visible and nothing can be written (fail closed).
-- ---------------------------------------------------------------------------------------------
CREATE SCHEMA federation;

CREATE TABLE federation.group_members (
  group_id  text NOT NULL CHECK (group_id ~ '^[A-Za-z0-9._-]{1,64}$'),
  member_id text NOT NULL CHECK (member_id ~ '^[A-Za-z0-9._-]{1,64}$'),
  PRIMARY KEY (group_id, member_id)
);

CREATE FUNCTION federation.requesting_member() RETURNS text
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$ SELECT nullif(current_setting('liaison.member', true), '') $$;

CREATE FUNCTION federation.may_see(owner text, visible_to text[]) RETURNS boolean
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$
    SELECT m IS NOT NULL
       AND (owner = m
            OR m = ANY (visible_to)
            OR visible_to && ARRAY(SELECT g.group_id FROM federation.group_members g WHERE g.member_id = m))
      FROM (SELECT federation.requesting_member() AS m) AS requesting
  $$;

-- ---------------------------------------------------------------------------------------------
-- Column conventions shared by every record table:
--   ref             opaque reference handed out in hits (never a name or a number)
--   owner_member    the member that owns the record; only it may write or purge it
--   visible_to      members or groups that may see it (the owner always may)
--   handling_code   Europol-style h0..h3
--   retention_until purge date
-- Names are stored as recorded (UTF-8). Dates of birth may be partial: YYYY, YYYY-MM or YYYY-MM-DD.
-- ---------------------------------------------------------------------------------------------
CREATE SCHEMA notices;
CREATE SCHEMA documents;
CREATE SCHEMA immigration;
CREATE SCHEMA watchlist;
CREATE SCHEMA health;
CREATE SCHEMA justice;

CREATE DOMAIN federation.member_id AS text CHECK (VALUE ~ '^[A-Za-z0-9._-]{1,64}$');
CREATE DOMAIN federation.handling_code AS text CHECK (VALUE IN ('h0', 'h1', 'h2', 'h3'));
CREATE DOMAIN federation.partial_date AS text CHECK (VALUE ~ '^([0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?)?$');
CREATE DOMAIN federation.sex AS text CHECK (VALUE IN ('unspecified', 'female', 'male'));
CREATE DOMAIN federation.state_code AS text CHECK (VALUE ~ '^([A-Z][A-Z<]{2})?$');
CREATE DOMAIN federation.document_number AS text CHECK (VALUE ~ '^[A-Z0-9]{0,20}$');

CREATE TABLE notices.notices (
  ref                     uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  owner_member            federation.member_id NOT NULL,
  visible_to              text[] NOT NULL DEFAULT '{}',
  handling_code           federation.handling_code NOT NULL,
  retention_until         date NOT NULL,
  colour                  text NOT NULL CHECK (colour IN ('red', 'yellow', 'blue', 'black', 'green', 'orange',
                                                          'purple', 'silver', 'un-special')),
  notice_id               text NOT NULL CHECK (notice_id <> ''),
  family_name             text NOT NULL,
  given_names             text NOT NULL DEFAULT '',
  date_of_birth           federation.partial_date NOT NULL DEFAULT '',
  sex                     federation.sex NOT NULL DEFAULT 'unspecified',
  nationality             federation.state_code NOT NULL DEFAULT '',
  other_nationalities     text[] NOT NULL DEFAULT '{}',
  aliases                 text[] NOT NULL DEFAULT '{}',
  name_in_original_script text NOT NULL DEFAULT '',
  warrant_issuing_states  text[] NOT NULL DEFAULT '{}',
  charges                 text NOT NULL DEFAULT '',
  UNIQUE (owner_member, notice_id)
);

CREATE TABLE documents.travel_documents (
  ref                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  owner_member       federation.member_id NOT NULL,
  visible_to         text[] NOT NULL DEFAULT '{}',
  handling_code      federation.handling_code NOT NULL,
  retention_until    date NOT NULL,
  number             federation.document_number NOT NULL CHECK (number <> ''),
  issuing_state      federation.state_code NOT NULL CHECK (issuing_state <> ''),
  document_type      text NOT NULL CHECK (document_type IN ('passport', 'identity-card', 'visa', 'residence-permit',
                                                            'travel-document', 'other')),
  fraud_type         text NOT NULL CHECK (fraud_type IN ('stolen-blank', 'lost', 'stolen-from-bearer', 'revoked',
                                                         'invalid')),
  issue_date         date,
  expiry_date        date,
  report_date        date NOT NULL,
  review_date        date,
  national_reference text NOT NULL DEFAULT '',
  UNIQUE (owner_member, issuing_state, number, document_type)
);
CREATE INDEX travel_documents_number ON documents.travel_documents (number, issuing_state);

CREATE TABLE immigration.movements (
  ref               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  owner_member      federation.member_id NOT NULL,
  visible_to        text[] NOT NULL DEFAULT '{}',
  handling_code     federation.handling_code NOT NULL,
  retention_until   date NOT NULL,
  family_name       text NOT NULL,
  given_names       text NOT NULL DEFAULT '',
  date_of_birth     federation.partial_date NOT NULL DEFAULT '',
  sex               federation.sex NOT NULL DEFAULT 'unspecified',
  nationality       federation.state_code NOT NULL DEFAULT '',
  document_number   federation.document_number NOT NULL DEFAULT '',
  document_state    federation.state_code NOT NULL DEFAULT '',
  direction         text NOT NULL CHECK (direction IN ('entry', 'exit', 'transit')),
  port              text NOT NULL,
  occurred_at       timestamptz NOT NULL,
  carrier_reference text NOT NULL DEFAULT ''
);
CREATE INDEX movements_document ON immigration.movements (document_number, document_state);
CREATE INDEX movements_person ON immigration.movements (family_name, date_of_birth);

CREATE TABLE immigration.refusals (
  ref             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  owner_member    federation.member_id NOT NULL,
  visible_to      text[] NOT NULL DEFAULT '{}',
  handling_code   federation.handling_code NOT NULL,
  retention_until date NOT NULL,
  family_name     text NOT NULL,
  given_names     text NOT NULL DEFAULT '',
  date_of_birth   federation.partial_date NOT NULL DEFAULT '',
  sex             federation.sex NOT NULL DEFAULT 'unspecified',
  nationality     federation.state_code NOT NULL DEFAULT '',
  document_number federation.document_number NOT NULL DEFAULT '',
  document_state  federation.state_code NOT NULL DEFAULT '',
  port            text NOT NULL,
  refused_on      date NOT NULL,
  grounds         text[] NOT NULL DEFAULT '{}'
);

CREATE TABLE immigration.overstays (
  ref              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  owner_member     federation.member_id NOT NULL,
  visible_to       text[] NOT NULL DEFAULT '{}',
  handling_code    federation.handling_code NOT NULL,
  retention_until  date NOT NULL,
  family_name      text NOT NULL,
  given_names      text NOT NULL DEFAULT '',
  date_of_birth    federation.partial_date NOT NULL DEFAULT '',
  sex              federation.sex NOT NULL DEFAULT 'unspecified',
  nationality      federation.state_code NOT NULL DEFAULT '',
  document_number  federation.document_number NOT NULL DEFAULT '',
  document_state   federation.state_code NOT NULL DEFAULT '',
  authorised_until date NOT NULL,
  detected_on      date NOT NULL
);

CREATE TABLE immigration.visa_decisions (
  ref             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  owner_member    federation.member_id NOT NULL,
  visible_to      text[] NOT NULL DEFAULT '{}',
  handling_code   federation.handling_code NOT NULL,
  retention_until date NOT NULL,
  family_name     text NOT NULL,
  given_names     text NOT NULL DEFAULT '',
  date_of_birth   federation.partial_date NOT NULL DEFAULT '',
  sex             federation.sex NOT NULL DEFAULT 'unspecified',
  nationality     federation.state_code NOT NULL DEFAULT '',
  application_ref text NOT NULL,
  visa_type       text NOT NULL,
  outcome         text NOT NULL CHECK (outcome IN ('granted', 'refused', 'revoked', 'annulled')),
  decided_on      date NOT NULL,
  valid_from      date,
  valid_until     date,
  grounds         text[] NOT NULL DEFAULT '{}'
);

CREATE TABLE watchlist.persons (
  ref             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  owner_member    federation.member_id NOT NULL,
  visible_to      text[] NOT NULL DEFAULT '{}',
  handling_code   federation.handling_code NOT NULL,
  retention_until date NOT NULL,
  family_name     text NOT NULL,
  given_names     text NOT NULL DEFAULT '',
  date_of_birth   federation.partial_date NOT NULL DEFAULT '',
  sex             federation.sex NOT NULL DEFAULT 'unspecified',
  nationality     federation.state_code NOT NULL DEFAULT '',
  aliases         text[] NOT NULL DEFAULT '{}',
  reason_code     text NOT NULL CHECK (reason_code <> ''),
  exclusion_from  date,
  exclusion_until date
);

CREATE TABLE watchlist.documents (
  ref             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  owner_member    federation.member_id NOT NULL,
  visible_to      text[] NOT NULL DEFAULT '{}',
  handling_code   federation.handling_code NOT NULL,
  retention_until date NOT NULL,
  number          federation.document_number NOT NULL CHECK (number <> ''),
  issuing_state   federation.state_code NOT NULL,
  reason_code     text NOT NULL CHECK (reason_code <> ''),
  exclusion_from  date,
  exclusion_until date
);
CREATE INDEX watchlist_documents_number ON watchlist.documents (number, issuing_state);

CREATE TABLE health.records (
  ref             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  owner_member    federation.member_id NOT NULL,
  visible_to      text[] NOT NULL DEFAULT '{}',
  handling_code   federation.handling_code NOT NULL,
  retention_until date NOT NULL,
  family_name     text NOT NULL,
  given_names     text NOT NULL DEFAULT '',
  date_of_birth   federation.partial_date NOT NULL DEFAULT '',
  sex             federation.sex NOT NULL DEFAULT 'unspecified',
  nationality     federation.state_code NOT NULL DEFAULT '',
  facility        text NOT NULL,
  record_kind     text NOT NULL,
  recorded_on     date NOT NULL,
  summary         text NOT NULL DEFAULT ''
);

CREATE TABLE justice.records (
  ref             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  owner_member    federation.member_id NOT NULL,
  visible_to      text[] NOT NULL DEFAULT '{}',
  handling_code   federation.handling_code NOT NULL,
  retention_until date NOT NULL,
  family_name     text NOT NULL,
  given_names     text NOT NULL DEFAULT '',
  date_of_birth   federation.partial_date NOT NULL DEFAULT '',
  sex             federation.sex NOT NULL DEFAULT 'unspecified',
  nationality     federation.state_code NOT NULL DEFAULT '',
  court           text NOT NULL,
  case_number     text NOT NULL,
  record_kind     text NOT NULL,
  filed_on        date NOT NULL,
  summary         text NOT NULL DEFAULT ''
);

-- Row-level security on every record table: read what the requesting member may see, write and
-- purge only what it owns. FORCE makes it apply to the table owner too.
DO $rls$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['notices.notices', 'documents.travel_documents', 'immigration.movements',
                           'immigration.refusals', 'immigration.overstays', 'immigration.visa_decisions',
                           'watchlist.persons', 'watchlist.documents', 'health.records', 'justice.records'] LOOP
    EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY member_reads ON %s FOR SELECT USING (federation.may_see(owner_member, visible_to))', t);
    EXECUTE format('CREATE POLICY owner_inserts ON %s FOR INSERT WITH CHECK (owner_member = federation.requesting_member())', t);
    EXECUTE format('CREATE POLICY owner_deletes ON %s FOR DELETE USING (owner_member = federation.requesting_member())', t);
  END LOOP;
END
$rls$;

-- ---------------------------------------------------------------------------------------------
-- Audit log: append-only. The writer may only insert, the auditor may only read, and nobody may
-- change or remove an entry through SQL (the trigger refuses even the table owner).
-- ---------------------------------------------------------------------------------------------
CREATE SCHEMA audit;

CREATE TABLE audit.entries (
  seq               bigint GENERATED ALWAYS AS IDENTITY (MINVALUE 0 START WITH 0) PRIMARY KEY,
  recorded_at       timestamptz NOT NULL,
  requester         text NOT NULL DEFAULT '',
  officer_pseudonym text NOT NULL DEFAULT '',
  role              text NOT NULL DEFAULT '',
  purpose           text NOT NULL DEFAULT '',
  case_reference    text NOT NULL DEFAULT '',
  query_kind        text NOT NULL DEFAULT '',
  query_digest      bytea NOT NULL CHECK (length(query_digest) = 32),
  decision          text NOT NULL CHECK (decision IN ('permitted', 'refused', 'invalid')),
  reason            text NOT NULL DEFAULT '',
  record_refs       text[] NOT NULL DEFAULT '{}',
  response_digest   bytea NOT NULL CHECK (length(response_digest) = 32),
  entry             bytea NOT NULL  -- canonical Cap'n Proto encoding of the AuditEntry
);
CREATE INDEX entries_recorded_at ON audit.entries (recorded_at);

CREATE FUNCTION audit.refuse_change() RETURNS trigger
  LANGUAGE plpgsql
  AS $$ BEGIN RAISE EXCEPTION 'the audit log is append-only' USING ERRCODE = 'insufficient_privilege'; END $$;
CREATE TRIGGER entries_append_only BEFORE UPDATE OR DELETE ON audit.entries
  FOR EACH ROW EXECUTE FUNCTION audit.refuse_change();
CREATE TRIGGER entries_no_truncate BEFORE TRUNCATE ON audit.entries
  FOR EACH STATEMENT EXECUTE FUNCTION audit.refuse_change();

-- ---------------------------------------------------------------------------------------------
-- Grants. Enforcement-facing work gets the four enforcement compartments and nothing of health
-- or justice; health and justice each get only their own; audit roles get only the log.
-- ---------------------------------------------------------------------------------------------
GRANT USAGE ON SCHEMA federation TO liaison_enforcement, liaison_health, liaison_justice;
GRANT SELECT ON federation.group_members TO liaison_enforcement, liaison_health, liaison_justice;

GRANT USAGE ON SCHEMA notices, documents, immigration, watchlist TO liaison_enforcement;
GRANT SELECT, INSERT, DELETE ON ALL TABLES IN SCHEMA notices, documents, immigration, watchlist
  TO liaison_enforcement;

GRANT USAGE ON SCHEMA health TO liaison_health;
GRANT SELECT, INSERT, DELETE ON health.records TO liaison_health;

GRANT USAGE ON SCHEMA justice TO liaison_justice;
GRANT SELECT, INSERT, DELETE ON justice.records TO liaison_justice;

GRANT USAGE ON SCHEMA audit TO liaison_audit_writer, liaison_auditor;
GRANT INSERT ON audit.entries TO liaison_audit_writer;
GRANT SELECT ON audit.entries TO liaison_auditor;
