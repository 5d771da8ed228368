// `liaison records list|count KIND --member M [--role R]`: records as a member sees them, read from
// the command line. Each run is audited (node/cli/command_audit.h) before anything is shown.
#include <sstream>

#include "adapters/store.h"
#include "node/cli/command_audit.h"
#include "node/cli/commands.h"
#include "node/cli/database_options.h"
#include "node/cli/exit_codes.h"
#include "schema/limits.h"

namespace liaison::cli {
namespace {

// The serving database roles an operator may read as.
std::optional<store::DbRole> readingRole(const std::string& text) {
  if (text == "enforcement") return store::DbRole::enforcement;
  if (text == "health") return store::DbRole::health;
  if (text == "justice") return store::DbRole::justice;
  return std::nullopt;
}

void printRecord(std::ostream& out, const Record& record) {
  const RecordMeta& meta = metaOf(record);
  if (const auto* doc = std::get_if<TravelDocument>(&record)) {
    out << meta.ref << "  " << doc->number.str() << "  " << doc->issuingState << "  " << name(doc->type) << "  "
        << name(doc->fraudType) << "  reported " << formatDate(doc->reportDate) << "  owner " << meta.owner << "\n";
    return;
  }
  out << meta.ref << "  " << name(kindOf(record)) << "  owner " << meta.owner << "  handling " << name(meta.handling)
      << "  retained until " << formatDate(meta.retentionUntil) << "\n";
}

// Reads as the database role `--role` names: `enforcement` (the default, for the enforcement
// compartments), `health` or `justice`. Health and justice records are read only with an explicit
// `--role health` or `--role justice`; asking without it, or with a role that cannot reach the
// kind, is refused and audited.
int showRecords(bool list, const Arguments& args, const CommandContext& context) {
  std::ostream& out = context.out;
  std::ostream& err = context.err;
  const std::string action = list ? "list" : "count";
  const std::string kindName = args.positional("KIND");
  auto kind = parseRecordKind(kindName);
  if (!kind) throw UsageError{"unknown record kind '" + kindName + "'"};
  const std::string member = args.require("member");
  std::optional<store::DbRole> role = store::DbRole::enforcement;
  if (auto given = args.option("role")) {
    role = readingRole(*given);
    if (!role) throw UsageError{"--role must be enforcement, health or justice"};
  }
  // Every record shown is named in the audit entry, which holds at most so many.
  const size_t limit = args.number("limit", 20, limits::kMaxAuditRecordRefs);
  const size_t offset = args.number("offset", 0, 1u << 31);
  const store::DatabaseTarget target = databaseTarget(args);
  const Compartment compartment = compartmentOf(*kind);
  const std::string what = action + " " + std::string(name(*kind)) + " as " + member.substr(0, 64);

  CommandLineAccess access;
  access.member = member;
  // Health and justice are read only by someone who says, in the command, that they act as that
  // compartment's role; and a role reads only its own compartments.
  std::string refusal;
  if (isFirewalled(compartment) && !args.option("role")) {
    refusal = std::string(name(*kind)) + " records are firewalled: read them with --role " +
              std::string(name(compartment));
  } else if (store::homeDatabaseOf(*role) != store::databaseOf(compartment)) {
    refusal = "role " + std::string(store::roleName(*role)) + " cannot read " + std::string(name(*kind)) + " records";
  }
  if (!refusal.empty()) {
    access.decision = Decision::refused;
    access.reason = what + ": refused: " + refusal;
    if (Status audited = auditCommandLine(target, context.origin, access); !audited) {
      err << "liaison: " << audited.error().message << "\n";
      return kExitFailure;
    }
    err << "liaison: " << refusal << " (the attempt is audited)\n";
    return kExitFailure;
  }

  store::RecordStore store(target, *role);
  std::ostringstream shown;
  if (list) {
    auto records = store.list(member, *kind, limit, offset);
    if (!records) {
      err << "liaison: " << records.error().message << "\n";
      return kExitFailure;
    }
    for (const auto& record : *records) {
      printRecord(shown, record);
      access.recordRefs.push_back(metaOf(record).ref);
    }
    access.reason = what + " (" + std::string(store::roleName(*role)) + "): " + std::to_string(records->size()) +
                    " records from offset " + std::to_string(offset);
  } else {
    auto n = store.count(member, *kind);
    if (!n) {
      err << "liaison: " << n.error().message << "\n";
      return kExitFailure;
    }
    shown << *n << "\n";
    access.reason = what + " (" + std::string(store::roleName(*role)) + "): " + std::to_string(*n);
  }
  const std::string text = shown.str();
  access.output = {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
  // Nothing is shown unless the log holds the access first.
  if (Status audited = auditCommandLine(target, context.origin, access); !audited) {
    err << "liaison: " << audited.error().message << "; nothing is shown\n";
    return kExitFailure;
  }
  out << text;
  return kExitOk;
}

std::vector<OptionSpec> recordsOptions(bool list) {
  std::vector<OptionSpec> options{
      {"member", "MEMBER", "whose view of the records (row-level security decides)", true},
      {"role", "enforcement|health|justice",
       "the database role to read as (default enforcement); health and\njustice records need --role health / "
       "--role justice"},
  };
  if (list) {
    options.push_back({"limit", "N", "show at most N records (default 20)"});
    options.push_back({"offset", "N", "skip the first N records (default 0)"});
  }
  for (const OptionSpec& option : databaseOptions()) options.push_back(option);
  return options;
}

}  // namespace

Command recordsCommand() {
  const std::string details =
      "KIND is one of " + namesUpTo(RecordKind::justiceRecord) + ".\nEvery run, refused or not, is "
      "audited (operating-system user, command, records shown, digest of the output) before anything is\n"
      "printed.\nexit status: 0 shown, 1 refused or failed, 2 usage error\n";
  const PositionalSpec kind{"KIND", "the kind of record"};
  return Command{
      .name = "records",
      .summary = "show the records a member may see, audited",
      .subcommands =
          {
              Command{.name = "list",
                      .summary = "list records of KIND that MEMBER may see, read as a database role",
                      .details = details,
                      .positionals = {kind},
                      .options = recordsOptions(true),
                      .run = [](const Arguments& args, const CommandContext& context) {
                        return showRecords(true, args, context);
                      }},
              Command{.name = "count",
                      .summary = "count records of KIND that MEMBER may see, read as a database role",
                      .details = details,
                      .positionals = {kind},
                      .options = recordsOptions(false),
                      .run = [](const Arguments& args, const CommandContext& context) {
                        return showRecords(false, args, context);
                      }},
          },
  };
}

}  // namespace liaison::cli
