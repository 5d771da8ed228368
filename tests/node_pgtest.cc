// End to end: a real node on loopback (TLS 1.3, PostgreSQL), queried by officers and partners.
#include <gtest/gtest.h>

#include <iostream>
#include <thread>

#include "adapters/group_sync.h"
#include "crypto/keys.h"
#include "node/net/https_client.h"
#include "node/net/tls_identity.h"
#include "schema/codec.h"
#include "schema/migrations.h"
#include "tests/node_harness.h"

namespace liaison {
namespace {

using namespace liaison::testing;

client::QueryOptions withCase(std::string caseReference) {
  client::QueryOptions options;
  options.caseReference = std::move(caseReference);
  return options;
}

Query checkPassport() { return CheckDocumentQuery{DocumentNumber::parse("L898902C3").value(), "UTO", DocumentType::passport}; }

Timestamp now() { return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()); }


class Node : public NodeTest {};

TEST_F(Node, OwnBorderOfficerChecksADocumentAndSeesItsDetails) {
  auto answer = client(kBorderOfficer)->send(checkPassport(), {});
  ASSERT_TRUE(answer.ok()) << answer.error().message;
  const Response& r = answer->response;
  EXPECT_EQ(answer->httpStatus, 200u);
  ASSERT_EQ(r.status, ResponseStatus::ok) << r.reason;
  ASSERT_EQ(r.hits.size(), 1u);
  EXPECT_EQ(r.hits[0].recordRef, stolenPassportRef_);
  ASSERT_TRUE(r.hits[0].details.has_value());
  EXPECT_EQ(std::get<TravelDocument>(*r.hits[0].details).fraudType, FraudType::stolenFromBearer);
  EXPECT_EQ(r.responder, "XA-POLICE");
  EXPECT_EQ(r.receipt.logId, "XA-POLICE");
}

TEST_F(Node, AnUnlistedDocumentIsANoHit) {
  auto answer = client(kBorderOfficer)->send(
      CheckDocumentQuery{DocumentNumber::parse("Z9999999").value(), "UTO", DocumentType::passport}, {});
  ASSERT_TRUE(answer.ok()) << answer.error().message;
  EXPECT_EQ(answer->response.status, ResponseStatus::ok);
  EXPECT_TRUE(answer->response.hits.empty());
}

TEST_F(Node, APartnerGetsHitNoHitOnlyAndDetailsNeedASecondRequest) {
  auto partner = client(kPartnerBorder);
  auto answer = partner->send(checkPassport(), {});
  ASSERT_TRUE(answer.ok()) << answer.error().message;
  const Response& r = answer->response;
  ASSERT_EQ(r.status, ResponseStatus::ok) << r.reason;
  ASSERT_EQ(r.hits.size(), 1u);
  EXPECT_FALSE(r.hits[0].details.has_value());
  EXPECT_FALSE(r.withheld.empty());

  auto withoutCase = partner->send(GetRecordQuery{r.hits[0].recordRef, r.hits[0].kind}, {});
  ASSERT_TRUE(withoutCase.ok());
  EXPECT_EQ(withoutCase->response.status, ResponseStatus::refused);
  EXPECT_NE(withoutCase->response.reason.find("case reference"), std::string::npos) << withoutCase->response.reason;

  auto details = partner->send(GetRecordQuery{r.hits[0].recordRef, r.hits[0].kind}, withCase("XB-CASE-42"));
  ASSERT_TRUE(details.ok());
  ASSERT_EQ(details->response.status, ResponseStatus::ok) << details->response.reason;
  ASSERT_EQ(details->response.hits.size(), 1u);
  const Hit& hit = details->response.hits[0];
  ASSERT_TRUE(hit.details.has_value());
  const auto& doc = std::get<TravelDocument>(*hit.details);
  EXPECT_EQ(doc.number.str(), "L898902C3");
  EXPECT_TRUE(doc.nationalReference.empty()) << "the field mask must withhold national_reference";
  EXPECT_NE(std::find(hit.withheldFields.begin(), hit.withheldFields.end(), "national_reference"),
            hit.withheldFields.end());
}

TEST_F(Node, APartnerWithoutADetailsRuleIsRefusedDetails) {
  auto answer = client(kPartnerImmigration)->send(GetRecordQuery{stolenPassportRef_, RecordKind::travelDocument},
                                                  withCase("XC-CASE-1"));
  ASSERT_TRUE(answer.ok());
  EXPECT_EQ(answer->response.status, ResponseStatus::refused);
  EXPECT_EQ(answer->response.reason, "not permitted");
  EXPECT_EQ(answer->httpStatus, 403u);
}

TEST_F(Node, RowVisibilityHoldsForPartnersEvenWhereThePolicyPermits) {
  // The watchlisted document is visible to no partner; a partner's check finds nothing.
  auto answer = client(kPartnerBorder)->send(
      CheckDocumentQuery{DocumentNumber::parse("X1234567").value(), "UTO", DocumentType::passport}, {});
  ASSERT_TRUE(answer.ok());
  EXPECT_EQ(answer->response.status, ResponseStatus::ok);
  EXPECT_TRUE(answer->response.hits.empty());
  // Our own officer sees it in the watchlist compartment.
  auto own = client(kBorderOfficer)->send(
      CheckDocumentQuery{DocumentNumber::parse("X1234567").value(), "UTO", DocumentType::passport}, {});
  ASSERT_TRUE(own.ok());
  ASSERT_EQ(own->response.hits.size(), 1u);
  EXPECT_EQ(own->response.hits[0].recordRef, watchlistedDocRef_);
}

TEST_F(Node, MovementsAreListedForImmigrationAndRefusedToBorder) {
  ListMovementsQuery query;
  query.documentNumber = "L898902C3";
  auto immigration = client(kImmigrationOfficer)->send(query, {});
  ASSERT_TRUE(immigration.ok());
  ASSERT_EQ(immigration->response.status, ResponseStatus::ok) << immigration->response.reason;
  ASSERT_EQ(immigration->response.hits.size(), 1u);
  EXPECT_EQ(immigration->response.hits[0].recordRef, movementRef_);

  auto border = client(kBorderOfficer)->send(query, {});
  ASSERT_TRUE(border.ok());
  EXPECT_EQ(border->response.status, ResponseStatus::refused);
}

TEST_F(Node, OwnOfficersGetRecordDetailsWithACaseReference) {
  auto answer = client(kEnforcementOfficer)->send(GetRecordQuery{movementRef_, RecordKind::movement}, withCase("CASE-7"));
  ASSERT_TRUE(answer.ok());
  ASSERT_EQ(answer->response.status, ResponseStatus::ok) << answer->response.reason;
  ASSERT_EQ(answer->response.hits.size(), 1u);
  EXPECT_TRUE(answer->response.hits[0].details.has_value());
}

TEST_F(Node, HealthAndJusticeStaffReadOnlyTheirOwnCompartment) {
  auto health = client(kHealthWorker);
  auto ownHealth = health->send(HealthRecordQuery{healthRef_}, {});
  ASSERT_TRUE(ownHealth.ok());
  ASSERT_EQ(ownHealth->response.status, ResponseStatus::ok) << ownHealth->response.reason;
  ASSERT_EQ(ownHealth->response.hits.size(), 1u);
  EXPECT_EQ(std::get<HealthRecord>(*ownHealth->response.hits[0].details).summary,
            std::string(kHealthSentinel) + " diagnosis");
  auto crossing = health->send(JusticeRecordQuery{justiceRef_}, {});
  ASSERT_TRUE(crossing.ok());
  EXPECT_EQ(crossing->response.status, ResponseStatus::refused);

  auto justice = client(kJusticeClerk)->send(JusticeRecordQuery{justiceRef_}, {});
  ASSERT_TRUE(justice.ok());
  ASSERT_EQ(justice->response.status, ResponseStatus::ok) << justice->response.reason;
  EXPECT_EQ(justice->response.hits.size(), 1u);
}

TEST_F(Node, NoEnforcementFacingRoleLearnsAnythingOfHealthOrJustice) {
  const std::string missingRef = "00000000-0000-4000-8000-000000000000";
  for (const char* officer : {kBorderOfficer, kImmigrationOfficer, kEnforcementOfficer, kPartnerBorder,
                              kPartnerImmigration}) {
    auto c = client(officer);
    for (const auto& [existing, absent] : std::vector<std::pair<Query, Query>>{
             {HealthRecordQuery{healthRef_}, HealthRecordQuery{missingRef}},
             {JusticeRecordQuery{justiceRef_}, JusticeRecordQuery{missingRef}},
             {GetRecordQuery{healthRef_, RecordKind::healthRecord}, GetRecordQuery{missingRef, RecordKind::healthRecord}},
             {GetRecordQuery{justiceRef_, RecordKind::justiceRecord},
              GetRecordQuery{missingRef, RecordKind::justiceRecord}},
             {AggregateStatisticsQuery{Compartment::health}, AggregateStatisticsQuery{Compartment::justice}},
         }) {
      auto a = c->send(existing, withCase("CASE-1"));
      auto b = c->send(absent, withCase("CASE-1"));
      ASSERT_TRUE(a.ok() && b.ok()) << officer;
      EXPECT_NE(a->response.status, ResponseStatus::ok) << officer << " " << name(kindOf(existing));
      EXPECT_TRUE(a->response.hits.empty());
      EXPECT_EQ(a->httpStatus, b->httpStatus) << officer;
      EXPECT_TRUE(comparable(a->response) == comparable(b->response))
          << officer << " " << name(kindOf(existing)) << ": '" << a->response.reason << "' vs '"
          << b->response.reason << "'";
      for (const auto* answer : {&*a, &*b}) {
        std::vector<uint8_t> bytes = encodeResponse(answer->response);
        std::string text(bytes.begin(), bytes.end());
        text += answer->response.reason;
        for (const char* secret : {kHealthSentinel, kJusticeSentinel}) {
          EXPECT_EQ(text.find(secret), std::string::npos) << officer;
        }
      }
    }
    // Searching with firewalled values as terms finds nothing and says nothing.
    ListMovementsQuery byName;
    byName.person.familyName = kHealthSentinel;
    ScreenPersonQuery screen;
    screen.person.familyName = kJusticeSentinel;
    for (const Query& search : {Query(byName), Query(screen)}) {
      auto answer = c->send(search, {});
      ASSERT_TRUE(answer.ok());
      EXPECT_TRUE(answer->response.hits.empty());
      std::vector<uint8_t> bytes = encodeResponse(answer->response);
      EXPECT_EQ(std::string(bytes.begin(), bytes.end()).find("SENTINEL"), std::string::npos);
    }
  }
  stopNode();
  const std::string log = logText();
  EXPECT_EQ(log.find(kHealthSentinel), std::string::npos);
  EXPECT_EQ(log.find(kJusticeSentinel), std::string::npos);
  EXPECT_EQ(log.find(healthRef_), std::string::npos);
  EXPECT_EQ(log.find(justiceRef_), std::string::npos);
}

// Sends raw envelope bytes the way a misbehaving or hostile client would.
struct RawOutcome {
  unsigned httpStatus = 0;
  std::string reason;
};

class NodeRefusals : public NodeTest {
 protected:
  // Every refusal here should have an entry of its own, which by default only a source's first
  // unvouched failure per interval gets (the rest are folded: node_limits_pgtest.cc).
  NodeRefusals() { config_.admission.failuresAuditedInFull = 100; }

  RawOutcome postRaw(const std::string& identity, std::span<const uint8_t> body) {
    net::ClientOptions options;
    options.host = "127.0.0.1";
    options.port = config_.listenPort;
    client::ClientConfig cfg = clientConfig(identity);
    options.serverPin = cfg.nodePin;
    options.certificateFile = cfg.tlsCertificate;
    options.keyFile = cfg.tlsKey;
    net::HttpsClient http(options);
    auto reply = http.post("/v1/query", "application/x-liaison-envelope", body);
    EXPECT_TRUE(reply.ok()) << reply.error().message;
    RawOutcome outcome;
    if (!reply) return outcome;
    outcome.httpStatus = reply->status;
    auto envelope = decodeEnvelope(reply->body);
    if (envelope) {
      auto response = decodeResponse(envelope->body);
      if (response) outcome.reason = response->reason;
    }
    return outcome;
  }

  // A valid sealed request of `identity`, signed with another identity's key if `signer` is set.
  std::vector<uint8_t> sealAs(const std::string& identity, Timestamp issuedAt, const std::string& signer = {}) {
    client::ClientConfig cfg = clientConfig(identity);
    if (!signer.empty()) cfg.signingKey = clientConfig(signer).signingKey;
    auto c = client::QueryClient::create(cfg, url()).value();
    return c->seal(checkPassport(), {}, issuedAt);
  }

  // The pin of the TLS client certificate `identity` presents.
  std::string clientConfigPin(const std::string& identity) {
    return net::spkiPinOfCertificateFile(*clientConfig(identity).tlsCertificate).value();
  }

  void expectStillServing() {
    auto answer = client(kBorderOfficer)->send(checkPassport(), {});
    ASSERT_TRUE(answer.ok()) << answer.error().message;
    EXPECT_EQ(answer->response.status, ResponseStatus::ok);
  }
};

TEST_F(NodeRefusals, EachBadRequestIsRefusedWithItsOwnReasonAuditedAndTheNodeKeepsServing) {
  const Timestamp t = now();
  std::vector<uint8_t> good = sealAs(kBorderOfficer, t);
  auto envelope = decodeEnvelope(good).value();
  envelope.signature[0] ^= 0x80;
  std::vector<uint8_t> flippedSignature = encodeEnvelope(envelope);

  struct Case {
    const char* what;
    std::string identity;
    std::vector<uint8_t> body;
    unsigned httpStatus;
    std::string reason;
  };
  const std::vector<Case> cases = {
      {"bad signature", kBorderOfficer, flippedSignature, 403, "signature does not verify"},
      {"signed by another officer's key", kBorderOfficer, sealAs(kBorderOfficer, t, kEnforcementOfficer), 403,
       "signed by the key of officer enforcement-1"},
      {"certificate of another member", kPartnerImmigration, sealAs(kPartnerBorder, t), 403,
       "client certificate does not belong to member XB-BORDER"},
      {"expired", kBorderOfficer, sealAs(kBorderOfficer, t - std::chrono::minutes(10)), 403, "request has expired"},
      {"future-dated", kBorderOfficer, sealAs(kBorderOfficer, t + std::chrono::minutes(10)), 403,
       "request is dated in the future"},
      {"unknown member", kStrangerMember, sealAs(kStrangerMember, t), 403, "unknown member"},
      {"unknown officer", kStrangerOfficer, sealAs(kStrangerOfficer, t), 403, "unknown officer"},
      {"malformed Cap'n Proto", kBorderOfficer, std::vector<uint8_t>(64, 0xAB), 400, "envelope"},
      {"empty body", kBorderOfficer, {}, 400, "empty body"},
  };
  for (const Case& c : cases) {
    const uint64_t before = auditCount();
    RawOutcome outcome = postRaw(c.identity, c.body);
    EXPECT_EQ(outcome.httpStatus, c.httpStatus) << c.what;
    EXPECT_NE(outcome.reason.find(c.reason), std::string::npos) << c.what << ": got '" << outcome.reason << "'";
    EXPECT_EQ(auditCount(), before + 1) << c.what << " was not audited";
    expectStillServing();
  }
}

TEST_F(NodeRefusals, TheAuditEntryNamesTheOfficerWhoSignedNotTheOneTheRequestNamed) {
  // Officer enforcement-1 signs a request that names border-1.
  EXPECT_EQ(postRaw(kBorderOfficer, sealAs(kBorderOfficer, now(), kEnforcementOfficer)).httpStatus, 403u);
  AuditEntry entry = lastAuditEntry();
  EXPECT_EQ(entry.signer, "officer:enforcement-1");
  EXPECT_EQ(entry.officerPseudonym, kEnforcementOfficer);
  EXPECT_EQ(entry.role, Role::enforcement);
  EXPECT_EQ(entry.requester, "XA-POLICE");
  EXPECT_EQ(entry.claimedOfficer, kBorderOfficer);
  EXPECT_EQ(entry.claimedRole, Role::border);
  EXPECT_EQ(entry.claimedRequester, "");
  EXPECT_EQ(entry.remoteAddress, "127.0.0.1");
  EXPECT_EQ(entry.decision, Decision::refused);

  // An honest officer's entry has no claims apart, and a partner's names its key and certificate.
  EXPECT_EQ(postRaw(kBorderOfficer, sealAs(kBorderOfficer, now())).httpStatus, 200u);
  entry = lastAuditEntry();
  EXPECT_EQ(entry.signer, "officer:border-1");
  EXPECT_EQ(entry.claimedOfficer, "");
  EXPECT_FALSE(entry.claimedRole.has_value());
  EXPECT_EQ(entry.peerPin, "");
  EXPECT_EQ(postRaw(kPartnerBorder, sealAs(kPartnerBorder, now())).httpStatus, 200u);
  entry = lastAuditEntry();
  EXPECT_EQ(entry.signer, "member:XB-BORDER");
  EXPECT_EQ(entry.requester, "XB-BORDER");
  EXPECT_EQ(entry.officerPseudonym, kPartnerBorder);
  EXPECT_EQ(entry.peerPin, clientConfigPin(kPartnerBorder));

  // Nothing verified a stranger's request: what it says of itself is kept as a claim only.
  EXPECT_EQ(postRaw(kStrangerOfficer, sealAs(kStrangerOfficer, now())).httpStatus, 403u);
  entry = lastAuditEntry();
  EXPECT_EQ(entry.signer, "");
  EXPECT_EQ(entry.officerPseudonym, "");
  EXPECT_EQ(entry.requester, "");
}

TEST_F(NodeRefusals, APartnerMayClaimOnlyTheRolesAndPurposesAgreedWithIt) {
  // XB-BORDER keeps the default (enforcement-facing roles); XC-IMMIGRATION agreed on border checks
  // by immigration officers only.
  stopNode();
  config_.peers[1].roles = {Role::immigration};
  config_.peers[1].purposes = std::vector<std::string>{"border-check"};
  startNode();
  struct Case {
    const char* partner;
    Role role;
    const char* purpose;
    Query query;
    std::string reason;
  };
  const std::vector<Case> cases = {
      {kPartnerBorder, Role::health, "medical-care", HealthRecordQuery{healthRef_},
       "member XB-BORDER may not send requests in role health"},
      {kPartnerBorder, Role::justice, "court-proceedings", JusticeRecordQuery{justiceRef_},
       "member XB-BORDER may not send requests in role justice"},
      {kPartnerBorder, Role::auditor, "oversight", checkPassport(), "member XB-BORDER may not send requests in role auditor"},
      {kPartnerImmigration, Role::border, "border-check", checkPassport(),
       "member XC-IMMIGRATION may not send requests in role border"},
      {kPartnerImmigration, Role::immigration, "criminal-investigation", checkPassport(),
       "member XC-IMMIGRATION may not send requests for purpose 'criminal-investigation'"},
  };
  for (const Case& c : cases) {
    client::ClientConfig cfg = clientConfig(c.partner);
    cfg.role = c.role;
    cfg.purpose = c.purpose;
    auto sealed = client::QueryClient::create(cfg, url()).value()->seal(c.query, {}, now());
    const uint64_t before = auditCount();
    RawOutcome outcome = postRaw(c.partner, sealed);
    EXPECT_EQ(outcome.httpStatus, 403u) << c.reason;
    EXPECT_EQ(outcome.reason, c.reason);
    EXPECT_EQ(auditCount(), before + 1) << c.reason << " was not audited";
    AuditEntry entry = lastAuditEntry();
    EXPECT_EQ(entry.decision, Decision::refused);
    EXPECT_EQ(entry.reason, c.reason) << "refused before the policy was asked";
    EXPECT_TRUE(entry.recordRefs.empty());
  }
  // What was agreed still works.
  client::ClientConfig agreed = clientConfig(kPartnerImmigration);
  auto answer = client::QueryClient::create(agreed, url()).value()->send(checkPassport(), {});
  ASSERT_TRUE(answer.ok()) << answer.error().message;
  EXPECT_EQ(answer->response.status, ResponseStatus::ok);
}

TEST_F(NodeRefusals, OneSigningKeyForTwoIdentitiesStopsTheNodeFromStarting) {
  stopNode();
  config_.officers[1].publicKey = config_.officers[0].publicKey;
  auto node = node::Node::start(config_, node::NodeOptions{{}, &std::cerr});
  ASSERT_FALSE(node.ok());
  EXPECT_NE(node.error().message.find("officer '" + config_.officers[1].pseudonym + "': its signing key"),
            std::string::npos)
      << node.error().message;
  EXPECT_NE(node.error().message.find("is also the key of officer '" + config_.officers[0].pseudonym + "'"),
            std::string::npos)
      << node.error().message;
}

// An operator starts a node on a database migrated by a newer binary, or by an older one without
// running `liaison migrate`: the node refuses to serve it, naming the database and both versions,
// and serves again once the versions agree.
TEST_F(NodeRefusals, ANodeRefusesADatabaseOfAnotherSchemaVersionNamingItAndBothVersions) {
  stopNode();
  for (Database database : {Database::main, Database::health, Database::justice}) {
    SCOPED_TRACE(std::string(name(database)));
    const int current = embeddedMigrations(database).back().version;
    const std::string dbName = store::databaseName(target(), database).value();
    auto setVersion = [&](const std::string& sql) {
      auto conn = connectAs(store::DbRole::admin, database);
      pqxx::work tx(*conn);
      tx.exec(sql);
      tx.commit();
    };
    setVersion("INSERT INTO liaison_meta.migrations (version, name) VALUES (" + std::to_string(current + 1) +
               ", 'from_a_newer_binary')");
    auto newer = node::Node::start(config_, node::NodeOptions{{}, &std::cerr});
    ASSERT_FALSE(newer.ok());
    EXPECT_EQ(newer.error().kind, ErrorKind::conflict);
    EXPECT_NE(newer.error().message.find(dbName + " is at schema version " + std::to_string(current + 1) +
                                         ", newer than this binary's " + std::to_string(current)),
              std::string::npos)
        << newer.error().message;

    setVersion("DELETE FROM liaison_meta.migrations WHERE version >= " + std::to_string(current));
    auto older = node::Node::start(config_, node::NodeOptions{{}, &std::cerr});
    ASSERT_FALSE(older.ok());
    EXPECT_NE(older.error().message.find(dbName + " is at schema version " + std::to_string(current - 1) +
                                         ", this binary needs " + std::to_string(current) +
                                         ": run `liaison migrate` first"),
              std::string::npos)
        << older.error().message;
    setVersion("INSERT INTO liaison_meta.migrations (version, name) VALUES (" + std::to_string(current) +
               ", 'restored')");
  }
  startNode();
  EXPECT_EQ(client(kBorderOfficer)
                ->send(CheckDocumentQuery{DocumentNumber::parse("L898902C3").value(), "UTO", DocumentType::passport},
                       {})
                ->httpStatus,
            200u);
}

TEST_F(NodeRefusals, AnOversizedBodyIsRefusedAuditedAndTheNodeKeepsServing) {
  const uint64_t before = auditCount();
  RawOutcome outcome = postRaw(kPartnerBorder, std::vector<uint8_t>(config_.maxBodyBytes + 1, 0x00));
  EXPECT_EQ(outcome.httpStatus, 413u);
  EXPECT_EQ(auditCount(), before + 1);
  // Nothing of the request was read, but its source is known.
  AuditEntry entry = lastAuditEntry();
  EXPECT_EQ(entry.remoteAddress, "127.0.0.1");
  EXPECT_EQ(entry.peerPin, clientConfigPin(kPartnerBorder));
  expectStillServing();
}

TEST_F(NodeRefusals, AReplayIsRefusedAlsoAfterARestart) {
  std::vector<uint8_t> request = sealAs(kBorderOfficer, now());
  EXPECT_EQ(postRaw(kBorderOfficer, request).httpStatus, 200u);
  RawOutcome replay = postRaw(kBorderOfficer, request);
  EXPECT_EQ(replay.httpStatus, 403u);
  EXPECT_NE(replay.reason.find("replay"), std::string::npos) << replay.reason;

  stopNode();
  startNode();
  RawOutcome afterRestart = postRaw(kBorderOfficer, request);
  EXPECT_EQ(afterRestart.httpStatus, 403u);
  EXPECT_NE(afterRestart.reason.find("replay"), std::string::npos) << afterRestart.reason;
  expectStillServing();
}

TEST_F(Node, FiftyConcurrentConnectionsSendingTwoThousandRequestsAreAllAnsweredAndAudited) {
  // As fast as they can: above the default rate limits of one officer and one partner.
  config_.admission.officer = node::RateLimit{1e6, 1e6};
  config_.admission.partner = node::RateLimit{1e6, 1e6};
  startNode();
  constexpr int kConnections = 50;
  constexpr int kPerConnection = 40;
  const uint64_t before = auditCount();
  std::atomic<int> correct{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kConnections; ++i) {
    threads.emplace_back([&, i] {
      auto c = client(i % 2 == 0 ? kBorderOfficer : kPartnerBorder);
      for (int j = 0; j < kPerConnection; ++j) {
        auto answer = c->send(checkPassport(), {});
        if (answer && answer->response.status == ResponseStatus::ok && answer->response.hits.size() == 1 &&
            answer->response.hits[0].recordRef == stolenPassportRef_) {
          ++correct;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(correct.load(), kConnections * kPerConnection);
  EXPECT_EQ(auditCount(), before + kConnections * kPerConnection);
}

TEST_F(Node, WhenTheAuditAppendFailsNothingLeavesAndServiceResumesAfterwards) {
  auto grant = [&](const char* statement) {
    auto conn = connectAs(store::DbRole::admin);
    pqxx::work tx(*conn);
    tx.exec(std::string(statement) + " EXECUTE ON ALL FUNCTIONS IN SCHEMA audit " +
            (statement[0] == 'R' ? "FROM" : "TO") + " liaison_audit_writer");
    tx.commit();
  };
  auto c = client(kBorderOfficer);
  grant("REVOKE");
  auto answer = c->send(checkPassport(), {});
  ASSERT_FALSE(answer.ok()) << "an answer left without being audited";
  EXPECT_EQ(answer.error().kind, ErrorKind::unavailable);
  EXPECT_NE(answer.error().message.find("503"), std::string::npos) << answer.error().message;
  EXPECT_EQ(auditCount(), 0u);

  grant("GRANT");
  auto after = c->send(checkPassport(), {});
  ASSERT_TRUE(after.ok()) << after.error().message;
  EXPECT_EQ(after->response.status, ResponseStatus::ok);
  EXPECT_EQ(auditCount(), 1u);
}

TEST_F(Node, TheHealthEndpointAnswersAndMetricsAreNotOnTheFederationPort) {
  auto c = client(kBorderOfficer);
  ASSERT_TRUE(c->send(checkPassport(), {}).ok());
  auto health = c->get("/v1/health");
  ASSERT_TRUE(health.ok()) << health.error().message;
  EXPECT_EQ(health->first, 200u);
  EXPECT_NE(health->second.find("\"ok\""), std::string::npos);
  auto metrics = c->get("/metrics");
  ASSERT_TRUE(metrics.ok());
  EXPECT_EQ(metrics->first, 404u);
  EXPECT_EQ(metrics->second.find("liaison_"), std::string::npos) << metrics->second;
}

TEST_F(Node, ShutdownFlushesTheAuditLogAndLogsNoPersonalData) {
  ASSERT_TRUE(client(kBorderOfficer)->send(checkPassport(), {}).ok());
  stopNode();
  EXPECT_EQ(auditCount(), 1u);
  const std::string log = logText();
  EXPECT_NE(log.find("\"event\":\"stopped\""), std::string::npos) << log;
  EXPECT_EQ(log.find("L898902C3"), std::string::npos) << "document numbers must not be logged";
}

TEST_F(Node, SaysAtStartWhenTheDatabaseGroupsDifferFromThePolicysUntilTheyAreSynced) {
  // The test policy has EU-PARTNERS = XB-BORDER, XC-IMMIGRATION; the database has no groups yet.
  auto count = [&](const std::string& text) {
    size_t n = 0;
    for (size_t at = logText().find(text); at != std::string::npos; at = logText().find(text, at + 1)) ++n;
    return n;
  };
  EXPECT_EQ(count("\"event\":\"policy-groups-differ\""), 1u) << logText();
  EXPECT_NE(logText().find("\"missing_in_database\":2"), std::string::npos) << logText();
  EXPECT_NE(logText().find("liaison groups sync --policy "), std::string::npos) << logText();
  stopNode();
  auto synced = store::syncGroups(target(), "XA-POLICE", {{"EU-PARTNERS", {"XB-BORDER", "XC-IMMIGRATION"}}},
                                  config_.policy.string());
  ASSERT_TRUE(synced.ok()) << synced.error().message;
  startNode();
  EXPECT_EQ(count("\"event\":\"policy-groups-differ\""), 1u) << "still differs after the sync";
}

}  // namespace
}  // namespace liaison
