// `liaison migrate`: creates or upgrades the schema of the main, health and justice databases.
#include "adapters/migrate.h"
#include "node/cli/commands.h"
#include "node/cli/database_options.h"
#include "node/cli/exit_codes.h"

namespace liaison::cli {
namespace {

int migrate(const Arguments& args, const CommandContext& context) {
  auto result = store::migrate(databaseTarget(args));
  if (!result) {
    context.err << "liaison: " << result.error().message << "\n";
    return kExitFailure;
  }
  std::ostream& out = context.out;
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

}  // namespace

Command migrateCommand() {
  return Command{
      .name = "migrate",
      .summary = "create or upgrade the database schema (idempotent)",
      .details = "Creates the health and justice databases where missing; each database migrates in one\n"
                 "transaction; a database newer than this binary is refused.\n"
                 "exit status: 0 up to date, 1 failed, 2 usage error\n",
      .options = databaseOptions(),
      .run = migrate,
  };
}

}  // namespace liaison::cli
