-- The justice compartment's database, version 2: justice records (as 0001 and 0003 defined them in
-- the main database), readable by liaison_justice alone and written by liaison_importer.

CREATE SCHEMA justice;

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
  summary         text NOT NULL DEFAULT '',
  import_key      bytea CHECK (length(import_key) = 32)
);
CREATE UNIQUE INDEX ON justice.records (owner_member, import_key) WHERE import_key IS NOT NULL;

ALTER TABLE justice.records ENABLE ROW LEVEL SECURITY;
ALTER TABLE justice.records FORCE ROW LEVEL SECURITY;
CREATE POLICY member_reads ON justice.records FOR SELECT USING (federation.may_see(owner_member, visible_to));
CREATE POLICY owner_inserts ON justice.records FOR INSERT WITH CHECK (owner_member = federation.requesting_member());
CREATE POLICY owner_deletes ON justice.records FOR DELETE USING (owner_member = federation.requesting_member());

DO $connect$
BEGIN
  EXECUTE format('GRANT CONNECT ON DATABASE %I TO liaison_justice', current_database());
END
$connect$;
GRANT USAGE ON SCHEMA federation, justice TO liaison_justice;
GRANT SELECT ON federation.group_members TO liaison_justice;
GRANT SELECT ON justice.records TO liaison_justice;
GRANT USAGE ON SCHEMA liaison_meta TO liaison_justice;
GRANT SELECT ON liaison_meta.migrations TO liaison_justice;

GRANT USAGE ON SCHEMA justice TO liaison_importer;
GRANT SELECT, INSERT, DELETE ON justice.records TO liaison_importer;
