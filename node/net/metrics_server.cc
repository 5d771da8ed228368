// One Exchange per connection, on the listener's single thread: read one request under the
// deadline, answer it, close. Nothing a client sends here reaches anything but the router below.
#include "node/net/metrics_server.h"

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <utility>

namespace liaison::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct MetricsServer::Impl {
  class Exchange;

  Impl(MetricsServerOptions serverOptions, MetricsText metricsText)
      : options(std::move(serverOptions)), text(std::move(metricsText)) {}

  void accept();

  const MetricsServerOptions options;
  const MetricsText text;
  // Touched on the listener's thread, and by stop() after that thread has ended.
  std::set<Exchange*> exchanges;
  std::atomic<uint16_t> boundPort{0};
  std::mutex lifecycleMutex;  // serialises start() and stop()
  bool started = false;
  bool stopped = false;
  std::thread thread;
  // Last: pending handlers it destroys at destruction still see the members above.
  asio::io_context io{1};
  std::optional<tcp::acceptor> acceptor;
};

class MetricsServer::Impl::Exchange : public std::enable_shared_from_this<Exchange> {
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
    // One deadline for the whole exchange: a client that trickles bytes gets no more time.
    stream_.expires_after(server_.options.deadline);
    parser_.header_limit(static_cast<uint32_t>(server_.options.maxHeaderBytes));
    http::async_read(stream_, buffer_, parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t) { self->onRead(ec); });
  }

 private:
  void onRead(beast::error_code ec) {
    if (ec == http::error::header_limit) return answer(431, "request header too large\n");
    if (ec == http::error::unexpected_body) return answer(400, "requests here carry no body\n");
    if (ec && &ec.category() == &http::make_error_code(http::error::bad_target).category() &&
        ec != http::error::end_of_stream && ec != http::error::partial_message) {
      return answer(400, "malformed request\n");
    }
    if (ec) return;  // timed out or gone: nobody to answer
    const auto& request = parser_.get();
    if (request.target() != "/metrics") return answer(404, "not found: metrics are at /metrics\n");
    if (request.method() != http::verb::get) return answer(405, "use GET\n");
    answer(200, server_.text(), "text/plain; version=0.0.4");
  }

  void answer(unsigned status, std::string body, const char* contentType = "text/plain; charset=utf-8") {
    response_.version(11);
    response_.result(status);
    response_.set(http::field::server, "liaison");
    response_.set(http::field::content_type, contentType);
    response_.body() = std::move(body);
    response_.keep_alive(false);
    response_.prepare_payload();
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
  http::response<http::string_body> response_;
};

void MetricsServer::Impl::accept() {
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

MetricsServer::MetricsServer(MetricsServerOptions options, MetricsText text)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(text))) {}

MetricsServer::~MetricsServer() { stop(); }

Status MetricsServer::start() {
  Impl& s = *impl_;
  std::lock_guard lifecycle(s.lifecycleMutex);
  if (s.started)
    return fail(ErrorKind::conflict, "this metrics listener was already started; make a new one");
  if (!s.text || s.options.maxConnections == 0 || s.options.maxHeaderBytes == 0 ||
      s.options.deadline.count() <= 0) {
    return fail(ErrorKind::invalidInput, "the metrics listener needs a text source and positive limits");
  }
  beast::error_code ec;
  const asio::ip::address address = asio::ip::make_address(s.options.bindAddress, ec);
  if (ec) {
    return fail(ErrorKind::invalidInput, "metrics listen address \"" + s.options.bindAddress +
                                             "\" is not an IP address (e.g. 127.0.0.1)");
  }
  const tcp::endpoint endpoint(address, s.options.port);
  const std::string where = (address.is_v6() ? "[" + address.to_string() + "]" : address.to_string()) + ":" +
                            std::to_string(s.options.port);
  s.acceptor.emplace(s.io);
  auto failed = [&](const char* action) {
    std::string message = "metrics listener: cannot " + std::string(action) + " " + where + ": " +
                          ec.message() + " (set metrics_listen to a free port, or \"off\")";
    s.acceptor.reset();
    return fail(ErrorKind::unavailable, std::move(message));
  };
  if (s.acceptor->open(endpoint.protocol(), ec)) return failed("open a socket for");
  if (s.acceptor->set_option(asio::socket_base::reuse_address(true), ec)) return failed("configure");
  if (s.acceptor->bind(endpoint, ec)) return failed("bind to");
  if (s.acceptor->listen(asio::socket_base::max_listen_connections, ec)) return failed("listen on");
  s.boundPort = s.acceptor->local_endpoint(ec).port();
  s.started = true;
  s.accept();
  s.thread = std::thread([&s] { s.io.run(); });
  return {};
}

uint16_t MetricsServer::port() const { return impl_->boundPort; }

void MetricsServer::stop() {
  Impl& s = *impl_;
  std::lock_guard lifecycle(s.lifecycleMutex);
  if (!s.started || s.stopped) return;
  s.stopped = true;
  s.io.stop();
  s.thread.join();
  // Nothing runs on the listener's thread any more. Exchanges still open are cut off: a scrape in
  // progress is simply repeated by the scraper.
  beast::error_code ignored;
  s.acceptor->close(ignored);
  for (Impl::Exchange* exchange : s.exchanges) exchange->close();
}

}  // namespace liaison::net
