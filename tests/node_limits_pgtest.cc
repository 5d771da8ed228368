// What an anonymous client, a hostile partner or an over-eager officer can take from a node, end
// to end on loopback (real TLS, real PostgreSQL): connection floods, failed-request floods and
// their footprint in the audit log, rate limits, and what the metrics listener shows.
// The attackers connect from 127.0.0.2 and up; the legitimate clients from 127.0.0.1.
#include <gtest/gtest.h>

#include <atomic>
#include <numeric>
#include <random>
#include <sstream>
#include <thread>

#include "adapters/audit_search.h"
#include "node/net/https_client.h"
#include "node/net/metrics_server.h"
#include "tests/loopback.h"
#include "tests/node_harness.h"
#include "tests/wait.h"

namespace liaison {
namespace {

using namespace liaison::testing;
using namespace std::chrono_literals;

Query checkPassport() {
  return CheckDocumentQuery{DocumentNumber::parse("L898902C3").value(), "UTO", DocumentType::passport};
}

Timestamp now() { return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()); }

class NodeLimits : public NodeTest {
 protected:
  NodeLimits() { config_.treeHeadInterval = 100ms; }  // housekeeping, which writes folded entries, runs often

  // The Prometheus text of the metrics listener.
  // The value of the sample `series` (name with labels, exactly as exposed); -1 when absent.
  double metric(const std::string& series) const {
    const std::string text = scrapeMetrics();
    const size_t at = text.find("\n" + series + " ");
    if (at == std::string::npos) return -1;
    return std::stod(text.substr(at + series.size() + 2));
  }

  // An HTTPS client of the node from local address `source`, without a client certificate.
  net::HttpsClient anonymous(const std::string& source) const {
    net::ClientOptions options;
    options.host = "127.0.0.1";
    options.port = config_.listenPort;
    options.serverPin = clientConfig(kBorderOfficer).nodePin;
    options.sourceAddress = source;
    return net::HttpsClient(options);
  }

  // Every audit entry whose remote address is `source`.
  std::vector<AuditEntry> entriesFrom(const std::string& source) const {
    store::AuditReader reader(target());
    store::AuditSearchFilter filter;
    filter.remoteAddress = source;
    filter.limit = 10'000;
    auto page = reader.search(filter);
    if (!page) throw std::runtime_error(page.error().message);
    std::vector<AuditEntry> entries;
    for (const auto& row : page->rows) entries.push_back(row.entry);
    return entries;
  }

  // Requests the entries from `source` stand for: one each, plus the further ones each one folds.
  static uint64_t requestsAccountedFor(const std::vector<AuditEntry>& entries) {
    return std::accumulate(entries.begin(), entries.end(), uint64_t{0},
                           [](uint64_t total, const AuditEntry& e) { return total + 1 + e.repeatCount; });
  }

  // `count` fresh connections of partner XB-BORDER, one query each: how many were answered ok.
  int freshPartnerQueries(int count) {
    int answered = 0;
    for (int i = 0; i < count; ++i) {
      auto answer = client(kPartnerBorder)->send(checkPassport(), {});
      if (answer && answer->response.status == ResponseStatus::ok)
        ++answered;
      else
        ADD_FAILURE() << "query " << i << ": " << (answer ? answer->response.reason : answer.error().message);
    }
    return answered;
  }
};

// ---------------------------------------------------------------------------------------------
// Item 10: connections

TEST_F(NodeLimits, ElevenHundredSilentConnectionsFromOneAddressDoNotLockOutAPartner) {
  SilentFlood flood(config_.listenPort, 1100, {2});
  ASSERT_TRUE(waitUntil(
      [&] { return metric("liaison_connections_closed_total{reason=\"refused-per-address\"}") > 0; }));
  EXPECT_LE(metric("liaison_connections_open"), 256.0);
  EXPECT_EQ(freshPartnerQueries(16), 16);
}

TEST_F(NodeLimits, ElevenHundredSilentConnectionsFromElevenAddressesDoNotLockOutAPartner) {
  // Each address stays under its cap: the handshaking budget is what holds.
  SilentFlood flood(config_.listenPort, 1100, {2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
  ASSERT_TRUE(waitUntil(
      [&] { return metric("liaison_connections_closed_total{reason=\"evicted-handshaking\"}") > 0; }));
  EXPECT_LE(metric("liaison_connections_handshaking"), 512.0);
  EXPECT_EQ(freshPartnerQueries(16), 16);
}

TEST_F(NodeLimits, AnOfficersKeptAliveConnectionKeepsItsRoomWhereAnAnonymousOneGivesWay) {
  config_.maxConnections = 3;
  config_.maxHandshakingConnections = 1;
  startNode();
  auto officer = client(kBorderOfficer);
  ASSERT_TRUE(officer->send(checkPassport(), {}).ok());  // authenticated, kept alive
  auto idle1 = anonymous("127.0.0.2");
  auto idle2 = anonymous("127.0.0.3");
  ASSERT_TRUE(idle1.get("/v1/health").ok());  // kept alive too, but nobody was authenticated
  ASSERT_TRUE(idle2.get("/v1/health").ok());
  ASSERT_EQ(metric("liaison_connections_accepted_total"), 3.0);

  // The server is full: a newcomer takes the slot of the oldest anonymous idle connection.
  auto newcomer = anonymous("127.0.0.4");
  ASSERT_TRUE(newcomer.get("/v1/health").ok());
  EXPECT_EQ(metric("liaison_connections_closed_total{reason=\"evicted-idle\"}"), 1.0);

  // The officer's next query travels on the connection it already had.
  auto again = officer->send(checkPassport(), {});
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(again->response.status, ResponseStatus::ok);
  EXPECT_EQ(metric("liaison_connections_accepted_total"), 4.0);
}

TEST_F(NodeLimits, TheConnectionLimitsComeFromTheConfiguration) {
  config_.maxConnectionsPerAddress = 4;
  config_.handshakeTimeout = 300ms;
  config_.requestDeadline = 10s;
  startNode();
  std::vector<std::unique_ptr<Socket>> held;
  for (int i = 0; i < 4; ++i)
    held.push_back(std::make_unique<Socket>(connectLoopback(config_.listenPort, 5000ms, 2)));
  ASSERT_TRUE(waitUntil([&] { return metric("liaison_connections_open") == 4.0; }));
  Socket fifth(connectLoopback(config_.listenPort, 5000ms, 2));
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(peerCloses(fifth));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 250ms) << "refused at once, not timed out";
  // The four silent ones go at the handshake timeout, long before the request deadline.
  EXPECT_TRUE(peerCloses(*held.front()));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
  EXPECT_TRUE(waitUntil(
      [&] { return metric("liaison_connections_closed_total{reason=\"handshake-timeout\"}") == 4.0; }));
  EXPECT_EQ(freshPartnerQueries(2), 2);
}

// ---------------------------------------------------------------------------------------------
// Item 11: the audit log's footprint of failures, and rate limits

TEST_F(NodeLimits, TwoThousandRandomPostsAddAHandfulOfEntriesThatNameTheSourceAndCountEveryOne) {
  const uint64_t before = auditCount();
  constexpr int kConnections = 4;
  constexpr int kEach = 500;
  std::atomic<int> answered{0};
  std::vector<std::thread> attackers;
  for (int c = 0; c < kConnections; ++c) {
    attackers.emplace_back([&, c] {
      auto http = anonymous("127.0.0.2");
      std::mt19937 random(static_cast<unsigned>(c));
      std::vector<uint8_t> body(640);
      for (int i = 0; i < kEach; ++i) {
        for (auto& byte : body) byte = static_cast<uint8_t>(random());
        auto reply = http.post("/v1/query", "application/x-liaison-envelope", body);
        if (reply && (reply->status == 400 || reply->status == 429)) ++answered;
      }
    });
  }
  // Meanwhile an officer from another address is served and audited as usual.
  auto officer = client(kBorderOfficer);
  for (int i = 0; i < 5; ++i) {
    auto answer = officer->send(checkPassport(), {});
    ASSERT_TRUE(answer.ok()) << answer.error().message;
    EXPECT_EQ(answer->response.status, ResponseStatus::ok);
  }
  for (auto& t : attackers) t.join();
  EXPECT_EQ(answered, kConnections * kEach);
  EXPECT_LE(auditCount(), before + 5 + 3) << "the officer's five entries and a handful for the flood";
  EXPECT_EQ(entriesFrom("127.0.0.1").size(), 5u);
  EXPECT_GE(metric("liaison_rate_limited_total{scope=\"source\"}"), 1.0);

  stopNode();  // what is still being counted is written now
  const std::vector<AuditEntry> entries = entriesFrom("127.0.0.2");
  ASSERT_GE(entries.size(), 2u);
  EXPECT_LE(entries.size(), 4u);
  EXPECT_EQ(requestsAccountedFor(entries), static_cast<uint64_t>(kConnections * kEach));
  const AuditEntry& folded = entries.back();
  EXPECT_GT(folded.repeatCount, 1000u);
  EXPECT_NE(folded.reason.find("from 127.0.0.2"), std::string::npos) << folded.reason;
  EXPECT_NE(folded.reason.find("malformed"), std::string::npos) << folded.reason;
  EXPECT_NE(folded.reason.find("over the failure budget (429)"), std::string::npos) << folded.reason;
  EXPECT_NE(folded.reason.find("60 s interval"), std::string::npos) << folded.reason;
  EXPECT_EQ(entries.front().repeatCount, 0u) << "the first failure has its own entry, as before";
}

TEST_F(NodeLimits, FoldedFailuresAreWrittenWhenTheirIntervalEndsWithTheirKindsAndCertificate) {
  config_.admission.failureInterval = 1s;
  startNode();
  auto http = anonymous("127.0.0.2");
  for (int i = 0; i < 3; ++i) {
    auto reply = http.post("/v1/query", "application/x-liaison-envelope", std::vector<uint8_t>(64, 0xAB));
    ASSERT_TRUE(reply.ok());
    EXPECT_EQ(reply->status, 400u);
  }
  for (int i = 0; i < 2; ++i) {
    auto reply = http.get("/v1/audit/sth");  // an audit read without the signed request
    ASSERT_TRUE(reply.ok());
    EXPECT_EQ(reply->status, 401u);
  }
  auto tooLarge = http.post("/v1/query", "application/x-liaison-envelope",
                            std::vector<uint8_t>(config_.maxBodyBytes + 1, 0));
  ASSERT_TRUE(tooLarge.ok());
  EXPECT_EQ(tooLarge->status, 413u);
  // No sleep: the housekeeping thread writes the entry once the second has passed.
  ASSERT_TRUE(waitUntil([&] { return entriesFrom("127.0.0.2").size() == 2; }));
  const std::vector<AuditEntry> entries = entriesFrom("127.0.0.2");
  EXPECT_EQ(entries[1].repeatCount, 4u);
  EXPECT_NE(entries[1].reason.find("folded 5 failed requests from 127.0.0.2"), std::string::npos)
      << entries[1].reason;
  EXPECT_EQ(requestsAccountedFor(entries), 6u);
  EXPECT_NE(entries[1].reason.find("2 malformed, 2 unsigned audit read, 1 body too large (413)"),
            std::string::npos)
      << entries[1].reason;
  EXPECT_NE(entries[1].reason.find("no client certificate"), std::string::npos) << entries[1].reason;
  EXPECT_EQ(metric("liaison_folded_failures_total"), 5.0);
}

TEST_F(NodeLimits, AnOverBudgetSourceIsRefusedBeforeItsSignatureIsCheckedEvenWithAValidRequest) {
  config_.admission.failureBudget = 3;
  startNode();
  auto http = anonymous("127.0.0.1");
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(
        http.post("/v1/query", "application/x-liaison-envelope", std::vector<uint8_t>(64, 0xAB))->status,
        400u);
  }
  auto officer = client(kBorderOfficer);  // the same address as the garbage
  auto refused = officer->send(checkPassport(), {});
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("HTTP 429"), std::string::npos) << refused.error().message;
  auto raw = http.post("/v1/query", "application/x-liaison-envelope", std::vector<uint8_t>(64, 0xAB));
  ASSERT_TRUE(raw.ok());
  EXPECT_EQ(raw->status, 429u);
  ASSERT_FALSE(raw->headers.empty());
  EXPECT_EQ(raw->headers[0].first, "Retry-After");
  EXPECT_GT(std::stoi(raw->headers[0].second), 0);
  // An officer at another address is served.
  auto sealed = client(kEnforcementOfficer)->seal(checkPassport(), {}, now());
  auto served = anonymous("127.0.0.5").post("/v1/query", "application/x-liaison-envelope", sealed);
  ASSERT_TRUE(served.ok()) << served.error().message;
  EXPECT_EQ(served->status, 200u);
}

TEST_F(NodeLimits, APartnerAndAnOfficerAboveTheirRatesAreAnswered429WithASignedRefusalThatIsAudited) {
  config_.admission.partner = node::RateLimit{0.01, 3};
  config_.admission.officer = node::RateLimit{0.01, 2};
  startNode();
  auto partner = client(kPartnerBorder);
  for (int i = 0; i < 3; ++i) {
    auto answer = partner->send(checkPassport(), {});
    ASSERT_TRUE(answer.ok()) << answer.error().message;
    EXPECT_EQ(answer->response.status, ResponseStatus::ok) << i;
  }
  auto limited = partner->send(checkPassport(), {});
  ASSERT_TRUE(limited.ok()) << limited.error().message;  // signed by the node, like any refusal
  EXPECT_EQ(limited->httpStatus, 429u);
  EXPECT_EQ(limited->response.status, ResponseStatus::refused);
  EXPECT_EQ(limited->response.reason, "rate limit exceeded");
  AuditEntry entry = lastAuditEntry();
  EXPECT_EQ(entry.signer, "member:XB-BORDER");
  EXPECT_EQ(entry.decision, Decision::refused);
  EXPECT_EQ(entry.remoteAddress, "127.0.0.1");
  EXPECT_NE(entry.reason.find("rate limit exceeded: partner XB-BORDER above"), std::string::npos)
      << entry.reason;
  // Another partner has a bucket of its own.
  auto other = client(kPartnerImmigration)->send(checkPassport(), {});
  ASSERT_TRUE(other.ok()) << other.error().message;
  EXPECT_EQ(other->httpStatus, 200u);

  // Officers have their own limit, one bucket each, and the answer says when to come back.
  auto border = client(kBorderOfficer);
  for (int i = 0; i < 2; ++i) EXPECT_EQ(border->send(checkPassport(), {})->httpStatus, 200u) << i;
  const uint64_t before = auditCount();
  auto raw =
      anonymous("127.0.0.1")
          .post("/v1/query", "application/x-liaison-envelope", border->seal(checkPassport(), {}, now()));
  ASSERT_TRUE(raw.ok()) << raw.error().message;
  EXPECT_EQ(raw->status, 429u);
  ASSERT_EQ(raw->headers.size(), 1u);
  EXPECT_EQ(raw->headers[0].first, "Retry-After");
  EXPECT_GE(std::stoi(raw->headers[0].second), 1);
  EXPECT_EQ(auditCount(), before + 1);
  entry = lastAuditEntry();
  EXPECT_EQ(entry.signer, "officer:border-1");
  EXPECT_NE(entry.reason.find("rate limit exceeded: officer border-1 above"), std::string::npos)
      << entry.reason;
  EXPECT_EQ(client(kEnforcementOfficer)->send(checkPassport(), {})->httpStatus, 200u);

  EXPECT_EQ(metric("liaison_rate_limited_total{scope=\"partner\"}"), 1.0);
  EXPECT_EQ(metric("liaison_rate_limited_total{scope=\"officer\"}"), 1.0);
}

// ---------------------------------------------------------------------------------------------
// Item 16: metrics

TEST_F(NodeLimits, MetricsAreOnTheirOwnListenerAndLeaveFirewalledCompartmentsOutByDefault) {
  const Query firewalled[] = {HealthRecordQuery{healthRef_}, JusticeRecordQuery{justiceRef_},
                              GetRecordQuery{healthRef_, RecordKind::healthRecord}};
  ASSERT_EQ(client(kBorderOfficer)->send(checkPassport(), {})->httpStatus, 200u);
  ASSERT_EQ(client(kHealthWorker)->send(firewalled[0], {})->httpStatus, 200u);
  ASSERT_EQ(client(kJusticeClerk)->send(firewalled[1], {})->httpStatus, 200u);
  auto enforcement = client(kEnforcementOfficer);
  for (const Query& probe : firewalled) ASSERT_EQ(enforcement->send(probe, {})->httpStatus, 403u);

  std::string text = scrapeMetrics();
  EXPECT_EQ(text.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << text;
  EXPECT_NE(text.find("liaison_requests_total{kind=\"check-document\",decision=\"permitted\"} 1\n"),
            std::string::npos)
      << text;
  // Neither their kinds, nor their decisions, nor a difference of totals says they were asked.
  EXPECT_EQ(text.find("=\"health"), std::string::npos) << text;
  EXPECT_EQ(text.find("=\"justice"), std::string::npos) << text;
  EXPECT_EQ(text.find("get-record"), std::string::npos) << text;
  EXPECT_NE(text.find("\nliaison_request_duration_seconds_count 1\n"), std::string::npos) << text;
  // The connection counters are there, without addresses.
  EXPECT_NE(text.find("\nliaison_connections_open "), std::string::npos) << text;
  EXPECT_EQ(text.find("127.0.0.1"), std::string::npos) << text;

  // The operator may ask for them.
  config_.metricsFirewalledKinds = true;
  startNode();
  ASSERT_EQ(client(kHealthWorker)->send(firewalled[0], {})->httpStatus, 200u);
  ASSERT_EQ(client(kEnforcementOfficer)->send(firewalled[1], {})->httpStatus, 403u);
  text = scrapeMetrics();
  EXPECT_NE(text.find("liaison_requests_total{kind=\"health-record\",decision=\"permitted\"} 1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("liaison_requests_total{kind=\"justice-record\",decision=\"refused\"} 1\n"),
            std::string::npos)
      << text;
}

TEST_F(NodeLimits, AMetricsPortInUseStopsTheStartNamingItBeforeTheFederationPortOpens) {
  stopNode();
  net::MetricsServer occupant(net::MetricsServerOptions{"127.0.0.1", 0}, [] { return std::string(); });
  ASSERT_TRUE(occupant.start().ok());
  node::NodeConfig clash = config_;
  clash.metricsPort = occupant.port();
  std::ostringstream log;
  auto refused = node::Node::start(clash, node::NodeOptions{{}, &log});
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("metrics listener: cannot bind to 127.0.0.1:" +
                                         std::to_string(occupant.port())),
            std::string::npos)
      << refused.error().message;
  EXPECT_NE(refused.error().message.find("metrics_listen"), std::string::npos) << refused.error().message;
  Socket federation(connectLoopback(config_.listenPort));
  EXPECT_LT(federation.get(), 0) << "the federation port must not have opened";
}

TEST_F(NodeLimits, TheMetricsListenerCanBeTurnedOffAndTheFederationPortNeverServesMetrics) {
  config_.metricsEnabled = false;
  startNode();
  EXPECT_EQ(metricsPort(), 0u);
  auto answer = client(kAuditorOfficer)->get("/metrics");
  ASSERT_TRUE(answer.ok()) << answer.error().message;
  EXPECT_EQ(answer->first, 404u);
}

}  // namespace
}  // namespace liaison
