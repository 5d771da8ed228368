// The HTTPS server that peers and officers' clients talk to: HTTP/1.1 with keep-alive over TLS 1.3
// only. Client certificates are requested but optional; the server never decides trust from a
// certificate authority, it hands the application the SPKI pin of whatever certificate the client
// proved it holds the key for. Boost.Beast stays inside https_server.cc.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "node/net/http_message.h"
#include "schema/status.h"

namespace liaison::net {

/// Turns a request into a response. Runs on a worker thread and may block (database work). An
/// exception becomes a 500 with a generic body; its text is never sent.
using Handler = std::function<HttpResponse(const HttpRequest&)>;

/// Where to listen, which identity to present, and the limits on what clients may send.
struct ServerOptions {
  std::string bindAddress = "127.0.0.1";  ///< an IPv4 or IPv6 address literal
  uint16_t port = 0;                      ///< 0 picks a free port; see HttpsServer::port()
  std::filesystem::path certificateFile;  ///< PEM certificate, as `liaison tls-cert` writes
  std::filesystem::path keyFile;          ///< its private key; refused unless mode 0600 or stricter
  size_t maxBodyBytes = 1 << 20;          ///< larger bodies get 413, judged by Content-Length up front
  size_t maxHeaderBytes = 16 * 1024;      ///< larger request heads get 431
  /// From the first byte of a request until the whole request is read; and again for writing the
  /// response.
  std::chrono::milliseconds requestDeadline{10'000};
  /// From accept until the TLS handshake is done and the first byte of the first request arrived:
  /// short, because until then the server knows nothing about the client and holds a slot for it.
  std::chrono::milliseconds handshakeTimeout{3'000};
  std::chrono::milliseconds idleTimeout{30'000};  ///< how long a kept-alive connection may sit unused
  size_t ioThreads = 1;                           ///< threads for TLS and HTTP parsing
  size_t workerThreads = 4;                       ///< threads that run the handler
  /// All connections together. When full, a newcomer takes the slot of the oldest connection that
  /// is still handshaking, else of the oldest idle one that never authenticated; if every slot is
  /// held by connections that keep their room (see ConnectionTable), it is closed at once.
  size_t maxConnections = 1024;
  /// Connections from one IP address; beyond it a newcomer from that address is closed at once.
  size_t maxConnectionsPerAddress = 256;
  /// Connections whose TLS handshake or first request is not done yet. When full, the oldest of
  /// them is closed to make room for a newcomer, so silent connections cannot starve real clients.
  size_t maxHandshakingConnections = 512;
  /// Called on a worker thread for every request the transport refuses itself, before the refusal
  /// is sent (the node audits them). May block; exceptions are ignored.
  std::function<void(const RejectedRequest&)> onRejected;
};

/// What the server did with connections since start(), for metrics. Counts, no addresses.
struct ConnectionStats {
  uint64_t open = 0;                ///< connections open now
  uint64_t handshaking = 0;         ///< of those, with TLS handshake or first request not done
  uint64_t accepted = 0;            ///< connections admitted since start()
  uint64_t refusedPerAddress = 0;   ///< newcomers closed at once: their address was at its cap
  uint64_t refusedFull = 0;         ///< newcomers closed at once: every slot keeps its room
  uint64_t evictedHandshaking = 0;  ///< handshaking connections closed to make room
  uint64_t evictedIdle = 0;         ///< idle unauthenticated connections closed to make room
  uint64_t handshakeTimeouts = 0;   ///< connections closed at ServerOptions::handshakeTimeout
};

/// An HTTPS server running its own threads. Not copyable or movable: sessions refer to it.
class HttpsServer {
 public:
  /// Prepares a server; nothing is opened until start().
  HttpsServer(ServerOptions options, Handler handler);
  /// Stops the server if it is running.
  ~HttpsServer();
  HttpsServer(const HttpsServer&) = delete;
  HttpsServer& operator=(const HttpsServer&) = delete;

  /// Loads the TLS identity, binds and listens; returns once connections are being accepted. Fails
  /// on an unsafe or unreadable identity, a bad address or a port in use. A server starts once.
  Status start();

  /// The port listened on, useful when ServerOptions::port was 0. 0 before start().
  uint16_t port() const;

  /// Graceful stop: closes the listening socket, closes idle connections, lets requests in flight
  /// finish and their responses be written (with `Connection: close`) for up to one request
  /// deadline, then closes whatever is left and joins all threads. A handler that is still running
  /// cannot be interrupted, so stop() also waits for it (its response is dropped). A streamed
  /// response is cut off at once: its sink returns false and its connection closes, and stop() waits
  /// for `stream` to return as for a handler. Idempotent and safe to call from any thread except a
  /// handler's or a stream's.
  void stop();

  /// Connections open now, for metrics.
  uint64_t activeConnections() const;

  /// Connections accepted since start() (not counting those refused at the connection limit).
  uint64_t acceptedConnections() const;

  /// Counters of admitted, refused and evicted connections.
  ConnectionStats connectionStats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace liaison::net
