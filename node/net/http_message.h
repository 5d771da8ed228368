// The HTTP request and response as the application sees them, apart from the server and client
// that carry them, so that the pipeline and the query client need neither: plain structs, no
// Boost.Beast.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace liaison::net {

// addressOf and sourceOf are defined in https_server.cc, beside the server's address parsing.

/// The address part of an endpoint as HttpRequest::remote writes it (`192.0.2.7:5000` or
/// `[2001:db8::1]:5000`): `192.0.2.7`, `2001:db8::1`. Text without a port comes back unchanged.
std::string addressOf(std::string_view remote);

/// The unit that per-client limits count: an IPv4 address as it is (`192.0.2.7`, also when written
/// IPv4-mapped), an IPv6 address as its /64 prefix (`2001:db8:1:2::/64`), since one host commonly
/// holds a whole /64. Text that is not an IP address comes back unchanged.
std::string sourceOf(std::string_view address);

/// Sends one piece of a streamed response (HttpResponse::stream) as one HTTP chunk and returns once it
/// has been written: true; false once the connection is closed, a write failed or timed out, or the
/// server is stopping, and from then on at once. An empty chunk sends nothing (it would end the
/// body) and returns whether the stream is still open. Safe to call from any thread, and after the
/// server is gone (false): it holds nothing of the server's.
using ChunkSink = std::function<bool(std::vector<uint8_t> chunk)>;

/// One request, complete and within the server's limits.
struct HttpRequest {
  std::string method;       ///< as sent, e.g. "POST"
  std::string target;       ///< as sent, e.g. "/v1/envelopes"; not decoded or normalised
  std::string contentType;  ///< the Content-Type header, empty when absent
  /// The `Liaison-Request` header: a base64 signed request authorising a GET (the auditor API);
  /// empty when absent.
  std::string signedRequest;
  std::vector<uint8_t> body;
  /// "sha256:<base64>" pin of the client certificate, when the client presented one and proved it
  /// holds its key. Nothing more is known about it: compare it with the pins you trust.
  std::optional<std::string> peerPin;
  std::string remote;  ///< the client's address and port, for logs
};

/// The application's answer. The server adds framing, `Server: liaison` and keep-alive handling.
struct HttpResponse {
  unsigned status = 200;  ///< 200..599; anything else is answered as 500
  std::string contentType = "application/octet-stream";
  std::vector<uint8_t> body;
  /// Further headers, e.g. `Liaison-Audit-Receipt`. Names must be tokens and values printable
  /// ASCII, or the server answers 500 instead.
  std::vector<std::pair<std::string, std::string>> headers{};
  /// The handler authenticated whoever sent the request: from now on the connection keeps its
  /// room when the server is full. Connections that never carried an authenticated request are
  /// closed first, when idle, to make room for newcomers (ServerOptions::maxConnections).
  bool authenticated = false;
  /// When set, the response is streamed: the server sends the status line and headers with
  /// `Transfer-Encoding: chunked` (`body` is ignored), then calls `stream` once, on the handler's
  /// worker thread, with a sink that sends each chunk as it is given; when `stream` returns, the
  /// body ends and the connection is kept alive as for any response. An exception from `stream`,
  /// or a sink that returned false, closes the connection: the client sees a cut-off body, never a
  /// complete-looking one. `stream` is called even when nothing can be sent (a response with a bad
  /// status or header is answered 500; stop() began): its sink then returns false at once. On
  /// stop(), sinks return false; `stream` should then return, since stop() waits for it as for a
  /// handler.
  std::function<void(const ChunkSink&)> stream{};
};

/// A request refused by the transport before it reached the handler (413 body too large, 431
/// header too large, 400 malformed HTTP).
struct RejectedRequest {
  unsigned status = 400;
  std::string text;                    ///< the plain-text reason sent with the status
  std::optional<std::string> peerPin;  ///< the client certificate's pin, if one was presented
  std::string remote;
};

}  // namespace liaison::net
