#include "adapters/database_dump.h"

#include <fcntl.h>
#include <libpq-fe.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <pqxx/pqxx>
#include <system_error>

#include "adapters/migrate.h"

extern char** environ;

namespace liaison::store {
namespace {

std::string label(const DatabaseTarget& target, Database database) {
  return std::string(name(database)) + " database " +
         databaseName(target, database).value_or(std::string(name(database)));
}

Error unavailable(const std::string& what, const std::exception& e) {
  return fail(ErrorKind::unavailable, what + ": " + e.what());
}

// The admin role's connection string for `database`. pg_dump and pg_restore take it on their
// command line, which other users of the machine can read in /proc: a password in it is refused
// (libpq reads one from a password file, PGPASSFILE, instead).
Result<std::string> commandLineConninfo(const DatabaseTarget& target, Database database) {
  std::string conninfo;
  try {
    conninfo = conninfoFor(target, DbRole::admin, database);
  } catch (const std::invalid_argument& e) {
    return fail(ErrorKind::invalidInput, e.what());
  }
  char* error = nullptr;
  std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)> options(PQconninfoParse(conninfo.c_str(), &error),
                                                                      &PQconninfoFree);
  if (error != nullptr) PQfreemem(error);
  if (!options) return fail(ErrorKind::invalidInput, "the connection string of the " + label(target, database) + " does not parse");
  for (const PQconninfoOption* o = options.get(); o->keyword != nullptr; ++o) {
    if (std::string_view(o->keyword) == "password" && o->val != nullptr && *o->val != '\0') {
      return fail(ErrorKind::invalidInput, "the connection string of the " + label(target, database) +
                                               " holds a password, which pg_dump and pg_restore would show to every "
                                               "user of this machine; put it in a password file (PGPASSFILE) instead");
    }
  }
  return conninfo;
}

// Runs `argv` (found in PATH, no shell) with standard input from /dev/null, standard output to
// `outFd` (or this process's when -1) and standard error to this process's; waits for it.
Status runProgram(const std::vector<std::string>& argv, int outFd) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  if (outFd >= 0) posix_spawn_file_actions_adddup2(&actions, outFd, STDOUT_FILENO);
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  const int spawned = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) {
    return fail(ErrorKind::unavailable, "cannot run " + argv[0] + ": " + std::generic_category().message(spawned) +
                                            " (install postgresql-client-15)");
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return fail(ErrorKind::internal, "waiting for " + argv[0] + ": " + std::generic_category().message(errno));
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return {};
  return fail(ErrorKind::unavailable, argv[0] + (WIFEXITED(status) ? " exited with status " + std::to_string(WEXITSTATUS(status))
                                                                    : " died of signal " + std::to_string(WTERMSIG(status))) +
                                          " (its message is above)");
}

// A connection as the admin role to the `postgres` database of the cluster that holds `database`,
// from where it can be created and dropped.
std::string maintenanceConninfo(const DatabaseTarget& target, Database database) {
  DatabaseTarget cluster = target;
  std::string& own = database == Database::health ? cluster.healthConninfo : cluster.justiceConninfo;
  if (database == Database::main || own.empty()) {
    cluster.conninfo += " dbname=postgres";
    return conninfoFor(cluster, DbRole::admin, Database::main);
  }
  own += " dbname=postgres";
  return conninfoFor(cluster, DbRole::admin, database);
}

}  // namespace

Status checkDumpRole(const DatabaseTarget& target, bool restore) {
  try {
    // A restore's main database may not exist yet; a backup's role may not connect to `postgres`.
    pqxx::connection conn(restore ? maintenanceConninfo(target, Database::main)
                                  : conninfoFor(target, DbRole::admin, Database::main));
    pqxx::read_transaction tx(conn);
    const auto row = tx.exec1("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user");
    if (row[0].as<bool>() || (!restore && row[1].as<bool>())) return {};
    return fail(ErrorKind::notPermitted,
                "database role " + target.adminUser + " is not a superuser" + (restore ? "" : " and has no BYPASSRLS") +
                    ": row-level security is forced even on the owner of Liaison's tables, so it would " +
                    (restore ? "not write every row back nor give objects to their owners" : "not read every row") +
                    "; run it with --db-admin naming a superuser (e.g. postgres)");
  } catch (const std::exception& e) {
    return unavailable("cannot connect as " + target.adminUser, e);
  }
}

Result<DatabaseFacts> describeDatabase(const DatabaseTarget& target, Database database) {
  DatabaseFacts facts;
  facts.database = database;
  try {
    facts.name = databaseName(target, database).value_or("");
    if (facts.name.empty()) conninfoFor(target, DbRole::admin, database);  // throws, naming what is missing
    pqxx::connection conn(conninfoFor(target, DbRole::admin, database));
    pqxx::read_transaction tx(conn);
    facts.owner = tx.exec1("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()")[0]
                      .as<std::string>();
    for (const auto& row : tx.exec(
             "SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END, a.privilege_type "
             "FROM pg_database d, aclexplode(coalesce(d.datacl, acldefault('d', d.datdba))) a "
             "WHERE d.datname = current_database() AND a.grantee <> d.datdba ORDER BY 1, 2")) {
      facts.grants.push_back({row[0].as<std::string>(), row[1].as<std::string>()});
    }
  } catch (const std::invalid_argument& e) {
    return fail(ErrorKind::invalidInput, e.what());
  } catch (const std::exception& e) {
    return unavailable("cannot read the " + label(target, database), e);
  }
  auto version = schemaVersion(target, database);
  if (!version) return version.error();
  facts.schemaVersion = *version;
  return facts;
}

Status dumpDatabase(const DatabaseTarget& target, Database database, int outFd) {
  auto conninfo = commandLineConninfo(target, database);
  if (!conninfo) return conninfo.error();
  // One snapshot per database; --no-password: fail rather than wait for a prompt.
  return runProgram({"pg_dump", "--format=custom", "--no-password", "--dbname=" + *conninfo}, outFd);
}

Result<DatabaseContents> inspectDatabase(const DatabaseTarget& target, Database database) {
  DatabaseContents contents;
  try {
    const std::string name = databaseName(target, database).value_or("");
    if (name.empty()) conninfoFor(target, DbRole::admin, database);  // throws, naming what is missing
    {
      pqxx::connection conn(maintenanceConninfo(target, database));
      pqxx::read_transaction tx(conn);
      contents.exists = tx.exec_params1("SELECT count(*) FROM pg_database WHERE datname = $1", name)[0].as<int>() > 0;
    }
    if (!contents.exists) return contents;
    pqxx::connection conn(conninfoFor(target, DbRole::admin, database));
    pqxx::read_transaction tx(conn);
    contents.tables = tx.exec1(
        "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%'")[0].as<size_t>();
    contents.schemas = tx.exec1(
        "SELECT count(*) FROM pg_namespace WHERE nspname NOT IN ('public', 'information_schema') "
        "AND nspname NOT LIKE 'pg\\_%'")[0].as<size_t>();
  } catch (const std::invalid_argument& e) {
    return fail(ErrorKind::invalidInput, e.what());
  } catch (const std::exception& e) {
    return unavailable("cannot read the " + label(target, database), e);
  }
  return contents;
}

Status prepareDatabase(const DatabaseTarget& target, const DatabaseFacts& facts, bool replace) {
  const std::string name = databaseName(target, facts.database).value_or("");
  try {
    pqxx::connection conn(maintenanceConninfo(target, facts.database));
    pqxx::nontransaction tx(conn);
    const std::string quoted = tx.quote_name(name);
    const bool exists = tx.exec_params1("SELECT count(*) FROM pg_database WHERE datname = $1", name)[0].as<int>() > 0;
    if (exists && replace) tx.exec("DROP DATABASE " + quoted);
    // Created closed: nobody connects on PUBLIC's default right before the grants below replace it.
    if (!exists || replace) tx.exec("CREATE DATABASE " + quoted + " TEMPLATE template0 ENCODING 'UTF8' ALLOW_CONNECTIONS false");
    tx.exec("ALTER DATABASE " + quoted + " OWNER TO " + tx.quote_name(facts.owner));
    tx.exec("REVOKE ALL ON DATABASE " + quoted + " FROM PUBLIC");
    for (const DatabaseGrant& grant : facts.grants) {
      if (grant.privilege != "CONNECT" && grant.privilege != "TEMPORARY" && grant.privilege != "CREATE") {
        return fail(ErrorKind::invalidInput, "the backup grants an unknown privilege on database " + name + ": " +
                                                 grant.privilege);
      }
      tx.exec("GRANT " + grant.privilege + " ON DATABASE " + quoted + " TO " +
              (grant.grantee == "PUBLIC" ? "PUBLIC" : tx.quote_name(grant.grantee)));
    }
    tx.exec("ALTER DATABASE " + quoted + " ALLOW_CONNECTIONS true");
  } catch (const std::exception& e) {
    return unavailable("cannot prepare the " + label(target, facts.database) + " for the restore", e);
  }
  return {};
}

Status restoreDatabase(const DatabaseTarget& target, Database database, const std::filesystem::path& archive) {
  auto conninfo = commandLineConninfo(target, database);
  if (!conninfo) return conninfo.error();
  // One transaction: a restore that fails half-way leaves the database as empty as it was.
  return runProgram({"pg_restore", "--no-password", "--exit-on-error", "--single-transaction",
                     "--dbname=" + *conninfo, archive.string()},
                    -1);
}

}  // namespace liaison::store
