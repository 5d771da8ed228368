// Internal to adapters/: how each record kind maps onto its SQL table (schema/sql). One field list
// per kind drives the INSERT, the SELECT column list and the row decoder, so they cannot drift.
#pragma once

#include <optional>
#include <stdexcept>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <pqxx/pqxx>

#include "schema/model.h"

namespace liaison::store {

/// A stored row that does not decode into the model (a bug or a tampered database).
struct RowDecodeError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Text parameters for a parameterised statement; nullopt is SQL NULL.
class SqlParams {
 public:
  /// Appends a parameter and returns its placeholder, e.g. `$3`.
  std::string add(std::optional<std::string> value);
  /// Pointers for libpq; valid while this object lives and is not modified.
  std::vector<const char*> pointers() const;

 private:
  std::vector<std::optional<std::string>> values_;
};

/// An INSERT with its parameters; returns the new row's ref as text.
struct RowWrite {
  std::string sql;
  SqlParams params;
};

/// Schema-qualified table of a record kind, e.g. `documents.travel_documents`.
std::string_view tableName(RecordKind kind);

/// The INSERT for `record` (columns in the order of the kind's field list).
RowWrite insertStatement(const Record& record);

/// `SELECT <every column> FROM <table> <tail>`; decode its rows with readRecord.
std::string selectStatement(RecordKind kind, std::string_view tail);

/// `SELECT <every column> FROM <source> <tail>`, for a source with the columns of the kind's table
/// (e.g. a function returning SETOF it); decode its rows with readRecord.
std::string selectStatementFrom(RecordKind kind, std::string_view source, std::string_view tail);

/// Decodes a row of selectStatement(kind, ...). Throws RowDecodeError on a value the model rejects.
Record readRecord(RecordKind kind, const pqxx::row& row);

/// PostgreSQL array literal for a text[] value, every element quoted.
std::string textArrayLiteral(const std::vector<std::string>& values);

/// Bytes in bytea's text form, `\x0a1b...`, e.g. as an element of a bytea[] literal.
std::string byteaHex(std::span<const uint8_t> bytes);

}  // namespace liaison::store
