// `liaison import KIND FILE`: loads a CSV file in one transaction, with progress, audited before it
// commits.
#include "node/cli/import_command.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "node/cli/command_audit.h"
#include "node/cli/commands.h"
#include "node/cli/database_options.h"
#include "node/cli/exit_codes.h"

namespace liaison::cli {
namespace {

struct CsvKind {
  const char* command;
  RecordKind kind;
};
constexpr CsvKind kCsvKinds[] = {
    {"documents", RecordKind::travelDocument},         {"movements", RecordKind::movement},
    {"refusals", RecordKind::refusal},                 {"overstays", RecordKind::overstay},
    {"visa-decisions", RecordKind::visaDecision},      {"watchlist-persons", RecordKind::watchlistPerson},
    {"watchlist-documents", RecordKind::watchlistDocument}, {"health-records", RecordKind::healthRecord},
    {"justice-records", RecordKind::justiceRecord},
};

// Draws progress on a terminal (one rewritten line) or prints a plain line every few seconds.
class ProgressDisplay {
 public:
  ProgressDisplay(std::ostream& err, uint64_t totalBytes)
      : err_(err), totalBytes_(totalBytes), terminal_(isatty(STDERR_FILENO) == 1), started_(Clock::now()),
        lastLine_(started_) {}

  void update(uint64_t rows, uint64_t bytes) {
    const auto now = Clock::now();
    const double seconds = std::max(1e-3, std::chrono::duration<double>(now - started_).count());
    const double rate = static_cast<double>(rows) / seconds;
    char line[160];
    if (terminal_ && totalBytes_ > 0) {
      const double fraction = std::min(1.0, static_cast<double>(bytes) / static_cast<double>(totalBytes_));
      const double eta = fraction > 0 ? seconds * (1 - fraction) / fraction : 0;
      constexpr int kWidth = 30;
      std::string bar(static_cast<size_t>(fraction * kWidth), '#');
      bar.resize(kWidth, '-');
      std::snprintf(line, sizeof line, "\r[%s] %3.0f%%  %llu rows  %.0f rows/s  ETA %.0f s ", bar.c_str(),
                    fraction * 100, static_cast<unsigned long long>(rows), rate, eta);
      err_ << line << std::flush;
    } else if (now - lastLine_ >= std::chrono::seconds(5)) {
      std::snprintf(line, sizeof line, "import: %llu rows, %.0f rows/s\n", static_cast<unsigned long long>(rows), rate);
      err_ << line << std::flush;
      lastLine_ = now;
    }
  }

  void finish() {
    if (terminal_ && totalBytes_ > 0) err_ << "\n";
  }

 private:
  using Clock = std::chrono::steady_clock;
  std::ostream& err_;
  uint64_t totalBytes_;
  bool terminal_;
  Clock::time_point started_;
  Clock::time_point lastLine_;
};

// The kinds as `liaison import` names them.
std::string csvKindNames() {
  std::string names;
  for (const CsvKind& kind : kCsvKinds) names += (names.empty() ? "" : ", ") + std::string(kind.command);
  return names;
}

int importCsv(const Arguments& args, const CommandContext& context) {
  std::ostream& out = context.out;
  std::ostream& err = context.err;
  const std::string kindName = args.positional("KIND");
  const CsvKind* csvKind = nullptr;
  for (const auto& k : kCsvKinds) {
    if (kindName == k.command) csvKind = &k;
  }
  if (csvKind == nullptr) throw UsageError{"cannot import '" + kindName + "'"};
  importers::ImportOptions options = importOptionsFrom(args);

  const std::string path = args.positional("FILE");
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    err << "liaison: " << path << ": cannot open the file\n";
    return kExitFailure;
  }
  std::error_code sizeError;
  const auto size = std::filesystem::file_size(path, sizeError);
  ProgressDisplay progress(err, sizeError ? 0 : size);
  importers::ImportControl control;
  control.progress = [&](uint64_t rows, uint64_t bytes) { progress.update(rows, bytes); };
  std::ofstream rejects;
  if (auto rejectsPath = args.option("rejects")) {
    rejects.open(*rejectsPath, std::ios::trunc);
    if (!rejects) {
      err << "liaison: " << *rejectsPath << ": cannot write the rejects file\n";
      return kExitFailure;
    }
    control.rejects = &rejects;
  }
  const store::DatabaseTarget target = databaseTarget(args);
  control.beforeCommit = auditImportBeforeCommit(target, context.origin, options.owner,
                                                 std::string(name(csvKind->kind)) + " from " + path.substr(0, 256));
  const auto started = std::chrono::steady_clock::now();
  auto result = importers::importCsv(target, csvKind->kind, file, path, options, control);
  progress.finish();
  if (!result) {
    err << "liaison: " << result.error().message << "\n";
    return kExitFailure;
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  out << path << ": " << result->rowsRead << " rows read, " << result->rowsInserted << " new, "
      << (result->rowsRead - result->rowsInserted - result->rowsRejected) << " already present";
  if (control.rejects != nullptr) out << ", " << result->rowsRejected << " rejected (see " << *args.option("rejects") << ")";
  char timing[64];
  std::snprintf(timing, sizeof timing, " in %.1f s\n", seconds);
  out << timing;
  return kExitOk;
}


}  // namespace

std::vector<OptionSpec> importOptions() {
  return {
      {"owner", "MEMBER", "the member whose records these are", true},
      {"visible-to", "M1,G2", "members and groups that may see them (default: the compartment's)"},
      {"handling", "h0|h1|h2|h3", "handling code of every record (h2: not to be disseminated\nwithout the owner's permission)"},
      {"retention-years", "N", "kept N years from today, then purged (default 10, at most 100)"},
  };
}

importers::ImportOptions importOptionsFrom(const Arguments& args) {
  importers::ImportOptions options;
  options.owner = args.require("owner");
  options.visibleTo = splitCommaList(args.option("visible-to").value_or(""));
  if (auto handling = args.option("handling")) {
    auto code = parseHandlingCode(*handling);
    if (!code) throw UsageError{"--handling must be h0, h1, h2 or h3"};
    options.handling = *code;
  }
  const auto years = static_cast<int>(args.number("retention-years", 10, 100));
  const Date now = today();
  options.retentionUntil = now + std::chrono::years(years);
  if (!options.retentionUntil.ok()) {  // 29 February plus N years: the last day of that February
    options.retentionUntil = options.retentionUntil.year() / options.retentionUntil.month() / std::chrono::last;
  }
  return options;
}

std::function<Status(const importers::ImportReport&)> auditImportBeforeCommit(const store::DatabaseTarget& target,
                                                                               const store::CommandLineOrigin& origin,
                                                                               const std::string& owner,
                                                                               const std::string& what) {
  return [&target, &origin, owner, what](const importers::ImportReport& report) {
    CommandLineAccess access;
    access.member = owner;
    access.reason = "import " + what + ": " + std::to_string(report.rowsRead) + " rows read, " +
                    std::to_string(report.rowsInserted) + " new, " + std::to_string(report.rowsRejected) +
                    " rejected";
    return auditCommandLine(target, origin, access);
  };
}

Command importCommand() {
  Command command{
      .name = "import",
      .summary = "load a file of records in one transaction, audited before it commits",
      .details = "KIND is one of " + csvKindNames() + "; the layouts are in docs/formats.md. One bad row "
                 "and nothing is written (its line and column named); with --rejects the good rows land and the "
                 "bad ones go to that file. Re-importing changes nothing. Progress shows on a terminal.\n"
                 "exit status: 0 imported, 1 failed, 2 usage error\n",
      .positionals = {{"KIND", "what the file holds (see below)"}, {"FILE", "the CSV file"}},
      .options = importOptions(),
      .run = importCsv,
      .subcommands = {importNoticesCommand()},
  };
  command.options.push_back({"rejects", "FILE", "write rejected rows here and import the good ones"});
  for (const OptionSpec& option : databaseOptions()) command.options.push_back(option);
  return command;
}

}  // namespace liaison::cli
