// `liaison audit verify` and `audit prove` against a real node: tampering with the stored log is
// found and named by index, a node that contradicts its own signed heads is caught as a fork by
// partners' clients and by auditors, and a node killed with SIGKILL in the middle of a load keeps
// every receipt it handed out.
#include <signal.h>
#include <sys/wait.h>

#include <atomic>
#include <fstream>
#include <mutex>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "crypto/digest.h"
#include "crypto/envelope.h"
#include "crypto/keys.h"
#include "node/client/audit_verify.h"
#include "node/client/tree_heads.h"
#include "schema/codec.h"
#include "tests/liaison_process.h"
#include "tests/node_harness.h"
#include "tests/wait.h"

namespace liaison::testing {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

class AuditVerify : public NodeTest {
 protected:
  // The auditor's client, keeping its heads and verified leaves in a folder of this test.
  std::unique_ptr<client::QueryClient> auditor() const {
    client::ClientConfig config = clientConfig(kAuditorOfficer);
    config.stateDir = dir_ / "auditor-state";
    auto client = client::QueryClient::create(config, url());
    if (!client) throw std::runtime_error(client.error().message);
    return std::move(client).value();
  }

  // Answers `count` check-document queries and returns their receipts.
  std::vector<AuditReceipt> ask(int count) {
    auto officer = client(kBorderOfficer);
    std::vector<AuditReceipt> receipts;
    for (int i = 0; i < count; ++i) {
      auto answer = officer->send(CheckDocumentQuery{DocumentNumber::parse("L898902C3").value(), "UTO",
                                                     DocumentType::passport},
                                  {});
      if (!answer) throw std::runtime_error(answer.error().message);
      receipts.push_back(answer->response.receipt);
    }
    return receipts;
  }

  // A log of `count` answered queries under a signed head, verified once so the auditor keeps it.
  void verifiedLogOf(int count) {
    ask(count);
    // The node signs a head on stop and checks the log against it on start.
    stopNode();
    startNode();
    auto report = client::verifyAuditLog(*auditor(), {});
    ASSERT_TRUE(report.ok()) << report.error().message;
    ASSERT_TRUE(report->verified) << (report->problems.empty() ? "" : report->problems.front());
    ASSERT_GE(report->head.treeSize, static_cast<uint64_t>(count));
  }

  // Runs `sql` as the database owner with the append-only triggers out of the way: what an
  // attacker with the database's superuser can do behind the node's back.
  void tamper(const std::string& sql) {
    auto conn = connectAs(store::DbRole::admin);
    pqxx::work tx(*conn);
    tx.exec("SET LOCAL session_replication_role = replica");
    tx.exec(sql);
    tx.commit();
  }

  // Starts a node over the log as it is now, which must fail, and returns why.
  Error refusedStart() {
    std::ostringstream log;
    auto node = node::Node::start(config_, node::NodeOptions{{}, &log});
    if (node.ok()) return fail(ErrorKind::internal, "the node started");
    return node.error();
  }

  client::AuditVerifyReport verifyAgain() {
    auto report = client::verifyAuditLog(*auditor(), {});
    if (!report) throw std::runtime_error(report.error().message);
    return *report;
  }

  std::string problems(const client::AuditVerifyReport& report) {
    std::string all;
    for (const auto& p : report.problems) all += p + "\n";
    return all;
  }
};

TEST_F(AuditVerify, AnUntouchedLogVerifiesAndEveryReceiptIsIncluded) {
  auto receipts = ask(5);
  stopNode();
  startNode();
  auto auditorClient = auditor();
  auto report = client::verifyAuditLog(*auditorClient, {});
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_TRUE(report->verified) << problems(*report);
  EXPECT_EQ(report->entries, report->head.treeSize);
  for (const auto& receipt : receipts) {
    auto check = client::proveReceipt(*auditorClient, receipt);
    ASSERT_TRUE(check.ok()) << check.error().message;
    EXPECT_EQ(check->verdict, client::ReceiptCheck::Verdict::included) << check->detail;
  }
  // A receipt whose leaf hash is not the entry's is not included.
  AuditReceipt forged = receipts[2];
  forged.leafHash[0] ^= 1;
  auto check = client::proveReceipt(*auditorClient, forged);
  ASSERT_TRUE(check.ok()) << check.error().message;
  EXPECT_EQ(check->verdict, client::ReceiptCheck::Verdict::notIncluded);
  // A second run compares with what the first one verified, and still agrees.
  auto again = client::verifyAuditLog(*auditorClient, {});
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->verified) << problems(*again);
  EXPECT_GE(again->previouslyVerified, report->head.treeSize);
}

TEST_F(AuditVerify, OneChangedByteOfAStoredEntryIsReportedWithItsIndex) {
  verifiedLogOf(8);
  tamper("UPDATE audit.entries SET entry = set_byte(entry, 40, get_byte(entry, 40) # 1) WHERE seq = 3");
  auto report = verifyAgain();
  EXPECT_FALSE(report.verified);
  ASSERT_TRUE(report.firstBadIndex.has_value()) << problems(report);
  EXPECT_EQ(*report.firstBadIndex, 3u) << problems(report);
  EXPECT_THAT(report.problems.front(), HasSubstr("entry 3"));
}

TEST_F(AuditVerify, ADeletedEntryIsReportedWithItsIndex) {
  verifiedLogOf(8);
  tamper("DELETE FROM audit.entries WHERE seq = 5");
  auto report = verifyAgain();
  EXPECT_FALSE(report.verified);
  ASSERT_TRUE(report.firstBadIndex.has_value()) << problems(report);
  EXPECT_EQ(*report.firstBadIndex, 5u) << problems(report);
  EXPECT_THAT(problems(report), HasSubstr("entry 5 is missing"));
}

TEST_F(AuditVerify, TwoSwappedEntriesAreReportedAtTheFirst) {
  verifiedLogOf(8);
  tamper("UPDATE audit.entries e SET entry = o.entry FROM audit.entries o "
         "WHERE (e.seq, o.seq) IN ((2, 6), (6, 2))");
  auto report = verifyAgain();
  EXPECT_FALSE(report.verified);
  ASSERT_TRUE(report.firstBadIndex.has_value()) << problems(report);
  EXPECT_EQ(*report.firstBadIndex, 2u) << problems(report);
  EXPECT_THAT(problems(report), HasSubstr("entry 6"));
}

TEST_F(AuditVerify, ATruncatedLogIsReportedFromTheFirstMissingIndex) {
  verifiedLogOf(8);
  tamper("DELETE FROM audit.entries WHERE seq >= 4");
  auto report = verifyAgain();
  EXPECT_FALSE(report.verified);
  ASSERT_TRUE(report.firstBadIndex.has_value()) << problems(report);
  EXPECT_EQ(*report.firstBadIndex, 4u) << problems(report);
}

TEST_F(AuditVerify, ANodeRefusesToStartOverALogThatContradictsItsLatestHead) {
  verifiedLogOf(6);
  stopNode();
  tamper("UPDATE audit.entries SET entry = set_byte(entry, 40, get_byte(entry, 40) # 1) WHERE seq = 1");
  Error refused = refusedStart();
  EXPECT_EQ(refused.kind, ErrorKind::conflict);
  EXPECT_THAT(refused.message, HasSubstr("no longer hash to the root the node signed"));

  tamper("DELETE FROM audit.entries WHERE seq >= 2");
  EXPECT_THAT(refusedStart().message, HasSubstr("entries from index 2 on were removed"));
}

// ---------------------------------------------------------------------------------------------
// Rows of audit.tree_heads the node did not sign: anyone with the writer role's password can
// insert one, and none can be removed. They are security findings, not a reason to stop serving.
// ---------------------------------------------------------------------------------------------

class UnsignedTreeHeads : public AuditVerify {
 protected:
  // Inserts a row into audit.tree_heads as liaison_audit_writer: what its password allows.
  void plantTreeHead(uint64_t treeSize, const std::vector<uint8_t>& envelope) {
    auto writer = connectAs(store::DbRole::auditWriter);
    pqxx::work tx(*writer);
    tx.exec_params("INSERT INTO audit.tree_heads (tree_size, root_hash, signed_at, envelope) "
                   "VALUES ($1, $2, now(), $3)",
                   treeSize, pqxx::binarystring(std::string(32, '\x5a')),
                   pqxx::binarystring(envelope.data(), envelope.size()));
    tx.commit();
  }

  // A head of this log of `treeSize` entries, signed by a key that is not the node's.
  std::vector<uint8_t> headOfAnotherKey(uint64_t treeSize) {
    TreeHead head{"XA-POLICE", treeSize, {}, now()};
    return crypto::sealEnvelope(MessageType::treeHead, encodeTreeHead(head), crypto::generateKeyPair().secretKey);
  }

  // The newest head the node stored: its own signature, as partners hold it.
  std::vector<uint8_t> latestStoredEnvelope() {
    auto conn = connectAs(store::DbRole::auditor);
    pqxx::read_transaction tx(*conn);
    pqxx::binarystring bytes(tx.exec1("SELECT envelope FROM audit.tree_heads ORDER BY tree_size DESC LIMIT 1")[0]);
    return std::vector<uint8_t>(bytes.begin(), bytes.end());
  }

  static size_t occurrences(const std::string& text, const std::string& part) {
    size_t n = 0;
    for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
    return n;
  }

  // What `liaison audit search 'officer=liaison node&decision=refused'` gets.
  std::string searchFindings() {
    auto answer = auditor()->getSigned("/v1/audit/search?officer=liaison+node&decision=refused");
    if (!answer) throw std::runtime_error(answer.error().message);
    EXPECT_EQ(answer->status, 200u);
    return std::string(answer->body.begin(), answer->body.end());
  }

  static Timestamp now() { return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()); }
};

TEST_F(UnsignedTreeHeads, ARowTheNodeDidNotSignIsReportedInTheLogTheMetricsAndTheAuditLogAndDoesNotStopTheNode) {
  verifiedLogOf(3);
  stopNode();
  // A head of another key, larger than the log, and a real head of the node under altered columns.
  const std::vector<uint8_t> ownHead = latestStoredEnvelope();
  plantTreeHead(1000, headOfAnotherKey(1000));
  plantTreeHead(999, ownHead);

  startNode();  // from the latest head the node did sign
  const std::string log = logText();
  EXPECT_EQ(occurrences(log, "\"event\":\"security-finding\""), 2u) << log;
  EXPECT_THAT(log, HasSubstr("\"level\":\"error\""));
  EXPECT_THAT(log, HasSubstr("\"kind\":\"unsigned-tree-head\",\"tree_size\":1000"));
  EXPECT_THAT(log, HasSubstr("\"kind\":\"unsigned-tree-head\",\"tree_size\":999"));
  EXPECT_THAT(log, HasSubstr("not signed by this node's key"));
  EXPECT_THAT(log, HasSubstr("column differs from the head of "));
  EXPECT_THAT(scrapeMetrics(), HasSubstr("liaison_security_findings_total{kind=\"unsigned-tree-head\"} 2"));

  std::string found = searchFindings();
  EXPECT_EQ(occurrences(found, "security finding: "), 2u) << found;
  EXPECT_THAT(found, HasSubstr("\"audit.tree_heads/1000/"));
  EXPECT_THAT(found, HasSubstr("started from the latest head it signed, of "));

  // The node keeps serving and signing heads over its real log, which still verifies.
  ask(2);
  stopNode();
  startNode();
  auto report = verifyAgain();
  EXPECT_TRUE(report.verified) << problems(report);

  // Every start says so again; the audit log tells each row once.
  EXPECT_EQ(occurrences(logText(), "\"event\":\"security-finding\""), 4u) << logText();
  EXPECT_EQ(occurrences(logText(), "\"already_audited\":true"), 2u) << logText();
  EXPECT_EQ(occurrences(searchFindings(), "security finding: "), 2u);
}

TEST_F(UnsignedTreeHeads, ANodeStillRefusesToStartOverEntriesAlteredBehindTheLatestHeadItSigned) {
  verifiedLogOf(6);
  stopNode();
  plantTreeHead(1000, headOfAnotherKey(1000));
  tamper("UPDATE audit.entries SET entry = set_byte(entry, 40, get_byte(entry, 40) # 1) WHERE seq = 1");
  EXPECT_THAT(refusedStart().message, HasSubstr("no longer hash to the root the node signed"));
  plantTreeHead(2000, headOfAnotherKey(2000));
  tamper("DELETE FROM audit.entries WHERE seq >= 4");
  EXPECT_THAT(refusedStart().message, HasSubstr("entries from index 4 on were removed"));
}

// The node's own key signs a head that its earlier heads do not extend, as a node rewriting its
// history would: the partner's next answer is refused as a fork, with the evidence kept.
TEST_F(AuditVerify, APartnerClientReportsAForkAndKeepsTheEvidence) {
  ask(3);
  client::ClientConfig config = clientConfig(kPartnerBorder);
  config.stateDir = dir_ / "partner-state";
  auto partner = client::QueryClient::create(config, url()).value();
  const Query query = CheckDocumentQuery{DocumentNumber::parse("L898902C3").value(), "UTO", DocumentType::passport};
  auto first = partner->send(query, {});
  ASSERT_TRUE(first.ok()) << first.error().message;
  ASSERT_TRUE(first->response.treeHead.has_value());
  auto kept = partner->treeHeads().latest();
  ASSERT_TRUE(kept.has_value());
  // Consistent heads keep being accepted, with proofs from the size the partner knew.
  stopNode();
  startNode();
  auto second = partner->send(query, {});
  ASSERT_TRUE(second.ok()) << second.error().message;

  // A forged head: the latest size the partner holds, another root, signed with the node's key.
  auto latest = partner->treeHeads().latest().value();
  TreeHead forged = latest.head;
  forged.rootHash[0] ^= 0xff;
  auto nodeKey = crypto::loadSecretKey(dir_ / "node.key").value();
  auto envelope = crypto::sealEnvelope(MessageType::treeHead, encodeTreeHead(forged), nodeKey);
  ASSERT_TRUE(partner->treeHeads().record(client::ReceivedTreeHead{forged, envelope}).ok());

  auto third = partner->send(query, {});
  ASSERT_FALSE(third.ok());
  EXPECT_EQ(third.error().kind, ErrorKind::conflict);
  EXPECT_THAT(third.error().message, HasSubstr("FORK DETECTED"));
  bool evidence = false;
  for (const auto& file : std::filesystem::directory_iterator(partner->treeHeads().folder())) {
    evidence = evidence || file.path().filename().string().rfind("fork-", 0) == 0;
  }
  EXPECT_TRUE(evidence) << "no fork evidence in " << partner->treeHeads().folder();

  // The auditor given the partner's heads sees the same contradiction.
  auto report = client::verifyAuditLog(*auditor(), {.headFolders = {partner->treeHeads().folder()}});
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_FALSE(report->verified);
  EXPECT_THAT(problems(*report), HasSubstr("do not hash to the root of the head of " +
                                           std::to_string(forged.treeSize) + " entries"));
}

TEST_F(AuditVerify, AHeadFileNotSignedByTheNodeIsRefused) {
  ask(1);
  auto auditorClient = auditor();
  ASSERT_TRUE(client::verifyAuditLog(*auditorClient, {}).ok());
  // The same head re-signed by a key that is not the node's.
  auto latest = auditorClient->treeHeads().latest().value();
  auto otherKey = crypto::generateKeyPair();
  auto envelope = crypto::sealEnvelope(MessageType::treeHead, encodeTreeHead(latest.head), otherKey.secretKey);
  std::ofstream(auditorClient->treeHeads().folder() / "999-planted.sth", std::ios::binary)
      .write(reinterpret_cast<const char*>(envelope.data()), static_cast<std::streamsize>(envelope.size()));
  auto report = client::verifyAuditLog(*auditorClient, {});
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_FALSE(report->verified);
  EXPECT_THAT(problems(*report), HasSubstr("999-planted.sth"));
}

TEST(AuditReceiptText, RoundTripsAndRefusesOtherShapes) {
  AuditReceipt receipt{"XA-POLICE", 1234, crypto::sha256(std::vector<uint8_t>{1, 2, 3})};
  const std::string text = client::formatReceipt(receipt);
  EXPECT_EQ(text, "XA-POLICE:1234:" + crypto::hex(receipt.leafHash));
  auto parsed = client::parseReceipt(text);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(*parsed, receipt);
  for (const char* bad : {"", "XA-POLICE", "XA-POLICE:12", "XA-POLICE:x:00", ":1:00",
                          "XA-POLICE:1:0123", "XA-POLICE:-1:0000000000000000000000000000000000000000000000000000000000000000"}) {
    EXPECT_FALSE(client::parseReceipt(bad).ok()) << bad;
  }
}

// ---------------------------------------------------------------------------------------------
// Crash: the node as its own process, killed with SIGKILL under load.
// ---------------------------------------------------------------------------------------------

class AuditCrash : public AuditVerify {};

TEST_F(AuditCrash, ARunningNodeProcessKeepsASecondNodeOutAndItsSigkillDoesNotBlockARestart) {
  stopNode();
  NodeProcess node(writeNodeConfigFile(config_, dir_ / "node-process.toml"), dir_ / "node-process.log");
  std::ostringstream log;
  auto second = node::Node::start(config_, node::NodeOptions{{}, &log});
  ASSERT_FALSE(second.ok()) << "a second node started on the database of a running one";
  EXPECT_EQ(second.error().kind, ErrorKind::conflict);
  EXPECT_THAT(second.error().message, HasSubstr("pid " + std::to_string(node.pid()) + ", since "));

  node.signal(SIGKILL);
  ASSERT_TRUE(node.waitForExit(10s).has_value());
  config_.listenPort = node.port();
  startNode();  // at once: the dead process's database session ends with it
  auto answer = client(kBorderOfficer)->send(
      CheckDocumentQuery{DocumentNumber::parse("L898902C3").value(), "UTO", DocumentType::passport}, {});
  ASSERT_TRUE(answer.ok()) << answer.error().message;
}

TEST_F(AuditCrash, EveryReceiptHandedOutBeforeASigkillIsIncludedAfterRestart) {
  stopNode();  // the process below takes over the database
  config_.treeHeadInterval = 200ms;
  NodeProcess node(writeNodeConfigFile(config_, dir_ / "node-process.toml"), dir_ / "node-process.log");
  config_.listenPort = node.port();

  std::mutex mutex;
  std::vector<AuditReceipt> receipts;
  std::atomic<bool> stop{false};
  std::vector<std::thread> load;
  for (int t = 0; t < 4; ++t) {
    load.emplace_back([&] {
      auto officer = client(kBorderOfficer);
      const Query query = CheckDocumentQuery{DocumentNumber::parse("L898902C3").value(), "UTO", DocumentType::passport};
      while (!stop) {
        auto answer = officer->send(query, {});
        if (!answer) return;  // the node is gone
        std::lock_guard lock(mutex);
        receipts.push_back(answer->response.receipt);
      }
    });
  }
  // Let the load run, then kill the node mid-flight.
  waitUntil(
      [&] {
        std::lock_guard lock(mutex);
        return receipts.size() >= 150;
      },
      10s);
  node.signal(SIGKILL);
  const auto status = node.waitForExit(60s);
  stop = true;
  for (auto& thread : load) thread.join();
  ASSERT_TRUE(status.has_value()) << "the node outlived SIGKILL";
  EXPECT_TRUE(WIFSIGNALED(*status) && WTERMSIG(*status) == SIGKILL);
  ASSERT_GE(receipts.size(), 20u) << "too little load reached the node before it was killed";

  startNode();  // restart over the same database and keys
  auto auditorClient = auditor();
  for (const auto& receipt : receipts) {
    auto check = client::proveReceipt(*auditorClient, receipt);
    ASSERT_TRUE(check.ok()) << check.error().message;
    ASSERT_EQ(check->verdict, client::ReceiptCheck::Verdict::included) << check->detail;
  }
  auto report = client::verifyAuditLog(*auditorClient, {});
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_TRUE(report->verified) << problems(*report);
  EXPECT_GE(report->head.treeSize, receipts.size());
}

}  // namespace
}  // namespace liaison::testing
