#include "node/cli/database_options.h"

#include <cstdlib>

namespace liaison::cli {

std::vector<OptionSpec> databaseOptions() {
  const std::string group = "database options";
  return {
      {"db", "CONNINFO",
       "libpq connection string without user of the main database\n(default: $LIAISON_DB, else libpq's "
       "PGHOST/PGDATABASE environment)",
       false, group},
      {"health-db", "CONNINFO",
       "the health compartment's database (default: the main one's\nname with _health appended, in the same "
       "cluster)",
       false, group},
      {"justice-db", "CONNINFO", "the justice compartment's database (default: ..._justice)", false, group},
      {"db-admin", "ROLE", "owner role that runs migrations (default: liaison_admin)", false, group},
  };
}

store::DatabaseTarget databaseTarget(const Arguments& args) {
  store::DatabaseTarget target;
  if (auto db = args.option("db")) {
    target.conninfo = *db;
  } else if (const char* env = std::getenv("LIAISON_DB")) {
    target.conninfo = env;
  }
  if (auto admin = args.option("db-admin")) target.adminUser = *admin;
  if (auto health = args.option("health-db")) target.healthConninfo = *health;
  if (auto justice = args.option("justice-db")) target.justiceConninfo = *justice;
  return target;
}

}  // namespace liaison::cli
