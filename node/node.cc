#include "node/node.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "adapters/audit_log.h"
#include "adapters/database_probe.h"
#include "adapters/group_sync.h"
#include "adapters/migrate.h"
#include "adapters/replay_guard.h"
#include "adapters/store.h"
#include "adapters/transparency_log.h"
#include "adapters/writer_lease.h"
#include "crypto/keys.h"
#include "node/audit_api.h"
#include "node/directory_watch.h"
#include "node/federation.h"
#include "node/screening_service.h"
#include "node/net/https_server.h"
#include "node/json_log.h"
#include "node/metrics.h"
#include "node/net/metrics_server.h"
#include "node/readiness.h"
#include "node/tree_head_findings.h"
#include "policy/policy.h"

namespace liaison::node {
namespace {

Timestamp systemNow() { return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()); }

net::HttpResponse textResponse(unsigned status, const std::string& contentType, const std::string& text) {
  return net::HttpResponse{status, contentType, std::vector<uint8_t>(text.begin(), text.end())};
}

}  // namespace

// Members are declared in dependency order: later ones use earlier ones, and destruction runs in
// reverse, so the server stops before the pipeline, the audit log and the pools it uses go away.
struct Node::Impl {
  NodeConfig config;
  JsonLog log;
  Metrics metrics{config.metricsFirewalledKinds};
  policy::Policy policy;
  crypto::SecretKey nodeKey;
  store::DatabaseTarget target;
  store::RecordStorePool enforcementStores{target, store::DbRole::enforcement};
  store::RecordStorePool healthStores{target, store::DbRole::health};
  store::RecordStorePool justiceStores{target, store::DbRole::justice};
  store::RequestStatisticsReader requestStatistics{target};  // request counts, as liaison_auditor
  store::ReplayGuard replay{target};
  Clock clock;
  // One audit log, one writer: held from before the log is read until after the last head is signed.
  std::unique_ptr<store::AuditWriterLease> lease;
  std::unique_ptr<store::TransparencyLog> transparency;  // before the audit log that feeds it
  std::unique_ptr<store::AuditLog> audit;
  std::unique_ptr<AuditApi> auditApi;
  std::unique_ptr<store::DatabaseProbe> probe;
  std::unique_ptr<Readiness> readiness;
  std::unique_ptr<Federation> federation;  // before the pipeline and server that use it
  std::unique_ptr<ScreeningService> screening;  // likewise
  std::unique_ptr<QueryPipeline> pipeline;
  std::unique_ptr<DirectoryWatch> directory;  // the federation directory's partners, put in force in the pipeline
  std::unique_ptr<net::HttpsServer> server;
  std::unique_ptr<net::MetricsServer> metricsServer;  // after the server whose counters it shows
  std::atomic<bool> stopped{false};

  // Housekeeping on one thread: signs a tree head of the audit log every treeHeadInterval while
  // entries arrive, and once a minute drops replay claims whose validity window has passed (the
  // window refuses them anyway), so node.nonces stays as small as the traffic of one window.
  std::mutex housekeepingMutex;
  std::condition_variable housekeepingWake;
  bool housekeepingStopping = false;
  std::thread housekeeping;

  void warnIfGroupsDiffer();
  Status checkSchemaVersions() const;

  // GET /v1/health/live: 200 while the process serves. /v1/health/ready: 200 only when the
  // database answers as every serving role and the audit writer can append, else 503 with a
  // public reason. /v1/health is ready's alias. Nothing for other paths.
  std::optional<net::HttpResponse> healthResponse(const std::string& target) {
    const std::string member = jsonString(config.member);
    if (target == "/v1/health/live") return textResponse(200, "application/json", "{\"status\":\"ok\",\"member\":" + member + "}\n");
    if (target != "/v1/health/ready" && target != "/v1/health") return std::nullopt;
    ReadinessAnswer answer = readiness->check();
    if (answer.ready && directory) {
      if (auto reason = directory->notReadyReason()) answer = ReadinessAnswer{false, *reason};
    }
    if (answer.ready) return textResponse(200, "application/json", "{\"status\":\"ok\",\"member\":" + member + "}\n");
    return textResponse(503, "application/json", "{\"status\":\"unavailable\",\"member\":" + member +
                                                     ",\"reason\":" + jsonString(answer.reason) + "}\n");
  }

  void signTreeHead(Timestamp now) {
    // Only the holder of the log's writer lease signs heads: partners would hold a head signed by
    // a node that lost it against the heads of the node that has it. The loss itself was logged.
    if (Status held = lease->confirm(); !held) {
      if (held.error().kind != ErrorKind::conflict) log.write("error", "tree-head-not-signed", {{"error", held.error().message}});
      return;
    }
    if (Status synced = transparency->sync(); !synced) {
      log.write("error", "audit-tree-sync-failed", {{"error", synced.error().message}});
    }
    const uint64_t before = transparency->latestHead() ? transparency->latestHead()->head.treeSize : 0;
    auto head = transparency->signHead(now);
    if (!head) {
      log.write("error", "tree-head-signing-failed", {{"error", head.error().message}});
    } else if (head->head.treeSize != before) {
      log.write("info", "tree-head-signed", {{"tree_size", static_cast<int64_t>(head->head.treeSize)}});
    }
  }

  void runHousekeeping() {
    auto nextPurge = std::chrono::steady_clock::now() + std::chrono::minutes(1);
    std::unique_lock lock(housekeepingMutex);
    while (!housekeepingWake.wait_for(lock, config.treeHeadInterval, [this] { return housekeepingStopping; })) {
      lock.unlock();
      signTreeHead(clock());
      pipeline->writeFoldedFailures(false);
      if (std::chrono::steady_clock::now() >= nextPurge) {
        nextPurge = std::chrono::steady_clock::now() + std::chrono::minutes(1);
        auto purged = replay.purgeExpired(clock());
        if (!purged) log.write("error", "replay-claims-purge-failed", {});
        else if (*purged > 0) log.write("info", "replay-claims-purged", {{"count", static_cast<int64_t>(*purged)}});
      }
      lock.lock();
    }
  }

  Impl(NodeConfig c, std::ostream& out, policy::Policy p, crypto::SecretKey key, store::DatabaseTarget t)
      : config(std::move(c)), log(out), policy(std::move(p)), nodeKey(std::move(key)), target(std::move(t)) {}

  net::HttpResponse route(const net::HttpRequest& request) {
    if (request.target == "/v1/query") {
      if (request.method != "POST") return textResponse(405, "text/plain", "use POST\n");
      return pipeline->handle(request);
    }
    if (request.target.rfind("/v1/audit/", 0) == 0) {
      if (request.method != "GET") return textResponse(405, "text/plain", "use GET\n");
      return pipeline->handleAuditRead(request, [this](const std::string& target) { return auditApi->serve(target); });
    }
    if (request.target.rfind("/v1/health", 0) == 0 && request.method == "GET") {
      if (auto health = healthResponse(request.target)) return *health;
    }
    return textResponse(404, "text/plain", "not found\n");
  }
};

// Row-level security shares records with the groups in federation.group_members, the policy
// decides with its own [[group]] tables: a difference means records shared with a group are seen
// by other members than the policy names. Said loudly at start; `liaison groups sync` mends it.
void Node::Impl::warnIfGroupsDiffer() {
  // Each database keeps its own copy, read here as the role that serves from it.
  std::string differing;
  store::GroupChanges all;
  for (store::DbRole role : {store::DbRole::enforcement, store::DbRole::health, store::DbRole::justice}) {
    const std::string database(name(store::homeDatabaseOf(role)));
    auto diff = store::diffGroups(target, role, policy.groups);
    if (!diff) {
      log.write("error", "policy-groups-unchecked", {{"database", database}, {"error", diff.error().message}});
      continue;
    }
    if (diff->empty()) continue;
    differing += (differing.empty() ? "" : ",") + database;
    all.added.insert(all.added.end(), diff->added.begin(), diff->added.end());
    all.removed.insert(all.removed.end(), diff->removed.begin(), diff->removed.end());
  }
  if (differing.empty()) return;
  for (auto* list : {&all.added, &all.removed}) {
    std::sort(list->begin(), list->end());
    list->erase(std::unique(list->begin(), list->end()), list->end());
  }
  log.write("warn", "policy-groups-differ",
            {{"databases", differing},
             {"missing_in_database", static_cast<int64_t>(all.added.size())},
             {"not_in_policy", static_cast<int64_t>(all.removed.size())},
             {"fix", "liaison groups sync --policy " + config.policy.string()}});
}

// A node serves only databases of exactly its own schema version: an older schema lacks what it
// relies on, a newer one may mean what it does not know. Read as the roles that serve.
Status Node::Impl::checkSchemaVersions() const {
  const std::pair<Database, store::DbRole> checks[] = {{Database::main, store::DbRole::enforcement},
                                                       {Database::health, store::DbRole::health},
                                                       {Database::justice, store::DbRole::justice}};
  for (const auto& [database, role] : checks) {
    const std::string label = std::string(name(database)) + " database " +
                              store::databaseName(target, database).value_or(std::string(name(database)));
    auto version = store::schemaVersion(target, database, role);
    if (!version) {
      return fail(version.error().kind, "cannot read the schema version of the " + label + ": " +
                                            version.error().message + " (has `liaison migrate` run?)");
    }
    const int expected = embeddedMigrations(database).back().version;
    if (*version < expected) {
      return fail(ErrorKind::conflict, "the " + label + " is at schema version " + std::to_string(*version) +
                                           ", this binary needs " + std::to_string(expected) +
                                           ": run `liaison migrate` first");
    }
    if (*version > expected) {
      return fail(ErrorKind::conflict, "the " + label + " is at schema version " + std::to_string(*version) +
                                           ", newer than this binary's " + std::to_string(expected) +
                                           ": upgrade liaison before serving it");
    }
  }
  return {};
}

// The partners officers can ask through this node: [[peer]] entries with an endpoint, and the
// members of the directory in force. A directory member is called over the TLS key it lists as
// valid now (the latest, during a rotation) and answers under the keys of their periods.
Result<std::vector<client::PartnerNode>> partnerNodes(const NodeConfig& config, const client::TrustedDirectory* directory,
                                                      Timestamp now) {
  std::vector<client::PartnerNode> partners;
  for (const PeerConfig& peer : config.peers) {
    if (peer.endpoint.empty()) continue;
    auto key = crypto::loadPublicKey(peer.signingPublicKey);
    if (!key) return key.error();
    partners.push_back(client::PartnerNode{peer.member, peer.endpoint, peer.tlsPin, {client::PartnerKey{*key}}});
  }
  if (directory == nullptr) return partners;
  for (const DirectoryMember& member : (*directory)->members) {
    if (member.member == config.member || member.endpoint.empty()) continue;
    client::PartnerNode partner{member.member, member.endpoint, {}, {}};
    Timestamp newest = Timestamp::min();
    for (const DirectoryPin& pin : member.tlsPins) {
      if (pin.notBefore <= now && now <= pin.notAfter && (partner.serverPin.empty() || pin.notBefore > newest)) {
        partner.serverPin = pin.pin;
        newest = pin.notBefore;
      }
    }
    if (partner.serverPin.empty()) continue;  // no certificate valid now: it cannot be called
    for (const DirectoryKey& listed : member.signingKeys) {
      auto key = crypto::PublicKey::fromBytes(listed.publicKey);
      if (key) partner.keys.push_back(client::PartnerKey{*key, listed.notBefore, listed.notAfter});
    }
    partners.push_back(std::move(partner));
  }
  return partners;
}

net::ServerOptions serverOptionsOf(const NodeConfig& config) {
  net::ServerOptions server;
  server.bindAddress = config.listenAddress;
  server.port = config.listenPort;
  server.certificateFile = config.tlsCertificate;
  server.keyFile = config.tlsKey;
  server.maxBodyBytes = config.maxBodyBytes;
  server.maxHeaderBytes = config.maxHeaderBytes;
  server.requestDeadline = config.requestDeadline;
  server.handshakeTimeout = config.handshakeTimeout;
  server.maxConnections = config.maxConnections;
  server.maxConnectionsPerAddress = config.maxConnectionsPerAddress;
  server.maxHandshakingConnections = config.maxHandshakingConnections;
  server.workerThreads = config.workerThreads;
  server.ioThreads = config.ioThreads;
  return server;
}

Node::Node(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Node::~Node() { stop(); }

Result<std::unique_ptr<Node>> Node::start(const NodeConfig& config, NodeOptions options) {
  auto policy = policy::loadPolicy(config.policy);
  if (!policy) return policy.error();
  if (policy->self != config.member) {
    return fail(ErrorKind::invalidInput, config.policy.string() + ": policy is for member '" + policy->self +
                                             "' but " + config.file.string() + " serves '" + config.member + "'");
  }
  auto key = crypto::loadSecretKey(config.signingKey);
  if (!key) return key.error();
  store::DatabaseTarget target{config.database, "liaison_admin", config.healthDatabase, config.justiceDatabase};
  auto impl = std::make_unique<Impl>(config, *options.log, std::move(policy).value(), std::move(key).value(), target);
  Impl& node = *impl;
  if (Status versions = node.checkSchemaVersions(); !versions) return versions.error();
  if (Status firewall = store::checkDatabaseFirewall(target); !firewall) return firewall.error();
  node.clock = options.clock ? options.clock : Clock(systemNow);
  const Clock& clock = node.clock;
  // A second node on this database would sign heads of its own: refuse to start, naming the first.
  auto lease = store::AuditWriterLease::acquire(target, config.member, [&node](const Error& lost) {
    node.log.write("error", "audit-writer-lease-lost", {{"error", lost.message}});
  });
  if (!lease) return lease.error();
  node.lease = std::move(lease).value();
  // The tree is rebuilt from the stored entries and checked against the latest head this node
  // signed; a log altered underneath the node stops it here rather than being signed over.
  auto transparency = store::TransparencyLog::open(target, config.member, node.nodeKey);
  if (!transparency) return transparency.error();
  node.transparency = std::move(transparency).value();
  store::AuditLogOptions auditOptions;
  auditOptions.maxWait = config.auditBatchWait;
  auditOptions.onCommitted = [&node](uint64_t first, std::span<const Digest> leaves) {
    node.transparency->committed(first, leaves);
  };
  auditOptions.lease = node.lease.get();
  node.audit = std::make_unique<store::AuditLog>(target, config.member, std::move(auditOptions));
  node.auditApi = std::make_unique<AuditApi>(*node.transparency, target);
  if (Status reported = reportUnsignedTreeHeads(*node.transparency, *node.audit, node.metrics, node.log, clock());
      !reported) {
    return reported.error();
  }
  node.signTreeHead(clock());
  node.probe = std::make_unique<store::DatabaseProbe>(
      target, std::vector{store::DbRole::enforcement, store::DbRole::health, store::DbRole::justice,
                          store::DbRole::gateway, store::DbRole::auditor, store::DbRole::auditWriter});
  node.readiness = std::make_unique<Readiness>(*node.probe, *node.lease, node.log, node.metrics);
  FederationOptions federation;
  federation.deadline = config.federationDeadline;
  federation.threads = config.federationThreads;
  federation.call = client::PartnerCallOptions{config.tlsCertificate, config.tlsKey, config.federationDeadline,
                                               config.stateDir};
  node.federation = std::make_unique<Federation>(config.member, node.nodeKey, federation, clock);
  auto usePartners = [&node](const client::TrustedDirectory* directory) -> Status {
    auto partners = partnerNodes(node.config, directory, node.clock());
    if (!partners) return partners.error();
    for (const std::string& problem : node.federation->usePartners(*partners)) {
      node.log.write("error", "partner-not-callable", {{"problem", problem}});
    }
    return {};
  };
  if (Status used = usePartners(nullptr); !used) return used.error();
  // The screening index holds every notice and watchlist person before the first request.
  auto screening = ScreeningService::start(target, node.log);
  if (!screening) return screening.error();
  node.screening = std::move(screening).value();
  auto pipeline = QueryPipeline::create(
      node.config,
      PipelineServices{node.policy, node.enforcementStores, node.healthStores, node.justiceStores,
                       node.replay, *node.audit, *node.transparency, node.nodeKey, node.metrics, node.log,
                       clock, node.federation.get(), node.screening.get(), &node.requestStatistics});
  if (!pipeline) return pipeline.error();
  node.pipeline = std::move(pipeline).value();
  if (!config.directory.empty()) {
    auto directory = DirectoryWatch::start(
        node.config, DirectoryWatch::Services{[&node, usePartners](const client::TrustedDirectory& d) -> Status {
                                                if (Status used = node.pipeline->useDirectory(d); !used) return used;
                                                return usePartners(&d);
                                              },
                                              *node.audit, node.log, clock});
    if (!directory) return directory.error();
    node.directory = std::move(directory).value();
  }

  net::ServerOptions server = serverOptionsOf(config);
  server.onRejected = [&node](const net::RejectedRequest& rejected) { node.pipeline->auditRejected(rejected); };
  node.server = std::make_unique<net::HttpsServer>(server, [&node](const net::HttpRequest& r) { return node.route(r); });
  // The metrics listener first: a port already in use stops the start before partners can connect.
  if (config.metricsEnabled) {
    node.metricsServer = std::make_unique<net::MetricsServer>(
        net::MetricsServerOptions{config.metricsAddress, config.metricsPort},
        [&node] {
          return node.metrics.prometheusText() + connectionMetricsText(node.server->connectionStats()) +
                 (node.directory ? node.directory->metricsText() : std::string()) +
                 "# HELP liaison_federation_tls_handshakes_total TLS handshakes with partner nodes (kept-alive "
                 "connections are reused)\n# TYPE liaison_federation_tls_handshakes_total counter\n"
                 "liaison_federation_tls_handshakes_total " +
                 std::to_string(node.federation->handshakes()) + "\n" +
                 "# HELP liaison_screening_identities Notices and watchlist persons in the screening index\n"
                 "# TYPE liaison_screening_identities gauge\nliaison_screening_identities " +
                 std::to_string(node.screening->size()) + "\n";
        });
    if (auto started = node.metricsServer->start(); !started) return started.error();
  }
  if (auto started = node.server->start(); !started) return started.error();
  node.housekeeping = std::thread([&node] { node.runHousekeeping(); });
  node.log.write("info", "listening",
                 {{"member", node.config.member},
                  {"port", static_cast<int64_t>(node.server->port())},
                  {"metrics_port", static_cast<int64_t>(node.metricsServer ? node.metricsServer->port() : 0)}});
  node.warnIfGroupsDiffer();
  return std::unique_ptr<Node>(new Node(std::move(impl)));
}

uint16_t Node::port() const { return impl_->server->port(); }

Status Node::catchUpScreening() { return impl_->screening->catchUp(); }

uint16_t Node::metricsPort() const { return impl_->metricsServer ? impl_->metricsServer->port() : 0; }

void Node::stop() {
  if (!impl_ || impl_->stopped.exchange(true)) return;
  impl_->log.write("info", "stopping", {});
  impl_->server->stop();
  if (impl_->metricsServer) impl_->metricsServer->stop();
  {
    std::lock_guard lock(impl_->housekeepingMutex);
    impl_->housekeepingStopping = true;
  }
  impl_->housekeepingWake.notify_all();
  if (impl_->housekeeping.joinable()) impl_->housekeeping.join();
  if (impl_->directory) impl_->directory->stop();
  // Failures still being counted per source get their entries: nothing counted is lost.
  impl_->pipeline->writeFoldedFailures(true);
  impl_->audit->flushAndStop();
  // The last head covers every entry of this run, so partners and auditors can hold the node to it.
  impl_->signTreeHead(impl_->clock());
  impl_->lease.reset();  // another node may take the log from here on
  impl_->log.write("info", "stopped", {{"audited", static_cast<int64_t>(impl_->audit->appended())}});
}

}  // namespace liaison::node
