#include "adapters/csv_import.h"

#include <algorithm>
#include <map>
#include <set>

#include "adapters/csv.h"
#include "adapters/pg_session.h"
#include "adapters/record_rows.h"
#include "crypto/digest.h"
#include "schema/limits.h"
#include "schema/record_fields.h"

// pqxx 6.4's tablewriter is the only public way to COPY rows whose column count is known at run
// time (stream_to takes tuples). It is deprecated there, not broken; the warning stays local.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#include <pqxx/tablewriter>
#pragma GCC diagnostic pop

namespace liaison::importers {
namespace {

constexpr uint64_t kProgressEvery = 10'000;

// Columns a file must have for each kind; every other field of the kind is optional (empty text,
// no date, the enum's default).
std::vector<std::string> requiredColumns(RecordKind kind) {
  switch (kind) {
    case RecordKind::notice: return {"colour", "notice_id", "family_name"};
    case RecordKind::travelDocument: return {"number", "issuing_state", "document_type", "fraud_type", "report_date"};
    case RecordKind::movement: return {"family_name", "direction", "port", "occurred_at"};
    case RecordKind::refusal: return {"family_name", "port", "refused_on", "grounds"};
    case RecordKind::overstay: return {"family_name", "authorised_until", "detected_on"};
    case RecordKind::visaDecision: return {"family_name", "application_ref", "visa_type", "outcome", "decided_on"};
    case RecordKind::watchlistPerson: return {"family_name", "reason_code"};
    case RecordKind::watchlistDocument: return {"number", "issuing_state", "reason_code"};
    case RecordKind::healthRecord: return {"family_name", "facility", "record_kind", "recorded_on"};
    case RecordKind::justiceRecord: return {"family_name", "court", "case_number", "record_kind", "filed_on"};
  }
  return {};
}

// Older SLTD-style files call the document type `type`.
std::string canonicalColumn(RecordKind kind, const std::string& column) {
  if (kind == RecordKind::travelDocument && column == "type") return "document_type";
  return column;
}

bool isStateColumn(std::string_view column) {
  return column == "issuing_state" || column == "nationality" || column == "document_state";
}

// Field names of a kind in field-list order, without the reference and the owner (never imported).
struct FieldNames {
  std::vector<std::string> names;
  void ref(std::string&) {}
  template <typename T>
  void field(const char* name, T&) {
    if (std::string_view(name) != "owner_member") names.emplace_back(name);
  }
};

std::vector<std::string> fieldNames(RecordKind kind) {
  Record record = defaultRecord(kind);
  FieldNames collector;
  visitFields(collector, record);
  return std::move(collector.names);
}

std::vector<std::string> splitList(const std::string& text) {
  std::vector<std::string> items;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(';', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) items.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return items;
}

// Fills a record from the text of its columns, recording the first problem with line and column.
struct RowParser {
  const std::vector<std::string>& header;
  const std::vector<std::string>& fields;
  size_t line;
  std::optional<Error> error;

  // Headers are short (a dozen columns), so a scan beats building a map for every row.
  const std::string* text(std::string_view column) const {
    for (size_t i = 0; i < header.size(); ++i) {
      if (header[i] == column) return &fields[i];
    }
    return nullptr;
  }
  void problem(const char* column, const std::string& what) {
    if (!error) error = fail(ErrorKind::invalidInput, "line " + std::to_string(line) + ", column " + column + ": " + what);
  }
  template <typename T>
  void take(const char* column, T& out, Result<T> parsed) {
    if (parsed) out = std::move(parsed).value();
    else problem(column, parsed.error().message);
  }

  void ref(std::string&) {}
  void field(const char* column, std::string& v) {
    const std::string* t = text(column);
    if (t == nullptr || std::string_view(column) == "owner_member") return;
    if (!t->empty() && isStateColumn(column) && !isIcaoStateCode(*t)) {
      return problem(column, "'" + t->substr(0, 16) + "' is not a three-letter ICAO code");
    }
    if (!t->empty() && std::string_view(column) == "document_number") {
      auto number = DocumentNumber::parse(*t);
      if (!number) return problem(column, number.error().message);
      v = number->str();
      return;
    }
    v = *t;
  }
  void field(const char* column, Date& v) {
    if (const std::string* t = text(column); t != nullptr && !t->empty()) take(column, v, parseDate(*t));
  }
  void field(const char* column, std::optional<Date>& v) {
    const std::string* t = text(column);
    if (t == nullptr || t->empty()) return;
    auto date = parseDate(*t);
    if (!date) return problem(column, date.error().message);
    v = *date;
  }
  void field(const char* column, Timestamp& v) {
    if (const std::string* t = text(column); t != nullptr && !t->empty()) take(column, v, parseTimestamp(*t));
  }
  void field(const char* column, PartialDate& v) {
    if (const std::string* t = text(column)) take(column, v, parsePartialDate(*t));
  }
  void field(const char* column, DocumentNumber& v) {
    if (const std::string* t = text(column)) take(column, v, DocumentNumber::parse(*t));
  }
  void field(const char* column, std::vector<std::string>& v) {
    const std::string* t = text(column);
    if (t == nullptr) return;
    if (t->empty() && std::string_view(column) == "visible_to") return;  // the command line's default
    v = splitList(*t);
    if (isStateColumn(column) || std::string_view(column).find("states") != std::string_view::npos ||
        std::string_view(column).find("nationalities") != std::string_view::npos) {
      for (const auto& code : v) {
        if (!isIcaoStateCode(code)) return problem(column, "'" + code.substr(0, 16) + "' is not a three-letter ICAO code");
      }
    }
  }
  template <typename E>
    requires std::is_enum_v<E>
  void field(const char* column, E& v) {
    const std::string* t = text(column);
    if (t == nullptr || t->empty()) return;
    auto parsed = parseName<E>(*t);
    if (!parsed) return problem(column, "unknown value '" + t->substr(0, 32) + "'");
    v = *parsed;
  }
};

// One COPY text-format line of a record's columns (those of fieldNames), then its import key.
struct CopyLine {
  std::string line;
  bool contentOnly = false;  // leave out visibility, handling and retention (for the import key)

  static bool isMeta(std::string_view column) {
    return column == "owner_member" || column == "visible_to" || column == "handling_code" ||
           column == "retention_until";
  }

  void append(std::string_view text) {
    if (!line.empty()) line += '\t';
    for (char c : text) {
      switch (c) {
        case '\\': line += "\\\\"; break;
        case '\t': line += "\\t"; break;
        case '\n': line += "\\n"; break;
        case '\r': line += "\\r"; break;
        default: line += c;
      }
    }
  }
  void appendNull() { line += line.empty() ? "\\N" : "\t\\N"; }

  void ref(std::string&) {}
  template <typename T>
  void field(const char* column, T& v) {
    if (std::string_view(column) == "owner_member" || (contentOnly && isMeta(column))) return;
    value(v);
  }
  void value(const std::string& v) { append(v); }
  void value(const Date& v) { append(formatDate(v)); }
  void value(const std::optional<Date>& v) {
    if (v) append(formatDate(*v));
    else appendNull();
  }
  void value(const Timestamp& v) { append(formatTimestamp(v)); }
  void value(const PartialDate& v) { append(formatPartialDate(v)); }
  void value(const DocumentNumber& v) { append(v.str()); }
  void value(const std::vector<std::string>& v) { append(store::textArrayLiteral(v)); }
  template <typename E>
    requires std::is_enum_v<E>
  void value(const E& v) { append(name(v)); }
};

Error withSource(const std::string& source, const Error& e) { return Error{e.kind, source + ": " + e.message}; }

// Quotes a field for the rejects file (RFC 4180).
std::string csvQuote(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// One rejects-file row: the leading cell, then every field of the input row, quoted as needed.
void writeRejectsRow(std::ostream& out, const std::string& leading, const std::vector<std::string>& fields) {
  out << leading;
  for (const auto& field : fields) out << "," << csvQuote(field);
  out << "\n";
}

Status checkOptions(const ImportOptions& options) {
  if (!store::isValidMemberId(options.owner)) {
    return fail(ErrorKind::invalidInput, "owner member id '" + options.owner.substr(0, 64) + "' is not valid");
  }
  for (const auto& v : options.visibleTo) {
    if (!store::isValidMemberId(v)) {
      return fail(ErrorKind::invalidInput, "visible-to entry '" + v.substr(0, 64) + "' is not a member or group id");
    }
  }
  if (!options.retentionUntil.ok()) return fail(ErrorKind::invalidInput, "no valid retention date given");
  return {};
}

// Writes records into the kind's table through COPY into a private staging table, then one INSERT
// that the row-level security insert policy checks (COPY cannot write into a table with RLS).
class StagedInsert {
 public:
  StagedInsert(pqxx::work& tx, RecordKind kind)
      : tx_(tx), table_(store::tableName(kind)), columns_(fieldNames(kind)),
        // Kinds with a natural unique key are idempotent without one (schema/sql/0003).
        withImportKey_(kind != RecordKind::travelDocument && kind != RecordKind::notice) {
    columns_.insert(columns_.begin(), "owner_member");
    tx_.exec("CREATE TEMP TABLE import_rows (LIKE " + std::string(table_) + " INCLUDING DEFAULTS) ON COMMIT DROP");
    std::vector<std::string> copyColumns = columns_;
    copyColumns.push_back("import_key");
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    writer_.emplace(tx_, "import_rows", copyColumns.begin(), copyColumns.end());
#pragma GCC diagnostic pop
  }

  void add(const Record& record) {
    Record copy = record;
    CopyLine line;
    line.append(metaOf(copy).owner);
    visitFields(line, copy);
    if (withImportKey_) line.append("\\x" + crypto::hex(importKey(record)));
    else line.appendNull();
    writer_->write_raw_line(line.line);
  }

  uint64_t finish() {
    writer_->complete();
    writer_.reset();
    std::string columns;
    for (const auto& c : columns_) columns += (columns.empty() ? "" : ", ") + c;
    auto inserted = tx_.exec("INSERT INTO " + std::string(table_) + " (" + columns + ", import_key) SELECT " + columns +
                             ", import_key FROM import_rows ON CONFLICT DO NOTHING");
    return inserted.affected_rows();
  }

 private:
  pqxx::work& tx_;
  std::string_view table_;
  std::vector<std::string> columns_;
  bool withImportKey_;
  std::optional<pqxx::tablewriter> writer_;
};

}  // namespace

std::vector<CsvColumn> csvColumns(RecordKind kind) {
  std::vector<CsvColumn> columns;
  const auto required = requiredColumns(kind);
  for (const auto& r : required) columns.push_back({r, true});
  for (const auto& name : fieldNames(kind)) {
    if (std::find(required.begin(), required.end(), name) == required.end()) columns.push_back({name, false});
  }
  return columns;
}

Digest importKey(const Record& record) {
  Record content = record;
  CopyLine line;
  line.contentOnly = true;
  line.append("liaison/import-key/v1");
  line.append(name(kindOf(record)));
  visitFields(line, content);
  const auto* bytes = reinterpret_cast<const uint8_t*>(line.line.data());
  return crypto::sha256({bytes, line.line.size()});
}

Result<Record> parseCsvRow(RecordKind kind, const std::vector<std::string>& header, const std::vector<std::string>& fields,
                           size_t line, const ImportOptions& options) {
  if (fields.size() != header.size()) {
    return fail(ErrorKind::invalidInput, "line " + std::to_string(line) + ": expected " + std::to_string(header.size()) +
                                             " fields, found " + std::to_string(fields.size()));
  }
  Record record = defaultRecord(kind);
  RecordMeta& meta = metaOf(record);
  meta.owner = options.owner;
  meta.visibleTo = options.visibleTo;
  meta.handling = options.handling;
  meta.retentionUntil = options.retentionUntil;
  RowParser parser{header, fields, line, std::nullopt};
  visitFields(parser, record);
  for (const auto& visible : meta.visibleTo) {
    if (!store::isValidMemberId(visible)) parser.problem("visible_to", "'" + visible.substr(0, 64) + "' is not a member or group id");
  }
  for (const auto& column : requiredColumns(kind)) {
    const std::string* value = parser.text(column);
    if (value != nullptr && value->empty()) parser.problem(column.c_str(), "a value is required");
  }
  if (auto* doc = std::get_if<TravelDocument>(&record)) {
    if (doc->issueDate && doc->expiryDate && *doc->expiryDate < *doc->issueDate) {
      parser.problem("expiry_date", "expires before it was issued");
    }
  }
  // A record that could not travel in an answer is refused here rather than stored.
  if (auto over = limits::recordOverLimit(record)) parser.problem(over->column.c_str(), over->problem);
  if (parser.error) return *parser.error;
  return record;
}

Result<ImportReport> importCsv(const store::DatabaseTarget& target, RecordKind kind, std::istream& csv,
                               const std::string& sourceName, const ImportOptions& options,
                               const ImportControl& control) {
  if (auto ok = checkOptions(options); !ok) return ok.error();
  CsvReader reader(csv);
  std::vector<std::string> fields;
  auto first = reader.next(fields);
  if (!first) return withSource(sourceName, first.error());
  if (!*first) return withSource(sourceName, fail(ErrorKind::invalidInput, "line 1: the file is empty; expected a header"));

  // The header: known columns only, each once, every required one present.
  std::vector<std::string> header;
  const auto known = fieldNames(kind);
  for (const auto& raw : fields) {
    std::string column = canonicalColumn(kind, raw);
    if (std::find(known.begin(), known.end(), column) == known.end()) {
      return withSource(sourceName, fail(ErrorKind::invalidInput, "line 1: unknown column '" + raw.substr(0, 64) +
                                                                      "' for " + std::string(name(kind)) + " records"));
    }
    if (std::find(header.begin(), header.end(), column) != header.end()) {
      return withSource(sourceName, fail(ErrorKind::invalidInput, "line 1: column '" + column + "' appears twice"));
    }
    header.push_back(column);
  }
  for (const auto& required : requiredColumns(kind)) {
    if (std::find(header.begin(), header.end(), required) == header.end()) {
      return withSource(sourceName, fail(ErrorKind::invalidInput, "line 1: required column '" + required + "' is missing"));
    }
  }
  if (control.rejects != nullptr) {
    writeRejectsRow(*control.rejects, "line,reason", fields);
  }

  ImportReport report;
  try {
    auto conn = store::openConnection(target, store::DbRole::importer, store::databaseOf(compartmentOf(kind)));
    store::allowLongStatements(*conn);
    pqxx::work tx(*conn);
    store::setRequestingMember(tx, options.owner);
    StagedInsert insert(tx, kind);
    for (;;) {
      auto more = reader.next(fields);
      if (!more) return withSource(sourceName, more.error());  // the CSV itself is broken: stop
      if (!*more) break;
      ++report.rowsRead;
      auto record = parseCsvRow(kind, header, fields, reader.recordLine(), options);
      if (!record) {
        if (control.rejects == nullptr) return withSource(sourceName, record.error());  // nothing is committed
        writeRejectsRow(*control.rejects, std::to_string(reader.recordLine()) + "," + csvQuote(record.error().message),
                        fields);
        ++report.rowsRejected;
      } else {
        insert.add(*record);
      }
      if (control.progress && report.rowsRead % kProgressEvery == 0) {
        control.progress(report.rowsRead, static_cast<uint64_t>(std::max<std::streamoff>(csv.tellg(), 0)));
      }
    }
    report.rowsInserted = insert.finish();
    if (control.beforeCommit) {
      if (Status ready = control.beforeCommit(report); !ready) return withSource(sourceName, ready.error());
    }
    tx.commit();
  } catch (const std::exception& e) {
    return withSource(sourceName, store::databaseError("importing " + std::string(name(kind)) + " records", e));
  }
  if (control.progress) control.progress(report.rowsRead, static_cast<uint64_t>(std::max<std::streamoff>(csv.tellg(), 0)));
  return report;
}

Result<ImportReport> importRecords(const store::DatabaseTarget& target, RecordKind kind, const std::vector<Record>& records,
                                   const ImportOptions& options, const ImportControl& control) {
  if (auto ok = checkOptions(options); !ok) return ok.error();
  ImportReport report;
  try {
    auto conn = store::openConnection(target, store::DbRole::importer, store::databaseOf(compartmentOf(kind)));
    store::allowLongStatements(*conn);
    pqxx::work tx(*conn);
    store::setRequestingMember(tx, options.owner);
    StagedInsert insert(tx, kind);
    for (const Record& record : records) {
      if (kindOf(record) != kind) return fail(ErrorKind::invalidInput, "record of another kind in a " + std::string(name(kind)) + " import");
      insert.add(record);
      ++report.rowsRead;
    }
    report.rowsInserted = insert.finish();
    if (control.beforeCommit) {
      if (Status ready = control.beforeCommit(report); !ready) return ready.error();
    }
    tx.commit();
  } catch (const std::exception& e) {
    return store::databaseError("importing " + std::string(name(kind)) + " records", e);
  }
  return report;
}

}  // namespace liaison::importers
