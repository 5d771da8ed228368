// `liaison import notices FILE...`: loads responses of INTERPOL's public notices web API
// (adapters/interpol_notices.h).
#include <chrono>
#include <fstream>
#include <optional>

#include "adapters/interpol_notices.h"
#include "node/cli/commands.h"
#include "node/cli/database_options.h"
#include "node/cli/exit_codes.h"
#include "node/cli/import_command.h"
#include "schema/model.h"
#include "schema/status.h"

namespace liaison::cli {
namespace {

// The API publishes red, yellow and UN special notices only. Throws UsageError.
std::optional<NoticeColour> colourOf(const Arguments& args) {
  auto text = args.option("colour");
  if (!text) return std::nullopt;
  auto colour = parseNoticeColour(*text);
  if (colour != NoticeColour::red && colour != NoticeColour::yellow && colour != NoticeColour::unSpecial) {
    throw UsageError{"--colour must be red, yellow or un-special"};
  }
  return colour;
}

// The whole file, refusing to hold more than a response may have.
Result<std::string> readResponseFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(ErrorKind::invalidInput, path + ": cannot open the file");
  std::string bytes;
  std::string chunk(size_t{1} << 16, '\0');
  while (in.read(chunk.data(), static_cast<std::streamsize>(chunk.size())) || in.gcount() > 0) {
    bytes.append(chunk.data(), static_cast<size_t>(in.gcount()));
    if (bytes.size() > importers::kMaxNoticesResponseBytes) {
      return fail(ErrorKind::invalidInput, path + ": larger than " +
                                               std::to_string(importers::kMaxNoticesResponseBytes >> 20) +
                                               " MiB; a notices response is far smaller");
    }
  }
  if (in.bad()) return fail(ErrorKind::unavailable, path + ": cannot read the file");
  return bytes;
}

// Every file is read and parsed first, and if any fails nothing is imported; then each file is
// imported in its own transaction, audited naming the operator before it commits.
int importNotices(const Arguments& args, const CommandContext& context) {
  std::ostream& out = context.out;
  std::ostream& err = context.err;
  const std::vector<std::string> files = args.positionals("FILE.json");
  const importers::ImportOptions importOptions = importOptionsFrom(args);
  const std::optional<NoticeColour> colour = colourOf(args);

  // Parse everything before writing anything, and report every bad file, not just the first.
  std::vector<std::vector<Notice>> parsed;
  bool failed = false;
  for (const std::string& file : files) {
    auto bytes = readResponseFile(file);
    auto notices = bytes ? importers::parseInterpolNotices(*bytes, file, colour, importOptions)
                         : Result<std::vector<Notice>>(bytes.error());
    if (!notices) {
      err << "liaison: " << notices.error().message << "\n";
      failed = true;
      continue;
    }
    parsed.push_back(std::move(notices).value());
  }
  if (failed) {
    err << "liaison: nothing was imported; fix the files above and run the import again\n";
    return kExitFailure;
  }

  // One transaction per file, so each line reports its own file; a failure part-way leaves the
  // files before it imported, and running the same command again completes the rest.
  const store::DatabaseTarget target = databaseTarget(args);
  for (size_t i = 0; i < files.size(); ++i) {
    importers::ImportControl control;
    control.beforeCommit = auditImportBeforeCommit(target, context.origin, importOptions.owner,
                                                   "notices from " + files[i].substr(0, 256));
    auto report = importers::importNotices(target, parsed[i], importOptions, control);
    if (!report) {
      err << "liaison: " << files[i] << ": " << report.error().message << "\n";
      if (i > 0) err << "liaison: the files before " << files[i] << " were imported; running again is safe\n";
      return kExitFailure;
    }
    out << files[i] << ": " << report->rowsRead << " notices read, " << report->rowsInserted << " new, "
        << (report->rowsRead - report->rowsInserted) << " already present\n";
  }
  return kExitOk;
}

}  // namespace

Command importNoticesCommand() {
  Command command{
      .name = "notices",
      .summary = "load INTERPOL public-notice API responses (list or detail JSON)",
      .details = "Every file is parsed before anything is written; each is then imported in its own transaction,\n"
                 "so running the command again after a failure is safe.\n"
                 "exit status: 0 imported, 1 a file or the database failed, 2 usage error\n",
      .positionals = {{"FILE.json", "responses of the notices API", true, true}},
      .options = importOptions(),
      .run = importNotices,
  };
  command.options.push_back({"colour", "red|yellow|un-special", "the notices' colour (default: from each notice's link; a link\nnaming another colour is then an error)"});
  for (const OptionSpec& option : databaseOptions()) command.options.push_back(option);
  return command;
}

}  // namespace liaison::cli
