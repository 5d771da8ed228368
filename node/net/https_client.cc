// A synchronous facade over Beast's asynchronous operations: each step is started on a private
// io_context and run to completion, so the tcp_stream's expiry bounds every step, including the TLS
// handshake, which blocking calls could not bound.
#include "node/net/https_client.h"

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <charconv>
#include <utility>
#include <vector>

#include "node/net/tls_identity.h"

namespace liaison::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

namespace {

constexpr char kUserAgent[] = "liaison";
constexpr uint32_t kMaxResponseHeaderBytes = 16 * 1024;

using RequestMessage = http::request<http::vector_body<uint8_t>>;
using ResponseParser = http::response_parser<http::vector_body<uint8_t>>;

// Decides the server's certificate by the pin of its key alone. Installed in place of OpenSSL's
// whole chain verification, so no CA store, host name or date enters into it. A mismatch fails the
// handshake before we send anything, our certificate included.
int checkServerPin(X509_STORE_CTX* store, void* pinnedPin) {
  const std::string& expected = *static_cast<const std::string*>(pinnedPin);
  if (const X509* leaf = X509_STORE_CTX_get0_cert(store)) {
    Result<std::string> pin = spkiPin(leaf);
    if (pin && pinsEqual(*pin, expected)) {
      X509_STORE_CTX_set_error(store, X509_V_OK);
      return 1;
    }
  }
  X509_STORE_CTX_set_error(store, X509_V_ERR_APPLICATION_VERIFICATION);
  return 0;
}

// What a connection the server had already closed looks like from our side.
bool connectionWasClosed(const beast::error_code& ec) {
  return ec == asio::error::eof || ec == http::error::end_of_stream || ec == ssl::error::stream_truncated ||
         ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
         ec == asio::error::connection_aborted;
}

// Printable ASCII without spaces: what may go into a request line or header unquoted.
bool isPrintableToken(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

bool isPrintable(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
}

std::string bracketedHost(const std::string& host) {
  return host.find(':') == std::string::npos ? host : "[" + host + "]";
}

}  // namespace

struct HttpsClient::Impl {
  using BodyConsumer = std::function<bool(std::span<const uint8_t>)>;
  using HeadConsumer = std::function<void(unsigned status, const std::string& contentType)>;

  explicit Impl(ClientOptions clientOptions);

  // With `onBody`, the body goes there as it arrives (see postStreaming) instead of into the result.
  Result<HttpResponse> request(http::verb method, const std::string& target, const std::string* contentType,
                               std::span<const uint8_t> body,
                               const std::vector<std::pair<std::string, std::string>>& headers = {},
                               const BodyConsumer* onBody = nullptr, const HeadConsumer* onHead = nullptr);

  std::atomic<uint64_t> handshakes{0};

 private:
  Status checkOptions() const;
  Result<std::vector<tcp::endpoint>> endpoints(std::chrono::steady_clock::time_point deadline);
  Status connect(std::chrono::steady_clock::time_point deadline);
  template <typename Initiate>
  beast::error_code complete(Initiate&& initiate);
  Error pinMismatch() const;
  Error transportError(std::string_view during, const beast::error_code& ec) const;
  Error abortedByCaller(const std::string& target) const;
  void disconnect();

  const ClientOptions options;
  const std::string origin;  // "https://host:port", for messages
  std::optional<Error> setupError;
  ssl::context tls{ssl::context::tls_client};
  asio::io_context io;
  std::optional<beast::ssl_stream<beast::tcp_stream>> stream;  // the kept-alive connection, if any
  beast::flat_buffer buffer;
};

HttpsClient::Impl::Impl(ClientOptions clientOptions)
    : options(std::move(clientOptions)),
      origin("https://" + bracketedHost(options.host) + ":" + std::to_string(options.port)) {
  if (Status valid = checkOptions(); !valid) {
    setupError = valid.error();
    return;
  }
  SSL_CTX* context = tls.native_handle();
  SSL_CTX_set_min_proto_version(context, TLS1_3_VERSION);
  SSL_CTX_set_max_proto_version(context, TLS1_3_VERSION);
  SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nullptr);
  // `options` lives as long as this Impl, which owns the context.
  SSL_CTX_set_cert_verify_callback(context, checkServerPin, const_cast<std::string*>(&options.serverPin));
  if (options.certificateFile) {
    if (Status loaded = useTlsIdentity(context, *options.certificateFile, *options.keyFile); !loaded) {
      setupError = loaded.error();
    }
  }
}

Status HttpsClient::Impl::checkOptions() const {
  if (options.host.empty() || options.port == 0) {
    return fail(ErrorKind::invalidInput, "HTTPS client needs a host and a non-zero port");
  }
  if (options.serverPin.size() != kPinLength || options.serverPin.rfind(kPinPrefix, 0) != 0) {
    return fail(ErrorKind::invalidInput,
                origin +
                    ": the server pin must look like sha256:<44 base64 characters>, as `liaison tls-pin` "
                    "prints it");
  }
  if (options.certificateFile.has_value() != options.keyFile.has_value()) {
    return fail(ErrorKind::invalidInput,
                origin + ": a client certificate needs its key file, and a key its certificate");
  }
  if (options.timeout.count() <= 0)
    return fail(ErrorKind::invalidInput, origin + ": the timeout must be positive");
  return {};
}

// Runs the operation `initiate` starts until it completes; the stream's expiry bounds it.
template <typename Initiate>
beast::error_code HttpsClient::Impl::complete(Initiate&& initiate) {
  beast::error_code result = asio::error::would_block;
  initiate([&result](beast::error_code ec, auto&&...) { result = ec; });
  io.restart();
  io.run();
  return result;
}

Result<std::vector<tcp::endpoint>> HttpsClient::Impl::endpoints(
    std::chrono::steady_clock::time_point deadline) {
  beast::error_code ec;
  const asio::ip::address address = asio::ip::make_address(options.host, ec);
  if (!ec) return std::vector<tcp::endpoint>{tcp::endpoint(address, options.port)};

  tcp::resolver resolver(io);
  std::vector<tcp::endpoint> found;
  ec = asio::error::would_block;
  resolver.async_resolve(options.host, std::to_string(options.port),
                         [&](beast::error_code resolved, const tcp::resolver::results_type& results) {
                           ec = resolved;
                           for (const auto& entry : results) found.push_back(entry.endpoint());
                         });
  io.restart();
  io.run_until(deadline);
  if (ec == asio::error::would_block) {
    // getaddrinfo cannot be interrupted; cancelling only stops us from using its late answer.
    resolver.cancel();
    io.restart();
    io.run();
    return transportError("resolving the host name", beast::error::timeout);
  }
  if (ec) return transportError("resolving the host name", ec);
  return found;
}

Status HttpsClient::Impl::connect(std::chrono::steady_clock::time_point deadline) {
  Result<std::vector<tcp::endpoint>> addresses = endpoints(deadline);
  if (!addresses) return addresses.error();
  if (addresses->empty()) return fail(ErrorKind::unavailable, origin + ": the host name resolved to no address");

  stream.emplace(io, tls);
  buffer.clear();
  SSL* connection = stream->native_handle();
  beast::tcp_stream& tcpStream = beast::get_lowest_layer(*stream);
  tcpStream.expires_at(deadline);

  beast::error_code ec;
  if (options.sourceAddress.empty()) {
    ec = complete([&](auto handler) { tcpStream.async_connect(*addresses, std::move(handler)); });
  } else {
    // Bound to the chosen local address first; then only the first address of the host is tried.
    const tcp::endpoint& remote = addresses->front();
    const asio::ip::address local = asio::ip::make_address(options.sourceAddress, ec);
    if (!ec) tcpStream.socket().open(remote.protocol(), ec);
    if (!ec) tcpStream.socket().bind(tcp::endpoint(local, 0), ec);
    if (!ec) ec = complete([&](auto handler) { tcpStream.async_connect(remote, std::move(handler)); });
  }
  if (ec) {
    disconnect();
    return transportError("connecting", ec);
  }
  // Requests are small and answered before the next is sent: waiting for Nagle's algorithm would
  // add a delayed-ACK round to every one.
  tcpStream.socket().set_option(tcp::no_delay(true), ec);
  // SNI carries host names only; RFC 6066 section 3 forbids address literals in it.
  beast::error_code notAnAddress;
  asio::ip::make_address(options.host, notAnAddress);
  if (notAnAddress && SSL_set_tlsext_host_name(connection, options.host.c_str()) != 1) {
    disconnect();
    return fail(ErrorKind::invalidInput, origin + ": host name not usable for TLS");
  }
  ec = complete([&](auto handler) { stream->async_handshake(ssl::stream_base::client, std::move(handler)); });
  if (ec) {
    const bool mismatch = SSL_get_verify_result(connection) == X509_V_ERR_APPLICATION_VERIFICATION;
    disconnect();
    if (mismatch) return pinMismatch();
    return transportError("the TLS handshake", ec);
  }
  // Checked again where the connection starts to be used, so that no path around the verification
  // callback (a resumed session, say) yields a connection to an unpinned server.
  const X509* certificate = SSL_get0_peer_certificate(connection);
  Result<std::string> pin =
      certificate ? spkiPin(certificate) : fail(ErrorKind::notPermitted, "no certificate");
  if (!pin || !pinsEqual(*pin, options.serverPin)) {
    disconnect();
    return pinMismatch();
  }
  ++handshakes;
  return {};
}

Error HttpsClient::Impl::pinMismatch() const {
  return fail(ErrorKind::notPermitted, origin + ": server certificate does not match the pinned key " +
                                           options.serverPin + "; nothing was sent");
}

Error HttpsClient::Impl::transportError(std::string_view during, const beast::error_code& ec) const {
  if (ec == beast::error::timeout) {
    return fail(ErrorKind::unavailable, origin + ": timed out after " +
                                            std::to_string(options.timeout.count()) + " ms while " +
                                            std::string(during));
  }
  return fail(ErrorKind::unavailable, origin + ": " + std::string(during) + " failed: " + ec.message());
}

Error HttpsClient::Impl::abortedByCaller(const std::string& target) const {
  return fail(ErrorKind::unavailable, origin + target + ": response aborted by the caller; connection closed");
}

void HttpsClient::Impl::disconnect() {
  stream.reset();
  buffer.clear();
}

Result<HttpResponse> HttpsClient::Impl::request(http::verb method, const std::string& target,
                                                const std::string* contentType,
                                                std::span<const uint8_t> body,
                                                const std::vector<std::pair<std::string, std::string>>& headers,
                                                const BodyConsumer* onBody, const HeadConsumer* onHead) {
  if (setupError) return *setupError;
  if (target.empty() || target[0] != '/' || !isPrintableToken(target)) {
    return fail(ErrorKind::invalidInput, origin +
                                             ": request target must start with '/' and be printable ASCII "
                                             "without spaces");
  }
  if (contentType && !isPrintable(*contentType)) {
    return fail(ErrorKind::invalidInput, origin + ": content type must be printable ASCII");
  }

  RequestMessage message{method, target, 11};
  message.set(http::field::host, bracketedHost(options.host) + ":" + std::to_string(options.port));
  message.set(http::field::user_agent, kUserAgent);
  if (contentType) message.set(http::field::content_type, *contentType);
  for (const auto& [name, value] : headers) {
    if (!isPrintableToken(name) || !isPrintable(value)) {
      return fail(ErrorKind::invalidInput, origin + ": header " + name.substr(0, 64) + " must be printable ASCII");
    }
    message.set(name, value);
  }
  message.body().assign(body.begin(), body.end());
  message.keep_alive(true);
  message.prepare_payload();

  for (int attempt = 1;; ++attempt) {
    const auto deadline = std::chrono::steady_clock::now() + options.timeout;
    const bool reused = stream.has_value();
    if (reused) {
      beast::get_lowest_layer(*stream).expires_at(deadline);
    } else if (Status connected = connect(deadline); !connected) {
      return connected.error();
    }

    std::string_view during = "sending the request";
    bool answered = false;  // whether any byte of a response arrived
    bool aborted = false;   // onBody said stop
    // A chunk's body may arrive in pieces; it goes to onBody whole, as the server framed it.
    std::vector<uint8_t> chunk;
    std::optional<ResponseParser> parser;
    bool headGiven = false;  // onHead called (once, before the first body bytes)
    auto giveHead = [&] {
      if (headGiven || onHead == nullptr || !*onHead) return;
      headGiven = true;
      const auto& head = parser->get();
      (*onHead)(head.result_int(), std::string(head[http::field::content_type]));
    };
    auto onChunk = [&](uint64_t remain, beast::string_view piece, beast::error_code& chunkError) -> size_t {
      giveHead();
      chunk.insert(chunk.end(), piece.begin(), piece.end());
      if (remain == piece.size()) {
        aborted = !(*onBody)(chunk);
        chunk.clear();
        if (aborted) chunkError = asio::error::operation_aborted;
      }
      return piece.size();
    };
    beast::error_code ec =
        complete([&](auto handler) { http::async_write(*stream, message, std::move(handler)); });
    // A server may answer before the request is complete (413 for a body it will not read) and then
    // close, which breaks our write; its answer can still be waiting to be read.
    const bool writeBroken = ec && connectionWasClosed(ec);
    if (!ec || writeBroken) {
      parser.emplace();
      parser->header_limit(kMaxResponseHeaderBytes);
      parser->body_limit(options.maxResponseBytes);
      if (onBody) parser->on_chunk_body(onChunk);
      beast::error_code readError =
          complete([&](auto handler) { http::async_read(*stream, buffer, *parser, std::move(handler)); });
      answered = parser->got_some();
      if (!writeBroken || !readError) {
        during = "reading the response";
        ec = readError;
      }
    }
    if (!ec) {
      auto& response = parser->get();
      HttpResponse result{response.result_int(), std::string(response[http::field::content_type]),
                          std::move(response.body()), {}};
      if (onBody) {
        // A chunked body went to onBody chunk by chunk already; any other came whole.
        giveHead();
        aborted = !result.body.empty() && !(*onBody)(result.body);
        result.body.clear();
      }
      for (const auto& field : response) {
        if (beast::iequals(field.name_string().substr(0, 8), "liaison-") ||
            field.name() == http::field::retry_after) {
          result.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
        }
      }
      if (!response.keep_alive() || aborted) disconnect();
      if (aborted) return abortedByCaller(target);
      return result;
    }

    disconnect();
    if (aborted) return abortedByCaller(target);
    // A kept-alive connection that the server closed while it sat idle (its idle timeout) fails
    // like this before any answer; a request the server had taken up would have been answered.
    if (reused && attempt == 1 && !answered && connectionWasClosed(ec)) continue;
    if (ec == http::error::body_limit) {
      return fail(ErrorKind::invalidInput, origin + target + ": response body larger than the " +
                                               std::to_string(options.maxResponseBytes) + "-byte limit");
    }
    return transportError(during, ec);
  }
}

HttpsClient::HttpsClient(ClientOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
HttpsClient::~HttpsClient() = default;
HttpsClient::HttpsClient(HttpsClient&&) noexcept = default;
HttpsClient& HttpsClient::operator=(HttpsClient&&) noexcept = default;

Result<HttpResponse> HttpsClient::post(const std::string& target, const std::string& contentType,
                                       std::span<const uint8_t> body) {
  return impl_->request(http::verb::post, target, &contentType, body);
}

Result<HttpResponse> HttpsClient::get(const std::string& target,
                                      const std::vector<std::pair<std::string, std::string>>& headers) {
  return impl_->request(http::verb::get, target, nullptr, {}, headers);
}

Result<HttpResponse> HttpsClient::postStreaming(const std::string& target, const std::string& contentType,
                                                std::span<const uint8_t> body,
                                                const std::function<bool(std::span<const uint8_t>)>& onBody,
                                                const std::function<void(unsigned, const std::string&)>& onHead) {
  return impl_->request(http::verb::post, target, &contentType, body, {}, &onBody, &onHead);
}

uint64_t HttpsClient::handshakes() const { return impl_ ? impl_->handshakes.load() : 0; }

Result<std::tuple<std::string, uint16_t, std::string>> parseHttpsUrl(std::string_view url) {
  auto refuse = [&](std::string_view problem) {
    return fail(ErrorKind::invalidInput, "\"" + std::string(url) + "\": " + std::string(problem) +
                                             "; expected https://HOST[:PORT][/PATH]");
  };
  constexpr std::string_view kScheme = "https://";
  if (url.size() < kScheme.size() ||
      !std::equal(kScheme.begin(), kScheme.end(), url.begin(),
                  [](char a, char b) { return a == (b >= 'A' && b <= 'Z' ? b - 'A' + 'a' : b); })) {
    return refuse("not an https URL");
  }
  std::string_view rest = url.substr(kScheme.size());
  if (rest.find_first_of("?#") != std::string_view::npos) return refuse("a query or fragment is not allowed");
  if (!isPrintableToken(rest)) return refuse("spaces and control characters are not allowed");
  const size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  if (authority.find('@') != std::string_view::npos) return refuse("credentials are not allowed in the URL");

  std::string_view host;
  std::string_view portText;
  bool hasPort = false;
  beast::error_code ec;
  if (!authority.empty() && authority.front() == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return refuse("'[' without ']' around the IPv6 address");
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty() && after.front() != ':') return refuse("unexpected text after the IPv6 address");
    hasPort = !after.empty();
    if (hasPort) portText = after.substr(1);
    asio::ip::make_address_v6(std::string(host), ec);
    if (ec) return refuse("not an IPv6 address in the brackets");
  } else {
    const size_t colon = authority.find(':');
    host = authority.substr(0, colon);
    hasPort = colon != std::string_view::npos;
    if (hasPort) portText = authority.substr(colon + 1);
    if (portText.find(':') != std::string_view::npos) return refuse("write an IPv6 address in brackets");
    const bool hostChars = std::all_of(host.begin(), host.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
             c == '.';
    });
    if (!hostChars) return refuse("the host may hold only letters, digits, '-' and '.'");
  }
  if (host.empty()) return refuse("no host");

  uint16_t port = 443;
  if (hasPort) {
    unsigned value = 0;
    auto [end, parseError] = std::from_chars(portText.data(), portText.data() + portText.size(), value);
    if (portText.empty() || parseError != std::errc() || end != portText.data() + portText.size() ||
        value == 0 || value > 65535) {
      return refuse("the port must be a number from 1 to 65535");
    }
    port = static_cast<uint16_t>(value);
  }
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  return std::tuple<std::string, uint16_t, std::string>{std::string(host), port, std::string(path)};
}

}  // namespace liaison::net
