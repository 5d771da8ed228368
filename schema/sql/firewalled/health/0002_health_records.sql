-- The health compartment's database, version 2: health records (as 0001 and 0003 defined them in
-- the main database), readable by liaison_health alone and written by liaison_importer.

CREATE SCHEMA health;

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
  summary         text NOT NULL DEFAULT '',
  import_key      bytea CHECK (length(import_key) = 32)
);
CREATE UNIQUE INDEX ON health.records (owner_member, import_key) WHERE import_key IS NOT NULL;

ALTER TABLE health.records ENABLE ROW LEVEL SECURITY;
ALTER TABLE health.records FORCE ROW LEVEL SECURITY;
CREATE POLICY member_reads ON health.records FOR SELECT USING (federation.may_see(owner_member, visible_to));
CREATE POLICY owner_inserts ON health.records FOR INSERT WITH CHECK (owner_member = federation.requesting_member());
CREATE POLICY owner_deletes ON health.records FOR DELETE USING (owner_member = federation.requesting_member());

DO $connect$
BEGIN
  EXECUTE format('GRANT CONNECT ON DATABASE %I TO liaison_health', current_database());
END
$connect$;
GRANT USAGE ON SCHEMA federation, health TO liaison_health;
GRANT SELECT ON federation.group_members TO liaison_health;
GRANT SELECT ON health.records TO liaison_health;
GRANT USAGE ON SCHEMA liaison_meta TO liaison_health;
GRANT SELECT ON liaison_meta.migrations TO liaison_health;

GRANT USAGE ON SCHEMA health TO liaison_importer;
GRANT SELECT, INSERT, DELETE ON health.records TO liaison_importer;
