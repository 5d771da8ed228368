// `liaison backup` and `liaison restore` as an operator runs them: a node's databases and files
// into an owner-only directory, and back after the host is lost, so that a node started on the
// restored databases with the restored keys serves the same verifiable audit log and records; and
// every way the backup or its use can go wrong is refused, naming what.
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "node/cli/exit_codes.h"
#include "tests/liaison_process.h"
#include "tests/node_harness.h"

namespace liaison::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

std::string readAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

mode_t modeOf(const fs::path& path) {
  struct stat st {};
  EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

class Backup : public NodeTest {
 protected:
  void SetUp() override {
    NodeTest::SetUp();
    // The tree heads partners gave the node are part of what it keeps.
    config_.stateDir = dir_ / "state";
    fs::create_directories(config_.stateDir / "tree-heads" / "0123abcd");
    std::ofstream(config_.stateDir / "tree-heads" / "0123abcd" / "7.head") << "a partner's head";
    configFile_ = writeNodeConfigFile(config_, dir_ / "node.toml");
  }

  // Officers' requests, each audited: a border check, a health worker's read of a health record, and
  // a refused one.
  void makeAuditedRequests() {
    auto border = client(kBorderOfficer);
    auto checked = border->send(CheckDocumentQuery{DocumentNumber::parse("L898902C3").value(), "UTO", DocumentType::passport}, {});
    ASSERT_TRUE(checked.ok()) << checked.error().message;
    auto health = client(kHealthWorker);
    auto read = health->send(HealthRecordQuery{healthRef_}, {});
    ASSERT_TRUE(read.ok()) << read.error().message;
    ASSERT_EQ(read->response.status, ResponseStatus::ok) << read->response.reason;
    auto refused = border->send(HealthRecordQuery{healthRef_}, {});
    ASSERT_TRUE(refused.ok()) << refused.error().message;
    EXPECT_EQ(refused->response.status, ResponseStatus::refused);
  }

  CommandResult backup(const fs::path& out, std::vector<std::string> extra = {}) {
    std::vector<std::string> words{"backup", "--config", configFile_.string(), "--out", out.string()};
    words.insert(words.end(), extra.begin(), extra.end());
    return runLiaison(words);
  }
  CommandResult restore(const fs::path& from, std::vector<std::string> extra) {
    std::vector<std::string> words{"restore", "--from", from.string()};
    words.insert(words.end(), extra.begin(), extra.end());
    return runLiaison(words);
  }

  // What each table holds, as one digest per table, read as the cluster's superuser (past
  // row-level security): equal before the backup and after the restore.
  // The audit log is compared up to `entries`: restore appends an entry of its own.
  std::map<std::string, std::string> contents(const store::DatabaseTarget& target, uint64_t entries) const {
    const std::pair<Database, std::vector<std::string>> tables[] = {
        {Database::main, {"(SELECT * FROM audit.entries ORDER BY seq LIMIT " + std::to_string(entries) + ")", "audit.tree_heads", "documents.travel_documents", "notices.notices",
                          "watchlist.persons", "watchlist.documents", "immigration.movements", "federation.group_members"}},
        {Database::health, {"health.records"}},
        {Database::justice, {"justice.records"}}};
    std::map<std::string, std::string> digests;
    for (const auto& [database, names] : tables) {
      pqxx::connection conn(store::conninfoFor(target, store::DbRole::admin, database));
      pqxx::read_transaction tx(conn);
      for (const auto& table : names) {
        const auto row = tx.exec1("SELECT count(*)::text || ' ' || md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM " + table + " t");
        digests[std::string(name(database)) + ":" + table] = row[0].as<std::string>();
      }
    }
    return digests;
  }

  // Drops the three databases of `target`, as a lost host loses them.
  static void dropDatabases(const store::DatabaseTarget& target) {
    pqxx::connection admin(store::conninfoFor(PgTest::clusterTarget("postgres"), store::DbRole::admin));
    pqxx::nontransaction tx(admin);
    for (Database database : {Database::main, Database::health, Database::justice}) {
      tx.exec("DROP DATABASE IF EXISTS " + tx.quote_name(store::databaseName(target, database).value()) + " WITH (FORCE)");
    }
  }
  static bool databaseExists(const std::string& name) {
    pqxx::connection admin(store::conninfoFor(PgTest::clusterTarget("postgres"), store::DbRole::admin));
    pqxx::read_transaction tx(admin);
    return tx.exec_params1("SELECT count(*) FROM pg_database WHERE datname = $1", name)[0].as<int>() > 0;
  }

  // `liaison audit verify` as the auditor, keeping the heads it verified in a state folder of its own.
  CommandResult auditVerify(uint16_t port) {
    client::ClientConfig auditor = clientConfig(kAuditorOfficer);
    auditor.stateDir = dir_ / "auditor-state";
    return runLiaison({"audit", "verify", "--node", "https://127.0.0.1:" + std::to_string(port), "--as",
                       writeClientConfigFile(auditor, dir_ / "auditor.toml").string()});
  }

  fs::path configFile_;
};

TEST_F(Backup, ANodeRestoredOnALostHostServesTheSameVerifiableLogAndEveryRecord) {
  makeAuditedRequests();
  stopNode();
  {
    NodeProcess node(configFile_, dir_ / "before.log");
    const CommandResult verified = auditVerify(node.port());
    ASSERT_EQ(verified.exitCode, cli::kExitOk) << verified.out << verified.err;  // the auditor keeps this head
  }
  const uint64_t entries = auditCount();
  const auto before = contents(target(), entries);
  const std::string signingKey = readAll(config_.signingKey), tlsKey = readAll(config_.tlsKey);

  const fs::path out = dir_ / "backup";
  const CommandResult backedUp = backup(out);
  ASSERT_EQ(backedUp.exitCode, cli::kExitOk) << backedUp.out << backedUp.err;
  EXPECT_EQ(modeOf(out), 0700u);
  size_t parts = 0;
  for (const auto& entry : fs::recursive_directory_iterator(out)) {
    if (!entry.is_regular_file()) continue;
    ++parts;
    EXPECT_EQ(modeOf(entry.path()), 0600u) << entry.path();
  }
  EXPECT_GE(parts, 4u + 5u);  // three dumps and the manifest; configuration, keys, TLS, policy, state
  for (const std::string* secret : {&signingKey, &tlsKey}) {
    EXPECT_THAT(backedUp.out + backedUp.err, Not(HasSubstr(secret->substr(0, 40))));
  }

  // The host is lost: databases, keys, configuration and state.
  dropDatabases(target());
  for (const fs::path& lost : {config_.signingKey, config_.tlsKey, config_.tlsCertificate, configFile_, config_.policy}) {
    fs::remove(lost);
  }
  fs::remove_all(config_.stateDir);

  const CommandResult restored = restore(out, {"--db", target().conninfo});
  ASSERT_EQ(restored.exitCode, cli::kExitOk) << restored.out << restored.err;
  EXPECT_THAT(restored.out, HasSubstr("the firewall holds"));
  for (const std::string* secret : {&signingKey, &tlsKey}) {
    EXPECT_THAT(restored.out + restored.err, Not(HasSubstr(secret->substr(0, 40))));
  }
  EXPECT_EQ(readAll(config_.signingKey), signingKey);
  EXPECT_EQ(modeOf(config_.signingKey), 0600u);
  EXPECT_EQ(readAll(config_.stateDir / "tree-heads" / "0123abcd" / "7.head"), "a partner's head");
  EXPECT_EQ(contents(target(), entries), before);
  // The backup audited itself before it read anything (so its entry is in the backup), then the restore.
  EXPECT_EQ(auditCount(), entries + 2);
  EXPECT_THAT(lastAuditEntry().reason, HasSubstr("restored the backup of"));

  // The firewalled compartments are in databases of their own again, closed to enforcement.
  EXPECT_EQ(sqlstateAs(store::DbRole::enforcement, Database::health, "SELECT 1"), "42501");
  EXPECT_EQ(sqlstateAs(store::DbRole::enforcement, Database::justice, "SELECT 1"), "42501");
  EXPECT_EQ(sqlstateAs(store::DbRole::admin, Database::main, "SELECT 1 FROM health.records"), "42P01");

  // A node on the restored databases, with the restored keys: the auditor's log verifies against the
  // head it kept before the loss, and the health worker reads the health record again.
  NodeProcess node(configFile_, dir_ / "after.log");
  const CommandResult verified = auditVerify(node.port());
  EXPECT_EQ(verified.exitCode, cli::kExitOk) << verified.out << verified.err << node.log();
  EXPECT_THAT(verified.out, HasSubstr("VERIFIED"));
  client::ClientConfig healthWorker = clientConfig(kHealthWorker);
  healthWorker.stateDir = dir_ / "health-state";
  const CommandResult read = runLiaison({"query", "--as", writeClientConfigFile(healthWorker, dir_ / "health.toml").string(),
                                         "--node", "https://127.0.0.1:" + std::to_string(node.port()), "health-record", healthRef_});
  EXPECT_EQ(read.exitCode, cli::kExitOk) << read.out << read.err;
  EXPECT_THAT(read.out, HasSubstr(kHealthSentinel));
}

TEST_F(Backup, ADamagedIncompleteOrUnlistedPartIsNamedAndNothingIsRestored) {
  makeAuditedRequests();
  const fs::path out = dir_ / "backup";
  const CommandResult backedUp = backup(out);
  ASSERT_EQ(backedUp.exitCode, cli::kExitOk) << backedUp.out << backedUp.err;
  const std::string digest = backedUp.out.substr(backedUp.out.find("manifest sha256 ") + 16, 64);
  const std::string freshName = store::databaseName(target(), Database::main).value() + "_restored";
  const std::vector<std::string> into{"--db", PgTest::clusterTarget(freshName).conninfo, "--root", (dir_ / "elsewhere").string()};
  auto refused = [&](const std::string& what, const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = into;
    args.insert(args.end(), extra.begin(), extra.end());
    const CommandResult result = restore(out, args);
    EXPECT_EQ(result.exitCode, cli::kExitFailure) << what << "\n" << result.out << result.err;
    EXPECT_FALSE(databaseExists(freshName)) << what;
    EXPECT_FALSE(fs::exists(dir_ / "elsewhere")) << what;
    return result.err;
  };

  // A byte of the health database's dump flipped.
  const fs::path dump = out / "health.dump";
  std::string bytes = readAll(dump);
  bytes[bytes.size() / 2] ^= 0x01;
  std::ofstream(dump, std::ios::binary | std::ios::trunc) << bytes;
  std::string err = refused("tampered dump");
  EXPECT_THAT(err, HasSubstr(dump.string() + ": SHA-256"));
  EXPECT_THAT(err, HasSubstr("corrupted or altered"));
  bytes[bytes.size() / 2] ^= 0x01;
  std::ofstream(dump, std::ios::binary | std::ios::trunc) << bytes;

  // A part missing (a partial copy) and a file the backup never wrote.
  fs::rename(out / "justice.dump", dir_ / "justice.dump");
  std::ofstream(out / "extra.sql") << "DROP TABLE audit.entries;";
  err = refused("partial backup");
  EXPECT_THAT(err, HasSubstr((out / "justice.dump").string() + ": missing"));
  EXPECT_THAT(err, HasSubstr((out / "extra.sql").string() + ": not in the manifest"));
  fs::rename(dir_ / "justice.dump", out / "justice.dump");
  fs::remove(out / "extra.sql");

  // A manifest other than the one the backup printed, and one naming a file outside the backup.
  err = refused("wrong manifest digest", {"--manifest-sha256", std::string(64, '0')});
  EXPECT_THAT(err, HasSubstr("MANIFEST.json: SHA-256 " + digest));
  const std::string manifest = readAll(out / "MANIFEST.json");
  std::string outside = manifest;
  outside.replace(outside.find("\"main.dump\""), 11, "\"../../../etc/passwd\"");
  std::ofstream(out / "MANIFEST.json", std::ios::trunc) << outside;
  err = refused("a part outside the backup");
  EXPECT_THAT(err, HasSubstr("is not a file of the backup directory"));

  // No manifest: the backup never finished.
  fs::remove(out / "MANIFEST.json");
  err = refused("no manifest");
  EXPECT_THAT(err, HasSubstr("incomplete"));

  // The intact backup with the digest it printed restores into the fresh databases.
  std::ofstream(out / "MANIFEST.json", std::ios::trunc) << manifest;
  std::vector<std::string> args = into;
  args.insert(args.end(), {"--manifest-sha256", digest});
  const CommandResult result = restore(out, args);
  EXPECT_EQ(result.exitCode, cli::kExitOk) << result.out << result.err;
  EXPECT_TRUE(fs::exists(dir_ / "elsewhere" / config_.signingKey.relative_path()));
  dropDatabases(PgTest::clusterTarget(freshName));
}

TEST_F(Backup, RestoringOverDatabasesOrFilesInUseIsRefusedNamingThemUnlessReplaceIsGiven) {
  makeAuditedRequests();
  const fs::path out = dir_ / "backup";
  const CommandResult backedUp = backup(out);
  ASSERT_EQ(backedUp.exitCode, cli::kExitOk) << backedUp.out << backedUp.err;
  makeAuditedRequests();  // the log has grown since the backup
  const uint64_t entries = auditCount();

  const CommandResult refused = restore(out, {"--db", target().conninfo});
  EXPECT_EQ(refused.exitCode, cli::kExitFailure) << refused.out << refused.err;
  EXPECT_THAT(refused.err, HasSubstr("main database " + store::databaseName(target(), Database::main).value() + " is not empty"));
  EXPECT_THAT(refused.err, HasSubstr("health database " + store::databaseName(target(), Database::health).value() + " is not empty"));
  EXPECT_THAT(refused.err, Not(HasSubstr(config_.signingKey.string())));  // the same bytes: nothing to overwrite
  std::ofstream(config_.policy, std::ios::app) << "# changed since the backup\n";
  const CommandResult policyChanged = restore(out, {"--db", target().conninfo});
  EXPECT_THAT(policyChanged.err, HasSubstr(config_.policy.string() + " already exists and differs"));
  EXPECT_EQ(auditCount(), entries);

  // Told to, it replaces them: the log is the backup's again.
  stopNode();
  const CommandResult replaced = restore(out, {"--db", target().conninfo, "--replace"});
  ASSERT_EQ(replaced.exitCode, cli::kExitOk) << replaced.out << replaced.err;
  EXPECT_LT(auditCount(), entries);
}

TEST_F(Backup, AnOutputPathThatExistsOrIsASymlinkIsRefusedAndNothingIsWrittenThere) {
  // A directory someone prepared, readable by everyone.
  const fs::path open = dir_ / "prepared";
  fs::create_directory(open);
  fs::permissions(open, fs::perms::all);
  CommandResult result = backup(open);
  EXPECT_EQ(result.exitCode, cli::kExitFailure);
  EXPECT_THAT(result.err, HasSubstr(open.string() + ": already exists"));
  EXPECT_TRUE(fs::is_empty(open));

  // A symlink planted at the output path, pointing where the attacker reads.
  const fs::path victim = dir_ / "attacker-reads-here";
  const fs::path planted = dir_ / "backup";
  fs::create_symlink(victim, planted);
  result = backup(planted);
  EXPECT_EQ(result.exitCode, cli::kExitFailure);
  EXPECT_THAT(result.err, HasSubstr(planted.string() + ": already exists"));
  EXPECT_FALSE(fs::exists(victim));

  // A role that row-level security would show only part of the rows to.
  result = backup(dir_ / "partial", {"--db-admin", "liaison_enforcement"});
  EXPECT_EQ(result.exitCode, cli::kExitFailure);
  EXPECT_THAT(result.err, HasSubstr("liaison_enforcement is not a superuser and has no BYPASSRLS"));
  EXPECT_FALSE(fs::exists(dir_ / "partial"));

  // A restore from a symlink to a backup is refused too.
  ASSERT_EQ(backup(dir_ / "real").exitCode, cli::kExitOk);
  fs::create_symlink(dir_ / "real", dir_ / "link");
  result = restore(dir_ / "link", {"--db", target().conninfo});
  EXPECT_EQ(result.exitCode, cli::kExitFailure);
  EXPECT_THAT(result.err, HasSubstr("not a directory (a symlink is refused)"));
}

}  // namespace
}  // namespace liaison::testing
