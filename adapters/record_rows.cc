#include "adapters/record_rows.h"

#include <cassert>

#include "schema/record_fields.h"

namespace liaison::store {
namespace {

template <typename T>
T require(Result<T> result, std::string_view column) {
  if (!result) throw RowDecodeError("column " + std::string(column) + ": " + result.error().message);
  return std::move(result).value();
}

// --- the three visitors over a kind's field list ----------------------------------------------

// Collects column names and select expressions.
struct ColumnLister {
  std::vector<std::string> selects;
  void ref(std::string&) { selects.emplace_back("ref::text"); }
  template <typename T>
  void field(const char* column, T&) { selects.emplace_back(column); }
  void field(const char* column, Timestamp&) {
    selects.push_back(std::string("to_char(") + column + R"( AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))");
  }
};

// Turns a record's fields into INSERT columns and parameters.
struct RowWriter {
  std::vector<std::string> columns;
  std::vector<std::string> placeholders;
  SqlParams params;

  void put(const char* column, std::optional<std::string> value, const char* cast = "") {
    columns.emplace_back(column);
    placeholders.push_back(params.add(std::move(value)) + cast);
  }
  void ref(std::string& ref) {
    if (!ref.empty()) put("ref", ref, "::uuid");  // otherwise the database assigns one
  }
  void field(const char* column, std::string& v) { put(column, v); }
  void field(const char* column, Date& v) { put(column, formatDate(v), "::date"); }
  void field(const char* column, std::optional<Date>& v) {
    put(column, v ? std::optional(formatDate(*v)) : std::nullopt, "::date");
  }
  void field(const char* column, Timestamp& v) { put(column, formatTimestamp(v), "::timestamptz"); }
  void field(const char* column, PartialDate& v) { put(column, formatPartialDate(v)); }
  void field(const char* column, DocumentNumber& v) { put(column, v.str()); }
  void field(const char* column, std::vector<std::string>& v) { put(column, textArrayLiteral(v), "::text[]"); }
  template <typename E>
    requires std::is_enum_v<E>
  void field(const char* column, E& v) { put(column, std::string(name(v))); }
};

// Reads a selected row back into a record, column by column in field-list order.
struct RowReader {
  const pqxx::row& row;
  int index = 0;

  pqxx::field next(const char* column) {
    if (index >= static_cast<int>(row.size())) throw RowDecodeError(std::string("missing column ") + column);
    return row[index++];
  }
  std::string text(const char* column) {
    const pqxx::field f = next(column);
    if (f.is_null()) throw RowDecodeError(std::string("column ") + column + " is null");
    return f.c_str();
  }
  void ref(std::string& ref) { ref = text("ref"); }
  void field(const char* column, std::string& v) { v = text(column); }
  void field(const char* column, Date& v) { v = require(parseDate(text(column)), column); }
  void field(const char* column, std::optional<Date>& v) {
    const pqxx::field f = next(column);
    v = f.is_null() ? std::nullopt : std::optional(require(parseDate(f.c_str()), column));
  }
  void field(const char* column, Timestamp& v) { v = require(parseTimestamp(text(column)), column); }
  void field(const char* column, PartialDate& v) { v = require(parsePartialDate(text(column)), column); }
  void field(const char* column, DocumentNumber& v) { v = require(DocumentNumber::parse(text(column)), column); }
  void field(const char* column, std::vector<std::string>& v) {
    const pqxx::field f = next(column);
    if (f.is_null()) throw RowDecodeError(std::string("column ") + column + " is null");
    v.clear();
    auto parser = f.as_array();
    for (auto [juncture, value] = parser.get_next(); juncture != pqxx::array_parser::done;
         std::tie(juncture, value) = parser.get_next()) {
      if (juncture == pqxx::array_parser::string_value) v.push_back(value);
      if (juncture == pqxx::array_parser::null_value) throw RowDecodeError(std::string("null in ") + column);
    }
  }
  template <typename E>
    requires std::is_enum_v<E>
  void field(const char* column, E& v) {
    std::string t = text(column);
    auto parsed = parseName<E>(t);
    if (!parsed) throw RowDecodeError(std::string("column ") + column + ": unknown value '" + t + "'");
    v = *parsed;
  }
};

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out += ", ";
    out += p;
  }
  return out;
}

}  // namespace

std::string SqlParams::add(std::optional<std::string> value) {
  values_.push_back(std::move(value));
  return "$" + std::to_string(values_.size());
}

std::vector<const char*> SqlParams::pointers() const {
  std::vector<const char*> out;
  out.reserve(values_.size());
  for (const auto& v : values_) out.push_back(v ? v->c_str() : nullptr);
  return out;
}

std::string_view tableName(RecordKind kind) {
  switch (kind) {
    case RecordKind::notice: return "notices.notices";
    case RecordKind::travelDocument: return "documents.travel_documents";
    case RecordKind::movement: return "immigration.movements";
    case RecordKind::refusal: return "immigration.refusals";
    case RecordKind::overstay: return "immigration.overstays";
    case RecordKind::visaDecision: return "immigration.visa_decisions";
    case RecordKind::watchlistPerson: return "watchlist.persons";
    case RecordKind::watchlistDocument: return "watchlist.documents";
    case RecordKind::healthRecord: return "health.records";
    case RecordKind::justiceRecord: return "justice.records";
  }
  assert(false && "unknown record kind");
  return "";
}

RowWrite insertStatement(const Record& record) {
  Record copy = record;  // the visitors take fields by reference
  RowWriter writer;
  visitFields(writer, copy);
  RowWrite write;
  write.sql = "INSERT INTO " + std::string(tableName(kindOf(record))) + " (" + join(writer.columns) + ") VALUES (" +
              join(writer.placeholders) + ") RETURNING ref::text";
  write.params = std::move(writer.params);
  return write;
}

std::string selectStatement(RecordKind kind, std::string_view tail) {
  return selectStatementFrom(kind, tableName(kind), tail);
}

std::string selectStatementFrom(RecordKind kind, std::string_view source, std::string_view tail) {
  Record empty = defaultRecord(kind);
  ColumnLister lister;
  visitFields(lister, empty);
  return "SELECT " + join(lister.selects) + " FROM " + std::string(source) + " " + std::string(tail);
}

Record readRecord(RecordKind kind, const pqxx::row& row) {
  Record record = defaultRecord(kind);
  RowReader reader{row};
  visitFields(reader, record);
  return record;
}

std::string textArrayLiteral(const std::vector<std::string>& values) {
  std::string out = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    out += '"';
    for (char c : values[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

std::string byteaHex(std::span<const uint8_t> bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex = "\\x";
  hex.reserve(2 + 2 * bytes.size());
  for (uint8_t b : bytes) {
    hex += kHex[b >> 4];
    hex += kHex[b & 0x0f];
  }
  return hex;
}

}  // namespace liaison::store
