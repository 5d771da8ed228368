// One audit log, one writer: a node holds a lease on its database's audit log, a second node on
// the same database refuses to start naming the first, no serving role can take or block the
// lease, it holds back nothing in PostgreSQL, and a node that lost it to another stops appending.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "adapters/writer_lease.h"
#include "tests/node_harness.h"
#include "tests/pg_fixture.h"
#include "tests/pg_sessions.h"

namespace liaison::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using store::AuditWriterLease;
using store::DbRole;
using namespace std::chrono_literals;

class WriterLease : public PgTest {
 protected:
  std::unique_ptr<AuditWriterLease> acquire(std::function<void(const Error&)> onLost = {}) {
    auto lease = AuditWriterLease::acquire(target(), "XA-POLICE", std::move(onLost));
    if (!lease) throw std::runtime_error(lease.error().message);
    return std::move(lease).value();
  }

  std::unique_ptr<pqxx::connection> admin_ = nullptr;
  pqxx::connection& admin() {
    if (!admin_) admin_ = connectAs(DbRole::admin);
    return *admin_;
  }
};

TEST_F(WriterLease, ASecondWriterIsRefusedNamingTheFirstAndGetsTheLogOnceTheFirstIsGone) {
  auto first = acquire();
  const store::AuditWriter running = first->self();
  EXPECT_EQ(running.pid, getpid());
  EXPECT_EQ(running.member, "XA-POLICE");
  EXPECT_EQ(running.instanceId.size(), 32u);

  auto second = AuditWriterLease::acquire(target(), "XA-POLICE");
  ASSERT_FALSE(second.ok()) << "two writers on one audit log";
  EXPECT_EQ(second.error().kind, ErrorKind::conflict);
  const std::string& message = second.error().message;
  EXPECT_THAT(message, HasSubstr("on host " + running.host));
  EXPECT_THAT(message, HasSubstr("pid " + std::to_string(getpid())));
  EXPECT_THAT(message, HasSubstr("since " + running.startedAt));
  EXPECT_THAT(message, HasSubstr(running.instanceId));
  EXPECT_THAT(message, HasSubstr("stop that node"));

  first.reset();
  auto third = AuditWriterLease::acquire(target(), "XA-POLICE");
  ASSERT_TRUE(third.ok()) << third.error().message;
  EXPECT_NE((*third)->self().instanceId, running.instanceId);
  auto latest = AuditWriterLease::latestWriter(target());
  ASSERT_TRUE(latest.ok()) << latest.error().message;
  ASSERT_TRUE(latest->has_value());
  EXPECT_EQ((*latest)->instanceId, (*third)->self().instanceId);
}

TEST_F(WriterLease, NoServingRoleCanTakeTheLeaseOrBlockIt) {
  // Each serving role tries every way of locking the lease's table or its record, and keeps its
  // transaction open afterwards with whatever it got: the lease must still be taken at once.
  const std::vector<std::string> attempts = {
      "LOCK TABLE audit.writer_lock IN EXCLUSIVE MODE NOWAIT",
      "LOCK TABLE audit.writer_lock IN ACCESS SHARE MODE NOWAIT",
      "SELECT * FROM audit.writer_lock",
      "LOCK TABLE audit.writer_leases IN SHARE MODE NOWAIT",
      "SELECT * FROM audit.writer_leases FOR UPDATE",
      "INSERT INTO audit.writer_leases (instance_id, member, host, pid) VALUES (repeat('a', 32), 'XZ', 'h', 1)",
  };
  // Health and justice may not even connect to the database that holds the log.
  for (DbRole role : {DbRole::health, DbRole::justice}) {
    EXPECT_EQ(sqlstateAs(role, Database::main, attempts[0]), "42501") << store::roleName(role);
  }
  std::vector<std::unique_ptr<pqxx::connection>> holders;
  for (DbRole role : {DbRole::enforcement, DbRole::gateway, DbRole::auditor}) {
    for (const std::string& sql : attempts) {
      auto conn = connectAs(role);
      pqxx::nontransaction tx(*conn);
      tx.exec("BEGIN");
      try {
        tx.exec(sql);
        ADD_FAILURE() << store::roleName(role) << " may run: " << sql;
      } catch (const pqxx::sql_error& e) {
        EXPECT_EQ(sqlstateOf(e), "42501") << store::roleName(role) << ": " << sql << ": " << e.what();
      }
      holders.push_back(std::move(conn));  // the failed transaction stays open, holding what it took
    }
  }
  // The auditor may read who writes the log, and keeps that read's lock too.
  auto auditor = connectAs(DbRole::auditor);
  pqxx::nontransaction reading(*auditor);
  reading.exec("BEGIN");
  reading.exec("SELECT count(*) FROM audit.writer_leases");

  const auto before = std::chrono::steady_clock::now();
  auto lease = AuditWriterLease::acquire(target(), "XA-POLICE");
  ASSERT_TRUE(lease.ok()) << lease.error().message;
  EXPECT_LT(std::chrono::steady_clock::now() - before, AuditWriterLease::kLockWait) << "the lease had to wait";

  // With the lease held, the same attempts are refused for want of privilege, not queued behind it.
  for (DbRole role : {DbRole::enforcement, DbRole::gateway, DbRole::auditor}) {
    auto conn = connectAs(role);
    pqxx::nontransaction tx(*conn);
    tx.exec("BEGIN");
    try {
      tx.exec("LOCK TABLE audit.writer_lock IN EXCLUSIVE MODE NOWAIT");
      ADD_FAILURE() << store::roleName(role) << " took the lease's lock";
    } catch (const pqxx::sql_error& e) {
      EXPECT_EQ(sqlstateOf(e), "42501") << store::roleName(role) << ": " << e.what();
    }
  }
  EXPECT_TRUE((*lease)->confirm().ok());
}

TEST_F(WriterLease, TheLeaseSessionHoldsBackNeitherVacuumNorATransactionId) {
  auto lease = acquire();
  const auto holder = writerLeaseHolder(admin());
  ASSERT_TRUE(holder.has_value()) << "nobody holds the lease's lock";
  {
    pqxx::nontransaction tx(admin());
    auto row = tx.exec1("SELECT state, backend_xid IS NULL, backend_xmin IS NULL FROM pg_stat_activity WHERE pid = " +
                        std::to_string(*holder));
    EXPECT_EQ(row[0].as<std::string>(), "idle in transaction");
    EXPECT_TRUE(row[1].as<bool>()) << "the lease transaction has a transaction id";
    EXPECT_TRUE(row[2].as<bool>()) << "the lease transaction holds a snapshot";
  }
  // Rows deleted while the lease is held are removed by VACUUM; n_dead_tup after VACUUM counts the
  // dead rows it had to leave behind.
  auto deadRowsLeftByVacuum = [&] {
    pqxx::nontransaction tx(admin());
    tx.exec("INSERT INTO scratch SELECT generate_series(1, 1000)");
    tx.exec("DELETE FROM scratch");
    tx.exec("VACUUM scratch");
    return tx.exec1("SELECT n_dead_tup FROM pg_stat_user_tables WHERE relid = 'scratch'::regclass")[0].as<int64_t>();
  };
  pqxx::nontransaction(admin()).exec("CREATE TABLE scratch (n integer)");
  EXPECT_EQ(deadRowsLeftByVacuum(), 0);

  // The measurement can fail: a session that does hold a snapshot keeps the dead rows.
  auto snapshot = connectAs(DbRole::admin);
  pqxx::nontransaction holding(*snapshot);
  holding.exec("BEGIN ISOLATION LEVEL REPEATABLE READ");
  holding.exec("SELECT 1");
  EXPECT_EQ(deadRowsLeftByVacuum(), 1000);
}

TEST_F(WriterLease, ALostLeaseSessionIsTakenAgainWhenNoOtherNodeCameBetween) {
  int lost = 0;
  auto lease = acquire([&](const Error&) { ++lost; });
  const auto before = writerLeaseHolder(admin());
  ASSERT_TRUE(before.has_value());
  ASSERT_EQ(terminateSessions(admin(), "pid = " + std::to_string(*before)), 1);
  ASSERT_FALSE(writerLeaseHolder(admin()).has_value());

  Status confirmed = lease->confirm();
  ASSERT_TRUE(confirmed.ok()) << confirmed.error().message;
  const auto after = writerLeaseHolder(admin());
  ASSERT_TRUE(after.has_value()) << "the lock was not taken again";
  EXPECT_NE(*after, *before);
  EXPECT_EQ(lost, 0);
  auto second = AuditWriterLease::acquire(target(), "XA-POLICE");
  ASSERT_FALSE(second.ok());
  EXPECT_THAT(second.error().message, HasSubstr(lease->self().instanceId));
}

TEST_F(WriterLease, ALeaseAnotherNodeTookMeanwhileIsLostForGood) {
  std::atomic<int> lost{0};
  std::string lostMessage;
  auto first = acquire([&](const Error& e) {
    lostMessage = e.message;
    ++lost;
  });
  ASSERT_EQ(terminateSessions(admin(), "pid = " + std::to_string(writerLeaseHolder(admin()).value())), 1);
  // The database restarted, another node came up first, appended and stopped again.
  const std::string other = acquire()->self().instanceId;

  // The lock is free, but the first node missed the other's entries and heads: only a restart
  // rebuilds its tree from them, so it must not take the log back.
  Status confirmed = first->confirm();
  ASSERT_FALSE(confirmed.ok()) << "the node took back a log another node wrote meanwhile";
  EXPECT_EQ(confirmed.error().kind, ErrorKind::conflict);
  EXPECT_THAT(confirmed.error().message, HasSubstr(other));
  EXPECT_THAT(confirmed.error().message, HasSubstr("no longer appends"));
  EXPECT_EQ(lost.load(), 1);
  EXPECT_EQ(lostMessage, confirmed.error().message);
  EXPECT_FALSE(writerLeaseHolder(admin()).has_value()) << "a node that lost the lease must not hold the lock";

  EXPECT_EQ(first->confirm().error().kind, ErrorKind::conflict);
  EXPECT_EQ(lost.load(), 1) << "the loss is reported once";
  EXPECT_TRUE(AuditWriterLease::acquire(target(), "XA-POLICE").ok()) << "a restarted node gets the log";
}

TEST_F(WriterLease, ALeaseAnotherNodeHoldsNowIsLostToIt) {
  auto first = acquire();
  ASSERT_EQ(terminateSessions(admin(), "pid = " + std::to_string(writerLeaseHolder(admin()).value())), 1);
  auto second = acquire();
  // The first waits for the lock at most kLockWait, then gives up for good.
  Status confirmed = first->confirm();
  ASSERT_FALSE(confirmed.ok()) << "two nodes hold one log's lease";
  EXPECT_EQ(confirmed.error().kind, ErrorKind::conflict);
  EXPECT_THAT(confirmed.error().message, HasSubstr("holds it now"));
  EXPECT_THAT(confirmed.error().message, HasSubstr(second->self().instanceId));
  EXPECT_TRUE(second->confirm().ok());
}

// ---------------------------------------------------------------------------------------------
// Nodes
// ---------------------------------------------------------------------------------------------

class OneWriterNode : public NodeTest {
 protected:
  Result<std::unique_ptr<node::Node>> startSecondNode(std::ostream& log) {
    node::NodeConfig second = config_;
    second.listenPort = 0;
    return node::Node::start(second, node::NodeOptions{{}, &log});
  }
  Query healthRecord() const { return HealthRecordQuery{healthRef_}; }
};

TEST_F(OneWriterNode, ASecondNodeOnTheSameDatabaseRefusesToStartNamingTheFirstAndStartsOnceItStopped) {
  std::ostringstream log;
  auto second = startSecondNode(log);
  ASSERT_FALSE(second.ok()) << "two nodes serve one audit log";
  EXPECT_EQ(second.error().kind, ErrorKind::conflict);
  EXPECT_THAT(second.error().message, HasSubstr("already has a writer: node XA-POLICE on host "));
  EXPECT_THAT(second.error().message, HasSubstr("pid " + std::to_string(getpid())));

  stopNode();
  second = startSecondNode(log);
  ASSERT_TRUE(second.ok()) << second.error().message;
  (*second)->stop();
}

TEST_F(OneWriterNode, ANodeWhoseLeaseAnotherNodeTookAnswers503AndSaysSo) {
  // Heads are signed (and the lease confirmed) only when a request's audit batch needs it.
  stopNode();
  config_.treeHeadInterval = std::chrono::hours(1);
  startNode();
  auto officer = client(kBorderOfficer);
  ASSERT_TRUE(officer->send(healthRecord(), {}).ok());
  const uint64_t audited = auditCount();

  // The first node's lease session is cut, as by a database restart, and another node starts.
  auto admin = connectAs(DbRole::admin);
  ASSERT_EQ(terminateSessions(*admin, "pid = " + std::to_string(writerLeaseHolder(*admin).value())), 1);
  std::ostringstream secondLog;
  auto second = startSecondNode(secondLog);
  ASSERT_TRUE(second.ok()) << second.error().message;
  const uint64_t afterSecondStarted = auditCount();

  auto answer = officer->send(healthRecord(), {});
  ASSERT_FALSE(answer.ok()) << "a node without the lease answered";
  EXPECT_EQ(answer.error().kind, ErrorKind::unavailable);
  EXPECT_THAT(answer.error().message, HasSubstr("503"));
  EXPECT_EQ(auditCount(), afterSecondStarted) << "a node without the lease appended";
  EXPECT_GE(afterSecondStarted, audited);
  EXPECT_THAT(logText(), HasSubstr("\"event\":\"audit-writer-lease-lost\""));

  auto ready = officer->get("/v1/health/ready");
  ASSERT_TRUE(ready.ok()) << ready.error().message;
  EXPECT_EQ(ready->first, 503u);
  EXPECT_THAT(ready->second, HasSubstr("another node holds the audit log's lease"));
  EXPECT_EQ(officer->get("/v1/health/live")->first, 200u);

  // The node that holds the lease serves.
  client::ClientConfig toSecond = clientConfig(kBorderOfficer);
  auto secondClient = client::QueryClient::create(toSecond, "https://127.0.0.1:" + std::to_string((*second)->port()));
  ASSERT_TRUE(secondClient.ok());
  auto served = (*secondClient)->send(healthRecord(), {});
  ASSERT_TRUE(served.ok()) << served.error().message;
  EXPECT_EQ(served->response.status, ResponseStatus::refused);  // the firewall's answer, signed and audited
  (*second)->stop();
}

}  // namespace
}  // namespace liaison::testing
