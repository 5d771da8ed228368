#include "node/cli/purge_command.h"

#include "adapters/purge.h"

namespace liaison::cli {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;

}  // namespace

int runPurgeCommand(const Arguments& args, const store::CommandLineOrigin& origin, std::ostream& out,
                    std::ostream& err) {
  args.allowOnly({"db", "db-admin", "health-db", "justice-db", "member", "today"});
  const std::string member = args.require("member");
  Date day = today();
  if (auto given = args.option("today")) {
    auto parsed = parseDate(*given);
    if (!parsed) throw UsageError{"--today: " + parsed.error().message};
    day = *parsed;
  }
  auto report = store::purgeExpired(databaseTarget(args), member, day, origin);
  if (!report) {
    err << "liaison: " << report.error().message << "\n";
    return kExitFailure;
  }
  for (const auto& [kind, count] : report->purged) out << name(kind) << ": " << count << " purged\n";
  out << "purged " << report->total() << " records of " << member << " retained until before " << formatDate(day)
      << "; audited as " << report->auditEntries << " entries\n";
  return kExitOk;
}

}  // namespace liaison::cli
