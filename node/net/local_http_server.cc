// One Exchange per connection, on the listener's single thread: read one request under the
// deadline, have the handler answer it (on the listener's thread, or on a handler thread), write
// the answer, close.
#include "node/net/local_http_server.h"

#include <algorithm>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "node/net/metrics_server.h"

namespace liaison::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

std::string_view LocalRequest::header(std::string_view lowerCaseName) const {
  for (const auto& [name, value] : headers) {
    if (name == lowerCaseName) return value;
  }
  return {};
}

struct LocalHttpServer::Impl {
  class Exchange;

  Impl(LocalServerOptions serverOptions, LocalHandler serverHandler)
      : options(std::move(serverOptions)), handler(std::move(serverHandler)) {}

  void accept();

  const LocalServerOptions options;
  const LocalHandler handler;
  // Touched on the listener's thread, and by stop() after that thread has ended.
  std::set<Exchange*> exchanges;
  std::atomic<uint16_t> boundPort{0};
  std::mutex lifecycleMutex;  // serialises start() and stop()
  bool started = false;
  bool stopped = false;
  std::thread thread;
  std::optional<asio::thread_pool> handlers;  // when options.handlerThreads > 0
  // Last: pending handlers it destroys at destruction still see the members above.
  asio::io_context io{1};
  std::optional<tcp::acceptor> acceptor;
};

namespace {

// The handler's answer, or a generic 500 when it threw.
HttpResponse answerOf(const LocalHandler& handler, const LocalRequest& request) {
  try {
    return handler(request);
  } catch (...) {
    HttpResponse failed;
    failed.status = 500;
    failed.contentType = "text/plain; charset=utf-8";
    const std::string text = "internal error\n";
    failed.body.assign(text.begin(), text.end());
    return failed;
  }
}

std::string lowerCase(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

}  // namespace

class LocalHttpServer::Impl::Exchange : public std::enable_shared_from_this<Exchange> {
 public:
  Exchange(Impl& server, tcp::socket&& socket) : server_(server), stream_(std::move(socket)) {
    server_.exchanges.insert(this);
  }
  ~Exchange() { server_.exchanges.erase(this); }
  Exchange(const Exchange&) = delete;
  Exchange& operator=(const Exchange&) = delete;

  // For stop(), once the listener's thread has ended.
  void close() { stream_.close(); }

  void start() {
    // One deadline for reading: a client that trickles bytes gets no more time.
    stream_.expires_after(server_.options.deadline);
    parser_.header_limit(static_cast<uint32_t>(server_.options.maxHeaderBytes));
    http::async_read(stream_, buffer_, parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t) { self->onRead(ec); });
  }

 private:
  void onRead(beast::error_code ec) {
    if (ec == http::error::header_limit) return plain(431, "request header too large\n");
    if (ec == http::error::unexpected_body) return plain(400, "requests here carry no body\n");
    if (ec && &ec.category() == &http::make_error_code(http::error::bad_target).category() &&
        ec != http::error::end_of_stream && ec != http::error::partial_message) {
      return plain(400, "malformed request\n");
    }
    if (ec) return;  // timed out or gone: nobody to answer
    stream_.expires_never();
    const auto& message = parser_.get();
    request_.method = std::string(message.method_string());
    request_.target = std::string(message.target());
    for (const auto& field : message) {
      const auto name = field.name_string();
      request_.headers.emplace_back(lowerCase(std::string_view(name.data(), name.size())), std::string(field.value()));
    }
    if (!server_.handlers) return answer(answerOf(server_.handler, request_));
    // The exchange goes to a handler thread and comes back: its last reference must end on the
    // listener's thread, which alone touches the server's set of exchanges, so the handler thread
    // hands its reference on rather than dropping it.
    asio::post(*server_.handlers, [self = shared_from_this()]() mutable {
      HttpResponse response = answerOf(self->server_.handler, self->request_);
      Impl& server = self->server_;
      asio::post(server.io, [self = std::move(self), response = std::move(response)]() { self->answer(response); });
    });
  }

  void plain(unsigned status, const char* text) {
    HttpResponse response;
    response.status = status;
    response.contentType = "text/plain; charset=utf-8";
    response.body.assign(text, text + std::char_traits<char>::length(text));
    answer(response);
  }

  void answer(const HttpResponse& answer) {
    response_.version(11);
    response_.result(answer.status >= 200 && answer.status <= 599 ? answer.status : 500);
    response_.set(http::field::server, "liaison");
    response_.set(http::field::content_type, answer.contentType);
    for (const auto& [name, value] : answer.headers) response_.set(name, value);
    response_.body().assign(answer.body.begin(), answer.body.end());
    response_.keep_alive(false);
    response_.prepare_payload();
    stream_.expires_after(server_.options.deadline);
    http::async_write(stream_, response_, [self = shared_from_this()](beast::error_code, size_t) {
      beast::error_code ignored;
      self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
      self->stream_.close();
    });
  }

  Impl& server_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  http::request_parser<http::empty_body> parser_;
  LocalRequest request_;
  http::response<http::string_body> response_;
};

void LocalHttpServer::Impl::accept() {
  acceptor->async_accept([this](beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor->is_open()) return;
    if (!ec) {
      if (exchanges.size() < options.maxConnections) {
        std::make_shared<Exchange>(*this, std::move(socket))->start();
      } else {
        beast::error_code ignored;
        socket.close(ignored);
      }
    }
    accept();
  });
}

LocalHttpServer::LocalHttpServer(LocalServerOptions options, LocalHandler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}

LocalHttpServer::~LocalHttpServer() { stop(); }

Status LocalHttpServer::start() {
  Impl& s = *impl_;
  std::lock_guard lifecycle(s.lifecycleMutex);
  if (s.started) return fail(ErrorKind::conflict, "this " + s.options.name + " was already started; make a new one");
  if (!s.handler || s.options.maxConnections == 0 || s.options.maxHeaderBytes == 0 ||
      s.options.deadline.count() <= 0) {
    return fail(ErrorKind::invalidInput, "the " + s.options.name + " needs a handler and positive limits");
  }
  beast::error_code ec;
  const asio::ip::address address = asio::ip::make_address(s.options.bindAddress, ec);
  if (ec) {
    return fail(ErrorKind::invalidInput,
                s.options.name + " address \"" + s.options.bindAddress + "\" is not an IP address (e.g. 127.0.0.1)");
  }
  const tcp::endpoint endpoint(address, s.options.port);
  const std::string where = (address.is_v6() ? "[" + address.to_string() + "]" : address.to_string()) + ":" +
                            std::to_string(s.options.port);
  s.acceptor.emplace(s.io);
  auto failed = [&](const char* action) {
    std::string message = s.options.name + ": cannot " + std::string(action) + " " + where + ": " + ec.message() +
                          (s.options.bindHint.empty() ? "" : " (" + s.options.bindHint + ")");
    s.acceptor.reset();
    return fail(ErrorKind::unavailable, std::move(message));
  };
  if (s.acceptor->open(endpoint.protocol(), ec)) return failed("open a socket for");
  if (s.acceptor->set_option(asio::socket_base::reuse_address(true), ec)) return failed("configure");
  if (s.acceptor->bind(endpoint, ec)) return failed("bind to");
  if (s.acceptor->listen(asio::socket_base::max_listen_connections, ec)) return failed("listen on");
  s.boundPort = s.acceptor->local_endpoint(ec).port();
  s.started = true;
  if (s.options.handlerThreads > 0) s.handlers.emplace(s.options.handlerThreads);
  s.accept();
  s.thread = std::thread([&s] { s.io.run(); });
  return {};
}

uint16_t LocalHttpServer::port() const { return impl_->boundPort; }

void LocalHttpServer::stop() {
  Impl& s = *impl_;
  std::lock_guard lifecycle(s.lifecycleMutex);
  if (!s.started || s.stopped) return;
  s.stopped = true;
  s.io.stop();
  s.thread.join();
  if (s.handlers) s.handlers->join();  // a handler still running finishes; its answer is dropped
  // Nothing runs on the listener's thread any more. Exchanges still open are cut off.
  beast::error_code ignored;
  s.acceptor->close(ignored);
  for (Impl::Exchange* exchange : s.exchanges) exchange->close();
}

// --- the metrics listener -------------------------------------------------------------------------

struct MetricsServer::Impl {
  Impl(LocalServerOptions options, LocalHandler handler, bool hasText)
      : server(std::move(options), std::move(handler)), hasText(hasText) {}
  LocalHttpServer server;
  const bool hasText;
};

MetricsServer::MetricsServer(MetricsServerOptions options, MetricsText text) {
  LocalServerOptions local;
  local.bindAddress = options.bindAddress;
  local.port = options.port;
  local.maxConnections = options.maxConnections;
  local.maxHeaderBytes = options.maxHeaderBytes;
  local.deadline = options.deadline;
  local.name = "metrics listener";
  local.bindHint = "set metrics_listen to a free port, or \"off\"";
  const bool hasText = static_cast<bool>(text);
  auto answer = [text = std::move(text)](const LocalRequest& request) {
    HttpResponse response;
    response.contentType = "text/plain; charset=utf-8";
    std::string body;
    if (request.target != "/metrics") {
      response.status = 404;
      body = "not found: metrics are at /metrics\n";
    } else if (request.method != "GET") {
      response.status = 405;
      body = "use GET\n";
    } else {
      body = text ? text() : std::string();
      response.contentType = "text/plain; version=0.0.4";
    }
    response.body.assign(body.begin(), body.end());
    return response;
  };
  impl_ = std::make_unique<Impl>(std::move(local), std::move(answer), hasText);
}

MetricsServer::~MetricsServer() = default;

Status MetricsServer::start() {
  if (!impl_->hasText) return fail(ErrorKind::invalidInput, "the metrics listener needs a text source");
  return impl_->server.start();
}

uint16_t MetricsServer::port() const { return impl_->server.port(); }

void MetricsServer::stop() { impl_->server.stop(); }

}  // namespace liaison::net
