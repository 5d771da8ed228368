-- Liaison schema version 3: idempotent imports.
--
-- Every record table gets `import_key`, the SHA-256 of the record's kind and content fields
-- (reference, owner, visibility, handling and retention left out), unique per owner. An
-- importer inserts with ON CONFLICT DO NOTHING, so importing the same file again changes nothing,
-- even a year later when the computed retention date differs. Records stored without an importer
-- (NULL key) are unaffected: NULLs never conflict. Travel documents and notices have natural keys
-- (owner, state, number, type / owner, notice id) that already make their imports idempotent, so
-- their importers leave the key NULL and a million-row load maintains one index fewer.
DO $keys$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['notices.notices', 'documents.travel_documents', 'immigration.movements',
                           'immigration.refusals', 'immigration.overstays', 'immigration.visa_decisions',
                           'watchlist.persons', 'watchlist.documents', 'health.records', 'justice.records'] LOOP
    EXECUTE format('ALTER TABLE %s ADD COLUMN import_key bytea CHECK (length(import_key) = 32)', t);
    EXECUTE format('CREATE UNIQUE INDEX ON %s (owner_member, import_key) WHERE import_key IS NOT NULL', t);
  END LOOP;
END
$keys$;
