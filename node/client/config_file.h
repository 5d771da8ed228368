// Reading Liaison's TOML configuration files (the node's and the clients'): size-limited parsing,
// and a table reader that checks types and ranges, refuses unknown keys (usually typos) and names
// the file and line of every problem. Paths inside a file are relative to that file.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <toml++/toml.h>

#include "schema/model.h"
#include "schema/status.h"

namespace liaison::client {

/// `path` as written in `file`: absolute as it is, relative to the file's folder otherwise.
std::filesystem::path relativeTo(const std::filesystem::path& file, const std::string& path);

/// Parses a configuration file of at most 1 MiB; a syntax error names the file, line and column.
Result<toml::table> parseConfigFile(const std::filesystem::path& file);

/// The problems collected while reading a file, one per line, as one invalidInput error.
Error configErrors(const std::vector<std::string>& errors);

/// Reads one TOML table, remembering which keys were used so that unknown keys can be refused with
/// their line instead of being silently ignored. Problems are appended to `errors` as
/// `FILE:LINE: message`; a getter that finds one returns nothing (or what it could read).
class TableReader {
 public:
  TableReader(const toml::table& table, std::string file, std::vector<std::string>& errors)
      : table_(table), file_(std::move(file)), errors_(errors) {}

  /// `FILE:LINE` of `node`, or of the table itself when `node` is null.
  std::string where(const toml::node* node) const;
  /// Records a problem at `node` (or at the table).
  void error(const toml::node* node, const std::string& message);
  /// The value under `key`, if any, without marking it used.
  const toml::node* at(const char* key) const { return table_.get(key); }
  /// Whether `key` is present.
  bool has(const char* key) const { return table_.get(key) != nullptr; }
  /// The line the table starts on.
  int line() const { return static_cast<int>(table_.source().begin.line); }

  /// A string; a problem when it is not one, or when `required` and it is absent.
  std::optional<std::string> text(const char* key, bool required);
  /// A whole number in [min, max].
  std::optional<int64_t> integer(const char* key, int64_t min, int64_t max);
  /// true or false.
  std::optional<bool> boolean(const char* key);
  /// An array of strings.
  std::vector<std::string> texts(const char* key, bool required);
  /// An array of role names.
  std::vector<Role> roles(const char* key);
  /// A required role name.
  std::optional<Role> role(const char* key);
  /// An array of tables like [[peer]], each to be read with a reader of its own.
  const toml::array* tables(const char* key);
  /// A TLS pin given directly (`pinKey = "sha256:..."`) or as the certificate it pins (`certKey`,
  /// relative to `file`); exactly one of the two.
  std::string pin(const char* pinKey, const char* certKey, const std::filesystem::path& file);

  /// `smaller` must not exceed `larger`, both given or defaulted; the problem names both lines.
  void notAbove(const char* smaller, int64_t smallValue, const char* larger, int64_t largeValue);
  /// Records every key of the table that no getter asked for.
  void refuseUnknownKeys();

 private:
  const toml::table& table_;
  std::string file_;
  std::vector<std::string>& errors_;
  std::set<std::string> used_;
};

}  // namespace liaison::client
