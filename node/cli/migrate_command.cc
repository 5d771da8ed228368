#include "node/cli/migrate_command.h"

#include "adapters/migrate.h"

namespace liaison::cli {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;

}  // namespace

int runMigrateCommand(const Arguments& args, std::ostream& out, std::ostream& err) {
  args.allowOnly({"db", "db-admin", "health-db", "justice-db"});
  auto result = store::migrate(databaseTarget(args));
  if (!result) {
    err << "liaison: " << result.error().message << "\n";
    return kExitFailure;
  }
  for (const store::DatabaseMigration& db : result->databases) {
    out << name(db.database) << " database " << db.name << (db.created ? " (created)" : "") << ": ";
    if (db.applied.empty()) {
      out << "schema is up to date at version " << db.versionAfter << "\n";
      continue;
    }
    out << "migrated schema from version " << db.versionBefore << " to " << db.versionAfter << ":";
    for (const auto& applied : db.applied) out << " " << applied;
    out << "\n";
  }
  for (const std::string& note : result->notes) out << note << "\n";
  return kExitOk;
}

}  // namespace liaison::cli
