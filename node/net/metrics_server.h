// The node's metrics listener: plain HTTP/1.1, GET /metrics only, one thread, apart from the
// federation port. Metrics say how much traffic of which kind the node serves, which is nobody's
// business on the federation port; here the operator decides who can connect (by default only
// the machine itself). A LocalHttpServer (local_http_server.h) underneath.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "schema/status.h"

namespace liaison::net {

/// Where the metrics listener listens and what it tolerates from a client.
struct MetricsServerOptions {
  std::string bindAddress = "127.0.0.1";  ///< an IPv4 or IPv6 address literal
  uint16_t port = 9464;                   ///< 0 picks a free port; see MetricsServer::port()
  size_t maxConnections = 8;              ///< further connections are closed at once
  size_t maxHeaderBytes = 4096;           ///< larger request heads get 431
  /// From accept until the request is read and the answer written; then the connection closes.
  std::chrono::milliseconds deadline{2'000};
};

/// Produces the Prometheus text exposition; called on the listener's thread for each scrape.
using MetricsText = std::function<std::string()>;

/// Answers `GET /metrics` with MetricsText, 404 for any other target, 405 for any other method,
/// 400 for a request with a body or malformed HTTP; one request per connection.
class MetricsServer {
 public:
  /// Prepares a listener; nothing is opened until start().
  MetricsServer(MetricsServerOptions options, MetricsText text);
  /// Stops the listener if it is running.
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  /// Binds and listens; fails naming the address on a bad address or a port in use. Starts once.
  Status start();

  /// The port listened on (useful when MetricsServerOptions::port was 0); 0 before start().
  uint16_t port() const;

  /// Closes the listener and every connection and joins the thread. Idempotent.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace liaison::net
