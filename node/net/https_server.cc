// One Session per connection, after Boost.Beast's advanced server: it owns its TLS stream and read
// buffer and runs handshake → (wait → read → handle → write)* on its strand. The handler runs on a
// worker pool; its response comes back to the session's strand to be written. A streamed response
// stays on the worker: each chunk the producer gives is written on the strand while the worker waits
// for it (StreamChannel), so a slow connection holds back the producer rather than filling memory.
#include "node/net/https_server.h"

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <condition_variable>
#include <limits>
#include <map>
#include <mutex>
#include <string_view>
#include <thread>
#include <utility>

#include "node/net/connection_table.h"
#include "node/net/tls_identity.h"

namespace liaison::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

namespace {

constexpr char kServerName[] = "liaison";
// How much of the next request one read may take in while waiting on an idle connection.
constexpr size_t kFirstReadBytes = 4096;
// After refusing a request, how long the connection stays half-open (our side shut) so that the
// client can read the refusal before the close; see Session::refuse.
constexpr std::chrono::milliseconds kLingerAfterRefusal{500};
// After accept fails (out of file descriptors, say), wait this long rather than spin.
constexpr std::chrono::milliseconds kAcceptRetryDelay{100};
// During stop(), how long connections cut off past the deadline get to unwind.
constexpr std::chrono::milliseconds kForcedCloseGrace{1000};

using RequestParser = http::request_parser<http::vector_body<uint8_t>>;
using Response = http::response<http::vector_body<uint8_t>>;
using StreamHead = http::response<http::empty_body>;

std::vector<uint8_t> bytesOf(std::string_view text) { return {text.begin(), text.end()}; }

HttpResponse plainResponse(unsigned status, std::string_view text) {
  return HttpResponse{status, "text/plain; charset=utf-8", bytesOf(text)};
}

// Printable ASCII only: a CR or LF in a header value would let a response split into two.
bool isHeaderName(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-';
  });
}

bool isSafeHeaderValue(std::string_view value) {
  return std::all_of(value.begin(), value.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
}

// Whether the head of `response` can be sent as the handler gave it; if not, a 500 goes instead.
bool isSendable(const HttpResponse& response) {
  const bool safeHeaders = std::all_of(response.headers.begin(), response.headers.end(), [](const auto& header) {
    return isHeaderName(header.first) && isSafeHeaderValue(header.second);
  });
  return response.status >= 200 && response.status <= 599 && isSafeHeaderValue(response.contentType) &&
         safeHeaders;
}

// The head of every response: status, `Server`, content type, the handler's headers, keep-alive.
template <typename Message>
void setHead(Message& message, const HttpResponse& response, bool keepAlive) {
  message.version(11);
  message.result(response.status);
  message.set(http::field::server, kServerName);
  message.set(http::field::content_type, response.contentType);
  for (const auto& [headerName, value] : response.headers) message.set(headerName, value);
  message.keep_alive(keepAlive);
}

std::string describeEndpoint(const tcp::endpoint& endpoint) {
  const asio::ip::address address = endpoint.address();
  std::string host = address.to_string();
  if (address.is_v6()) host = "[" + host + "]";
  return host + ":" + std::to_string(endpoint.port());
}

bool isHttpError(const beast::error_code& ec) {
  return &ec.category() == &http::make_error_code(http::error::bad_target).category();
}

// Accepts any client certificate at the TLS layer: OpenSSL has already checked that the client
// signed the handshake with the certificate's key, which is all a pin needs. Whether that key is
// trusted is the application's decision (HttpRequest::peerPin), never a certificate authority's.
int acceptAnyClientCertificate(X509_STORE_CTX*, void*) { return 1; }

}  // namespace

std::string addressOf(std::string_view remote) {
  if (remote.starts_with('[')) {
    const size_t close = remote.find(']');
    if (close != std::string_view::npos) return std::string(remote.substr(1, close - 1));
  }
  const size_t colon = remote.rfind(':');
  if (colon != std::string_view::npos && remote.find(':') == colon) return std::string(remote.substr(0, colon));
  return std::string(remote);
}

std::string sourceOf(std::string_view address) {
  beast::error_code ec;
  asio::ip::address parsed = asio::ip::make_address(std::string(address), ec);
  if (ec) return std::string(address);
  if (parsed.is_v6() && parsed.to_v6().is_v4_mapped()) {
    parsed = asio::ip::make_address_v4(asio::ip::v4_mapped, parsed.to_v6());
  }
  if (parsed.is_v4()) return parsed.to_string();
  asio::ip::address_v6::bytes_type bytes = parsed.to_v6().to_bytes();
  std::fill(bytes.begin() + 8, bytes.end(), 0);
  return asio::ip::address_v6(bytes).to_string() + "/64";
}

struct HttpsServer::Impl {
  class Session;
  class StreamChannel;

  Impl(ServerOptions serverOptions, Handler requestHandler)
      : options(std::move(serverOptions)), handler(std::move(requestHandler)) {}

  Status configureTls();
  Status listen();
  void accept();
  void onAccept(beast::error_code ec, tcp::socket socket);
  HttpResponse runHandler(const HttpRequest& request) const;
  std::vector<std::shared_ptr<Session>> liveSessions();
  void forgetSession(uint64_t id);
  // Tell the connection table that a session moved on; false when it evicted the session meanwhile.
  bool sessionEstablished(uint64_t id);
  bool sessionBusy(uint64_t id);
  void sessionIdle(uint64_t id, bool authenticated);
  void closeEvicted(const std::vector<std::pair<uint64_t, ConnectionClosure>>& evicted);
  void waitForSessionsToEnd(std::chrono::steady_clock::time_point deadline);

  const ServerOptions options;
  const Handler handler;
  ssl::context tls{ssl::context::tls_server};

  // Declared before the I/O context: sessions it still holds at destruction unregister here.
  std::mutex sessionsMutex;
  std::condition_variable sessionsEnded;
  std::map<uint64_t, std::weak_ptr<Session>> sessions;  // guarded by sessionsMutex
  uint64_t nextSessionId = 0;                           // guarded by sessionsMutex
  ConnectionTable table{ConnectionLimits{options.maxConnections, options.maxConnectionsPerAddress,
                                         options.maxHandshakingConnections}};  // guarded by sessionsMutex
  std::atomic<uint64_t> active{0};
  std::atomic<uint64_t> handshaking{0};
  std::atomic<uint64_t> accepted{0};
  std::atomic<uint64_t> refusedPerAddress{0};
  std::atomic<uint64_t> refusedFull{0};
  std::atomic<uint64_t> evictedHandshaking{0};
  std::atomic<uint64_t> evictedIdle{0};
  std::atomic<uint64_t> handshakeTimeouts{0};
  std::atomic<bool> stopping{false};
  std::atomic<uint16_t> boundPort{0};

  std::mutex lifecycleMutex;  // serialises start() and stop()
  bool started = false;
  bool stopped = false;

  asio::io_context io;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> keepRunning;
  std::optional<tcp::acceptor> acceptor;          // on its own strand
  std::optional<asio::steady_timer> acceptRetry;  // on the acceptor's strand
  std::optional<asio::thread_pool> workers;
  std::vector<std::thread> ioThreads;
};

// What a streamed response's sink shares with its session: one write at a time, each waited for;
// closed for good once the connection is gone, a write failed, the server is stopping or the stream
// has ended. It holds the session only weakly, and strongly only while handing a write to the
// strand under its mutex, which stop() also takes to close it: a sink kept past stop() finds it
// closed and touches nothing of the server's.
class HttpsServer::Impl::StreamChannel : public std::enable_shared_from_this<StreamChannel> {
 public:
  /// Reports on the strand whether a write succeeded.
  using Completion = std::function<void(bool written)>;
  /// Starts one write on the session's strand and calls the completion when it is done.
  using Write = std::function<void(Session&, Completion)>;

  explicit StreamChannel(std::weak_ptr<Session> session) : session_(std::move(session)) {}

  // Waits for any other write, hands `start` to the session's strand and waits for it to complete;
  // false at once when closed, or when it closes meanwhile.
  bool write(Write start);

  // Lets everything that waits go with false, and every later write fail at once.
  void close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    changed_.notify_all();
  }

  bool open() {
    std::lock_guard lock(mutex_);
    return !closed_;
  }

  // Ends the stream: true if it is still open (then the body may be ended cleanly), after waiting for
  // a write still in progress; closed either way.
  bool finish() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return !busy_ || closed_; });
    const bool wasOpen = !closed_;
    closed_ = true;
    changed_.notify_all();
    return wasOpen;
  }

 private:
  void completed(bool written) {
    std::lock_guard lock(mutex_);
    done_ = true;
    if (!written) closed_ = true;
    changed_.notify_all();
  }

  std::mutex mutex_;
  std::condition_variable changed_;
  const std::weak_ptr<Session> session_;
  bool closed_ = false;  // guarded by mutex_, as are the two below
  bool busy_ = false;    // a write was handed to the strand and is awaited
  bool done_ = false;    // the awaited write completed
};

class HttpsServer::Impl::Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Impl& server, uint64_t id, tcp::socket&& socket, std::string remote)
      : server_(server),
        id_(id),
        stream_(std::move(socket), server.tls),
        lingerTimer_(stream_.get_executor()),
        remote_(std::move(remote)) {}

  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  ~Session() { server_.forgetSession(id_); }

  // Starts the handshake on the session's strand.
  void start() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->handshake(); });
  }

  asio::any_io_executor executor() { return stream_.get_executor(); }

  // For stop(): closes the connection unless a request is being read, handled or answered. A stream
  // is closed too: it has no end that stop() could wait for.
  void closeIfIdle() {
    if (phase_ == Phase::handshake || phase_ == Phase::awaitingRequest || phase_ == Phase::lingering ||
        phase_ == Phase::streaming) {
      close();
    }
  }

  // Closes the connection now; every pending operation completes with an error and ends here.
  void close() {
    phase_ = Phase::closed;
    lingerTimer_.cancel();
    beast::get_lowest_layer(stream_).close();
    cancelStream();
  }

  // Makes the sink of a stream in progress return false. Any thread.
  void cancelStream() {
    std::shared_ptr<StreamChannel> channel;
    {
      std::lock_guard lock(server_.sessionsMutex);
      channel = channel_;
    }
    if (channel) channel->close();
  }

  // The strand's part of a stream's writes (see StreamChannel::write): the head, then each chunk.
  void writeStreamHead(const HttpResponse& response, bool keepAlive, const StreamChannel::Completion& done) {
    if (phase_ == Phase::closed) return done(false);
    phase_ = Phase::streaming;
    StreamHead& head = streamHead_.emplace();
    setHead(head, response, keepAlive && !server_.stopping);
    head.chunked(true);
    streamSerializer_.emplace(head);
    tcp().expires_after(server_.options.requestDeadline);
    http::async_write_header(stream_, *streamSerializer_,
                             [self = shared_from_this(), done](beast::error_code ec, size_t) {
                               self->onStreamWritten(ec, done);
                             });
  }

  void writeChunk(std::vector<uint8_t> chunk, const StreamChannel::Completion& done) {
    if (phase_ != Phase::streaming) return done(false);
    chunk_ = std::move(chunk);
    tcp().expires_after(server_.options.requestDeadline);  // per chunk: a producer may take its time
    asio::async_write(stream_, http::make_chunk(asio::buffer(chunk_)),
                      [self = shared_from_this(), done](beast::error_code ec, size_t) {
                        self->onStreamWritten(ec, done);
                      });
  }

 private:
  enum class Phase { handshake, awaitingRequest, readingRequest, handling, writing, streaming, lingering, closed };

  void onStreamWritten(beast::error_code ec, const StreamChannel::Completion& done) {
    if (ec && phase_ != Phase::closed) close();
    done(!ec && phase_ == Phase::streaming);
  }

  beast::tcp_stream& tcp() { return beast::get_lowest_layer(stream_); }

  void handshake() {
    if (server_.stopping) return close();
    phase_ = Phase::handshake;
    // This deadline also covers waiting for the first byte of the first request (awaitRequest).
    tcp().expires_after(server_.options.handshakeTimeout);
    stream_.async_handshake(ssl::stream_base::server,
                            beast::bind_front_handler(&Session::onHandshake, shared_from_this()));
  }

  void onHandshake(beast::error_code ec) {
    if (phase_ == Phase::closed) return;
    if (ec == beast::error::timeout) ++server_.handshakeTimeouts;
    if (ec) return close();
    if (const X509* certificate = SSL_get0_peer_certificate(stream_.native_handle())) {
      Result<std::string> pin = spkiPin(certificate);
      if (!pin) return close();
      peerPin_ = std::move(*pin);
    }
    awaitRequest();
  }

  // Waits for the first byte of the next request under the idle timeout; the request deadline
  // starts when it arrives, so a slow sender cannot stretch a request over the idle time.
  void awaitRequest() {
    if (server_.stopping) return close();
    phase_ = Phase::awaitingRequest;
    if (!firstRequest_) {
      server_.sessionIdle(id_, authenticated_);
      tcp().expires_after(server_.options.idleTimeout);
    }
    if (buffer_.size() > 0) return readRequest();  // a pipelined request is already here
    stream_.async_read_some(buffer_.prepare(kFirstReadBytes),
                            beast::bind_front_handler(&Session::onFirstBytes, shared_from_this()));
  }

  void onFirstBytes(beast::error_code ec, size_t size) {
    if (phase_ == Phase::closed) return;
    if (ec == beast::error::timeout && firstRequest_) ++server_.handshakeTimeouts;
    if (ec) return close();  // the client left, or idled past the timeout
    buffer_.commit(size);
    readRequest();
  }

  void readRequest() {
    phase_ = Phase::readingRequest;
    // An idle connection that the table closed to make room while these bytes arrived is gone.
    if (!firstRequest_ && !server_.sessionBusy(id_)) return close();
    tcp().expires_after(server_.options.requestDeadline);
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(
        std::min<size_t>(server_.options.maxHeaderBytes, std::numeric_limits<uint32_t>::max())));
    // The parser compares Content-Length with this limit as soon as the header is complete, so an
    // oversized body is refused before any of it is read. Chunked bodies are cut off at the limit.
    parser_->body_limit(server_.options.maxBodyBytes);
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&Session::onHeader, shared_from_this()));
  }

  void onHeader(beast::error_code ec, size_t) {
    if (phase_ == Phase::closed) return;
    if (ec) return onReadFailed(ec);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::onBody, shared_from_this()));
  }

  void onBody(beast::error_code ec, size_t) {
    if (phase_ == Phase::closed) return;
    if (ec) return onReadFailed(ec);
    if (firstRequest_) {
      // The first whole request: the connection stops counting as handshaking, unless the table
      // already closed it to make room for a newcomer.
      firstRequest_ = false;
      if (!server_.sessionEstablished(id_)) return close();
    }
    handle();
  }

  void onReadFailed(beast::error_code ec) {
    if (ec == http::error::header_limit) return refuse(431, "request header too large\n");
    if (ec == http::error::body_limit) return refuse(413, "request body too large\n");
    if (isHttpError(ec) && ec != http::error::end_of_stream && ec != http::error::partial_message) {
      return refuse(400, "malformed request\n");
    }
    close();  // timed out, or the connection broke: nobody to answer
  }

  void handle() {
    phase_ = Phase::handling;
    auto& message = parser_->get();
    HttpRequest request;
    request.method = std::string(message.method_string());
    request.target = std::string(message.target());
    request.contentType = std::string(message[http::field::content_type]);
    request.signedRequest = std::string(message["Liaison-Request"]);
    request.body = std::move(message.body());
    request.peerPin = peerPin_;
    request.remote = remote_;
    const bool keepAlive = message.keep_alive();
    parser_.reset();

    asio::post(
        *server_.workers, [self = shared_from_this(), request = std::move(request), keepAlive]() mutable {
          HttpResponse response = self->server_.runHandler(request);
          if (response.authenticated) self->authenticated_ = true;
          if (response.stream) return self->streamResponse(std::move(response), keepAlive);
          asio::any_io_executor strand = self->executor();
          asio::post(strand, [self = std::move(self), response = std::move(response), keepAlive]() mutable {
            self->writeResponse(std::move(response), keepAlive);
          });
        });
  }

  // On the handler's worker: sends the head, runs the producer, then ends the body on the strand.
  void streamResponse(HttpResponse response, bool keepAlive) {
    std::function<void(const ChunkSink&)> produce = std::move(response.stream);
    auto channel = std::make_shared<StreamChannel>(weak_from_this());
    // 204 and 304 have no body to stream.
    const bool sendable = isSendable(response) && response.status != 204 && response.status != 304;
    if (!sendable) {
      channel->close();
      asio::post(executor(), [self = shared_from_this(), keepAlive] {
        self->writeResponse(plainResponse(500, "internal error\n"), keepAlive);
      });
    } else if (!beginStream(channel)) {
      channel->close();
      asio::post(executor(), [self = shared_from_this()] { self->close(); });
    } else {
      response.body.clear();
      channel->write([response = std::move(response), keepAlive](Session& session, StreamChannel::Completion done) {
        session.writeStreamHead(response, keepAlive, done);
      });
    }

    const ChunkSink sink = [channel](std::vector<uint8_t> chunk) {
      if (chunk.empty()) return channel->open();
      return channel->write([chunk = std::move(chunk)](Session& session, StreamChannel::Completion done) mutable {
        session.writeChunk(std::move(chunk), done);
      });
    };
    bool threw = false;
    try {
      produce(sink);
    } catch (...) {
      threw = true;  // the head is gone: all that is left to say is a cut-off body
    }
    if (!sendable) return;  // the 500 is on its way
    if (threw) channel->close();
    const bool ended = channel->finish();
    asio::post(executor(), [self = shared_from_this(), ended] { ended ? self->endStream() : self->close(); });
  }

  // Registers the channel for stop() to close; false when stop() has begun.
  bool beginStream(std::shared_ptr<StreamChannel> channel) {
    std::lock_guard lock(server_.sessionsMutex);
    if (server_.stopping) return false;
    channel_ = std::move(channel);
    return true;
  }

  void endStream() {
    if (phase_ != Phase::streaming) return;
    tcp().expires_after(server_.options.requestDeadline);
    asio::async_write(stream_, http::make_chunk_last(), [self = shared_from_this()](beast::error_code ec, size_t) {
      if (self->phase_ == Phase::closed) return;
      if (ec) return self->close();
      const bool keepAlive = self->streamHead_->keep_alive();
      self->streamSerializer_.reset();
      self->streamHead_.reset();
      self->chunk_ = {};
      if (!keepAlive) return self->close();
      self->awaitRequest();
    });
  }

  void writeResponse(HttpResponse response, bool keepAlive) {
    if (phase_ == Phase::closed) return;  // cut off by stop() while the handler ran
    if (!isSendable(response)) response = plainResponse(500, "internal error\n");
    if (response.status == 204 || response.status == 304) response.body.clear();  // must not have one
    send(std::move(response), keepAlive && !server_.stopping);
  }

  void send(HttpResponse response, bool keepAlive) {
    phase_ = Phase::writing;
    Response& message = response_.emplace();
    setHead(message, response, keepAlive);
    message.body() = std::move(response.body);
    message.prepare_payload();
    tcp().expires_after(server_.options.requestDeadline);
    http::async_write(stream_, message, beast::bind_front_handler(&Session::onWritten, shared_from_this()));
  }

  void onWritten(beast::error_code ec, size_t) {
    if (phase_ == Phase::closed) return;
    if (ec) return close();
    const bool keepAlive = response_->keep_alive();
    response_.reset();
    if (refused_) return linger();
    if (!keepAlive) return close();
    awaitRequest();
  }

  // Answers a request that will not be read to its end, then closes the connection. The
  // onRejected hook (the node audits there) runs on a worker first: nothing leaves before it.
  void refuse(unsigned status, std::string_view text) {
    refused_ = true;
    parser_.reset();
    if (!server_.options.onRejected) return send(plainResponse(status, text), /*keepAlive=*/false);
    phase_ = Phase::handling;
    RejectedRequest rejected{status, std::string(text), peerPin_, remote_};
    asio::post(*server_.workers, [self = shared_from_this(), rejected = std::move(rejected)]() mutable {
      try {
        self->server_.options.onRejected(rejected);
      } catch (...) {
        // The refusal goes out regardless; it carries nothing but its status.
      }
      asio::any_io_executor strand = self->executor();
      asio::post(strand, [self = std::move(self), rejected = std::move(rejected)] {
        if (self->phase_ == Phase::closed) return;
        self->send(plainResponse(rejected.status, rejected.text), /*keepAlive=*/false);
      });
    });
  }

  // The rest of a refused request is never read. Closing a socket with unread input makes the kernel
  // send a reset, which can destroy the refusal before the client reads it; so shut our side first
  // (the client sees the end of the response) and close a little later, or when stop() comes.
  void linger() {
    phase_ = Phase::lingering;
    beast::error_code ignored;
    tcp().socket().shutdown(tcp::socket::shutdown_send, ignored);
    lingerTimer_.expires_after(std::min(kLingerAfterRefusal, server_.options.requestDeadline));
    lingerTimer_.async_wait([self = shared_from_this()](beast::error_code) {
      if (self->phase_ != Phase::closed) self->close();
    });
  }

  Impl& server_;
  const uint64_t id_;
  beast::ssl_stream<beast::tcp_stream> stream_;
  beast::flat_buffer buffer_;
  std::optional<RequestParser> parser_;
  std::optional<Response> response_;
  // A streamed response: its head and the serializer that wrote it, and the chunk being written.
  std::optional<StreamHead> streamHead_;
  std::optional<http::response_serializer<http::empty_body>> streamSerializer_;
  std::vector<uint8_t> chunk_;
  std::shared_ptr<StreamChannel> channel_;  // the latest stream's; guarded by server_.sessionsMutex
  asio::steady_timer lingerTimer_;
  std::optional<std::string> peerPin_;
  const std::string remote_;
  Phase phase_ = Phase::handshake;
  bool firstRequest_ = true;
  bool refused_ = false;
  // Set by a worker before it posts the response to the strand, read on the strand after that.
  std::atomic<bool> authenticated_{false};
};

bool HttpsServer::Impl::StreamChannel::write(Write start) {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [this] { return !busy_ || closed_; });
  if (closed_) return false;
  {
    std::shared_ptr<Session> session = session_.lock();
    if (!session) {
      closed_ = true;
      changed_.notify_all();
      return false;
    }
    busy_ = true;
    done_ = false;
    // Still under the mutex: once stop() has closed this channel, nothing is posted to its strand.
    // The posted handler holds the session, so this reference is never the last.
    asio::post(session->executor(), [session, self = shared_from_this(), start = std::move(start)] {
      start(*session, [self](bool written) { self->completed(written); });
    });
  }
  changed_.wait(lock, [this] { return done_ || closed_; });
  busy_ = false;
  changed_.notify_all();
  return !closed_;
}

Status HttpsServer::Impl::configureTls() {
  SSL_CTX* context = tls.native_handle();
  // TLS 1.3 only: every peer is ours, so there is nothing older to be compatible with.
  SSL_CTX_set_min_proto_version(context, TLS1_3_VERSION);
  SSL_CTX_set_max_proto_version(context, TLS1_3_VERSION);
  // No resumption: every connection does a full handshake, so every request's peerPin comes from a
  // certificate the client proved just now that it holds the key of.
  SSL_CTX_set_options(context, SSL_OP_NO_TICKET);
  SSL_CTX_set_num_tickets(context, 0);
  SSL_CTX_set_session_cache_mode(context, SSL_SESS_CACHE_OFF);
  // Ask for a client certificate, but serve officers' clients that have none.
  SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nullptr);
  SSL_CTX_set_cert_verify_callback(context, acceptAnyClientCertificate, nullptr);
  return useTlsIdentity(context, options.certificateFile, options.keyFile);
}

Status HttpsServer::Impl::listen() {
  beast::error_code ec;
  const asio::ip::address address = asio::ip::make_address(options.bindAddress, ec);
  if (ec) {
    return fail(ErrorKind::invalidInput,
                "bind address \"" + options.bindAddress + "\" is not an IP address (use e.g. 0.0.0.0 or ::)");
  }
  const tcp::endpoint endpoint(address, options.port);
  const std::string where = describeEndpoint(endpoint);
  acceptor.emplace(asio::make_strand(io));
  auto failed = [&](std::string_view action) {
    std::string message = "cannot " + std::string(action) + " " + where + ": " + ec.message();
    acceptor.reset();
    return fail(ErrorKind::unavailable, std::move(message));
  };
  if (acceptor->open(endpoint.protocol(), ec)) return failed("open a socket for");
  if (acceptor->set_option(asio::socket_base::reuse_address(true), ec)) return failed("configure");
  if (acceptor->bind(endpoint, ec)) return failed("bind to");
  if (acceptor->listen(asio::socket_base::max_listen_connections, ec)) return failed("listen on");
  boundPort = acceptor->local_endpoint(ec).port();
  acceptRetry.emplace(acceptor->get_executor());
  return {};
}

void HttpsServer::Impl::accept() {
  acceptor->async_accept(asio::make_strand(io), beast::bind_front_handler(&Impl::onAccept, this));
}

void HttpsServer::Impl::onAccept(beast::error_code ec, tcp::socket socket) {
  if (ec == asio::error::operation_aborted || stopping) return;  // the socket, if any, closes here
  if (ec) {
    acceptRetry->expires_after(kAcceptRetryDelay);
    acceptRetry->async_wait([this](beast::error_code waited) {
      if (!waited && !stopping) accept();
    });
    return;
  }
  beast::error_code ignored;
  const tcp::endpoint peer = socket.remote_endpoint(ignored);
  std::string remote = describeEndpoint(peer);
  // Answers are written in one go and the client waits for them: Nagle's algorithm would only
  // hold the last segment back for a delayed ACK.
  socket.set_option(tcp::no_delay(true), ignored);
  std::shared_ptr<Session> session;
  ConnectionTable::Admission admission;
  {
    std::lock_guard lock(sessionsMutex);
    // Checked under the lock that stop() takes to list sessions, so no session slips past it.
    if (!stopping) {
      const uint64_t id = nextSessionId++;
      admission = table.admit(id, sourceOf(peer.address().to_string()));
      if (admission.admitted) {
        session = std::make_shared<Session>(*this, id, std::move(socket), std::move(remote));
        sessions.emplace(id, session);
        active = sessions.size();
        handshaking = table.handshaking();
        ++accepted;
      } else {
        ++(admission.refusal == ConnectionClosure::refusedAddressFull ? refusedPerAddress : refusedFull);
      }
    }
  }
  closeEvicted(admission.evicted);
  if (session) {
    session->start();
  } else {
    socket.close(ignored);  // refused: closed at once rather than queued
  }
  accept();
}

void HttpsServer::Impl::closeEvicted(const std::vector<std::pair<uint64_t, ConnectionClosure>>& evicted) {
  for (const auto& [id, why] : evicted) {
    ++(why == ConnectionClosure::evictedIdle ? evictedIdle : evictedHandshaking);
    std::shared_ptr<Session> victim;
    {
      std::lock_guard lock(sessionsMutex);
      if (auto it = sessions.find(id); it != sessions.end()) victim = it->second.lock();
    }
    // The table has already let it go: if it moves on before this runs, it finds out and closes.
    if (victim) asio::post(victim->executor(), [victim] { victim->close(); });
  }
}

bool HttpsServer::Impl::sessionEstablished(uint64_t id) {
  std::lock_guard lock(sessionsMutex);
  const bool kept = table.established(id);
  handshaking = table.handshaking();
  return kept;
}

bool HttpsServer::Impl::sessionBusy(uint64_t id) {
  std::lock_guard lock(sessionsMutex);
  return table.busy(id);
}

void HttpsServer::Impl::sessionIdle(uint64_t id, bool authenticated) {
  std::lock_guard lock(sessionsMutex);
  table.idle(id, authenticated);
  handshaking = table.handshaking();
}

HttpResponse HttpsServer::Impl::runHandler(const HttpRequest& request) const {
  try {
    return handler(request);
  } catch (...) {
    // Deliberately generic: the exception's text may name records or people.
    return plainResponse(500, "internal error\n");
  }
}

std::vector<std::shared_ptr<HttpsServer::Impl::Session>> HttpsServer::Impl::liveSessions() {
  std::vector<std::shared_ptr<Session>> live;
  std::lock_guard lock(sessionsMutex);
  for (auto& [id, weak] : sessions) {
    if (auto session = weak.lock()) live.push_back(std::move(session));
  }
  return live;
}

void HttpsServer::Impl::forgetSession(uint64_t id) {
  std::lock_guard lock(sessionsMutex);
  sessions.erase(id);
  table.remove(id);
  active = sessions.size();
  handshaking = table.handshaking();
  sessionsEnded.notify_all();
}

void HttpsServer::Impl::waitForSessionsToEnd(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(sessionsMutex);
  sessionsEnded.wait_until(lock, deadline, [this] { return sessions.empty(); });
}

HttpsServer::HttpsServer(ServerOptions options, Handler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}

HttpsServer::~HttpsServer() { stop(); }

Status HttpsServer::start() {
  Impl& s = *impl_;
  std::lock_guard lifecycle(s.lifecycleMutex);
  if (s.started) return fail(ErrorKind::conflict, "this HTTPS server was already started; make a new one");
  const ServerOptions& o = s.options;
  if (!s.handler) return fail(ErrorKind::invalidInput, "no request handler given");
  if (o.ioThreads == 0 || o.workerThreads == 0 || o.maxConnections == 0 || o.maxHeaderBytes == 0 ||
      o.maxConnectionsPerAddress == 0 || o.maxHandshakingConnections == 0) {
    return fail(ErrorKind::invalidInput,
                "ioThreads, workerThreads, maxConnections, maxConnectionsPerAddress, maxHandshakingConnections "
                "and maxHeaderBytes must be > 0");
  }
  if (o.requestDeadline.count() <= 0 || o.idleTimeout.count() <= 0 || o.handshakeTimeout.count() <= 0) {
    return fail(ErrorKind::invalidInput, "requestDeadline, handshakeTimeout and idleTimeout must be positive");
  }
  if (Status configured = s.configureTls(); !configured) return configured;
  if (Status listening = s.listen(); !listening) return listening;

  s.started = true;
  s.keepRunning.emplace(s.io.get_executor());
  s.workers.emplace(o.workerThreads);
  s.accept();
  for (size_t i = 0; i < o.ioThreads; ++i) s.ioThreads.emplace_back([&s] { s.io.run(); });
  return {};
}

uint16_t HttpsServer::port() const { return impl_->boundPort; }

void HttpsServer::stop() {
  Impl& s = *impl_;
  std::lock_guard lifecycle(s.lifecycleMutex);
  if (!s.started || s.stopped) return;
  s.stopped = true;
  {
    std::lock_guard lock(s.sessionsMutex);
    s.stopping = true;
  }
  // Streams have no end to wait for: their sinks return false from now on (see beginStream).
  for (auto& session : s.liveSessions()) session->cancelStream();

  // No new connections; idle ones go now. Sessions that become idle later see `stopping` themselves.
  asio::post(s.acceptor->get_executor(), [&s] {
    beast::error_code ignored;
    s.acceptor->close(ignored);
    s.acceptRetry->cancel();
  });
  for (auto& session : s.liveSessions()) {
    asio::post(session->executor(), [session] { session->closeIfIdle(); });
  }
  s.waitForSessionsToEnd(std::chrono::steady_clock::now() + s.options.requestDeadline);

  // Past the deadline: cut off what is left. A handler still running cannot be interrupted; the
  // pool's join waits for it and its response finds the connection closed.
  for (auto& session : s.liveSessions()) {
    asio::post(session->executor(), [session] { session->close(); });
  }
  s.workers->join();
  s.keepRunning.reset();
  s.waitForSessionsToEnd(std::chrono::steady_clock::now() + kForcedCloseGrace);
  s.io.stop();
  for (auto& thread : s.ioThreads) thread.join();
  s.ioThreads.clear();
}

uint64_t HttpsServer::activeConnections() const { return impl_->active; }

uint64_t HttpsServer::acceptedConnections() const { return impl_->accepted; }

ConnectionStats HttpsServer::connectionStats() const {
  const Impl& s = *impl_;
  return ConnectionStats{s.active,      s.handshaking,        s.accepted,    s.refusedPerAddress,
                         s.refusedFull, s.evictedHandshaking, s.evictedIdle, s.handshakeTimeouts};
}

}  // namespace liaison::net
