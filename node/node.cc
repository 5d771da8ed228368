#include "node/node.h"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "adapters/audit_log.h"
#include "adapters/replay_guard.h"
#include "adapters/store.h"
#include "crypto/keys.h"
#include "node/https_server.h"
#include "node/json_log.h"
#include "node/metrics.h"
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
  Metrics metrics;
  policy::Policy policy;
  crypto::SecretKey nodeKey;
  store::DatabaseTarget target;
  store::RecordStorePool enforcementStores{target, store::DbRole::enforcement};
  store::RecordStorePool healthStores{target, store::DbRole::health};
  store::RecordStorePool justiceStores{target, store::DbRole::justice};
  store::ReplayGuard replay{target};
  store::AuditLog audit{target, config.member};
  std::unique_ptr<QueryPipeline> pipeline;
  std::unique_ptr<net::HttpsServer> server;
  std::atomic<bool> stopped{false};

  // Drops replay claims whose validity window has passed (they can no longer be replayed: the
  // window refuses them), once a minute, so node.nonces stays as small as the traffic of a window.
  std::mutex janitorMutex;
  std::condition_variable janitorWake;
  bool janitorStopping = false;
  std::thread janitor;

  void runJanitor(Clock clock) {
    std::unique_lock lock(janitorMutex);
    while (!janitorWake.wait_for(lock, std::chrono::minutes(1), [this] { return janitorStopping; })) {
      lock.unlock();
      auto purged = replay.purgeExpired(clock());
      if (!purged) log.write("error", "replay-claims-purge-failed", {});
      else if (*purged > 0) log.write("info", "replay-claims-purged", {{"count", static_cast<int64_t>(*purged)}});
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
    if (request.target == "/v1/health" && request.method == "GET") {
      return textResponse(200, "application/json", "{\"status\":\"ok\",\"member\":" + jsonString(config.member) + "}\n");
    }
    if (request.target == "/metrics" && request.method == "GET") {
      return textResponse(200, "text/plain; version=0.0.4", metrics.prometheusText());
    }
    return textResponse(404, "text/plain", "not found\n");
  }
};

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
  auto pipeline = QueryPipeline::create(
      node.config, PipelineServices{node.policy, node.enforcementStores, node.healthStores, node.justiceStores,
                                    node.replay, node.audit, node.nodeKey, node.metrics, node.log,
                                    options.clock ? options.clock : Clock(systemNow)});
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
  server.workerThreads = config.workerThreads;
  server.ioThreads = config.ioThreads;
  server.onRejected = [&node](const net::RejectedRequest& rejected) { node.pipeline->auditRejected(rejected); };
  node.server = std::make_unique<net::HttpsServer>(server, [&node](const net::HttpRequest& r) { return node.route(r); });
  if (auto started = node.server->start(); !started) return started.error();
  node.janitor = std::thread([&node, clock = options.clock ? options.clock : Clock(systemNow)] { node.runJanitor(clock); });
  node.log.write("info", "listening", {{"member", node.config.member}, {"port", static_cast<int64_t>(node.server->port())}});
  return std::unique_ptr<Node>(new Node(std::move(impl)));
}

uint16_t Node::port() const { return impl_->server->port(); }

void Node::stop() {
  if (!impl_ || impl_->stopped.exchange(true)) return;
  impl_->log.write("info", "stopping", {});
  impl_->server->stop();
  {
    std::lock_guard lock(impl_->janitorMutex);
    impl_->janitorStopping = true;
  }
  impl_->janitorWake.notify_all();
  if (impl_->janitor.joinable()) impl_->janitor.join();
  impl_->audit.flushAndStop();
  impl_->log.write("info", "stopped", {{"audited", static_cast<int64_t>(impl_->audit.appended())}});
}

}  // namespace liaison::node
