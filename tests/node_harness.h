// A real node in-process for end-to-end tests: a fresh migrated database, generated keys and TLS
// identities for the node, its officers and two partners, a test policy, seeded records, and the
// server listening on loopback with real TLS.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <utility>

#include "node/client/query_client.h"
#include "node/config.h"
#include "node/node.h"
#include "tests/pg_fixture.h"

namespace liaison::testing {

/// Identities the harness creates. Officers are registered at the node; partners are pinned peers;
/// strangers are known to nobody.
inline constexpr const char* kBorderOfficer = "border-1";
inline constexpr const char* kImmigrationOfficer = "immigration-1";
inline constexpr const char* kEnforcementOfficer = "enforcement-1";
inline constexpr const char* kLiaisonOfficer = "liaison-1";
inline constexpr const char* kHealthWorker = "health-1";
inline constexpr const char* kJusticeClerk = "justice-1";
inline constexpr const char* kAuditorOfficer = "auditor-1";
inline constexpr const char* kPartnerBorder = "partner-xb";        // member XB-BORDER, role border
inline constexpr const char* kPartnerImmigration = "partner-xc";   // member XC-IMMIGRATION, role immigration
inline constexpr const char* kStrangerOfficer = "stranger-officer";  // claims XA-POLICE, key unregistered
inline constexpr const char* kStrangerMember = "stranger-member";    // member XZ-UNKNOWN with its own cert

/// Strings seeded into the firewalled records; no answer to an enforcement-facing role may contain them.
inline constexpr const char* kHealthSentinel = "SENTINEL-HEALTH-7f3a9c";
inline constexpr const char* kJusticeSentinel = "SENTINEL-JUSTICE-2b81de";

/// The response as a requester sees it, without what differs per request (digest, audit receipt)
/// or with time: the node's latest signed tree head (re-signed every few seconds while entries
/// arrive) and the consistency proof to it.
Response comparable(Response r);

class NodeTest : public PgTest {
 protected:
  void SetUp() override;
  void TearDown() override;

  /// Starts (or restarts) the node on the same database and keys.
  void startNode();
  /// Graceful stop, as on SIGTERM.
  void stopNode();

  /// The client configuration of one of the identities above.
  client::ClientConfig clientConfig(const std::string& identity) const;
  /// A connected client for `identity`.
  std::unique_ptr<client::QueryClient> client(const std::string& identity) const;
  /// https://127.0.0.1:PORT of the running node.
  std::string url() const;
  /// The port of the running node's metrics listener.
  uint16_t metricsPort() const { return node_->metricsPort(); }
  /// The whole HTTP answer of the node's metrics listener to GET /metrics, status line included.
  std::string scrapeMetrics() const;

  /// Rows in the audit log, read as the auditor role.
  uint64_t auditCount() const;
  /// The newest entry of the audit log, read as the auditor role.
  AuditEntry lastAuditEntry() const;
  /// Applies the record changes committed so far to the node's screening index now.
  Status catchUpScreening();
  /// Everything the node has logged so far.
  std::string logText() const { return log_.str(); }

  node::NodeConfig config_;
  /// The node's clock from the next startNode(); empty: the system clock.
  node::Clock clock_;
  std::filesystem::path dir_;
  // Seeded record references.
  std::string stolenPassportRef_;   // travel document L898902C3/UTO, visible to both partners
  std::string watchlistedDocRef_;   // watchlist document X1234567/UTO, own only
  std::string movementRef_;         // movement of L898902C3
  std::string shevchenkoNoticeRef_;  // notice of SHEVCHENKO, Taras (1961-03-09, UKR; Тарас Шевченко), visible to XB-BORDER
  std::string rashidWatchlistRef_;   // watchlist person AL-RASHID, Omar Khalid (1980, SYR), own only
  std::string healthRef_;
  std::string justiceRef_;

 private:
  void makeIdentity(const std::string& name, bool withTls);
  std::ostringstream log_;
  std::unique_ptr<node::Node> node_;
  bool started_ = false;  // whether startNode() has started a node on config_.listenPort before
};

}  // namespace liaison::testing
