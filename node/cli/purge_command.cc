// `liaison purge`: deletes a member's records past their retention date.
#include "adapters/purge.h"
#include "node/cli/commands.h"
#include "node/cli/database_options.h"
#include "node/cli/exit_codes.h"

namespace liaison::cli {
namespace {

// Deletes in every compartment, each deletion audited naming the operator.
int purge(const Arguments& args, const CommandContext& context) {
  const std::string member = args.require("member");
  Date day = today();
  if (auto given = args.option("today")) {
    auto parsed = parseDate(*given);
    if (!parsed) throw UsageError{"--today: " + parsed.error().message};
    day = *parsed;
  }
  auto report = store::purgeExpired(databaseTarget(args), member, day, context.origin);
  if (!report) {
    context.err << "liaison: " << report.error().message << "\n";
    return kExitFailure;
  }
  for (const auto& [kind, count] : report->purged) context.out << name(kind) << ": " << count << " purged\n";
  context.out << "purged " << report->total() << " records of " << member << " retained until before "
              << formatDate(day) << "; audited as " << report->auditEntries << " entries\n";
  return kExitOk;
}

}  // namespace

Command purgeCommand() {
  Command command{
      .name = "purge",
      .summary = "delete records past their retention date, audited",
      .details = "exit status: 0 purged (or nothing to purge), 1 failed, 2 usage error\n",
      .options = {{"member", "MEMBER", "whose records", true},
                  {"today", "YYYY-MM-DD", "the day to purge as of (default: today, UTC)"}},
      .run = purge,
  };
  for (const OptionSpec& option : databaseOptions()) command.options.push_back(option);
  return command;
}

}  // namespace liaison::cli
