#include "tests/node_harness.h"

#include <stdlib.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "adapters/audit_search.h"
#include "adapters/store.h"
#include "crypto/keys.h"
#include "node/net/tls_identity.h"
#include "tests/loopback.h"
#include "tests/sample_records.h"

namespace liaison::testing {
namespace {

constexpr const char* kPolicy = R"toml(
self = "XA-POLICE"
purposes = ["border-check", "criminal-investigation", "asylum-casework", "medical-care", "court-proceedings", "oversight"]

[[member]]
id = "XB-BORDER"
[[member]]
id = "XC-IMMIGRATION"

[[group]]
id = "EU-PARTNERS"
members = ["XB-BORDER", "XC-IMMIGRATION"]

[[firewall]]
name = "health-firewall"
compartment = "health"
roles = ["enforcement", "border", "immigration", "liaison"]

[[firewall]]
name = "justice-firewall"
compartment = "justice"
roles = ["enforcement", "border", "immigration", "liaison"]

[[rule]]
name = "own-border-checks"
members = ["XA-POLICE"]
roles = ["border", "enforcement"]
purposes = ["border-check", "criminal-investigation"]
queries = ["check-document"]
compartments = ["documents", "watchlist"]
mode = "details"

[[rule]]
name = "own-record-details"
members = ["XA-POLICE"]
roles = ["border", "enforcement", "immigration"]
purposes = ["border-check", "criminal-investigation", "asylum-casework"]
queries = ["get-record"]
compartments = ["documents", "watchlist", "notices", "immigration"]
mode = "details"

[[rule]]
name = "own-movements"
members = ["XA-POLICE"]
roles = ["immigration", "enforcement"]
purposes = ["asylum-casework", "criminal-investigation"]
queries = ["list-movements"]
compartments = ["immigration"]
mode = "details"

[[rule]]
name = "own-screening"
members = ["XA-POLICE"]
roles = ["border", "enforcement"]
purposes = ["border-check", "criminal-investigation"]
queries = ["screen-person"]
compartments = ["notices", "watchlist"]
mode = "details"

[[rule]]
name = "own-manifests"
members = ["XA-POLICE"]
roles = ["border"]
purposes = ["border-check"]
queries = ["screen-manifest"]
compartments = ["notices", "watchlist", "documents"]
mode = "details"

[[rule]]
name = "partner-screening-hit-no-hit"
members = ["EU-PARTNERS"]
roles = ["border"]
purposes = ["border-check"]
queries = ["screen-person", "screen-manifest"]
compartments = ["notices", "watchlist"]
mode = "hit"

[[rule]]
name = "partner-hit-no-hit"
members = ["EU-PARTNERS"]
roles = ["border", "immigration"]
purposes = ["border-check"]
queries = ["check-document"]
compartments = ["documents"]
mode = "hit"

[[rule]]
name = "partner-details"
members = ["XB-BORDER"]
roles = ["border"]
purposes = ["border-check"]
queries = ["get-record"]
compartments = ["documents"]
mode = "details"
fields = ["number", "issuing_state", "document_type", "fraud_type", "report_date"]

# Officers asking partners through this node (federation): border and liaison officers about
# documents and records (get-record names the record's kind, so the firewalls decide per request),
# enforcement officers about documents.
[[outbound]]
name = "documents-to-partners"
partners = ["EU-PARTNERS"]
roles = ["border", "liaison"]
purposes = ["border-check", "criminal-investigation"]
queries = ["check-document", "get-record", "screen-person"]

[[outbound]]
name = "enforcement-documents"
partners = ["*"]
roles = ["enforcement"]
purposes = ["criminal-investigation"]
queries = ["check-document"]

[[rule]]
name = "health-care"
members = ["XA-POLICE"]
roles = ["health"]
purposes = ["medical-care"]
queries = ["health-record"]
compartments = ["health"]
mode = "details"

[[rule]]
name = "courts"
members = ["XA-POLICE"]
roles = ["justice"]
purposes = ["court-proceedings"]
queries = ["justice-record"]
compartments = ["justice"]
mode = "details"

# Aggregate statistics: officers count documents and immigration records, health workers their
# own compartment, oversight every compartment ([statistics] keeps its defaults: cells of 10, no noise).
[[rule]]
name = "officers-statistics"
members = ["XA-POLICE", "EU-PARTNERS"]
roles = ["border", "immigration", "enforcement", "liaison"]
purposes = ["border-check", "criminal-investigation", "asylum-casework"]
queries = ["aggregate-statistics"]
compartments = ["documents", "immigration"]
mode = "details"

[[rule]]
name = "health-statistics"
members = ["XA-POLICE"]
roles = ["health"]
purposes = ["medical-care"]
queries = ["aggregate-statistics"]
compartments = ["health"]
mode = "details"

[[rule]]
name = "oversight-statistics"
members = ["XA-POLICE"]
roles = ["auditor"]
purposes = ["oversight"]
queries = ["aggregate-statistics"]
compartments = ["documents", "immigration", "health", "justice"]
mode = "details"
)toml";

struct Identity {
  const char* name;
  const char* member;
  Role role;
  const char* purpose;
  bool withTls;
};

constexpr Identity kIdentities[] = {
    {kBorderOfficer, "XA-POLICE", Role::border, "border-check", false},
    {kImmigrationOfficer, "XA-POLICE", Role::immigration, "asylum-casework", false},
    {kEnforcementOfficer, "XA-POLICE", Role::enforcement, "criminal-investigation", false},
    {kLiaisonOfficer, "XA-POLICE", Role::liaison, "criminal-investigation", false},
    {kHealthWorker, "XA-POLICE", Role::health, "medical-care", false},
    {kJusticeClerk, "XA-POLICE", Role::justice, "court-proceedings", false},
    {kAuditorOfficer, "XA-POLICE", Role::auditor, "oversight", false},
    {kPartnerBorder, "XB-BORDER", Role::border, "border-check", true},
    {kPartnerImmigration, "XC-IMMIGRATION", Role::immigration, "border-check", true},
    {kStrangerOfficer, "XA-POLICE", Role::border, "border-check", false},
    {kStrangerMember, "XZ-UNKNOWN", Role::border, "border-check", true},
};

const Identity& identity(const std::string& name) {
  for (const auto& id : kIdentities) {
    if (name == id.name) return id;
  }
  throw std::invalid_argument("no test identity " + name);
}

void writeFile(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
}

std::string pinOf(const std::filesystem::path& prefix) {
  return net::spkiPinOfCertificateFile(net::tlsCertificatePath(prefix)).value();
}

}  // namespace

Response comparable(Response r) {
  r.requestDigest = {};
  r.receipt = {};
  r.treeHead.reset();
  r.consistency.clear();
  return r;
}

void NodeTest::makeIdentity(const std::string& name, bool withTls) {
  auto pair = crypto::generateKeyPair();
  ASSERT_TRUE(crypto::writeKeyFiles(dir_ / name, pair).ok());
  if (withTls) {
    ASSERT_TRUE(net::writeTlsIdentity(dir_ / (name + "-tls"), name, 2).ok());
  }
}

void NodeTest::SetUp() {
  PgTest::SetUp();
  char pattern[] = "/tmp/liaison-node-test-XXXXXX";
  ASSERT_NE(mkdtemp(pattern), nullptr);
  dir_ = pattern;

  makeIdentity("node", true);
  for (const auto& id : kIdentities) makeIdentity(id.name, id.withTls);
  writeFile(dir_ / "policy.toml", kPolicy);

  config_.file = dir_ / "node.toml";
  config_.member = "XA-POLICE";
  config_.listenAddress = "127.0.0.1";
  config_.listenPort = unusedListenPort();  // below the kernel's range for outgoing connections
  config_.signingKey = dir_ / "node.key";
  config_.tlsCertificate = net::tlsCertificatePath(dir_ / "node-tls");
  config_.tlsKey = net::tlsKeyPath(dir_ / "node-tls");
  config_.policy = dir_ / "policy.toml";
  config_.database = target().conninfo;
  config_.validityWindow = std::chrono::seconds(300);
  config_.workerThreads = 8;
  config_.metricsPort = 0;  // tests run side by side: any free port
  for (const auto& id : kIdentities) {
    if (std::string(id.member) != "XA-POLICE" || std::string(id.name) == kStrangerOfficer) continue;
    config_.officers.push_back(node::OfficerConfig{id.name, dir_ / (std::string(id.name) + ".pub"), id.role, {id.purpose}});
  }
  for (const char* partner : {kPartnerBorder, kPartnerImmigration}) {
    const Identity& id = identity(partner);
    config_.peers.push_back(node::PeerConfig{id.member, "", dir_ / (std::string(id.name) + ".pub"),
                                             pinOf(dir_ / (std::string(id.name) + "-tls"))});
  }

  // Seed records owned by this node's member.
  store::RecordStore store(target());
  auto passport = std::get<TravelDocument>(sampleRecord(RecordKind::travelDocument, "XA-POLICE"));
  passport.number = DocumentNumber::parse("L898902C3").value();
  passport.issuingState = "UTO";
  passport.type = DocumentType::passport;
  passport.meta.visibleTo = {"XB-BORDER", "XC-IMMIGRATION"};
  stolenPassportRef_ = store.insert("XA-POLICE", passport).value();

  auto watched = std::get<WatchlistDocument>(sampleRecord(RecordKind::watchlistDocument, "XA-POLICE"));
  watched.number = DocumentNumber::parse("X1234567").value();
  watched.issuingState = "UTO";
  watched.meta.visibleTo = {};
  watchlistedDocRef_ = store.insert("XA-POLICE", watched).value();

  auto movement = std::get<Movement>(sampleRecord(RecordKind::movement, "XA-POLICE"));
  movement.documentNumber = "L898902C3";
  movement.meta.visibleTo = {};
  movementRef_ = store.insert("XA-POLICE", movement).value();

  auto notice = std::get<Notice>(sampleRecord(RecordKind::notice, "XA-POLICE"));
  notice.person = PersonIdentity{"SHEVCHENKO", "Taras", PartialDate{1961, 3, 9}, Sex::male, "UKR"};
  notice.nameInOriginalScript = "Тарас Шевченко";
  notice.aliases = {};
  notice.meta.visibleTo = {"XB-BORDER"};
  shevchenkoNoticeRef_ = store.insert("XA-POLICE", notice).value();

  auto person = std::get<WatchlistPerson>(sampleRecord(RecordKind::watchlistPerson, "XA-POLICE"));
  person.person = PersonIdentity{"AL-RASHID", "Omar Khalid", PartialDate{1980, 0, 0}, Sex::male, "SYR"};
  person.aliases = {"عمر خالد الرشيد"};
  person.meta.visibleTo = {};
  rashidWatchlistRef_ = store.insert("XA-POLICE", person).value();

  auto health = std::get<HealthRecord>(sampleRecord(RecordKind::healthRecord, "XA-POLICE"));
  health.person.familyName = kHealthSentinel;
  health.summary = std::string(kHealthSentinel) + " diagnosis";
  healthRef_ = store.insert("XA-POLICE", health).value();

  auto justice = std::get<JusticeRecord>(sampleRecord(RecordKind::justiceRecord, "XA-POLICE"));
  justice.person.familyName = kJusticeSentinel;
  justice.caseNumber = kJusticeSentinel;
  justiceRef_ = store.insert("XA-POLICE", justice).value();

  startNode();
}

Status NodeTest::catchUpScreening() { return node_->catchUpScreening(); }

void NodeTest::TearDown() {
  stopNode();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
  PgTest::TearDown();
}

void NodeTest::startNode() {
  stopNode();
  auto node = node::Node::start(config_, node::NodeOptions{clock_, &log_});
  // The port may be taken by a test running beside this one: before the first start, one that drew
  // the same port; at a restart, one probing ports (unusedListenPort) in the moment it was free. A
  // restart waits a while for its own port (clients made before it keep reaching the node), then
  // takes another, as a first start does at once.
  for (int attempt = 0; !node && attempt < 25 && node.error().message.find("Address already in use") != std::string::npos;
       ++attempt) {
    if (!started_ || attempt >= 20) {
      config_.listenPort = unusedListenPort();
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    node = node::Node::start(config_, node::NodeOptions{clock_, &log_});
  }
  ASSERT_TRUE(node.ok()) << node.error().message;
  started_ = true;
  node_ = std::move(node).value();
  // Later starts reuse the same port, so clients made before a restart still reach the node.
  config_.listenPort = node_->port();
}

void NodeTest::stopNode() {
  if (node_) node_->stop();
  node_.reset();
}

client::ClientConfig NodeTest::clientConfig(const std::string& name) const {
  const Identity& id = identity(name);
  client::ClientConfig client;
  client.member = id.member;
  client.pseudonym = id.name;
  client.role = id.role;
  client.purpose = id.purpose;
  client.signingKey = dir_ / (std::string(id.name) + ".key");
  client.nodePin = pinOf(dir_ / "node-tls");
  client.nodePublicKey = dir_ / "node.pub";
  if (id.withTls) {
    client.tlsCertificate = net::tlsCertificatePath(dir_ / (std::string(id.name) + "-tls"));
    client.tlsKey = net::tlsKeyPath(dir_ / (std::string(id.name) + "-tls"));
  }
  return client;
}

std::unique_ptr<client::QueryClient> NodeTest::client(const std::string& name) const {
  auto client = client::QueryClient::create(clientConfig(name), url());
  if (!client) throw std::runtime_error(client.error().message);
  return std::move(client).value();
}

std::string NodeTest::url() const { return "https://127.0.0.1:" + std::to_string(config_.listenPort); }

uint64_t NodeTest::auditCount() const {
  auto conn = connectAs(store::DbRole::auditor);
  pqxx::read_transaction tx(*conn);
  return tx.exec1("SELECT count(*) FROM audit.entries")[0].as<uint64_t>();
}

AuditEntry NodeTest::lastAuditEntry() const {
  store::AuditReader reader(target());
  auto latest = reader.latestSeq().value();
  if (!latest) throw std::runtime_error("the audit log is empty");
  auto rows = reader.entries(*latest, *latest + 1).value();
  return rows.at(0).entry;
}

std::string NodeTest::scrapeMetrics() const {
  return plainHttpExchange(metricsPort(), "GET /metrics HTTP/1.1\r\nHost: m\r\n\r\n");
}

}  // namespace liaison::testing
