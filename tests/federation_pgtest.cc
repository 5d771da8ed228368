// Federation end to end: three nodes on loopback (XA-POLICE, the officers' own node, and partners
// XB-BORDER and XC-IMMIGRATION), each with databases of its own in the test cluster, real mutual TLS
// between them. Officers of XA ask partners through XA; hostile or broken partners are played by
// servers with the partner's real TLS identity answering what a test wants.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <sstream>

#include "adapters/audit_search.h"
#include "adapters/store.h"
#include "crypto/digest.h"
#include "crypto/envelope.h"
#include "crypto/keys.h"
#include "node/net/https_server.h"
#include "node/net/tls_identity.h"
#include "schema/codec.h"
#include "tests/liaison_process.h"
#include "tests/loopback.h"
#include "tests/node_harness.h"
#include "tests/policy_texts.h"
#include "tests/sample_records.h"
#include "tests/wait.h"

namespace liaison {
namespace {

using namespace liaison::testing;
using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::Not;
using Kind = client::FederatedPart::Kind;

// A partner's policy: XA-POLICE's officers may check documents there.
constexpr const char* kPartnerPolicyHead = R"toml(
self = "SELF"
purposes = ["border-check", "criminal-investigation"]

[[member]]
id = "XA-POLICE"
)toml";
constexpr const char* kPartnerPolicyRules = R"toml(
[[rule]]
name = "xa-document-checks"
members = ["XA-POLICE"]
roles = ["border", "immigration", "enforcement", "liaison"]
purposes = ["border-check", "criminal-investigation"]
queries = ["check-document"]
compartments = ["documents"]
mode = "details"

[[rule]]
name = "xa-screening-hit-no-hit"
members = ["XA-POLICE"]
roles = ["border"]
purposes = ["border-check"]
queries = ["screen-person"]
compartments = ["notices", "watchlist"]
mode = "hit"
)toml";

Query checkPassport() { return CheckDocumentQuery{DocumentNumber::parse("L898902C3").value(), "UTO", DocumentType::passport}; }

std::string pinOf(const std::filesystem::path& prefix) {
  return net::spkiPinOfCertificateFile(net::tlsCertificatePath(prefix)).value();
}

// What an officer's client made of a federated answer.
struct Collected {
  std::vector<client::FederatedPart> parts;
  std::optional<client::QueryAnswer> refusal;  // the request refused as a whole

  const client::FederatedPart* partner(const std::string& member) const {
    for (const auto& p : parts) {
      if (p.kind == Kind::partner && p.partner == member) return &p;
    }
    return nullptr;
  }
  const client::FederatedPart* summary() const {
    return !parts.empty() && parts.back().kind == Kind::summary ? &parts.back() : nullptr;
  }
};

// A partner node: databases, configuration and the running node.
struct PartnerNode {
  std::string member;
  std::string identity;  // the harness identity whose keys it uses
  std::unique_ptr<NodeDatabases> databases;
  node::NodeConfig config;
  std::ostringstream log;
  std::unique_ptr<node::Node> node;
  std::string passportRef;
  std::string watchlistRef;  // AL-RASHID, Omar Khalid (1980, SYR), visible to XA-POLICE

  std::string url() const { return "https://127.0.0.1:" + std::to_string(config.listenPort); }

  std::vector<AuditEntry> auditEntries() const {
    store::AuditReader reader(databases->target());
    auto latest = reader.latestSeq().value();
    if (!latest) return {};
    auto rows = reader.entries(0, *latest + 1);
    if (!rows) throw std::runtime_error(member + "'s audit log: " + rows.error().message);
    std::vector<AuditEntry> entries;
    for (auto& row : *rows) entries.push_back(std::move(row.entry));
    return entries;
  }

  AuditEntry lastAuditEntry() const {
    auto entries = auditEntries();
    if (entries.empty()) throw std::runtime_error(member + "'s audit log is empty");
    return entries.back();
  }
};

// A server with a partner's real TLS identity that answers as a test tells it: slow, forged, ...
class FakePartner {
 public:
  using Answer = std::function<net::HttpResponse(const net::HttpRequest&)>;
  FakePartner(const std::filesystem::path& tlsPrefix, Answer answer) {
    net::ServerOptions options;
    options.certificateFile = net::tlsCertificatePath(tlsPrefix);
    options.keyFile = net::tlsKeyPath(tlsPrefix);
    options.workerThreads = 4;
    server_ = std::make_unique<net::HttpsServer>(options, std::move(answer));
    auto started = server_->start();
    if (!started) throw std::runtime_error(started.error().message);
  }
  std::string url() const { return "https://127.0.0.1:" + std::to_string(server_->port()); }
  void stop() { server_->stop(); }

 private:
  std::unique_ptr<net::HttpsServer> server_;
};

class Federation : public NodeTest {
 protected:
  void SetUp() override {
    NodeTest::SetUp();
    partners_.push_back(startPartner("XB-BORDER", kPartnerBorder, {Role::border, Role::immigration, Role::enforcement}));
    partners_.push_back(startPartner("XC-IMMIGRATION", kPartnerImmigration, {}));
    for (node::PeerConfig& peer : config_.peers) peer.endpoint = partner(peer.member).url();
    // Ample for three nodes under ThreadSanitizer on a loaded machine; the slow partners below
    // hold their answers longer than it.
    config_.federationDeadline = 5s;
    startNode();
  }

  void TearDown() override {
    NodeTest::TearDown();
    for (auto& p : partners_) {
      if (p->node) p->node->stop();
    }
    partners_.clear();
  }

  PartnerNode& partner(const std::string& member) {
    for (auto& p : partners_) {
      if (p->member == member) return *p;
    }
    throw std::invalid_argument("no partner " + member);
  }

  // A partner node of its own, serving XA-POLICE with the roles given (none: the default ones), and
  // holding a stolen passport L898902C3/UTO that XA-POLICE may see.
  std::unique_ptr<PartnerNode> startPartner(const std::string& member, const std::string& identity,
                                            std::vector<Role> rolesForXa) {
    auto p = std::make_unique<PartnerNode>();
    p->member = member;
    p->identity = identity;
    p->databases = std::make_unique<NodeDatabases>();
    std::string policy = std::string(kPartnerPolicyHead) + std::string(policy::kTestFirewalls) + kPartnerPolicyRules;
    policy.replace(policy.find("SELF"), 4, member);
    const auto policyFile = dir_ / (member + "-policy.toml");
    std::ofstream(policyFile) << policy;
    node::NodeConfig& c = p->config;
    c.file = dir_ / (member + ".toml");
    c.member = member;
    c.listenPort = unusedListenPort();  // restarted by some tests: below the outgoing range
    c.metricsPort = 0;
    c.signingKey = dir_ / (identity + ".key");
    c.tlsCertificate = net::tlsCertificatePath(dir_ / (identity + "-tls"));
    c.tlsKey = net::tlsKeyPath(dir_ / (identity + "-tls"));
    c.policy = policyFile;
    c.database = p->databases->target().conninfo;
    c.workerThreads = 4;
    node::PeerConfig xa{"XA-POLICE", "", dir_ / "node.pub", pinOf(dir_ / "node-tls")};
    if (!rolesForXa.empty()) xa.roles = rolesForXa;
    c.peers.push_back(xa);
    auto passport = std::get<TravelDocument>(sampleRecord(RecordKind::travelDocument, member));
    passport.number = DocumentNumber::parse("L898902C3").value();
    passport.issuingState = "UTO";
    passport.type = DocumentType::passport;
    passport.meta.visibleTo = {"XA-POLICE"};
    passport.meta.handling = HandlingCode::h2;
    p->passportRef = store::RecordStore(p->databases->target()).insert(member, passport).value();
    auto watched = std::get<WatchlistPerson>(sampleRecord(RecordKind::watchlistPerson, member));
    watched.person = PersonIdentity{"AL-RASHID", "Omar Khalid", PartialDate{1980, 0, 0}, Sex::male, "SYR"};
    watched.meta.visibleTo = {"XA-POLICE"};
    p->watchlistRef = store::RecordStore(p->databases->target()).insert(member, watched).value();
    startPartnerNode(*p);
    return p;
  }

  void startPartnerNode(PartnerNode& p) {
    auto started = node::Node::start(p.config, node::NodeOptions{{}, &p.log});
    if (!started) throw std::runtime_error(p.member + ": " + started.error().message);
    p.node = std::move(started).value();
    p.config.listenPort = p.node->port();
  }

  // Makes XA call `member` at `url` from now on (a restart, as an operator's configuration change).
  void pointAt(const std::string& member, const std::string& url) {
    for (node::PeerConfig& peer : config_.peers) {
      if (peer.member == member) peer.endpoint = url;
    }
    startNode();
  }

  Result<Collected> ask(const std::string& identity, const Query& query, client::FederatedTargets targets,
                        const std::function<void(const client::FederatedPart&)>& also = {}) const {
    client::ClientConfig config = clientConfig(identity);
    config.partners = {{"XB-BORDER", dir_ / (std::string(kPartnerBorder) + ".pub")},
                       {"XC-IMMIGRATION", dir_ / (std::string(kPartnerImmigration) + ".pub")}};
    auto c = client::QueryClient::create(config, url());
    if (!c) return c.error();
    Collected collected;
    auto answer = (*c)->sendFederated(query, {}, targets, [&](const client::FederatedPart& part) {
      collected.parts.push_back(part);
      if (also) also(part);
    });
    if (!answer) return answer.error();
    collected.refusal = std::move(*answer);
    return collected;
  }

  Result<Collected> askAll(const std::string& identity, const Query& query = checkPassport()) const {
    return ask(identity, query, client::FederatedTargets{{}, true, false});
  }

  // An answer signed with `keyName` to the request in `request`'s body, as a partner would sign it.
  net::HttpResponse signedAnswer(const net::HttpRequest& request, const std::string& responder,
                                 const std::string& keyName) const {
    auto envelope = decodeEnvelope(request.body).value();
    Response response;
    response.requestDigest = crypto::sha256(envelope.body);
    response.responder = responder;
    response.status = ResponseStatus::ok;
    response.hits.push_back(Hit{"fake-ref", RecordKind::travelDocument, std::nullopt, {}, 0, std::nullopt});
    response.receipt = AuditReceipt{responder, 0, Digest{}};
    auto key = crypto::loadSecretKey(dir_ / (keyName + ".key")).value();
    return net::HttpResponse{200, "application/x-liaison-envelope",
                             crypto::sealEnvelope(MessageType::response, encodeResponse(response), key)};
  }

  std::vector<std::unique_ptr<PartnerNode>> partners_;
};

TEST_F(Federation, OneQueryToEveryPartnerGivesEachPartnersOwnSignedAnswerAndASummary) {
  auto collected = askAll(kBorderOfficer);
  ASSERT_TRUE(collected.ok()) << collected.error().message;
  ASSERT_FALSE(collected->refusal) << collected->refusal->response.reason;
  for (const char* member : {"XB-BORDER", "XC-IMMIGRATION"}) {
    SCOPED_TRACE(member);
    const auto* part = collected->partner(member);
    ASSERT_NE(part, nullptr);
    EXPECT_EQ(part->status, PartnerStatus::answered) << part->detail;
    ASSERT_TRUE(part->response.has_value());  // checked by the client with the partner's own key
    EXPECT_EQ(part->response->responder, member);
    ASSERT_EQ(part->response->hits.size(), 1u);
    EXPECT_EQ(part->response->hits[0].recordRef, partner(member).passportRef);
    ASSERT_TRUE(part->response->hits[0].details.has_value());
    EXPECT_EQ(std::get<TravelDocument>(*part->response->hits[0].details).meta.handling, HandlingCode::h2);
  }
  const auto* summary = collected->summary();
  ASSERT_NE(summary, nullptr);
  auto statuses = summary->summary;
  std::sort(statuses.begin(), statuses.end());
  EXPECT_EQ(statuses, (std::vector<std::pair<std::string, PartnerStatus>>{{"XB-BORDER", PartnerStatus::answered},
                                                                          {"XC-IMMIGRATION", PartnerStatus::answered}}));
  EXPECT_EQ(collected->parts.size(), 3u);  // no local part unless asked for
}

// Screening fans out like any query: each partner screens its own watchlist under its own policy.
TEST_F(Federation, AScreeningAsksEveryPartnerAndEachAnswersHitOrNoHitUnderItsOwnRules) {
  ScreenPersonQuery person;
  person.otherNames = {"عمر خالد الرشيد"};
  auto collected = askAll(kBorderOfficer, person);
  ASSERT_TRUE(collected.ok()) << collected.error().message;
  ASSERT_FALSE(collected->refusal) << collected->refusal->response.reason;
  for (const char* member : {"XB-BORDER", "XC-IMMIGRATION"}) {
    SCOPED_TRACE(member);
    const auto* part = collected->partner(member);
    ASSERT_NE(part, nullptr);
    EXPECT_EQ(part->status, PartnerStatus::answered) << part->detail;
    ASSERT_TRUE(part->response.has_value());
    ASSERT_EQ(part->response->hits.size(), 1u);
    EXPECT_EQ(part->response->hits[0].recordRef, partner(member).watchlistRef);
    EXPECT_FALSE(part->response->hits[0].match.has_value());  // a hit rule: no score, no name
  }
}

TEST_F(Federation, ANamedPartnerAndTheOwnNodeAnswerAndNoOtherPartnerIsAsked) {
  const size_t xcBefore = partner("XC-IMMIGRATION").auditEntries().size();
  auto collected = ask(kBorderOfficer, checkPassport(), client::FederatedTargets{{"XB-BORDER"}, false, true});
  ASSERT_TRUE(collected.ok()) << collected.error().message;
  ASSERT_EQ(collected->parts.size(), 3u);
  EXPECT_EQ(collected->parts[0].kind, Kind::local);
  ASSERT_TRUE(collected->parts[0].response.has_value());
  EXPECT_EQ(collected->parts[0].response->responder, "XA-POLICE");
  EXPECT_EQ(collected->parts[0].response->hits.size(), 1u);
  EXPECT_EQ(collected->partner("XB-BORDER")->status, PartnerStatus::answered);
  EXPECT_EQ(collected->partner("XC-IMMIGRATION"), nullptr);
  EXPECT_EQ(partner("XC-IMMIGRATION").auditEntries().size(), xcBefore);
}

TEST_F(Federation, BothAuditorsFindTheRequestThePartnersEntryNamesTheOfficerAndTheOfficersRequest) {
  auto collected = ask(kBorderOfficer, checkPassport(), client::FederatedTargets{{"XB-BORDER"}, false, false});
  ASSERT_TRUE(collected.ok()) << collected.error().message;
  const auto* part = collected->partner("XB-BORDER");
  ASSERT_NE(part, nullptr);
  ASSERT_EQ(part->status, PartnerStatus::answered);
  // At XB: the forwarded request's entry names XA's officer and the digest of the officer's request.
  const AuditEntry theirs = partner("XB-BORDER").lastAuditEntry();
  EXPECT_EQ(theirs.requester, "XA-POLICE");
  EXPECT_EQ(theirs.signer, "member:XA-POLICE");
  EXPECT_EQ(theirs.officerPseudonym, kBorderOfficer);
  ASSERT_TRUE(theirs.onBehalfOf.has_value());
  EXPECT_EQ(theirs.decision, Decision::permitted);
  // At XA: the officer's entry has that digest as its own, and the forwarded request's entry the
  // partner's query digest, the partner and the partner's receipt.
  store::AuditReader reader(target());
  store::AuditSearchFilter byDigest;
  byDigest.digest = crypto::hex(*theirs.onBehalfOf);
  auto ours = reader.search(byDigest).value();
  ASSERT_EQ(ours.rows.size(), 2u);
  const AuditEntry& officers = ours.rows[0].entry;
  const AuditEntry& forwarded = ours.rows[1].entry;
  EXPECT_EQ(officers.queryDigest, *theirs.onBehalfOf);
  EXPECT_EQ(officers.signer, std::string("officer:") + kBorderOfficer);
  EXPECT_THAT(officers.reason, HasSubstr("forwarded to XB-BORDER"));
  EXPECT_EQ(forwarded.partner, "XB-BORDER");
  EXPECT_EQ(forwarded.queryDigest, theirs.queryDigest);
  EXPECT_EQ(forwarded.onBehalfOf, theirs.onBehalfOf);
  EXPECT_THAT(forwarded.reason, HasSubstr("answered; partner receipt XB-BORDER:"));
  EXPECT_EQ(forwarded.recordRefs, std::vector<std::string>{partner("XB-BORDER").passportRef});
  // The partner's auditor follows it the same way from its side.
  store::AuditReader partnerReader(partner("XB-BORDER").databases->target());
  EXPECT_EQ(partnerReader.search(byDigest).value().rows.size(), 1u);
}

TEST_F(Federation, APartnerThatIsDownIsUnreachableAndTheOtherStillAnswers) {
  partner("XC-IMMIGRATION").node->stop();
  auto collected = askAll(kBorderOfficer);
  ASSERT_TRUE(collected.ok()) << collected.error().message;
  EXPECT_EQ(collected->partner("XB-BORDER")->status, PartnerStatus::answered);
  ASSERT_NE(collected->partner("XC-IMMIGRATION"), nullptr);
  EXPECT_EQ(collected->partner("XC-IMMIGRATION")->status, PartnerStatus::unreachable);
  EXPECT_FALSE(collected->partner("XC-IMMIGRATION")->response.has_value());
  ASSERT_NE(collected->summary(), nullptr);
}

TEST_F(Federation, APartnerPastTheDeadlineIsTimedOutAndTheAnswerEndsAtTheDeadline) {
  std::mutex mutex;
  std::condition_variable released;
  bool release = false;
  FakePartner slow(dir_ / (std::string(kPartnerImmigration) + "-tls"), [&](const net::HttpRequest& request) {
    std::unique_lock lock(mutex);
    released.wait_for(lock, 10s, [&] { return release; });
    return signedAnswer(request, "XC-IMMIGRATION", kPartnerImmigration);
  });
  pointAt("XC-IMMIGRATION", slow.url());
  const auto started = std::chrono::steady_clock::now();
  auto collected = askAll(kBorderOfficer);
  const auto took = std::chrono::steady_clock::now() - started;
  {
    std::lock_guard lock(mutex);
    release = true;
  }
  released.notify_all();
  ASSERT_TRUE(collected.ok()) << collected.error().message;
  EXPECT_EQ(collected->partner("XB-BORDER")->status, PartnerStatus::answered);
  EXPECT_EQ(collected->partner("XC-IMMIGRATION")->status, PartnerStatus::timedOut);
  EXPECT_LT(took, 9s);  // the deadline (5 s) ended it, not the slow partner (10 s)
  slow.stop();
}

TEST_F(Federation, AFastPartnersAnswerReachesTheOfficerBeforeASlowPartnerAnswers) {
  // The slow partner answers only once the officer has seen the fast one's answer: without
  // streaming it would wait for the deadline and be timed out.
  std::atomic<bool> fastSeen{false};
  FakePartner slow(dir_ / (std::string(kPartnerImmigration) + "-tls"), [&](const net::HttpRequest& request) {
    waitUntil([&] { return fastSeen.load(); }, 10s);
    return signedAnswer(request, "XC-IMMIGRATION", kPartnerImmigration);
  });
  pointAt("XC-IMMIGRATION", slow.url());
  auto collected = askAll(kBorderOfficer, checkPassport());
  ASSERT_TRUE(collected.ok()) << collected.error().message;
  collected = ask(kBorderOfficer, checkPassport(), client::FederatedTargets{{}, true, false},
                  [&](const client::FederatedPart& part) {
                    if (part.kind == Kind::partner && part.partner == "XB-BORDER") fastSeen = true;
                  });
  ASSERT_TRUE(collected.ok()) << collected.error().message;
  ASSERT_EQ(collected->parts.size(), 3u);
  EXPECT_EQ(collected->parts[0].partner, "XB-BORDER");
  EXPECT_EQ(collected->parts[1].partner, "XC-IMMIGRATION");
  EXPECT_EQ(collected->parts[1].status, PartnerStatus::answered) << collected->parts[1].detail;
  slow.stop();
}

TEST_F(Federation, AnAnswerSignedWithAnotherKeyIsInvalidAndItsContentNeverShown) {
  FakePartner forger(dir_ / (std::string(kPartnerImmigration) + "-tls"), [&](const net::HttpRequest& request) {
    return signedAnswer(request, "XC-IMMIGRATION", kStrangerMember);  // not XC's key
  });
  pointAt("XC-IMMIGRATION", forger.url());
  auto collected = askAll(kBorderOfficer);
  ASSERT_TRUE(collected.ok()) << collected.error().message;
  const auto* part = collected->partner("XC-IMMIGRATION");
  ASSERT_NE(part, nullptr);
  EXPECT_EQ(part->status, PartnerStatus::invalid);
  EXPECT_FALSE(part->response.has_value());
  EXPECT_EQ(collected->partner("XB-BORDER")->status, PartnerStatus::answered);
  forger.stop();
}

TEST_F(Federation, APartnerShowingTwoHistoriesOfItsLogIsAForkWithTheEvidenceKept) {
  // The partner signs a head of size 5 with one root, then one of size 5 with another: two logs.
  std::atomic<int> calls{0};
  FakePartner forked(dir_ / (std::string(kPartnerImmigration) + "-tls"), [&](const net::HttpRequest& request) {
    auto key = crypto::loadSecretKey(dir_ / (std::string(kPartnerImmigration) + ".key")).value();
    TreeHead head{"XC-IMMIGRATION", 5, Digest{}, std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now())};
    head.rootHash.fill(static_cast<uint8_t>(1 + calls++));
    auto envelope = decodeEnvelope(request.body).value();
    Response response;
    response.requestDigest = crypto::sha256(envelope.body);
    response.responder = "XC-IMMIGRATION";
    response.receipt = AuditReceipt{"XC-IMMIGRATION", 4, Digest{}};
    response.treeHead = decodeEnvelope(crypto::sealEnvelope(MessageType::treeHead, encodeTreeHead(head), key)).value();
    return net::HttpResponse{200, "application/x-liaison-envelope",
                             crypto::sealEnvelope(MessageType::response, encodeResponse(response), key)};
  });
  config_.stateDir = dir_ / "state";
  pointAt("XC-IMMIGRATION", forked.url());
  auto first = askAll(kBorderOfficer);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(first->partner("XC-IMMIGRATION")->status, PartnerStatus::answered);
  auto second = askAll(kBorderOfficer);
  ASSERT_TRUE(second.ok()) << second.error().message;
  const auto* part = second->partner("XC-IMMIGRATION");
  ASSERT_NE(part, nullptr);
  EXPECT_EQ(part->status, PartnerStatus::fork);
  EXPECT_THAT(part->detail, HasSubstr("FORK DETECTED in the audit log of XC-IMMIGRATION"));
  EXPECT_EQ(second->partner("XB-BORDER")->status, PartnerStatus::answered);
  // Both signed heads are kept as evidence in the node's state folder, and the entry names the fork.
  bool evidence = false;
  for (const auto& file : std::filesystem::recursive_directory_iterator(dir_ / "state")) {
    if (file.path().string().find("fork") != std::string::npos) evidence = true;
  }
  EXPECT_TRUE(evidence);
  store::AuditSearchFilter forwarded;
  forwarded.signer = std::string("officer:") + kBorderOfficer;
  auto rows = store::AuditReader(target()).search(forwarded).value().rows;
  auto last = std::find_if(rows.rbegin(), rows.rend(), [](const auto& row) { return row.entry.partner == "XC-IMMIGRATION"; });
  ASSERT_NE(last, rows.rend());
  EXPECT_THAT(last->entry.reason, HasSubstr("forwarded to XC-IMMIGRATION: fork: FORK DETECTED"));
  forked.stop();
}

TEST_F(Federation, AnAnswerToAnotherRequestIsInvalid) {
  FakePartner replayer(dir_ / (std::string(kPartnerImmigration) + "-tls"), [&](const net::HttpRequest& request) {
    net::HttpRequest other = request;
    auto envelope = decodeEnvelope(request.body).value();
    envelope.body.push_back(0);  // another request's digest
    other.body = encodeEnvelope(envelope);
    return signedAnswer(other, "XC-IMMIGRATION", kPartnerImmigration);
  });
  pointAt("XC-IMMIGRATION", replayer.url());
  auto collected = askAll(kBorderOfficer);
  ASSERT_TRUE(collected.ok()) << collected.error().message;
  EXPECT_EQ(collected->partner("XC-IMMIGRATION")->status, PartnerStatus::invalid);
  EXPECT_THAT(collected->partner("XC-IMMIGRATION")->detail, HasSubstr("another request"));
  replayer.stop();
}

TEST_F(Federation, APartnerRefusingGivesItsReasonAndARoleNotAgreedWithThePartnerIsRefusedThere) {
  // XB agreed to border, immigration and enforcement requests from XA; a liaison officer's is refused
  // at XB before its policy is asked, XC (default roles) answers.
  auto collected = askAll(kLiaisonOfficer);
  ASSERT_TRUE(collected.ok()) << collected.error().message;
  ASSERT_NE(collected->partner("XB-BORDER"), nullptr);
  EXPECT_EQ(collected->partner("XB-BORDER")->status, PartnerStatus::refused);
  ASSERT_TRUE(collected->partner("XB-BORDER")->response.has_value());  // the partner's own signed refusal
  EXPECT_EQ(collected->partner("XB-BORDER")->response->status, ResponseStatus::refused);
  EXPECT_EQ(collected->partner("XC-IMMIGRATION")->status, PartnerStatus::answered);
  const AuditEntry theirs = partner("XB-BORDER").lastAuditEntry();
  EXPECT_EQ(theirs.decision, Decision::refused);
  EXPECT_THAT(theirs.reason, HasSubstr("may not send requests in role liaison"));
}

TEST_F(Federation, AnOfficerNoOutboundRulePermitsIsRefusedAndNothingLeaves) {
  const size_t xb = partner("XB-BORDER").auditEntries().size();
  const size_t xc = partner("XC-IMMIGRATION").auditEntries().size();
  auto collected = askAll(kImmigrationOfficer);
  ASSERT_TRUE(collected.ok()) << collected.error().message;
  ASSERT_TRUE(collected->refusal.has_value());
  EXPECT_EQ(collected->refusal->response.status, ResponseStatus::refused);
  EXPECT_EQ(collected->refusal->response.reason, "not permitted");
  EXPECT_TRUE(collected->parts.empty());
  EXPECT_EQ(partner("XB-BORDER").auditEntries().size(), xb);
  EXPECT_EQ(partner("XC-IMMIGRATION").auditEntries().size(), xc);
  const AuditEntry entry = lastAuditEntry();
  EXPECT_EQ(entry.decision, Decision::refused);
  EXPECT_THAT(entry.reason, HasSubstr("no partner may be asked"));
}

TEST_F(Federation, AHealthOrJusticeRequestOfAnEnforcementFacingOfficerIsRefusedHereAndNeverSentEvenWhereARuleWouldAllowIt) {
  const size_t xb = partner("XB-BORDER").auditEntries().size();
  const size_t xc = partner("XC-IMMIGRATION").auditEntries().size();
  // The border officer's outbound rule allows get-record: the kind named decides the compartment,
  // and the firewall refuses health and justice records before anything leaves.
  const std::pair<const char*, Query> attempts[] = {
      {kEnforcementOfficer, HealthRecordQuery{"any-ref"}},
      {kEnforcementOfficer, JusticeRecordQuery{"any-ref"}},
      {kBorderOfficer, GetRecordQuery{"any-ref", RecordKind::healthRecord}},
      {kBorderOfficer, GetRecordQuery{"any-ref", RecordKind::justiceRecord}},
  };
  for (const auto& [officer, query] : attempts) {
    SCOPED_TRACE(std::string(officer) + " " + std::string(name(kindOf(query))));
    auto collected = askAll(officer, query);
    ASSERT_TRUE(collected.ok()) << collected.error().message;
    ASSERT_TRUE(collected->refusal.has_value());
    EXPECT_EQ(collected->refusal->response.reason, "not permitted");
    EXPECT_TRUE(collected->parts.empty());
    EXPECT_THAT(lastAuditEntry().reason, HasSubstr("firewall"));
  }
  EXPECT_EQ(partner("XB-BORDER").auditEntries().size(), xb);
  EXPECT_EQ(partner("XC-IMMIGRATION").auditEntries().size(), xc);
  // The same officer's document check goes out: the rule is real, the firewall refused.
  auto allowed = askAll(kEnforcementOfficer);
  ASSERT_TRUE(allowed.ok()) << allowed.error().message;
  EXPECT_FALSE(allowed->refusal.has_value());
}

TEST_F(Federation, APartnersRequestNamingPartnersIsRefusedAndNeverForwarded) {
  const size_t xc = partner("XC-IMMIGRATION").auditEntries().size();
  client::ClientConfig config = clientConfig(kPartnerBorder);  // XB-BORDER's member key, pinned certificate
  auto c = client::QueryClient::create(config, url());
  ASSERT_TRUE(c.ok()) << c.error().message;
  auto answer = (*c)->sendFederated(checkPassport(), {}, client::FederatedTargets{{"XC-IMMIGRATION"}, false, false},
                                    [](const client::FederatedPart&) { ADD_FAILURE() << "a part was streamed"; });
  ASSERT_TRUE(answer.ok()) << answer.error().message;
  ASSERT_TRUE(answer->has_value());
  EXPECT_EQ((*answer)->response.status, ResponseStatus::refused);
  EXPECT_THAT((*answer)->response.reason, HasSubstr("never forwarded"));
  EXPECT_EQ(partner("XC-IMMIGRATION").auditEntries().size(), xc);
  EXPECT_EQ(lastAuditEntry().decision, Decision::refused);
}

TEST_F(Federation, AnOfficerCannotPassARequestOffAsForwardedByAPartnerNode) {
  client::ClientConfig config = clientConfig(kBorderOfficer);
  auto c = client::QueryClient::create(config, url());
  ASSERT_TRUE(c.ok());
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  auto envelope = decodeEnvelope((*c)->seal(checkPassport(), {}, now)).value();
  Request request = decodeRequest(envelope.body).value();
  request.onBehalfOf = Digest{};
  auto key = crypto::loadSecretKey(config.signingKey).value();
  auto answer = (*c)->sendSealed(crypto::sealEnvelope(MessageType::request, encodeRequest(request), key));
  ASSERT_TRUE(answer.ok()) << answer.error().message;
  EXPECT_EQ(answer->response.status, ResponseStatus::invalid);
  EXPECT_THAT(answer->response.reason, HasSubstr("only a partner's node"));
}

TEST_F(Federation, PartnersTheOfficerMayNotAskAreNotMentioned) {
  // An unknown member named explicitly is left out, the known one asked.
  auto collected = ask(kBorderOfficer, checkPassport(), client::FederatedTargets{{"XB-BORDER", "XQ-NOWHERE"}, false, false});
  ASSERT_TRUE(collected.ok()) << collected.error().message;
  ASSERT_EQ(collected->parts.size(), 2u);
  EXPECT_EQ(collected->partner("XQ-NOWHERE"), nullptr);
  ASSERT_NE(collected->summary(), nullptr);
  EXPECT_EQ(collected->summary()->summary.size(), 1u);
  EXPECT_THAT(lastAuditEntry().reason, Not(HasSubstr("XQ-NOWHERE")));  // the last is the forwarded one
}

TEST_F(Federation, ThePartnersConnectionsAreKeptAliveAcrossFederatedQueries) {
  for (int i = 0; i < 5; ++i) {
    auto collected = ask(kBorderOfficer, checkPassport(), client::FederatedTargets{{"XB-BORDER"}, false, false});
    ASSERT_TRUE(collected.ok()) << collected.error().message;
    ASSERT_EQ(collected->partner("XB-BORDER")->status, PartnerStatus::answered);
  }
  // One connection to XB served all five: its audit log saw five requests over one TLS session,
  // which the node reports in its metrics.
  EXPECT_THAT(scrapeMetrics(), HasSubstr("liaison_federation_tls_handshakes_total 1\n"));
}

TEST_F(Federation, TheCommandPrintsEachPartnersAnswerWithHandlingCodesAndASummary) {
  client::ClientConfig config = clientConfig(kBorderOfficer);
  config.partners = {{"XB-BORDER", dir_ / (std::string(kPartnerBorder) + ".pub")},
                     {"XC-IMMIGRATION", dir_ / (std::string(kPartnerImmigration) + ".pub")}};
  const auto file = writeClientConfigFile(config, dir_ / "officer.toml");
  auto text = runLiaison({"query", "--as", file.string(), "--node", url(), "--partners", "all", "check-document",
                          "L898902C3", "UTO"});
  EXPECT_EQ(text.exitCode, 0) << text.err;
  EXPECT_THAT(text.out, HasSubstr("== XB-BORDER: answered"));
  EXPECT_THAT(text.out, HasSubstr("== XC-IMMIGRATION: answered"));
  EXPECT_THAT(text.out, HasSubstr("handling h2: not to be disseminated without the provider's permission"));
  EXPECT_THAT(text.out, HasSubstr("== summary: 2 partner(s) asked"));
  auto json = runLiaison({"query", "--as", file.string(), "--node", url(), "--partners", "XB-BORDER", "--local",
                          "--json", "check-document", "L898902C3", "UTO"});
  EXPECT_EQ(json.exitCode, 0) << json.err;
  std::istringstream lines(json.out);
  std::vector<std::string> parts;
  for (std::string line; std::getline(lines, line);) parts.push_back(line);
  ASSERT_EQ(parts.size(), 3u) << json.out;
  EXPECT_THAT(parts[0], HasSubstr(R"("part":"local")"));
  EXPECT_THAT(parts[1], HasSubstr(R"("partner":"XB-BORDER")"));
  EXPECT_THAT(parts[2], HasSubstr(R"("part":"summary")"));
  auto usage = runLiaison({"query", "--as", file.string(), "--node", url(), "--local", "check-document", "L898902C3", "UTO"});
  EXPECT_EQ(usage.exitCode, 2);
  EXPECT_THAT(usage.err, HasSubstr("--local goes with --partners"));
}

}  // namespace
}  // namespace liaison
