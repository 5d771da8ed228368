// The node configuration file (TOML). Paths inside a file are relative to that file.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "node/admission_control.h"
#include "policy/policy.h"
#include "schema/model.h"
#include "schema/status.h"

namespace liaison::node {

/// A partner member pinned by bilateral agreement.
struct PeerConfig {
  std::string member;
  /// https://host:port of its node: officers' federated requests are forwarded there, over mutual
  /// TLS to the key `tls_pin` names (a node presents one certificate as server and as client).
  std::string endpoint;
  std::filesystem::path signingPublicKey; ///< its Ed25519 `.pub`
  std::string tlsPin;  ///< SPKI pin of its TLS certificate: `tls_pin = "sha256:<base64>"`, or computed from `tls_certificate`
  /// The roles its officers may claim: `roles = [...]`, by default the enforcement-facing ones
  /// (policy::kEnforcementFacingRoles). A request claiming another is refused before the policy is
  /// asked, and the database role of a partner's request never exceeds what these reach.
  std::vector<Role> roles{policy::kEnforcementFacingRoles.begin(), policy::kEnforcementFacingRoles.end()};
  /// The purposes its officers may declare: `purposes = [...]`; absent, any the policy knows.
  std::optional<std::vector<std::string>> purposes{};
  int line = 0;  ///< where its [[peer]] table starts, for messages
  std::filesystem::path tlsCertificate{};  ///< the certificate file `tls_pin` came from, if given (backups copy it)
};

/// An officer of this member, registered with role and allowed purposes.
struct OfficerConfig {
  std::string pseudonym;
  std::filesystem::path publicKey;
  Role role = Role::border;
  std::vector<std::string> purposes;
  int line = 0;  ///< where its [[officer]] table starts, for messages
};

/// The most `validity_window_seconds` may be (15 minutes): a signed request someone captured is
/// usable at most this long, and the replay guard keeps each nonce no longer.
inline constexpr std::chrono::seconds kMaxValidityWindow{900};

/// Everything `liaison node` needs.
struct NodeConfig {
  std::filesystem::path file;  ///< where it was read from, for messages
  std::string member;          ///< the member this node serves
  std::string listenAddress = "127.0.0.1";
  uint16_t listenPort = 8443;
  std::filesystem::path signingKey;
  std::filesystem::path tlsCertificate;
  std::filesystem::path tlsKey;
  std::filesystem::path policy;
  std::string database;  ///< libpq connection string without user, of the main database
  /// The firewalled compartments' databases, when not the main one's name with `_health` and
  /// `_justice` appended in the same cluster (adapters/database.h).
  std::string healthDatabase;
  std::string justiceDatabase;
  std::chrono::seconds validityWindow{300};  ///< 10 s up to kMaxValidityWindow
  size_t maxBodyBytes = 1 << 20;
  size_t maxHeaderBytes = 16 * 1024;
  std::chrono::milliseconds requestDeadline{10'000};
  /// Threads that handle requests. Each waits for its request's audit commit, so they also bound
  /// how many entries one audit transaction can group; database connections are pooled apart.
  size_t workerThreads = 64;
  size_t ioThreads = 2;
  /// How often the node signs a tree head of its audit log while entries arrive.
  std::chrono::milliseconds treeHeadInterval{2'000};
  /// How long an audit batch may wait for appends of requests already being handled, so that a
  /// busy node commits many entries per transaction (AuditLogOptions::maxWait). A lone request
  /// never waits.
  std::chrono::microseconds auditBatchWait{2'000};
  /// Connection limits of the federation port (net::ServerOptions has what each one means).
  size_t maxConnections = 1024;
  size_t maxConnectionsPerAddress = 256;
  size_t maxHandshakingConnections = 512;  ///< by default half of maxConnections
  std::chrono::milliseconds handshakeTimeout{3'000};
  /// Failures per source and rate limits per partner and officer (`source_failure_*`,
  /// `partner_requests_*`, `officer_requests_*`).
  AdmissionLimits admission;
  /// The plain-HTTP metrics listener (`metrics_listen`, "off" to have none).
  bool metricsEnabled = true;
  std::string metricsAddress = "127.0.0.1";
  uint16_t metricsPort = 9464;
  /// Count requests that touch the health or justice compartment per kind and decision like any
  /// other (`metrics_firewalled_kinds`); by default they are left out of the metrics altogether.
  bool metricsFirewalledKinds = false;
  std::vector<PeerConfig> peers;
  std::vector<OfficerConfig> officers;
  /// The signed federation directory (`directory`): its members are partners as [[peer]] entries
  /// are (node/directory_watch.h). Empty: none.
  std::filesystem::path directory;
  /// The directory keys' `.pub` files (`directory_anchors`); several let the federation rotate it.
  std::vector<std::filesystem::path> directoryAnchors;
  /// How often the directory file is checked for a replacement (`directory_check_interval_ms`).
  std::chrono::milliseconds directoryCheckInterval{5'000};
  /// Federated requests: how long the whole answer may take (`federation_deadline_ms`); partners
  /// that have not answered by then are `timed-out`.
  std::chrono::milliseconds federationDeadline{3'000};
  /// Calls to partners in flight at once, over all federated requests (`federation_threads`).
  size_t federationThreads = 32;
  /// Where the node keeps the tree heads partners gave it and any fork evidence (`state_dir`);
  /// empty: in memory, checked while the node runs.
  std::filesystem::path stateDir;
};

/// Reads a node configuration; errors name the file, the line and the key. Conflicts are refused
/// with both lines named: an officer pseudonym or a partner registered twice, a partner that is
/// this node's own member, one signing key for two identities, one TLS pin for two partners.
Result<NodeConfig> loadNodeConfig(const std::filesystem::path& file);

}  // namespace liaison::node
