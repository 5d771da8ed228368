// A plain-HTTP/1.1 listener for the machine itself: the node's metrics and the auditor's console.
// One request per connection, no request body, a deadline on the whole exchange and a cap on
// connections, so a local process that connects and says nothing cannot keep it. Boost.Beast stays
// inside local_http_server.cc.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "node/net/http_message.h"
#include "schema/status.h"

namespace liaison::net {

/// Where a local listener listens and what it tolerates from a client.
struct LocalServerOptions {
  std::string bindAddress = "127.0.0.1";  ///< an IPv4 or IPv6 address literal
  uint16_t port = 0;                      ///< 0 picks a free port; see LocalHttpServer::port()
  size_t maxConnections = 8;              ///< further connections are closed at once
  size_t maxHeaderBytes = 4096;           ///< larger request heads get 431
  /// For reading the request, and again for writing the answer; then the connection closes.
  std::chrono::milliseconds deadline{2'000};
  /// Threads that run the handler. 0: the listener's own thread runs it (it must then be quick).
  size_t handlerThreads = 0;
  std::string name = "local listener";  ///< names the listener in errors, e.g. "metrics listener"
  std::string bindHint;                 ///< added to a failure to bind, e.g. how to pick another port
};

/// One request: no body (a request with one is answered 400 before it gets here).
struct LocalRequest {
  std::string method;  ///< as sent, e.g. "GET"
  std::string target;  ///< as sent, not decoded
  std::vector<std::pair<std::string, std::string>> headers;  ///< names lower-case, in order
  /// The value of the first header named `lowerCaseName`; empty when there is none.
  std::string_view header(std::string_view lowerCaseName) const;
};

/// Answers a request. An exception becomes a 500 with a generic body; its text is never sent.
/// HttpResponse::stream and HttpResponse::authenticated are ignored here.
using LocalHandler = std::function<HttpResponse(const LocalRequest&)>;

class LocalHttpServer {
 public:
  /// Prepares a listener; nothing is opened until start().
  LocalHttpServer(LocalServerOptions options, LocalHandler handler);
  /// Stops the listener if it is running.
  ~LocalHttpServer();
  LocalHttpServer(const LocalHttpServer&) = delete;
  LocalHttpServer& operator=(const LocalHttpServer&) = delete;

  /// Binds and listens; fails naming the address on a bad address or a port in use. Starts once.
  Status start();

  /// The port listened on (useful when LocalServerOptions::port was 0); 0 before start().
  uint16_t port() const;

  /// Closes the listener and every connection, waits for handlers still running and joins the
  /// threads. Idempotent; not from a handler.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace liaison::net
