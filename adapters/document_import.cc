#include "adapters/document_import.h"

#include <algorithm>
#include <tuple>

#include "adapters/csv.h"
#include "adapters/pg_session.h"
#include "adapters/record_rows.h"

namespace liaison::importers {

const std::vector<std::string> kDocumentCsvColumns = {
    "number",     "issuing_state", "type",        "fraud_type",        "report_date",
    "issue_date", "expiry_date",   "review_date", "national_reference",
};

namespace {

constexpr size_t kRequiredColumns = 5;

Error rowError(size_t line, const std::string& column, const std::string& what) {
  return fail(ErrorKind::invalidInput, "line " + std::to_string(line) + ", column " + column + ": " + what);
}

Result<std::vector<std::string>> checkHeader(const std::vector<std::string>& header) {
  for (const auto& column : header) {
    if (std::find(kDocumentCsvColumns.begin(), kDocumentCsvColumns.end(), column) == kDocumentCsvColumns.end()) {
      return fail(ErrorKind::invalidInput, "line 1: unknown column '" + column.substr(0, 64) + "'");
    }
    if (std::count(header.begin(), header.end(), column) > 1) {
      return fail(ErrorKind::invalidInput, "line 1: column '" + column + "' appears twice");
    }
  }
  for (size_t i = 0; i < kRequiredColumns; ++i) {
    if (std::find(header.begin(), header.end(), kDocumentCsvColumns[i]) == header.end()) {
      return fail(ErrorKind::invalidInput, "line 1: required column '" + kDocumentCsvColumns[i] + "' is missing");
    }
  }
  return header;
}

}  // namespace

Result<TravelDocument> parseDocumentRow(const std::vector<std::string>& header, const std::vector<std::string>& fields,
                                        size_t line, const ImportOptions& options) {
  if (fields.size() != header.size()) {
    return fail(ErrorKind::invalidInput, "line " + std::to_string(line) + ": expected " +
                                             std::to_string(header.size()) + " fields, found " +
                                             std::to_string(fields.size()));
  }
  TravelDocument doc;
  doc.meta.owner = options.owner;
  doc.meta.visibleTo = options.visibleTo;
  doc.meta.handling = options.handling;
  doc.meta.retentionUntil = options.retentionUntil;
  bool hasReportDate = false;
  for (size_t i = 0; i < header.size(); ++i) {
    const std::string& column = header[i];
    const std::string& value = fields[i];
    auto optionalDate = [&](std::optional<Date>& out) -> Status {
      if (value.empty()) return {};
      auto date = parseDate(value);
      if (!date) return rowError(line, column, date.error().message);
      out = *date;
      return {};
    };
    Status status;
    if (column == "number") {
      auto number = DocumentNumber::parse(value);
      if (!number) return rowError(line, column, number.error().message);
      doc.number = *number;
    } else if (column == "issuing_state") {
      if (!isIcaoStateCode(value)) return rowError(line, column, "'" + value.substr(0, 8) + "' is not a three-letter ICAO code");
      doc.issuingState = value;
    } else if (column == "type") {
      auto type = parseDocumentType(value);
      if (!type) {
        return rowError(line, column, "unknown document type '" + value.substr(0, 32) +
                                          "' (passport, identity-card, visa, residence-permit, travel-document, other)");
      }
      doc.type = *type;
    } else if (column == "fraud_type") {
      auto fraud = parseFraudType(value);
      if (!fraud) {
        return rowError(line, column, "unknown fraud type '" + value.substr(0, 32) +
                                          "' (stolen-blank, lost, stolen-from-bearer, revoked, invalid)");
      }
      doc.fraudType = *fraud;
    } else if (column == "report_date") {
      auto date = parseDate(value);
      if (!date) return rowError(line, column, date.error().message);
      doc.reportDate = *date;
      hasReportDate = true;
    } else if (column == "issue_date") {
      status = optionalDate(doc.issueDate);
    } else if (column == "expiry_date") {
      status = optionalDate(doc.expiryDate);
    } else if (column == "review_date") {
      status = optionalDate(doc.reviewDate);
    } else if (column == "national_reference") {
      doc.nationalReference = value;
    }
    if (!status) return status.error();
  }
  if (!hasReportDate) return rowError(line, "report_date", "missing");
  if (doc.issueDate && doc.expiryDate && *doc.expiryDate < *doc.issueDate) {
    return rowError(line, "expiry_date", "expires before it was issued");
  }
  return doc;
}

Result<ImportReport> importDocuments(const store::DatabaseTarget& target, std::istream& csv,
                                     const std::string& sourceName, const ImportOptions& options) {
  auto withSource = [&](const Error& e) { return Error{e.kind, sourceName + ": " + e.message}; };
  if (!store::isValidMemberId(options.owner)) {
    return fail(ErrorKind::invalidInput, "owner member id '" + options.owner.substr(0, 64) + "' is not valid");
  }
  for (const auto& v : options.visibleTo) {
    if (!store::isValidMemberId(v)) return fail(ErrorKind::invalidInput, "visible-to entry '" + v.substr(0, 64) + "' is not valid");
  }

  CsvReader reader(csv);
  std::vector<std::string> fields;
  auto first = reader.next(fields);
  if (!first) return withSource(first.error());
  if (!*first) return withSource(fail(ErrorKind::invalidInput, "line 1: the file is empty; expected a header"));
  auto header = checkHeader(fields);
  if (!header) return withSource(header.error());

  ImportReport report;
  try {
    auto conn = store::openConnection(target, store::DbRole::enforcement);
    pqxx::work tx(*conn);
    store::setRequestingMember(tx, options.owner);
    // COPY cannot write into a table with row-level security, so rows go through a private
    // staging table and one INSERT ... SELECT, which the insert policy then checks.
    tx.exec(
        "CREATE TEMP TABLE import_documents (number text, issuing_state text, document_type text, fraud_type text, "
        "issue_date text, expiry_date text, report_date text, review_date text, national_reference text) "
        "ON COMMIT DROP");
    {
      pqxx::stream_to copy(tx, "import_documents",
                           std::vector<std::string>{"number", "issuing_state", "document_type", "fraud_type",
                                                    "issue_date", "expiry_date", "report_date", "review_date",
                                                    "national_reference"});
      auto optionalDate = [](const std::optional<Date>& d) { return d ? formatDate(*d) : std::string(); };
      for (;;) {
        auto more = reader.next(fields);
        if (!more) {
          copy.complete();
          return withSource(more.error());
        }
        if (!*more) break;
        auto doc = parseDocumentRow(*header, fields, reader.recordLine(), options);
        if (!doc) {
          copy.complete();
          return withSource(doc.error());  // the transaction is dropped uncommitted: nothing lands
        }
        copy << std::make_tuple(doc->number.str(), doc->issuingState, std::string(name(doc->type)),
                                std::string(name(doc->fraudType)), optionalDate(doc->issueDate),
                                optionalDate(doc->expiryDate), formatDate(doc->reportDate),
                                optionalDate(doc->reviewDate), doc->nationalReference);
        ++report.rowsRead;
      }
      copy.complete();
    }
    auto inserted = tx.exec_params(
        "INSERT INTO documents.travel_documents (owner_member, visible_to, handling_code, retention_until, number, "
        "issuing_state, document_type, fraud_type, issue_date, expiry_date, report_date, review_date, "
        "national_reference) "
        "SELECT $1, $2::text[], $3, $4::date, number, issuing_state, document_type, fraud_type, "
        "nullif(issue_date, '')::date, nullif(expiry_date, '')::date, report_date::date, "
        "nullif(review_date, '')::date, national_reference FROM import_documents "
        "ON CONFLICT (owner_member, issuing_state, number, document_type) DO NOTHING",
        options.owner, store::textArrayLiteral(options.visibleTo), std::string(name(options.handling)),
        formatDate(options.retentionUntil));
    report.rowsInserted = inserted.affected_rows();
    tx.commit();
  } catch (const std::exception& e) {
    return withSource(store::databaseError("importing documents", e));
  }
  return report;
}

}  // namespace liaison::importers
