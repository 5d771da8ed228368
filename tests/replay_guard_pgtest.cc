// The replay guard against the real PostgreSQL: once per (requester, nonce), across restarts and
// racing threads, and a gateway role that reaches nothing but the nonces.
#include <gtest/gtest.h>

#include <atomic>
#include <latch>
#include <thread>
#include <vector>

#include "adapters/replay_guard.h"
#include "tests/pg_fixture.h"
#include "tests/pg_sessions.h"

namespace liaison {
namespace {

using namespace std::chrono_literals;
using store::DbRole;

using Nonce = std::array<uint8_t, 32>;

Nonce nonceOf(uint8_t seed, uint8_t variant = 0) {
  Nonce nonce{};
  for (size_t i = 0; i < nonce.size(); ++i) nonce[i] = static_cast<uint8_t>(seed * 31 + i);
  nonce[0] = variant;
  return nonce;
}

const Timestamp kNow = std::chrono::sys_days{std::chrono::year{2031} / 3 / 14} + 12h;

class ReplayGuard : public testing::PgTest {
 protected:
  // The SQLSTATE of running `sql` as `role` in the main database, or "" if it succeeded (and was
  // committed); "42501" for a role that may not even connect there.
  std::string sqlstateOf(DbRole role, const std::string& sql) { return sqlstateAs(role, Database::main, sql, ""); }
};

TEST_F(ReplayGuard, FirstClaimIsAcceptedAndTheSecondIsARepeat) {
  store::ReplayGuard guard(target());
  auto first = guard.claim("XB-BORDER", nonceOf(1), kNow + 5min);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_TRUE(*first);
  auto second = guard.claim("XB-BORDER", nonceOf(1), kNow + 5min);
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_FALSE(*second);
}

TEST_F(ReplayGuard, SameNonceFromAnotherRequesterIsNew) {
  store::ReplayGuard guard(target());
  ASSERT_TRUE(*guard.claim("XB-BORDER", nonceOf(2), kNow + 5min));
  auto other = guard.claim("XC-POLICE", nonceOf(2), kNow + 5min);
  ASSERT_TRUE(other.ok()) << other.error().message;
  EXPECT_TRUE(*other);
}

TEST_F(ReplayGuard, ClaimSurvivesARestart) {
  {
    store::ReplayGuard beforeRestart(target());
    ASSERT_TRUE(*beforeRestart.claim("XB-BORDER", nonceOf(3), kNow + 5min));
  }
  store::ReplayGuard afterRestart(target());
  auto replayed = afterRestart.claim("XB-BORDER", nonceOf(3), kNow + 5min);
  ASSERT_TRUE(replayed.ok()) << replayed.error().message;
  EXPECT_FALSE(*replayed);
}

TEST_F(ReplayGuard, RacingClaimsOfOneNonceAcceptExactlyOne) {
  constexpr int kThreads = 8;
  store::ReplayGuard guard(target());
  std::latch start(kThreads);
  std::atomic<int> accepted{0};
  std::atomic<int> failed{0};
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&] {
        start.arrive_and_wait();
        auto claimed = guard.claim("XB-BORDER", nonceOf(4), kNow + 5min);
        if (!claimed.ok()) {
          ++failed;
        } else if (*claimed) {
          ++accepted;
        }
      });
    }
  }
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(accepted.load(), 1);
}

TEST_F(ReplayGuard, ConcurrentClaimsGroupedTogetherAreEachDecidedOnTheirOwn) {
  constexpr int kThreads = 24;
  store::ReplayGuard guard(target());
  // Even threads repeat a nonce claimed before; odd ones claim a new one, some of them twice.
  for (int t = 0; t < kThreads; t += 2)
    ASSERT_TRUE(*guard.claim("XB-BORDER", nonceOf(20, static_cast<uint8_t>(t)), kNow + 5min));
  std::latch start(kThreads + 4);
  std::vector<int> answers(kThreads + 4, -1);
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < kThreads + 4; ++t) {
      threads.emplace_back([&, t] {
        const auto variant = static_cast<uint8_t>(t < kThreads ? t : 1 + 2 * (t - kThreads));
        start.arrive_and_wait();
        auto claimed = guard.claim("XB-BORDER", nonceOf(20, variant), kNow + 5min);
        answers[static_cast<size_t>(t)] = claimed.ok() ? (*claimed ? 1 : 0) : 2;
      });
    }
  }
  for (int t = 0; t < kThreads; t += 2)
    EXPECT_EQ(answers[static_cast<size_t>(t)], 0) << "replay accepted: " << t;
  // Each odd nonce was claimed once or twice; exactly one of its claims is accepted.
  for (int variant = 1; variant < kThreads; variant += 2) {
    int accepted = answers[static_cast<size_t>(variant)] == 1 ? 1 : 0;
    const int twin = kThreads + (variant - 1) / 2;
    if (twin < kThreads + 4) accepted += answers[static_cast<size_t>(twin)] == 1 ? 1 : 0;
    EXPECT_EQ(accepted, 1) << "nonce variant " << variant;
  }
}

TEST_F(ReplayGuard, ManyThreadsShareABoundedPool) {
  constexpr int kThreads = 40;
  constexpr int kClaimsEach = 25;
  store::ReplayGuard guard(target());
  std::atomic<int> accepted{0};
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kClaimsEach; ++i) {
          auto claimed = guard.claim("XB-BORDER", nonceOf(static_cast<uint8_t>(i), static_cast<uint8_t>(t)),
                                     kNow + 5min);
          if (claimed.ok() && *claimed) ++accepted;
        }
      });
    }
  }
  EXPECT_EQ(accepted.load(), kThreads * kClaimsEach);
  auto conn = connectAs(DbRole::admin);
  pqxx::read_transaction tx(*conn);
  auto open = tx.exec1(
      "SELECT count(*) FROM pg_stat_activity WHERE usename = 'liaison_gateway' AND datname = "
      "current_database()");
  EXPECT_LE(open[0].as<size_t>(), store::ReplayGuard::kMaxConnections);
}

TEST_F(ReplayGuard, PurgeRemovesOnlyExpiredClaims) {
  store::ReplayGuard guard(target());
  ASSERT_TRUE(*guard.claim("XB-BORDER", nonceOf(5), kNow - 10min));
  ASSERT_TRUE(*guard.claim("XB-BORDER", nonceOf(6), kNow - 1s));
  ASSERT_TRUE(*guard.claim("XB-BORDER", nonceOf(7), kNow));  // still valid at this very second
  ASSERT_TRUE(*guard.claim("XB-BORDER", nonceOf(8), kNow + 10min));
  auto purged = guard.purgeExpired(kNow);
  ASSERT_TRUE(purged.ok()) << purged.error().message;
  EXPECT_EQ(*purged, 2u);
  EXPECT_TRUE(*guard.claim("XB-BORDER", nonceOf(5), kNow + 5min)) << "an expired claim was kept";
  EXPECT_FALSE(*guard.claim("XB-BORDER", nonceOf(7), kNow + 5min)) << "a live claim was purged";
  EXPECT_FALSE(*guard.claim("XB-BORDER", nonceOf(8), kNow + 5min)) << "a live claim was purged";
  EXPECT_EQ(*guard.purgeExpired(kNow), 0u);
}

TEST_F(ReplayGuard, RequesterThatIsNotAMemberIdIsRefused) {
  store::ReplayGuard guard(target());
  const std::string requesters[] = {"", "has space", "quote'd", std::string("nul\0", 4),
                                    std::string(65, 'a')};
  for (const std::string& requester : requesters) {
    auto claimed = guard.claim(requester, nonceOf(9), kNow + 5min);
    ASSERT_FALSE(claimed.ok()) << requester;
    EXPECT_EQ(claimed.error().kind, ErrorKind::invalidInput);
  }
}

// A database restart closes the pooled connections: claims go on over fresh ones, and a claim
// already made is still a repeat.
TEST_F(ReplayGuard, ClaimsGoOnAfterTheServerClosedEveryPooledConnection) {
  store::ReplayGuard guard(target());
  std::vector<std::thread> threads;
  for (uint8_t t = 0; t < 4; ++t) {  // several connections in the pool
    threads.emplace_back([&, t] { ASSERT_TRUE(*guard.claim("XB-BORDER", nonceOf(20, t), kNow + 5min)); });
  }
  for (auto& thread : threads) thread.join();
  auto admin = connectAs(DbRole::admin);
  ASSERT_GE(testing::terminateSessions(*admin, "usename = 'liaison_gateway'"), 1);

  for (uint8_t t = 0; t < 4; ++t) {
    auto fresh = guard.claim("XB-BORDER", nonceOf(21, t), kNow + 5min);
    ASSERT_TRUE(fresh.ok()) << fresh.error().message;
    EXPECT_TRUE(*fresh);
    auto repeat = guard.claim("XB-BORDER", nonceOf(20, t), kNow + 5min);
    ASSERT_TRUE(repeat.ok()) << repeat.error().message;
    EXPECT_FALSE(*repeat) << "a claim made before the restart was accepted again";
  }
  auto purged = guard.purgeExpired(kNow + 1h);
  ASSERT_TRUE(purged.ok()) << purged.error().message;
}

TEST_F(ReplayGuard, UnreachableDatabaseIsAnErrorNotAnAcceptance) {
  store::ReplayGuard guard(store::DatabaseTarget{"host='/nonexistent/liaison-socket-dir' dbname='liaison'"});
  auto claimed = guard.claim("XB-BORDER", nonceOf(10), kNow + 5min);
  ASSERT_FALSE(claimed.ok());
  EXPECT_EQ(claimed.error().kind, ErrorKind::unavailable) << claimed.error().message;
}

TEST_F(ReplayGuard, GatewayRoleReachesOnlyTheNonces) {
  for (const char* table : {"notices.notices", "documents.travel_documents", "immigration.movements",
                            "immigration.refusals", "immigration.overstays", "immigration.visa_decisions",
                            "watchlist.persons", "watchlist.documents", "federation.group_members",
                            "audit.entries", "liaison_meta.migrations"}) {
    EXPECT_EQ(sqlstateOf(DbRole::gateway, std::string("SELECT count(*) FROM ") + table), "42501") << table;
  }
  // The firewalled records are in databases the gateway may not even connect to.
  EXPECT_EQ(sqlstateAs(DbRole::gateway, Database::health, "SELECT count(*) FROM health.records"), "42501");
  EXPECT_EQ(sqlstateAs(DbRole::gateway, Database::justice, "SELECT count(*) FROM justice.records"), "42501");
  EXPECT_EQ(sqlstateOf(DbRole::gateway,
                       "SELECT audit.append(now(), '', '', '', '', '', '', decode(repeat('00', 32), 'hex'), "
                       "'refused', '', '{}', decode(repeat('00', 32), 'hex'), '\\x00')"),
            "42501");
  EXPECT_EQ(sqlstateOf(DbRole::gateway, "SELECT count(*) FROM node.nonces"), "");
  EXPECT_EQ(sqlstateOf(DbRole::gateway, "UPDATE node.nonces SET expires_at = now()"), "42501");
  EXPECT_EQ(sqlstateOf(DbRole::gateway, "CREATE TABLE node.smuggled (x int)"), "42501");

  auto conn = connectAs(DbRole::admin);
  pqxx::read_transaction tx(*conn);
  auto row = tx.exec1(
      "SELECT rolsuper OR rolbypassrls OR rolcreaterole OR rolcreatedb FROM pg_roles "
      "WHERE rolname = 'liaison_gateway'");
  EXPECT_FALSE(row[0].as<bool>());
}

TEST_F(ReplayGuard, NonceColumnHoldsExactlyThirtyTwoBytes) {
  EXPECT_EQ(sqlstateOf(DbRole::gateway,
                       "INSERT INTO node.nonces VALUES ('XB-BORDER', '\\x00', now() + interval '5 minutes')"),
            "23514");
}

}  // namespace
}  // namespace liaison
