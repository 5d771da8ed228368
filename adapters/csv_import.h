// Importing records of any kind from CSV (layouts in docs/formats.md): parse and validate every
// row, then COPY the good ones into the kind's table in one transaction. All or nothing by default;
// with a rejects stream the good rows land and the bad ones are written there with line and reason.
#pragma once

#include <cstdint>
#include <functional>
#include <istream>
#include <ostream>
#include <string>
#include <vector>

#include "adapters/database.h"
#include "schema/model.h"
#include "schema/status.h"

namespace liaison::importers {

/// Who owns the imported records and how they are handled. A file may override visibility,
/// handling code and retention per row with the columns `visible_to`, `handling_code` and
/// `retention_until`.
struct ImportOptions {
  std::string owner;                   ///< the importing member; becomes every record's owner
  std::vector<std::string> visibleTo;  ///< members or groups the records are shared with
  HandlingCode handling = HandlingCode::h2;
  Date retentionUntil{};               ///< purge date given to every record
};

/// What an import did.
struct ImportReport {
  uint64_t rowsRead = 0;      ///< data rows in the file
  uint64_t rowsInserted = 0;  ///< rows that were new; the rest were already present or rejected
  uint64_t rowsRejected = 0;  ///< rows written to the rejects stream
};

/// Optional behaviour of an import.
struct ImportControl {
  /// When set, bad rows are written here (CSV: `line,reason,` then the row's fields) and the good
  /// rows are imported; when null, the first bad row aborts the import and nothing is written.
  std::ostream* rejects = nullptr;
  /// Called every few thousand rows and at the end with rows read so far and bytes consumed.
  std::function<void(uint64_t rows, uint64_t bytes)> progress;
  /// Called once every row is written, before the transaction commits (the command audits the
  /// import there); an error rolls the whole import back.
  std::function<Status(const ImportReport&)> beforeCommit;
};

/// One column of a kind's CSV layout.
struct CsvColumn {
  std::string name;  ///< also the SQL column and the policy field name
  bool required;
};

/// The CSV columns a file of `kind` may have, required ones first. The meta columns
/// `visible_to`, `handling_code` and `retention_until` are accepted for every kind.
std::vector<CsvColumn> csvColumns(RecordKind kind);

/// Parses one data row (fields in the order of `header`) into a record of `kind`. Errors name the
/// line and column: `line 4, column issuing_state: 'Utopia' is not a three-letter ICAO code`.
Result<Record> parseCsvRow(RecordKind kind, const std::vector<std::string>& header,
                           const std::vector<std::string>& fields, size_t line, const ImportOptions& options);

/// Imports every row of `csv` as records of `kind`, in one transaction, connected as the role of
/// the kind's compartment with `options.owner` as the requesting member. Errors are prefixed with
/// `sourceName`. Rows whose content is already stored for this owner are left as they are.
Result<ImportReport> importCsv(const store::DatabaseTarget& target, RecordKind kind, std::istream& csv,
                               const std::string& sourceName, const ImportOptions& options,
                               const ImportControl& control = {});

/// SHA-256 of a record's kind and content fields (everything but reference, owner, visibility,
/// handling and retention, in field-list order, as their COPY text). Unique per owner in every
/// table (schema/sql/0003), so imports are idempotent.
Digest importKey(const Record& record);

/// Stores already-parsed records (from JSON or EDIFACT importers) the same way importCsv does.
Result<ImportReport> importRecords(const store::DatabaseTarget& target, RecordKind kind,
                                   const std::vector<Record>& records, const ImportOptions& options,
                                   const ImportControl& control = {});

}  // namespace liaison::importers
