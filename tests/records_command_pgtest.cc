// Command-line access to records against the real PostgreSQL: `liaison records` reads health and
// justice only under their own role, and every read, import and purge is audited naming the
// operator and the command, before anything is shown or committed.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "adapters/audit_search.h"
#include "adapters/purge.h"
#include "adapters/store.h"
#include "crypto/digest.h"
#include "node/cli/command_audit.h"
#include "node/cli/command_line.h"
#include "tests/pg_fixture.h"
#include "tests/sample_records.h"

namespace liaison {
namespace {

using store::DbRole;

const store::CommandLineOrigin kOperator{"alice", "liaison records list health-record --member XA-POLICE"};

class RecordsCommand : public testing::PgTest {
 protected:
  struct Run {
    int status = -1;
    std::string out, err;
  };

  // `liaison WORDS --db <this test's database>` for the records command.
  Run records(std::vector<std::string> words) {
    words.insert(words.begin(), "records");
    words.push_back("--db");
    words.push_back(target().conninfo);
    std::ostringstream out, err;
    Run run;
    run.status = cli::runCommandLine(words, cli::CommandContext{.out = out, .err = err, .origin = kOperator});
    run.out = out.str();
    run.err = err.str();
    return run;
  }

  std::vector<AuditEntry> entries() {
    store::AuditReader reader(target());
    auto latest = reader.latestSeq().value();
    if (!latest) return {};
    std::vector<AuditEntry> all;
    auto rows = reader.entries(0, *latest + 1);
    EXPECT_TRUE(rows.ok()) << rows.error().message;
    if (!rows.ok()) return {};
    for (auto& row : *rows) all.push_back(std::move(row.entry));
    return all;
  }

  std::string insert(RecordKind kind) {
    store::RecordStore tools(target());
    return tools.insert("XA-POLICE", testing::sampleRecord(kind, "XA-POLICE")).value();
  }

  // Takes the audit writer's right to append away, or gives it back.
  void auditLogRefuses(bool refuses) {
    auto admin = connectAs(DbRole::admin);
    pqxx::nontransaction tx(*admin);
    for (const char* signature :
         {"audit.append_batch(timestamptz[], text[], text[], text[], text[], text[], text[], bytea[], text[], "
          "text[], text[], bytea[], bytea[], text[], text[], text[], text[], text[], text[], text[], text[], "
          "bigint[])"}) {
      tx.exec(std::string(refuses ? "REVOKE" : "GRANT") + " EXECUTE ON FUNCTION " + signature +
              (refuses ? " FROM" : " TO") + " liaison_audit_writer");
    }
  }
};

TEST_F(RecordsCommand, HealthRecordsAreReadOnlyUnderTheHealthRoleAndEveryAttemptIsAudited) {
  const std::string ref = insert(RecordKind::healthRecord);
  Run plain = records({"list", "health-record", "--member", "XA-POLICE"});
  EXPECT_EQ(plain.status, 1);
  EXPECT_EQ(plain.out, "");
  EXPECT_NE(plain.err.find("--role health"), std::string::npos) << plain.err;
  Run asEnforcement = records({"count", "health-record", "--member", "XA-POLICE", "--role", "enforcement"});
  EXPECT_EQ(asEnforcement.status, 1);
  EXPECT_EQ(asEnforcement.out, "");
  Run wrongWay = records({"count", "travel-document", "--member", "XA-POLICE", "--role", "health"});
  EXPECT_EQ(wrongWay.status, 1);

  Run asHealth = records({"list", "health-record", "--member", "XA-POLICE", "--role", "health"});
  ASSERT_EQ(asHealth.status, 0) << asHealth.err;
  EXPECT_NE(asHealth.out.find(ref), std::string::npos) << asHealth.out;

  const std::vector<AuditEntry> log = entries();
  ASSERT_EQ(log.size(), 4u);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(log[i].decision, Decision::refused) << log[i].reason;
  EXPECT_NE(log[0].reason.find("firewalled"), std::string::npos) << log[0].reason;
  EXPECT_EQ(log[3].decision, Decision::permitted);
  EXPECT_EQ(log[3].recordRefs, std::vector<std::string>{ref});
  EXPECT_NE(log[3].reason.find("liaison_health"), std::string::npos) << log[3].reason;
  for (const AuditEntry& entry : log) {
    EXPECT_EQ(entry.localUser, "alice");
    EXPECT_EQ(entry.command, kOperator.command);
    EXPECT_EQ(entry.requester, "XA-POLICE");
  }
  // The entry commits to exactly what the operator was shown.
  EXPECT_EQ(log[3].responseDigest, crypto::sha256({reinterpret_cast<const uint8_t*>(asHealth.out.data()),
                                                   asHealth.out.size()}));
}

TEST_F(RecordsCommand, NothingIsShownWhenTheAuditLogRefusesTheEntry) {
  insert(RecordKind::travelDocument);
  auditLogRefuses(true);
  Run refused = records({"count", "travel-document", "--member", "XA-POLICE"});
  auditLogRefuses(false);
  EXPECT_EQ(refused.status, 1);
  EXPECT_EQ(refused.out, "");
  EXPECT_NE(refused.err.find("nothing is shown"), std::string::npos) << refused.err;
  Run shown = records({"count", "travel-document", "--member", "XA-POLICE"});
  EXPECT_EQ(shown.status, 0) << shown.err;
  EXPECT_EQ(shown.out, "1\n");
}

TEST_F(RecordsCommand, AnImportIsAuditedBeforeItCommitsAndNothingLandsWhenTheLogRefuses) {
  char pattern[] = "/tmp/liaison-records-command-XXXXXX";
  ASSERT_NE(mkdtemp(pattern), nullptr);
  const std::string file = std::string(pattern) + "/health.csv";
  std::ofstream(file) << "family_name,facility,record_kind,recorded_on\nNgozi,clinic,consultation,2026-01-02\n";
  auto import = [&] {
    std::ostringstream out, err;
    return cli::runCommandLine({"import", "health-records", file, "--owner", "XA-POLICE", "--db", target().conninfo},
                               cli::CommandContext{.out = out,
                                                   .err = err,
                                                   .origin = {"bob", "liaison import health-records"}});
  };
  auditLogRefuses(true);
  EXPECT_EQ(import(), 1);
  auditLogRefuses(false);
  store::RecordStore tools(target(), DbRole::health);
  EXPECT_EQ(tools.count("XA-POLICE", RecordKind::healthRecord).value(), 0u) << "imported without an audit entry";
  EXPECT_EQ(import(), 0);
  EXPECT_EQ(tools.count("XA-POLICE", RecordKind::healthRecord).value(), 1u);
  const std::vector<AuditEntry> log = entries();
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0].localUser, "bob");
  EXPECT_EQ(log[0].command, "liaison import health-records");
  EXPECT_NE(log[0].reason.find("import health-record from " + file + ": 1 rows read, 1 new"), std::string::npos)
      << log[0].reason;
  std::filesystem::remove_all(pattern);
}

TEST_F(RecordsCommand, APurgeNamesItsOperator) {
  Record old = testing::sampleRecord(RecordKind::justiceRecord, "XA-POLICE");
  metaOf(old).retentionUntil = parseDate("2020-01-01").value();
  store::RecordStore tools(target());
  ASSERT_TRUE(tools.insert("XA-POLICE", old).ok());
  auto purged = store::purgeExpired(target(), "XA-POLICE", parseDate("2026-12-01").value(),
                                    store::CommandLineOrigin{"carol", "liaison purge --member XA-POLICE"});
  ASSERT_TRUE(purged.ok()) << purged.error().message;
  EXPECT_EQ(purged->total(), 1u);
  const std::vector<AuditEntry> log = entries();
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0].localUser, "carol");
  EXPECT_EQ(log[0].command, "liaison purge --member XA-POLICE");
}

TEST(CommandLineOrigin, NamesTheUserAndQuotesTheCommandAndCutsItShort) {
  auto origin = cli::commandLineOrigin({"liaison", "records", "list", "health-record", "--member", "it's me"});
  EXPECT_FALSE(origin.localUser.empty());
  EXPECT_EQ(origin.command, "liaison records list health-record --member 'it'\\''s me'");
  auto longOne = cli::commandLineOrigin({"liaison", std::string(5000, 'x')});
  EXPECT_EQ(longOne.command.size(), cli::kMaxAuditedCommandBytes);
  EXPECT_TRUE(longOne.command.ends_with("..."));
}

}  // namespace
}  // namespace liaison
