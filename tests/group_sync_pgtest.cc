// The database's visibility groups follow the policy's [[group]] tables: `liaison groups sync`.
#include <gtest/gtest.h>

#include <optional>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <pqxx/pqxx>
#include <sstream>

#include "adapters/group_sync.h"
#include "adapters/pg_session.h"
#include "adapters/store.h"
#include "node/cli/command_line.h"
#include "tests/pg_fixture.h"
#include "tests/sample_records.h"

namespace liaison {
namespace {

using store::DbRole;
using store::Membership;

class GroupSync : public testing::PgTest {
 protected:
  // The table of the main database; the test fails where a firewalled database's copy differs.
  std::vector<Membership> stored() {
    std::vector<Membership> main;
    for (Database database : {Database::main, Database::health, Database::justice}) {
      auto conn = connectAs(DbRole::admin, database);
      pqxx::read_transaction tx(*conn);
      std::vector<Membership> rows;
      for (const auto& row :
           tx.exec("SELECT group_id, member_id FROM federation.group_members ORDER BY 1, 2")) {
        rows.emplace_back(row[0].as<std::string>(), row[1].as<std::string>());
      }
      if (database == Database::main) main = rows;
      EXPECT_EQ(rows, main) << "the " << name(database) << " database's groups differ from the main one's";
    }
    return main;
  }

  // Adds a membership in every database of the node, or in one.
  void addMembership(const std::string& group, const std::string& member,
                     std::optional<Database> only = std::nullopt) {
    for (Database database : {Database::main, Database::health, Database::justice}) {
      if (only && *only != database) continue;
      auto conn = connectAs(DbRole::admin, database);
      pqxx::work tx(*conn);
      tx.exec_params("INSERT INTO federation.group_members (group_id, member_id) VALUES ($1, $2)", group,
                     member);
      tx.commit();
    }
  }

  // The reasons of the audit entries written by groups sync, oldest first.
  std::vector<std::string> syncAuditReasons() {
    auto conn = connectAs(DbRole::auditor);
    pqxx::read_transaction tx(*conn);
    std::vector<std::string> reasons;
    for (const auto& row : tx.exec("SELECT requester, officer_pseudonym, decision, reason FROM audit.entries "
                                   "ORDER BY seq")) {
      EXPECT_EQ(row[0].as<std::string>(), "XA-POLICE");
      EXPECT_EQ(row[1].as<std::string>(), "liaison groups sync");
      EXPECT_EQ(row[2].as<std::string>(), "permitted");
      reasons.push_back(row[3].as<std::string>());
    }
    return reasons;
  }

  // Runs `liaison groups ARGS --db <this test's database>`.
  int runCommand(std::vector<std::string> args, std::string& out, std::string& err) {
    args.insert(args.begin(), "groups");
    args.push_back("--db");
    args.push_back(target().conninfo);
    std::ostringstream o, e;
    int status = cli::runCommandLine(
        args, cli::CommandContext{.out = o, .err = e, .origin = store::CommandLineOrigin{"tester", "liaison groups"}});
    out = o.str();
    err = e.str();
    return status;
  }
};

const store::GroupMembers kEuPartners = {{"EU-PARTNERS", {"XB-BORDER", "XC-IMMIGRATION"}}};

TEST_F(GroupSync, AFirewalledDatabaseWhoseGroupsDifferIsMendedToo) {
  // Row-level security in the health database reads its own copy of the table: a membership left
  // there alone would show health records to a member the policy no longer names.
  addMembership("EU-PARTNERS", "XB-BORDER");
  addMembership("EU-PARTNERS", "XC-IMMIGRATION");
  addMembership("EU-PARTNERS", "XZ-GONE", Database::health);
  auto diff = store::diffGroups(target(), DbRole::admin, kEuPartners);
  ASSERT_TRUE(diff.ok()) << diff.error().message;
  EXPECT_EQ(diff->removed, (std::vector<Membership>{{"EU-PARTNERS", "XZ-GONE"}}));
  auto healthOnly = store::diffGroups(target(), DbRole::health, kEuPartners);
  ASSERT_TRUE(healthOnly.ok()) << healthOnly.error().message;
  EXPECT_EQ(healthOnly->removed.size(), 1u);
  auto changes = store::syncGroups(target(), "XA-POLICE", kEuPartners, "policy.toml");
  ASSERT_TRUE(changes.ok()) << changes.error().message;
  EXPECT_EQ(changes->removed, (std::vector<Membership>{{"EU-PARTNERS", "XZ-GONE"}}));
  EXPECT_EQ(stored(), (std::vector<Membership>{{"EU-PARTNERS", "XB-BORDER"}, {"EU-PARTNERS", "XC-IMMIGRATION"}}));
}

TEST_F(GroupSync, TheTableBecomesThePolicysGroupsAndTheChangeIsAudited) {
  addMembership("OLD-PARTNERS", "XZ-GONE");
  addMembership("EU-PARTNERS", "XB-BORDER");
  auto changes = store::syncGroups(target(), "XA-POLICE", kEuPartners, "policy.toml");
  ASSERT_TRUE(changes.ok()) << changes.error().message;
  EXPECT_EQ(changes->added, (std::vector<Membership>{{"EU-PARTNERS", "XC-IMMIGRATION"}}));
  EXPECT_EQ(changes->removed, (std::vector<Membership>{{"OLD-PARTNERS", "XZ-GONE"}}));
  EXPECT_EQ(changes->memberships, 2u);
  EXPECT_EQ(stored(),
            (std::vector<Membership>{{"EU-PARTNERS", "XB-BORDER"}, {"EU-PARTNERS", "XC-IMMIGRATION"}}));
  EXPECT_EQ(syncAuditReasons(),
            (std::vector<std::string>{
                "groups sync from policy.toml: 1 added, 1 removed: +EU-PARTNERS/XC-IMMIGRATION, "
                "-OLD-PARTNERS/XZ-GONE"}));

  // In step already: nothing changes and nothing more is audited.
  auto again = store::syncGroups(target(), "XA-POLICE", kEuPartners, "policy.toml");
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_TRUE(again->empty());
  EXPECT_EQ(syncAuditReasons().size(), 1u);
}

TEST_F(GroupSync, AnAuditEntryListsAtMostFiftyChangesAndCountsTheRest) {
  store::GroupMembers many;
  for (int i = 0; i < 60; ++i) many["BIG-GROUP"].push_back("XM-" + std::to_string(100 + i));
  addMembership("OLD-PARTNERS", "XZ-GONE");
  ASSERT_TRUE(store::syncGroups(target(), "XA-POLICE", many, "policy.toml").ok());
  const auto reasons = syncAuditReasons();
  ASSERT_EQ(reasons.size(), 1u);
  EXPECT_EQ(reasons[0].rfind("groups sync from policy.toml: 60 added, 1 removed: +BIG-GROUP/XM-100, ", 0), 0u)
      << reasons[0];
  EXPECT_NE(reasons[0].find("+BIG-GROUP/XM-149, and 11 more"), std::string::npos) << reasons[0];
  EXPECT_EQ(reasons[0].find("XZ-GONE"), std::string::npos) << "the 61st change is counted, not listed";
  EXPECT_EQ(stored().size(), 60u);
}

TEST_F(GroupSync, ARecordSharedWithAGroupIsSeenByExactlyItsMembersAfterEachSync) {
  store::RecordStore store(target());
  Record record = testing::sampleRecord(RecordKind::travelDocument, "XA-POLICE");
  metaOf(record).visibleTo = {"EU-PARTNERS"};
  auto ref = store.insert("XA-POLICE", record);
  ASSERT_TRUE(ref.ok()) << ref.error().message;
  auto sees = [&](const std::string& member) {
    auto read = store.get(member, RecordKind::travelDocument, *ref);
    EXPECT_TRUE(read.ok()) << read.error().message;
    return read.ok() && read->has_value();
  };
  EXPECT_FALSE(sees("XB-BORDER")) << "no group in the database yet";

  ASSERT_TRUE(store::syncGroups(target(), "XA-POLICE", kEuPartners, "policy.toml").ok());
  EXPECT_TRUE(sees("XB-BORDER"));
  EXPECT_TRUE(sees("XC-IMMIGRATION"));
  EXPECT_FALSE(sees("XD-OTHER"));

  ASSERT_TRUE(store::syncGroups(target(), "XA-POLICE", {{"EU-PARTNERS", {"XB-BORDER"}}}, "policy.toml").ok());
  EXPECT_TRUE(sees("XB-BORDER"));
  EXPECT_FALSE(sees("XC-IMMIGRATION")) << "removed from the group in the policy, still sees the record";
}

TEST_F(GroupSync, ADiffChangesNothingAndServingRolesMayRunIt) {
  addMembership("OLD-PARTNERS", "XZ-GONE");
  auto diff = store::diffGroups(target(), DbRole::enforcement, kEuPartners);
  ASSERT_TRUE(diff.ok()) << diff.error().message;
  EXPECT_EQ(diff->added.size(), 2u);
  EXPECT_EQ(diff->removed, (std::vector<Membership>{{"OLD-PARTNERS", "XZ-GONE"}}));
  EXPECT_EQ(stored(), (std::vector<Membership>{{"OLD-PARTNERS", "XZ-GONE"}}));
}

TEST_F(GroupSync, AnInvalidIdIsRefusedBeforeAnythingIsTouched) {
  addMembership("OLD-PARTNERS", "XZ-GONE");
  auto bad =
      store::syncGroups(target(), "XA-POLICE", {{"EU-PARTNERS", {"XB-BORDER", "x'; DROP TABLE"}}}, "p.toml");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().kind, ErrorKind::invalidInput);
  EXPECT_NE(bad.error().message.find("of group EU-PARTNERS is not valid"), std::string::npos)
      << bad.error().message;
  EXPECT_EQ(stored(), (std::vector<Membership>{{"OLD-PARTNERS", "XZ-GONE"}}));
  EXPECT_TRUE(syncAuditReasons().empty());
}

TEST_F(GroupSync, TheCommandSyncsFromAPolicyFileAndADryRunOnlyShowsTheChanges) {
  const std::string policy = std::string(LIAISON_SOURCE_DIR) + "/examples/policy.toml";
  addMembership("OLD-PARTNERS", "XZ-GONE");
  std::string out, err;
  ASSERT_EQ(runCommand({"sync", "--policy", policy, "--dry-run"}, out, err), 0) << err;
  EXPECT_EQ(out,
            "+ EU-PARTNERS XB-BORDER\n+ EU-PARTNERS XC-IMMIGRATION\n- OLD-PARTNERS XZ-GONE\n"
            "would change federation.group_members: 2 added, 1 removed; 1 groups, 2 memberships in " +
                policy + "\n");
  EXPECT_EQ(stored(), (std::vector<Membership>{{"OLD-PARTNERS", "XZ-GONE"}}));

  ASSERT_EQ(runCommand({"sync", "--policy", policy}, out, err), 0) << err;
  EXPECT_NE(out.find("changed federation.group_members: 2 added, 1 removed; 1 groups, 2 memberships in " +
                     policy + " (audited)\n"),
            std::string::npos)
      << out;
  EXPECT_EQ(stored(),
            (std::vector<Membership>{{"EU-PARTNERS", "XB-BORDER"}, {"EU-PARTNERS", "XC-IMMIGRATION"}}));

  // A policy with problems changes nothing.
  const std::string broken =
      (std::filesystem::temp_directory_path() / ("broken-policy-" + std::to_string(getpid()) + ".toml"))
          .string();
  std::ofstream(broken)
      << "self = \"XA-POLICE\"\n[[group]]\nid = \"EU-PARTNERS\"\nmembers = [\"XQ-UNKNOWN\"]\n";
  EXPECT_EQ(runCommand({"sync", "--policy", broken}, out, err), 1);
  EXPECT_NE(err.find("the policy cannot be used"), std::string::npos) << err;
  std::filesystem::remove(broken);
  EXPECT_EQ(stored().size(), 2u);
}

TEST_F(GroupSync, TheLiaisonBinaryRunsIt) {
  const std::string policy = std::string(LIAISON_SOURCE_DIR) + "/examples/policy.toml";
  const std::string command = std::string(LIAISON_BINARY) + " groups sync --policy '" + policy +
                              "' --dry-run --db '" + target().conninfo + "' 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string out;
  char buffer[256];
  while (size_t n = fread(buffer, 1, sizeof buffer, pipe)) out.append(buffer, n);
  const int status = pclose(pipe);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << out;
  EXPECT_NE(out.find("+ EU-PARTNERS XB-BORDER\n"), std::string::npos) << out;
  EXPECT_NE(out.find("would change federation.group_members: 2 added, 0 removed"), std::string::npos) << out;
}

}  // namespace
}  // namespace liaison
