// Importer of lost and stolen travel documents from SLTD-like CSV (docs/formats.md).
#pragma once

#include <cstdint>
#include <istream>
#include <string>
#include <vector>

#include "adapters/database.h"
#include "schema/model.h"
#include "schema/status.h"

namespace liaison::importers {

/// Who owns the imported records and how they are handled.
struct ImportOptions {
  std::string owner;                   ///< the importing member; becomes every record's owner
  std::vector<std::string> visibleTo;  ///< members or groups the records are shared with
  HandlingCode handling = HandlingCode::h2;
  Date retentionUntil{};               ///< purge date given to every record
};

/// What an import did.
struct ImportReport {
  uint64_t rowsRead = 0;      ///< data rows in the file
  uint64_t rowsInserted = 0;  ///< rows that were new; the rest were already present
};

/// The header columns a documents CSV may have; the first five are required.
extern const std::vector<std::string> kDocumentCsvColumns;

/// Parses one data row (fields in header order given by `header`) into a record. `line` is used
/// in the error message, which names the column and the problem.
Result<TravelDocument> parseDocumentRow(const std::vector<std::string>& header, const std::vector<std::string>& fields,
                                        size_t line, const ImportOptions& options);

/// Loads every row of `csv` into documents.travel_documents with COPY, in one transaction, as
/// the enforcement role with `options.owner` as the requesting member. If any row is malformed
/// nothing is written and the error names `sourceName`, the line and the reason. Rows already
/// present (same owner, issuing state, number and type) are left as they are.
Result<ImportReport> importDocuments(const store::DatabaseTarget& target, std::istream& csv,
                                     const std::string& sourceName, const ImportOptions& options);

}  // namespace liaison::importers
