// A node across database trouble: every session cut as by a restart costs no request, and
// readiness says when the database or the audit writer cannot serve, while liveness does not.
// The cluster is shared with other tests, so only this test's database is touched.
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <regex>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/node_harness.h"
#include "tests/pg_sessions.h"

namespace liaison::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using store::DbRole;
using namespace std::chrono_literals;

class NodeHealth : public NodeTest {
 protected:
  // Polls `path` until it answers `status`, for at most `deadline`; returns the last answer.
  std::pair<unsigned, std::string> waitForStatus(client::QueryClient& c, const std::string& path, unsigned status,
                                                 std::chrono::seconds deadline) {
    const auto until = std::chrono::steady_clock::now() + deadline;
    std::pair<unsigned, std::string> last{0, ""};
    while (std::chrono::steady_clock::now() < until) {
      auto answer = c.get(path);
      if (answer) last = *answer;
      if (last.first == status) break;
      std::this_thread::sleep_for(100ms);
    }
    return last;
  }

  // A connection as the admin to the cluster's maintenance database, which stays reachable while
  // this test's database takes no connections.
  std::unique_ptr<pqxx::connection> clusterAdmin() const {
    return std::make_unique<pqxx::connection>(store::conninfoFor(
        store::DatabaseTarget{"host='" + std::string(std::getenv("LIAISON_TEST_PGHOST")) + "' dbname='postgres'"},
        DbRole::admin));
  }

  std::string databaseName() const {
    auto conn = connectAs(DbRole::admin);
    return pqxx::nontransaction(*conn).exec1("SELECT current_database()")[0].as<std::string>();
  }

  static uint64_t readinessChecks(const std::string& metrics) {
    std::smatch m;
    uint64_t total = 0;
    for (const char* result : {"ready", "not-ready"}) {
      const std::regex line("liaison_readiness_checks_total\\{result=\"" + std::string(result) + "\"\\} (\\d+)");
      if (std::regex_search(metrics, m, line)) total += std::stoull(m[1]);
    }
    return total;
  }

  Query healthRecord() const { return HealthRecordQuery{healthRef_}; }
};

TEST_F(NodeHealth, LiveAndReadyAnswer200WhileTheDatabaseServes) {
  auto c = client(kBorderOfficer);
  for (const char* path : {"/v1/health/live", "/v1/health/ready", "/v1/health"}) {
    auto answer = c->get(path);
    ASSERT_TRUE(answer.ok()) << path << ": " << answer.error().message;
    EXPECT_EQ(answer->first, 200u) << path << ": " << answer->second;
    EXPECT_EQ(answer->second, "{\"status\":\"ok\",\"member\":\"XA-POLICE\"}\n") << path;
  }
  EXPECT_EQ(c->get("/v1/health/other")->first, 404u);
}

// A careless operator put a password into the connection string, and the database goes away.
TEST_F(NodeHealth, ReadyIs503WhileTheDatabaseTakesNoConnectionsAndRecoversWithoutNamingAnySecret) {
  const std::string secret = "hunter2-do-not-print";
  stopNode();
  config_.database += " password=" + secret;
  startNode();
  auto c = client(kBorderOfficer);
  ASSERT_EQ(waitForStatus(*c, "/v1/health/ready", 200, 10s).first, 200u);

  const std::string database = databaseName();
  auto cluster = clusterAdmin();
  auto allowConnections = [&](bool allow) {
    pqxx::nontransaction tx(*cluster);
    tx.exec("ALTER DATABASE " + tx.quote_name(database) + " ALLOW_CONNECTIONS " + (allow ? "true" : "false"));
  };
  allowConnections(false);
  {
    pqxx::nontransaction tx(*cluster);
    tx.exec_params("SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity WHERE datname = $1", database);
  }
  const auto down = waitForStatus(*c, "/v1/health/ready", 503, 10s);
  EXPECT_EQ(down.first, 503u) << down.second;
  EXPECT_EQ(down.second,
            "{\"status\":\"unavailable\",\"member\":\"XA-POLICE\","
            "\"reason\":\"database: no answer as liaison_enforcement\"}\n");
  EXPECT_EQ(c->get("/v1/health")->first, 503u);
  EXPECT_EQ(c->get("/v1/health/live")->first, 200u) << "the process still serves";
  EXPECT_THAT(logText(), HasSubstr("\"event\":\"not-ready\""));

  allowConnections(true);
  const auto up = waitForStatus(*c, "/v1/health/ready", 200, 15s);
  EXPECT_EQ(up.first, 200u) << up.second;
  auto answer = c->send(healthRecord(), {});
  ASSERT_TRUE(answer.ok()) << answer.error().message;
  EXPECT_EQ(answer->response.status, ResponseStatus::refused);  // the firewall's signed answer

  EXPECT_THAT(logText(), Not(HasSubstr(secret)));
  EXPECT_THAT(down.second, Not(HasSubstr(std::getenv("LIAISON_TEST_PGHOST"))));
}

TEST_F(NodeHealth, ReadyIs503WhileTheAuditWriterMayNotAppend) {
  auto c = client(kBorderOfficer);
  auto grant = [&](bool granted) {
    auto conn = connectAs(DbRole::admin);
    pqxx::nontransaction tx(*conn);
    tx.exec(std::string(granted ? "GRANT" : "REVOKE") + " EXECUTE ON ALL FUNCTIONS IN SCHEMA audit " +
            (granted ? "TO" : "FROM") + " liaison_audit_writer");
  };
  grant(false);
  const auto refused = waitForStatus(*c, "/v1/health/ready", 503, 10s);
  EXPECT_EQ(refused.first, 503u);
  EXPECT_THAT(refused.second, HasSubstr("\"reason\":\"audit writer: may not append\""));
  grant(true);
  EXPECT_EQ(waitForStatus(*c, "/v1/health/ready", 200, 10s).first, 200u);
}

// An anonymous client asks for readiness as fast as it can: the database is asked at most once a
// second whatever the rate.
TEST_F(NodeHealth, AFloodOfReadinessRequestsChecksTheDatabaseAtMostOnceASecond) {
  auto metrics = [&] { return scrapeMetrics(); };
  const uint64_t before = readinessChecks(metrics());
  const auto start = std::chrono::steady_clock::now();
  std::atomic<int> answered{0};
  std::vector<std::thread> flood;
  for (int t = 0; t < 4; ++t) {
    flood.emplace_back([&] {
      auto c = client(kStrangerOfficer);
      for (int i = 0; i < 50; ++i) {
        auto answer = c->get("/v1/health/ready");
        if (answer && answer->first == 200) ++answered;
      }
    });
  }
  for (auto& thread : flood) thread.join();
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - start);
  EXPECT_EQ(answered.load(), 200);
  const uint64_t checks = readinessChecks(metrics()) - before;
  EXPECT_GE(checks, 1u);
  EXPECT_LE(checks, static_cast<uint64_t>(seconds.count()) + 2) << "over " << seconds.count() << " s";
}

// What a PostgreSQL restart does to a serving node: every session of its database ends, those of
// the audit writer, its lease, the replay guard, the transparency log and the auditor API among
// them. Between rounds of requests every one is cut; no request may fail for it. (A statement
// cut in mid-flight still fails its request: the audit writer cannot know whether such a batch
// committed, and must never append it twice.)
TEST_F(NodeHealth, NoRequestFailsWhenEveryDatabaseSessionIsCutBetweenRequests) {
  auto admin = connectAs(DbRole::admin);
  auto officer = client(kBorderOfficer);
  ASSERT_TRUE(officer->send(healthRecord(), {}).ok());
  const uint64_t before = auditCount();

  constexpr int kRounds = 5;
  constexpr int kPerClient = 6;
  std::atomic<int> failed{0};
  std::mutex failuresMutex;
  std::vector<std::string> failures;
  auto failure = [&](std::string what) {
    ++failed;
    std::lock_guard lock(failuresMutex);
    failures.push_back(std::move(what));
  };
  for (int round = 0; round < kRounds; ++round) {
    std::vector<std::thread> load;
    // A border officer's document checks (refused health reads in between) and a health worker's
    // reads: every store pool, the replay guard and the audit writer are at work.
    load.emplace_back([&] {
      auto c = client(kBorderOfficer);
      for (int i = 0; i < kPerClient; ++i) {
        const bool check = i % 2 == 0;
        auto answer = c->send(check ? Query(CheckDocumentQuery{DocumentNumber::parse("L898902C3").value(), "UTO",
                                                               DocumentType::passport})
                                    : healthRecord(),
                              {});
        const ResponseStatus expected = check ? ResponseStatus::ok : ResponseStatus::refused;
        if (!answer) failure("query: " + answer.error().message);
        else if (answer->response.status != expected) failure("query: " + answer->response.reason);
      }
    });
    load.emplace_back([&] {
      auto c = client(kHealthWorker);
      for (int i = 0; i < kPerClient; ++i) {
        auto answer = c->send(healthRecord(), {});
        if (!answer) failure("health read: " + answer.error().message);
        else if (answer->response.status != ResponseStatus::ok || answer->response.hits.size() != 1) {
          failure("health read: " + answer->response.reason);
        }
      }
    });
    load.emplace_back([&] {
      auto c = client(kAuditorOfficer);
      for (int i = 0; i < kPerClient; ++i) {
        auto answer = c->getSigned(i % 2 == 0 ? "/v1/audit/sth" : "/v1/audit/entries?start=0&end=0");
        if (!answer) failure("audit read: " + answer.error().message);
        else if (answer->status != 200) failure("audit read: HTTP " + std::to_string(answer->status));
      }
    });
    for (auto& thread : load) thread.join();
    EXPECT_TRUE(writerLeaseHolder(*admin).has_value()) << "round " << round << ": the node does not hold its lease";
    // As a restart would: every session of the node's database ends.
    EXPECT_GT(terminateSessions(*admin), 0);
  }
  EXPECT_EQ(failed.load(), 0) << (failures.empty() ? "" : failures.front());
  EXPECT_EQ(auditCount(), before + kRounds * 3 * kPerClient) << "every request is audited once";
  EXPECT_THAT(logText(), Not(HasSubstr("audit-writer-lease-lost")));
  EXPECT_EQ(waitForStatus(*officer, "/v1/health/ready", 200, 10s).first, 200u);
}

}  // namespace
}  // namespace liaison::testing
