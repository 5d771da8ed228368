#include "node/node.h"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "adapters/audit_log.h"
#include "adapters/group_sync.h"
#include "adapters/replay_guard.h"
#include "adapters/store.h"
#include "adapters/transparency_log.h"
#include "crypto/keys.h"
#include "node/audit_api.h"
#include "node/https_server.h"
#include "node/json_log.h"
#include "node/metrics.h"
#include "node/metrics_server.h"
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
  store::ReplayGuard replay{target};
  Clock clock;
  std::unique_ptr<store::TransparencyLog> transparency;  // before the audit log that feeds it
  std::unique_ptr<store::AuditLog> audit;
  std::unique_ptr<AuditApi> auditApi;
  std::unique_ptr<QueryPipeline> pipeline;
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

  void signTreeHead(Timestamp now) {
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
    if (request.target == "/v1/health" && request.method == "GET") {
      return textResponse(200, "application/json", "{\"status\":\"ok\",\"member\":" + jsonString(config.member) + "}\n");
    }
    return textResponse(404, "text/plain", "not found\n");
  }
};

// Row-level security shares records with the groups in federation.group_members, the policy
// decides with its own [[group]] tables: a difference means records shared with a group are seen
// by other members than the policy names. Said loudly at start; `liaison groups sync` mends it.
void Node::Impl::warnIfGroupsDiffer() {
  auto diff = store::diffGroups(target, store::DbRole::enforcement, policy.groups);
  if (!diff) {
    log.write("error", "policy-groups-unchecked", {{"error", diff.error().message}});
  } else if (!diff->empty()) {
    log.write("warn", "policy-groups-differ",
              {{"missing_in_database", static_cast<int64_t>(diff->added.size())},
               {"not_in_policy", static_cast<int64_t>(diff->removed.size())},
               {"fix", "liaison groups sync --policy " + config.policy.string()}});
  }
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
  store::DatabaseTarget target{config.database};
  auto impl = std::make_unique<Impl>(config, *options.log, std::move(policy).value(), std::move(key).value(), target);
  Impl& node = *impl;
  node.clock = options.clock ? options.clock : Clock(systemNow);
  const Clock& clock = node.clock;
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
  node.audit = std::make_unique<store::AuditLog>(target, config.member, std::move(auditOptions));
  node.auditApi = std::make_unique<AuditApi>(*node.transparency, target);
  node.signTreeHead(clock());
  auto pipeline = QueryPipeline::create(
      node.config,
      PipelineServices{node.policy, node.enforcementStores, node.healthStores, node.justiceStores,
                       node.replay, *node.audit, *node.transparency, node.nodeKey, node.metrics, node.log,
                       clock, options.benchmarkWithoutAudit});
  if (!pipeline) return pipeline.error();
  node.pipeline = std::move(pipeline).value();

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
  server.onRejected = [&node](const net::RejectedRequest& rejected) { node.pipeline->auditRejected(rejected); };
  node.server = std::make_unique<net::HttpsServer>(server, [&node](const net::HttpRequest& r) { return node.route(r); });
  // The metrics listener first: a port already in use stops the start before partners can connect.
  if (config.metricsEnabled) {
    node.metricsServer = std::make_unique<net::MetricsServer>(
        net::MetricsServerOptions{config.metricsAddress, config.metricsPort},
        [&node] { return node.metrics.prometheusText() + connectionMetricsText(node.server->connectionStats()); });
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
  // Failures still being counted per source get their entries: nothing counted is lost.
  impl_->pipeline->writeFoldedFailures(true);
  impl_->audit->flushAndStop();
  // The last head covers every entry of this run, so partners and auditors can hold the node to it.
  impl_->signTreeHead(impl_->clock());
  impl_->log.write("info", "stopped", {{"audited", static_cast<int64_t>(impl_->audit->appended())}});
}

}  // namespace liaison::node
