#include "node/cli/notices_command.h"

#include <chrono>
#include <fstream>
#include <optional>

#include "adapters/interpol_notices.h"
#include "node/cli/cli_args.h"
#include "node/cli/import_command.h"
#include "schema/model.h"
#include "schema/status.h"

namespace liaison::cli {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

constexpr const char* kNoticesUsage =
    "usage: liaison import notices FILE.json... --owner MEMBER [--visible-to M1,G2] [--handling "
    "h0|h1|h2|h3]\n"
    "                              [--retention-years N] [--colour red|yellow|un-special] [--db CONNINFO]\n";

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

}  // namespace

int runImportNoticesCommand(const std::vector<std::string>& files,
                            const std::map<std::string, std::string>& options,
                            const store::CommandLineOrigin& origin, std::ostream& out, std::ostream& err) {
  Arguments args;
  args.options = options;
  importers::ImportOptions importOptions;
  std::optional<NoticeColour> colour;
  try {
    if (files.empty()) throw UsageError{"import notices needs at least one FILE.json"};
    args.allowOnly({"owner", "visible-to", "handling", "retention-years", "colour", "db", "db-admin", "health-db", "justice-db"});
    importOptions = importOptionsFrom(args);
    colour = colourOf(args);
  } catch (const UsageError& e) {
    err << "liaison: " << e.message << "\n\n" << kNoticesUsage;
    return kExitUsage;
  }

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
    control.beforeCommit = auditImportBeforeCommit(target, origin, importOptions.owner,
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

}  // namespace liaison::cli
