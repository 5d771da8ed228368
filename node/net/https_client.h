// The HTTPS client a node uses to call its peers: TLS 1.3 only, the server trusted by the SPKI pin of
// its key and nothing else, one kept-alive connection. Boost.Beast stays inside https_client.cc.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "node/net/http_message.h"
#include "schema/status.h"

namespace liaison::net {

/// Which server to call, how to recognise it, and how to present ourselves.
struct ClientOptions {
  std::string host;  ///< DNS name or IP address literal (IPv6 without brackets)
  uint16_t port = 443;
  std::string serverPin;  ///< required: "sha256:<base64>" pin of the server's key
  std::optional<std::filesystem::path> certificateFile;  ///< our certificate, for mutual TLS
  std::optional<std::filesystem::path> keyFile;          ///< its key; refused unless mode 0600 or stricter
  /// Bounds one attempt of a request: connecting, the handshake, sending and the whole response.
  std::chrono::milliseconds timeout{10'000};
  size_t maxResponseBytes = 8 << 20;  ///< larger response bodies are an error
  /// The local IP address to connect from (e.g. 127.0.0.2 on loopback); empty: the system's choice.
  std::string sourceAddress;
};

/// A synchronous client holding one connection to one server, reused across requests. Not safe
/// for concurrent use: give each thread its own.
class HttpsClient {
 public:
  /// Prepares the client; connects on the first request. Problems with the options or the client
  /// identity are reported by every request.
  explicit HttpsClient(ClientOptions options);
  ~HttpsClient();
  HttpsClient(HttpsClient&&) noexcept;
  HttpsClient& operator=(HttpsClient&&) noexcept;

  /// Sends a POST and returns the server's response, whatever its status. If a kept-alive
  /// connection turns out to have been closed by the server before any answer came, reconnects
  /// and sends once more. A server whose key does not match the pin gets nothing and is a
  /// notPermitted error; timeouts and broken connections are unavailable.
  Result<HttpResponse> post(const std::string& target, const std::string& contentType,
                            std::span<const uint8_t> body);

  /// Sends a GET with optional extra headers; otherwise as post(). The response carries the
  /// server's `Liaison-*` and `Retry-After` headers in HttpResponse::headers (also for post()).
  Result<HttpResponse> get(const std::string& target,
                           const std::vector<std::pair<std::string, std::string>>& headers = {});

  /// Sends a POST and hands the response body to `onBody` as it arrives: one call per chunk of a
  /// chunked response, as the server sent it; the whole body in one call otherwise (none when
  /// empty). Returns the status and headers with an empty body. `onBody` returning false aborts:
  /// the connection is closed and the result is an unavailable error. ClientOptions::timeout bounds
  /// the whole exchange, stream included; maxResponseBytes bounds the body's total. Reconnects as
  /// post() does, only when nothing of the response had arrived (so `onBody` never sees a second
  /// answer). `onHead`, when given, gets the status and content type once, before the first body
  /// bytes (so a caller knows what it is reading: a stream or a plain answer).
  Result<HttpResponse> postStreaming(const std::string& target, const std::string& contentType,
                                     std::span<const uint8_t> body,
                                     const std::function<bool(std::span<const uint8_t>)>& onBody,
                                     const std::function<void(unsigned status, const std::string& contentType)>& onHead = {});

  /// TLS handshakes this client completed: one per connection it made. Safe to read from any thread.
  uint64_t handshakes() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Splits "https://HOST[:PORT][/PREFIX]" into host, port (443 when absent) and path prefix (without
/// a trailing slash, empty when absent). Refuses other schemes, credentials, queries and fragments.
/// An IPv6 host is written in brackets and returned without them.
Result<std::tuple<std::string, uint16_t, std::string>> parseHttpsUrl(std::string_view url);

}  // namespace liaison::net
