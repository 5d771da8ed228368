// A running node: configuration, policy, keys, database pools, audit log, pipeline and server,
// wired together. `liaison node` runs one until SIGTERM; tests run one in-process.
#pragma once

#include <cstdint>
#include <memory>
#include <ostream>

#include "node/config.h"
#include "node/net/https_server.h"
#include "node/pipeline.h"
#include "schema/status.h"

namespace liaison::node {

/// Process-level choices that are not part of the configuration file.
struct NodeOptions {
  Clock clock;           ///< empty: the system clock
  std::ostream* log;     ///< JSON log lines; must outlive the node
};

/// The HTTPS server settings a node configuration asks for (listener, identity, limits, threads).
net::ServerOptions serverOptionsOf(const NodeConfig& config);

class Node {
 public:
  /// Loads everything the configuration names and starts serving. Errors name the file at fault.
  static Result<std::unique_ptr<Node>> start(const NodeConfig& config, NodeOptions options);
  ~Node();

  /// The port the server listens on (useful when the configuration asked for port 0).
  uint16_t port() const;

  /// The port of the metrics listener (useful when `metrics_listen` asked for port 0); 0 when off.
  uint16_t metricsPort() const;

  /// Applies the changes to notices and watchlist persons committed so far to the screening index
  /// now; the node does so by itself within two seconds of a change.
  Status catchUpScreening();

  /// Graceful shutdown: stop accepting, finish in-flight requests, flush the audit log. Idempotent.
  void stop();

 private:
  struct Impl;
  explicit Node(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace liaison::node
