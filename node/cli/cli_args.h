// Command-line arguments of the `liaison` subcommands: positionals and `--name value` options.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "adapters/database.h"
#include "schema/model.h"

namespace liaison::cli {

/// A usage mistake; main prints it with the usage text and exits 2.
struct UsageError {
  std::string message;
};

/// Positional arguments and options, in the order given.
struct Arguments {
  std::vector<std::string> positional;
  std::map<std::string, std::string> options;
  std::set<std::string> flags;

  /// Parses `args`; names in `flagNames` take no value (e.g. "json"). Throws UsageError.
  static Arguments parse(const std::vector<std::string>& args, const std::set<std::string>& flagNames = {});

  std::optional<std::string> option(const std::string& key) const;
  /// The value of a required option; throws UsageError naming it when missing or empty.
  std::string require(const std::string& key) const;
  /// Throws UsageError for any option or flag not in `allowed`.
  void allowOnly(const std::set<std::string>& allowed) const;
  /// A whole number option in [0, max], or `fallback` when absent. Throws UsageError.
  unsigned long number(const std::string& key, unsigned long fallback, unsigned long max) const;
  bool flag(const std::string& name) const { return flags.count(name) != 0; }
};

/// The databases of `--db CONNINFO` (else $LIAISON_DB, else libpq's environment) with the admin
/// role of `--db-admin` (default liaison_admin); the firewalled ones from `--health-db` and
/// `--justice-db` when they are not the main one's name with `_health` and `_justice` appended.
store::DatabaseTarget databaseTarget(const Arguments& args);

/// Comma-separated items, empty items dropped.
std::vector<std::string> splitCommaList(const std::string& text);

/// Today's date (UTC).
Date today();

}  // namespace liaison::cli
