// The federation directory in a running node (real TLS on loopback, real PostgreSQL): partners
// listed only in the signed directory are served like [[peer]] entries; a directory that is
// expired or badly signed stops the start; a replacement is put in force without a restart when it
// is newer and valid, and refused (the old one serving on) when it is not; a member's rotated key
// is accepted inside the overlap and refused after it; an expired directory's partners are refused.
// Time moves by the node's injected clock, and the requests are signed at the node's time.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <fstream>

#include "adapters/audit_search.h"
#include "crypto/keys.h"
#include "node/client/directory.h"
#include "node/net/tls_identity.h"
#include "tests/liaison_process.h"
#include "tests/node_harness.h"
#include "tests/wait.h"

namespace liaison {
namespace {

using namespace liaison::testing;
using ::testing::HasSubstr;
using ::testing::Not;
using namespace std::chrono_literals;

Query checkPassport() { return CheckDocumentQuery{DocumentNumber::parse("L898902C3").value(), "UTO", DocumentType::passport}; }

Timestamp systemNow() { return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()); }

class FederationDirectory : public NodeTest {
 protected:
  void SetUp() override {
    NodeTest::SetUp();
    ASSERT_TRUE(crypto::writeKeyFiles(dir_ / "directory", crypto::generateKeyPair()).ok());
    ASSERT_TRUE(crypto::writeKeyFiles(dir_ / "other-directory", crypto::generateKeyPair()).ok());
    // XB-BORDER is listed in the directory only; XC-IMMIGRATION stays pinned by hand.
    std::erase_if(config_.peers, [](const node::PeerConfig& peer) { return peer.member == "XB-BORDER"; });
    config_.directory = dir_ / "directory.signed";
    config_.directoryAnchors = {dir_ / "directory.pub"};
    config_.directoryCheckInterval = 100ms;
    // Every request from an unknown member gets an entry of its own, so tests can read why it failed.
    config_.admission.failuresAuditedInFull = config_.admission.failureBudget;
    clock_ = [this] { return now(); };
    publish(directory(1, {entry("XA-POLICE", "node"), entry("XB-BORDER", kPartnerBorder)}));
    startNode();
  }

  // The node's time: the system's, moved on by the test.
  Timestamp now() const { return systemNow() + std::chrono::seconds(offset_.load()); }
  void moveClock(std::chrono::seconds by) { offset_ += by.count(); }

  // A member entry for one of the harness's identities: its key and certificate, valid for the
  // directory's period, border officers checking borders.
  DirectoryMember entry(const std::string& member, const std::string& identity) const {
    DirectoryMember m;
    m.member = member;
    m.endpoint = "https://127.0.0.1:9443";
    m.signingKeys = {key(identity, now() - 24h, now() + std::chrono::days(30))};
    m.tlsPins = {DirectoryPin{net::spkiPinOfCertificateFile(net::tlsCertificatePath(dir_ / (identity + "-tls"))).value(),
                              now() - 24h, now() + std::chrono::days(30)}};
    m.roles = {Role::border, Role::immigration};
    m.purposes = std::vector<std::string>{"border-check"};
    return m;
  }

  DirectoryKey key(const std::string& name, Timestamp notBefore, Timestamp notAfter) const {
    return DirectoryKey{crypto::loadPublicKey(dir_ / (name + ".pub")).value().bytes(), notBefore, notAfter};
  }

  Directory directory(uint64_t serial, std::vector<DirectoryMember> members,
                      std::chrono::seconds validFor = std::chrono::days(30)) const {
    Directory d;
    d.federation = "EU-LIAISON";
    d.serial = serial;
    d.issuedAt = now() - 1h;
    d.expiresAt = now() + validFor;
    d.members = std::move(members);
    return d;
  }

  std::vector<uint8_t> signedBy(const Directory& d, const std::string& keyName = "directory") const {
    auto signedBytes = client::signDirectory(d, crypto::loadSecretKey(dir_ / (keyName + ".key")).value());
    if (!signedBytes) throw std::runtime_error(signedBytes.error().message);
    return *signedBytes;
  }

  // Replaces the directory file in one step, as `liaison directory sign` does.
  void publishBytes(const std::vector<uint8_t>& bytes) const {
    const auto temporary = dir_ / "directory.signed.tmp";
    std::ofstream(temporary, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()),
                                                     static_cast<std::streamsize>(bytes.size()));
    std::filesystem::rename(temporary, config_.directory);
  }
  void publish(const Directory& d) const { publishBytes(signedBy(d)); }

  // A check-document from `identity`, signed at the node's time, with another key if given.
  Result<client::QueryAnswer> ask(const std::string& identity, const std::string& signingKey = {},
                                  std::optional<Role> role = std::nullopt) const {
    client::ClientConfig config = clientConfig(identity);
    if (!signingKey.empty()) config.signingKey = dir_ / (signingKey + ".key");
    if (role) config.role = *role;
    auto c = client::QueryClient::create(config, url());
    if (!c) return c.error();
    return (*c)->sendSealed((*c)->seal(checkPassport(), {}, now()));
  }

  // Whether `identity` gets its hit; otherwise says what it got.
  ::testing::AssertionResult served(const std::string& identity, const std::string& signingKey = {}) const {
    auto answer = ask(identity, signingKey);
    if (!answer) return ::testing::AssertionFailure() << answer.error().message;
    if (answer->response.status != ResponseStatus::ok || answer->response.hits.size() != 1) {
      return ::testing::AssertionFailure() << "status " << name(answer->response.status) << ": "
                                           << answer->response.reason;
    }
    return ::testing::AssertionSuccess();
  }

  // The refusal `identity` gets (empty when it was served).
  std::string refusal(const std::string& identity, const std::string& signingKey = {},
                      std::optional<Role> role = std::nullopt) const {
    auto answer = ask(identity, signingKey, role);
    if (!answer) return "no answer: " + answer.error().message;
    if (answer->response.status == ResponseStatus::ok) return {};
    return answer->response.reason;
  }

  // Whether `identity`'s request was refused as from no known member: the node cannot answer it as
  // that member's request (it does not know whose it is), so the audit entry says so.
  ::testing::AssertionResult unknown(const std::string& identity) const {
    (void)ask(identity);
    const AuditEntry last = lastAuditEntry();
    if (last.decision == Decision::refused && last.signer.empty() &&
        last.reason.find("unknown member: signing key and certificate are not pinned for any partner") != std::string::npos) {
      return ::testing::AssertionSuccess();
    }
    return ::testing::AssertionFailure() << "signer '" << last.signer << "': " << last.reason;
  }

  // Waits for one of the node's latest audit entries to be a directory entry whose reason has `text`.
  bool audited(const std::string& text) const {
    store::AuditReader reader(target());
    return waitUntil([&] {
      const auto last = reader.latestSeq().value();
      if (!last) return false;
      const auto rows = reader.entries(*last > 50 ? *last - 50 : 0, *last + 1);
      if (!rows) return false;
      for (const auto& row : *rows) {
        if (row.entry.purpose == "federation-directory" && row.entry.reason.find(text) != std::string::npos) return true;
      }
      return false;
    });
  }

  bool serialInForce(uint64_t serial) const {
    return waitUntil([&] { return scrapeMetrics().find("liaison_directory_serial " + std::to_string(serial) + "\n") != std::string::npos; });
  }

  // Starts a node on config_ and returns why it did not start (empty when it did).
  std::string startRefused() {
    stopNode();
    std::ostringstream log;
    auto node = node::Node::start(config_, node::NodeOptions{clock_, &log});
    return node ? std::string() : node.error().message;
  }

  std::atomic<int64_t> offset_{0};
};

TEST_F(FederationDirectory, APartnerListedOnlyInTheDirectoryIsServedBesideAPartnerPinnedByHand) {
  EXPECT_TRUE(served(kPartnerBorder));
  const AuditEntry entry = lastAuditEntry();
  EXPECT_EQ(entry.signer, "member:XB-BORDER");
  EXPECT_EQ(entry.decision, Decision::permitted);
  EXPECT_TRUE(served(kPartnerImmigration));  // [[peer]]
  // Agreed roles hold for directory members as for [[peer]] entries.
  EXPECT_THAT(refusal(kPartnerBorder, {}, Role::enforcement), HasSubstr("may not send requests in role enforcement"));
  EXPECT_THAT(scrapeMetrics(), HasSubstr("liaison_directory_serial 1\n"));
}

TEST_F(FederationDirectory, TheDirectoryPutInForceIsInTheAuditLog) {
  store::AuditReader reader(target());
  const auto last = reader.latestSeq().value();
  ASSERT_TRUE(last.has_value());
  bool found = false;
  const auto rows = reader.entries(0, *last + 1);
  ASSERT_TRUE(rows.ok());
  for (const auto& row : *rows) {
    if (row.entry.purpose != "federation-directory") continue;
    found = true;
    EXPECT_EQ(row.entry.officerPseudonym, "liaison node");
    EXPECT_EQ(row.entry.decision, Decision::permitted);
    EXPECT_EQ(row.entry.recordRefs, std::vector<std::string>{"directory/1"});
    EXPECT_THAT(row.entry.reason, HasSubstr("federation directory serial 1 of EU-LIAISON in force: 2 members"));
  }
  EXPECT_TRUE(found);
}

TEST_F(FederationDirectory, AnExpiredOrBadlySignedDirectoryStopsTheStartNamingWhy) {
  Directory expired = directory(2, {entry("XB-BORDER", kPartnerBorder)});
  expired.issuedAt = now() - std::chrono::days(40);
  expired.expiresAt = now() - std::chrono::days(10);
  publish(expired);
  EXPECT_THAT(startRefused(), HasSubstr("directory.signed refused (expired): serial 2 expired at"));

  publishBytes(signedBy(directory(2, {entry("XB-BORDER", kPartnerBorder)}), "other-directory"));
  EXPECT_THAT(startRefused(), HasSubstr("refused (unknown-key)"));

  std::vector<uint8_t> tampered = signedBy(directory(2, {entry("XB-BORDER", kPartnerBorder)}));
  const std::string member = "XB-BORDER";
  auto at = std::search(tampered.begin(), tampered.end(), member.begin(), member.end());
  ASSERT_NE(at, tampered.end());
  *(at + 1) = 'Z';
  publishBytes(tampered);
  EXPECT_THAT(startRefused(), HasSubstr("refused (bad-signature)"));

  std::filesystem::remove(config_.directory);
  EXPECT_THAT(startRefused(), HasSubstr("refused (unreadable)"));
}

TEST_F(FederationDirectory, TheNodeCommandExitsOneNamingAnExpiredDirectory) {
  stopNode();
  Directory expired = directory(2, {entry("XB-BORDER", kPartnerBorder)});
  expired.issuedAt = now() - std::chrono::days(40);
  expired.expiresAt = now() - std::chrono::days(10);
  publish(expired);
  config_.listenPort = 0;
  const CommandResult result = runLiaison({"node", "--config", writeNodeConfigFile(config_, dir_ / "node-process.toml").string()});
  EXPECT_EQ(result.exitCode, 1);
  EXPECT_THAT(result.err, HasSubstr("refused (expired): serial 2 expired at"));
  EXPECT_THAT(result.out, Not(HasSubstr("listening")));
}

TEST_F(FederationDirectory, AMemberPinnedByHandAndListedInTheDirectoryIsRefusedNamingBoth) {
  config_.peers.front().line = 42;  // XC-IMMIGRATION's [[peer]] entry
  publish(directory(2, {entry("XB-BORDER", kPartnerBorder), entry("XC-IMMIGRATION", kPartnerImmigration)}));
  const std::string why = startRefused();
  EXPECT_THAT(why, HasSubstr("directory serial 2 lists member XC-IMMIGRATION, which " + config_.file.string() +
                             ":42 pins as a [[peer]]"));
}

TEST_F(FederationDirectory, ANewerDirectoryReplacesTheOldWithoutARestart) {
  // XC leaves the hand-kept pins: from serial 2 on the directory lists it, and no longer XB.
  config_.peers.clear();
  startNode();
  EXPECT_TRUE(served(kPartnerBorder));
  EXPECT_TRUE(unknown(kPartnerImmigration));

  publish(directory(2, {entry("XA-POLICE", "node"), entry("XC-IMMIGRATION", kPartnerImmigration)}));
  ASSERT_TRUE(serialInForce(2));
  EXPECT_TRUE(served(kPartnerImmigration));
  EXPECT_TRUE(unknown(kPartnerBorder));
  EXPECT_TRUE(audited("federation directory serial 2 of EU-LIAISON in force in place of serial 1"));
  stopNode();  // the log is read once nothing writes to it
  EXPECT_THAT(logText(), HasSubstr("\"event\":\"directory-in-force\",\"serial\":2,\"previous_serial\":1"));
}

TEST_F(FederationDirectory, ABadReplacementIsRefusedOnceAndTheDirectoryInForceKeepsServing) {
  const std::vector<DirectoryMember> members{entry("XB-BORDER", kPartnerBorder)};

  std::vector<uint8_t> tampered = signedBy(directory(2, members));
  const std::string member = "XB-BORDER";
  *(std::search(tampered.begin(), tampered.end(), member.begin(), member.end()) + 1) = 'Z';
  publishBytes(tampered);
  ASSERT_TRUE(audited("refused (bad-signature)"));
  EXPECT_TRUE(served(kPartnerBorder));

  Directory expired = directory(3, members);
  expired.issuedAt = now() - std::chrono::days(40);
  expired.expiresAt = now() - std::chrono::days(10);
  publish(expired);
  ASSERT_TRUE(audited("refused (expired)"));

  publishBytes(signedBy(directory(4, members), "other-directory"));
  ASSERT_TRUE(audited("refused (unknown-key)"));

  publishBytes(std::vector<uint8_t>(2 << 20, 0x42));  // 2 MiB: read no further than the limit
  ASSERT_TRUE(audited("refused (unreadable)"));

  // An older serial, or the serial in force with other contents: never a step back.
  publish(directory(1, {entry("XB-BORDER", kPartnerBorder), entry("XZ-UNKNOWN", kStrangerMember)}));
  ASSERT_TRUE(audited("refused (stale-serial): serial 1 is in force already with other contents"));

  // A hostile or careless signer lists an officer's key, or a [[peer]]'s certificate, for a member.
  DirectoryMember impostor = entry("XZ-UNKNOWN", kStrangerMember);
  impostor.signingKeys = {key(kBorderOfficer, now() - 1h, now() + 24h)};
  publish(directory(5, {entry("XB-BORDER", kPartnerBorder), impostor}));
  ASSERT_TRUE(audited("refused (conflict)"));
  EXPECT_TRUE(audited("which this node already trusts"));
  DirectoryMember pinThief = entry("XZ-UNKNOWN", kStrangerMember);
  pinThief.tlsPins = entry("XC-IMMIGRATION", kPartnerImmigration).tlsPins;
  publish(directory(6, {entry("XB-BORDER", kPartnerBorder), pinThief}));
  ASSERT_TRUE(audited("one certificate identifies one partner only"));

  EXPECT_TRUE(served(kPartnerBorder));
  EXPECT_TRUE(served(kBorderOfficer)) << "the officer whose key was listed still signs as the officer";
  const std::string metrics = scrapeMetrics();
  EXPECT_THAT(metrics, HasSubstr("liaison_directory_serial 1\n"));
  for (const char* problem : {"bad-signature", "expired", "unknown-key", "unreadable", "stale-serial"}) {
    EXPECT_THAT(metrics, HasSubstr("liaison_directory_refusals_total{problem=\"" + std::string(problem) + "\"} 1\n"));
  }
  EXPECT_THAT(metrics, HasSubstr("liaison_directory_refusals_total{problem=\"conflict\"} 2\n"));
  // Each refusal was said once, though the file was checked every 100 ms.
  stopNode();
  const std::string log = logText();
  size_t refusals = 0;
  for (size_t at = log.find("\"event\":\"directory-refused\""); at != std::string::npos;
       at = log.find("\"event\":\"directory-refused\"", at + 1)) {
    ++refusals;
  }
  EXPECT_EQ(refusals, 7u) << log;
}

TEST_F(FederationDirectory, ADirectoryIssuedAheadOfTheClockIsPutInForceWhenItsTimeComes) {
  Directory early = directory(2, {entry("XB-BORDER", kPartnerBorder), entry("XC-IMMIGRATION", kPartnerImmigration)});
  config_.peers.clear();
  startNode();
  early.issuedAt = now() + 1h;
  publish(early);
  ASSERT_TRUE(audited("refused (not-yet-valid)"));
  EXPECT_TRUE(unknown(kPartnerImmigration));
  moveClock(70min);  // the same file, now valid
  ASSERT_TRUE(serialInForce(2));
  EXPECT_TRUE(served(kPartnerImmigration));
  // Refused once, though it was read at every check until then.
  stopNode();
  const std::string log = logText();
  EXPECT_EQ(log.find("\"event\":\"directory-refused\""), log.rfind("\"event\":\"directory-refused\"")) << log;
}

TEST_F(FederationDirectory, AFifoPlantedAtThePathIsRefusedWithoutStallingTheNode) {
  const auto fifo = dir_ / "planted";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0644), 0);
  std::filesystem::rename(fifo, config_.directory);
  ASSERT_TRUE(audited("not a regular file"));
  EXPECT_TRUE(served(kPartnerBorder));
  publish(directory(2, {entry("XB-BORDER", kPartnerBorder)}));
  EXPECT_TRUE(serialInForce(2)) << "the watch still runs";
}

TEST_F(FederationDirectory, ARotatedKeyIsAcceptedInsideTheOverlapAndRefusedAfterIt) {
  ASSERT_TRUE(crypto::writeKeyFiles(dir_ / "partner-xb-next", crypto::generateKeyPair()).ok());
  DirectoryMember xb = entry("XB-BORDER", kPartnerBorder);
  // The old key until an hour from now; the next one from ten minutes from now.
  xb.signingKeys = {key(kPartnerBorder, now() - 24h, now() + 1h), key("partner-xb-next", now() + 10min, now() + std::chrono::days(30))};
  publish(directory(2, {xb}));
  ASSERT_TRUE(serialInForce(2));
  const std::string nextKeyId = crypto::loadPublicKey(dir_ / "partner-xb-next.pub")->id().hex();
  const std::string oldKeyId = crypto::loadPublicKey(dir_ / (std::string(kPartnerBorder) + ".pub"))->id().hex();

  EXPECT_TRUE(served(kPartnerBorder));
  EXPECT_THAT(refusal(kPartnerBorder, "partner-xb-next"),
              HasSubstr("signing key " + nextKeyId + " of member XB-BORDER is not valid now"));

  moveClock(30min);  // inside the overlap: either key
  EXPECT_TRUE(served(kPartnerBorder));
  EXPECT_TRUE(served(kPartnerBorder, "partner-xb-next"));

  moveClock(1h);  // past the old key's not_after: the next key only
  EXPECT_THAT(refusal(kPartnerBorder), HasSubstr("signing key " + oldKeyId + " of member XB-BORDER is not valid now"));
  EXPECT_TRUE(served(kPartnerBorder, "partner-xb-next"));
  (void)refusal(kPartnerBorder);
  const AuditEntry refused = lastAuditEntry();
  EXPECT_EQ(refused.decision, Decision::refused);
  EXPECT_THAT(refused.reason, HasSubstr("(directory serial 2), not at"));
}

TEST_F(FederationDirectory, ARotatedCertificateIsAcceptedOnlyWithinItsPeriod) {
  DirectoryMember xb = entry("XB-BORDER", kPartnerBorder);
  xb.tlsPins.front().notAfter = now() + 1h;
  publish(directory(2, {xb}));
  ASSERT_TRUE(serialInForce(2));
  EXPECT_TRUE(served(kPartnerBorder));
  moveClock(2h);
  EXPECT_THAT(refusal(kPartnerBorder), HasSubstr("client certificate of member XB-BORDER is not valid now"));
}

TEST_F(FederationDirectory, WhenTheDirectoryExpiresItsPartnersAreRefusedAndTheNodeIsNotReady) {
  publish(directory(2, {entry("XB-BORDER", kPartnerBorder)}, 2h));
  ASSERT_TRUE(serialInForce(2));
  auto officer = client(kBorderOfficer);
  EXPECT_EQ(officer->get("/v1/health/ready")->first, 200u);

  moveClock(3h);
  EXPECT_THAT(refusal(kPartnerBorder), HasSubstr("member XB-BORDER is listed only in a federation directory that has expired"));
  EXPECT_TRUE(served(kPartnerImmigration)) << "a partner pinned by hand is not the directory's";
  const auto ready = officer->get("/v1/health/ready");
  EXPECT_EQ(ready->first, 503u);
  EXPECT_THAT(ready->second, HasSubstr("\"reason\":\"directory: serial 2 expired at"));
  EXPECT_TRUE(audited("federation directory serial 2 expired at"));

  // A new directory, and the partners are back.
  publish(directory(3, {entry("XB-BORDER", kPartnerBorder)}));
  ASSERT_TRUE(serialInForce(3));
  EXPECT_TRUE(served(kPartnerBorder));
  EXPECT_EQ(officer->get("/v1/health/ready")->first, 200u);
  stopNode();
  EXPECT_THAT(logText(), HasSubstr("\"event\":\"directory-expired\",\"serial\":2"));
  EXPECT_THAT(logText(), HasSubstr("\"event\":\"directory-expires-soon\",\"serial\":2"));
}

TEST_F(FederationDirectory, TheNodesOwnEntryIsNoPartnerAndAMemberMustUseItsOwnCertificate) {
  // Someone with the node's own key and certificate (its own entry in the directory) asks as a partner.
  client::ClientConfig self = clientConfig(kPartnerBorder);
  self.member = "XA-POLICE";
  self.signingKey = dir_ / "node.key";
  self.tlsCertificate = net::tlsCertificatePath(dir_ / "node-tls");
  self.tlsKey = net::tlsKeyPath(dir_ / "node-tls");
  auto c = client::QueryClient::create(self, url()).value();
  EXPECT_FALSE(c->sendSealed(c->seal(checkPassport(), {}, now())).ok());
  const AuditEntry entry = lastAuditEntry();
  EXPECT_EQ(entry.decision, Decision::refused);
  EXPECT_EQ(entry.signer, "");
  EXPECT_THAT(entry.reason, HasSubstr("unknown member"));

  // XB's key over XC's certificate: someone else's connection.
  client::ClientConfig borrowed = clientConfig(kPartnerBorder);
  borrowed.tlsCertificate = net::tlsCertificatePath(dir_ / (std::string(kPartnerImmigration) + "-tls"));
  borrowed.tlsKey = net::tlsKeyPath(dir_ / (std::string(kPartnerImmigration) + "-tls"));
  auto other = client::QueryClient::create(borrowed, url()).value();
  auto refused = other->sendSealed(other->seal(checkPassport(), {}, now()));
  ASSERT_TRUE(refused.ok()) << refused.error().message;
  EXPECT_THAT(refused->response.reason, HasSubstr("client certificate does not belong to member XB-BORDER"));
}

}  // namespace
}  // namespace liaison
