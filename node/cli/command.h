// A command of `liaison` as its file declares it: its name, what it does, its arguments and options,
// and the function that runs it. command_line.cc parses the words with CLI11 against these
// declarations and prints every command's usage from them, so CLI11 is compiled in that file only
// and a command sees plain values.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <istream>
#include <ostream>
#include <string>
#include <vector>

#include "adapters/audit_log.h"
#include "schema/model.h"
#include "schema/status.h"

namespace liaison::cli {

/// A usage mistake found while running a command (a bad value, a missing choice): printed with the
/// command's usage, exit 2 (kExitUsage).
struct UsageError {
  std::string message;
};

/// Where a command writes and on whose behalf it runs.
struct CommandContext {
  std::ostream& out;
  std::ostream& err;
  /// The operator and the command line, named in the audit entries of commands that read or write
  /// records (node/cli/command_audit.h).
  store::CommandLineOrigin origin;
  /// Called before a command that loads or makes a secret key runs (`liaison` passes
  /// crypto::protectProcessSecrets); empty: nothing to do, e.g. tests running commands in-process.
  std::function<Status()> protectSecrets{};
  /// Standard input for commands that read it (`screen compare`); null: std::cin.
  std::istream* in = nullptr;
};

/// A `--name VALUE` option, or a `--name` flag.
struct OptionSpec {
  std::string name;   ///< without the dashes: "out"
  std::string value;  ///< what the value is, for the usage: "DIR/NAME"; empty for a flag
  std::string help;   ///< one or more lines
  bool required = false;
  std::string group{};  ///< the section of the help it is listed in; empty: "options"
  bool repeatable = false;  ///< may be given several times (Arguments::values); otherwise twice is an error
};

/// A positional argument.
struct PositionalSpec {
  std::string name;  ///< as the usage shows it and Arguments finds it: "FILE"
  std::string help;
  bool required = true;
  bool many = false;  ///< takes every remaining word (at least one when required)
};

/// The values a command was given, by name: options without their dashes ("out"), positionals as
/// declared ("FILE"). A value option given twice is a usage error before the command runs.
class Arguments {
 public:
  /// Every value given under each name; a flag given has one empty value.
  explicit Arguments(std::map<std::string, std::vector<std::string>> values = {}) : values_(std::move(values)) {}

  /// The value of an option, if given.
  std::optional<std::string> option(const std::string& name) const;
  /// The value of an option that must be given and not empty; throws UsageError `missing --NAME`.
  std::string require(const std::string& name) const;
  /// Whether a flag was given.
  bool flag(const std::string& name) const;
  /// A whole number option in [0, max], or `fallback` when absent. Throws UsageError.
  unsigned long number(const std::string& name, unsigned long fallback, unsigned long max) const;
  /// A positional argument; empty when an optional one was not given.
  std::string positional(const std::string& name) const;
  /// Every word of a positional that takes many.
  std::vector<std::string> positionals(const std::string& name) const;
  /// Every value of a repeatable option, in the order given.
  std::vector<std::string> values(const std::string& name) const { return positionals(name); }

 private:
  std::map<std::string, std::vector<std::string>> values_;
};

/// Runs a command: returns its exit code (node/cli/exit_codes.h). May throw UsageError.
using CommandRun = std::function<int(const Arguments&, const CommandContext&)>;

/// One command or subcommand. A command with subcommands may also run itself (`import KIND FILE`
/// beside `import notices FILE...`); one without `run` needs a subcommand.
struct Command {
  std::string name;
  std::string summary;  ///< one line, for the list of commands and the top of its help
  std::string details{};  ///< printed at the end of its help: exit status, formats, examples
  std::vector<PositionalSpec> positionals{};
  std::vector<OptionSpec> options{};
  CommandRun run{};
  std::vector<Command> subcommands{};
  /// Loads or makes a secret key: the process is protected first (CommandContext::protectSecrets).
  bool loadsSecretKeys = false;
};

/// Comma-separated items, empty items dropped (`--visible-to A,B`).
std::vector<std::string> splitCommaList(const std::string& text);

/// Today's date (UTC).
Date today();

/// The names of an enumeration's values from the first to `last`, comma-separated, for usage
/// texts and messages: `namesUpTo(Role::auditor)` is "border, immigration, ..., auditor".
template <typename E>
std::string namesUpTo(E last) {
  std::string names;
  for (int i = 0; i <= static_cast<int>(last); ++i) names += (names.empty() ? "" : ", ") + std::string(name(static_cast<E>(i)));
  return names;
}

}  // namespace liaison::cli
