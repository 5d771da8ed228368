#include "node/cli/records_command.h"

#include <sstream>

#include "adapters/store.h"
#include "node/cli/command_audit.h"
#include "schema/limits.h"

namespace liaison::cli {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;

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

}  // namespace

int runRecordsCommand(const Arguments& args, const store::CommandLineOrigin& origin, std::ostream& out,
                      std::ostream& err) {
  if (args.positional.size() != 3 || (args.positional[1] != "list" && args.positional[1] != "count")) {
    throw UsageError{"usage: liaison records list|count KIND --member MEMBER [--role enforcement|health|justice]"};
  }
  args.allowOnly({"db", "db-admin", "health-db", "justice-db", "member", "role", "limit", "offset"});
  const bool list = args.positional[1] == "list";
  auto kind = parseRecordKind(args.positional[2]);
  if (!kind) throw UsageError{"unknown record kind '" + args.positional[2] + "'"};
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
  const std::string what = args.positional[1] + " " + std::string(name(*kind)) + " as " + member.substr(0, 64);

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
    if (Status audited = auditCommandLine(target, origin, access); !audited) {
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
  if (Status audited = auditCommandLine(target, origin, access); !audited) {
    err << "liaison: " << audited.error().message << "; nothing is shown\n";
    return kExitFailure;
  }
  out << text;
  return kExitOk;
}

}  // namespace liaison::cli
