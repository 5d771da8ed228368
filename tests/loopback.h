// Raw loopback sockets for tests that play the clients a real client library will not be: silent
// ones, floods from several local addresses (127.0.0.2, 127.0.0.3, ... are all this machine), and
// plain HTTP by hand. Header-only, shared by the unit and the PostgreSQL tests.
#pragma once

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

namespace liaison::testing {

/// Owns a socket descriptor.
class Socket {
 public:
  explicit Socket(int fd) : fd_(fd) {}
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

/// A TCP connection to 127.0.0.1:`port` from 127.0.0.`sourceHost`, whose reads give up after
/// `readTimeout`; -1 if it could not be made. With `wait` false the connect is not waited for
/// (the socket is non-blocking), as a flood would do it.
inline int connectLoopback(uint16_t port,
                           std::chrono::milliseconds readTimeout = std::chrono::milliseconds(5000),
                           uint8_t sourceHost = 1, bool wait = true) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | (wait ? 0 : SOCK_NONBLOCK), 0);
  if (fd < 0) return -1;
  timeval timeout{};
  timeout.tv_sec = readTimeout.count() / 1000;
  timeout.tv_usec = (readTimeout.count() % 1000) * 1000;
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  sockaddr_in source{};
  source.sin_family = AF_INET;
  source.sin_addr.s_addr = htonl(INADDR_LOOPBACK - 1 + sourceHost);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&source), sizeof source) != 0 ||
      (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 &&
       (wait || errno != EINPROGRESS))) {
    ::close(fd);
    return -1;
  }
  return fd;
}

/// A TCP port on 127.0.0.1 that nothing listens on now, below the range the kernel takes the
/// local ends of outgoing connections from (ip_local_port_range, 32768-60999 by default). Nodes
/// that a test stops and starts again listen on such a port: a port the kernel chose for port 0
/// lies in that range, and between the stop and the restart any client socket on the machine may
/// take it as its own end, so the restart cannot bind it (seen in CI under parallel tests).
inline uint16_t unusedListenPort() {
  constexpr uint16_t kFirst = 20000, kCount = 12000;
  for (int attempt = 0; attempt < 1000; ++attempt) {
    uint16_t draw = 0;
    if (::getrandom(&draw, sizeof draw, 0) != static_cast<ssize_t>(sizeof draw)) continue;
    const auto port = static_cast<uint16_t>(kFirst + draw % kCount);
    Socket probe(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (probe.get() < 0) continue;
    const int on = 1;
    ::setsockopt(probe.get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);  // as the node binds
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(probe.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0) return port;
  }
  return 0;  // the kernel's choice, as before
}

/// Whether the peer closes `socket` within the socket's read timeout, discarding anything it sends.
inline bool peerCloses(const Socket& socket) {
  char discard[512];
  for (;;) {
    ssize_t n = ::recv(socket.get(), discard, sizeof discard, 0);
    if (n == 0) return true;
    if (n < 0) return errno == ECONNRESET;
  }
}

/// Sends `request` to 127.0.0.1:`port` over plain TCP and returns everything received until the
/// server closes (at most 5 s).
inline std::string plainHttpExchange(uint16_t port, const std::string& request) {
  Socket socket(connectLoopback(port));
  std::string received;
  if (socket.get() < 0) return received;
  if (!request.empty() && ::send(socket.get(), request.data(), request.size(), MSG_NOSIGNAL) < 0)
    return received;
  char chunk[4096];
  for (ssize_t n; (n = ::recv(socket.get(), chunk, sizeof chunk, 0)) > 0;)
    received.append(chunk, static_cast<size_t>(n));
  return received;
}

/// Keeps `count` silent TCP connections open to 127.0.0.1:`port`, spread over the source hosts
/// given (127.0.0.N), and reopens those the server closes, on a thread of its own: the attacker
/// who never sends a ClientHello. Bounded: at most `reopensPerRound` reopens every 50 ms, and it
/// gives up after `limit` whatever happens. Stops and closes everything when destroyed.
class SilentFlood {
 public:
  SilentFlood(uint16_t port, size_t count, std::vector<uint8_t> sourceHosts,
              std::chrono::seconds limit = std::chrono::seconds(60), size_t reopensPerRound = 100)
      : port_(port),
        hosts_(std::move(sourceHosts)),
        fds_(count, -1),
        reopensPerRound_(reopensPerRound),
        deadline_(std::chrono::steady_clock::now() + limit),
        thread_([this] { run(); }) {}
  SilentFlood(const SilentFlood&) = delete;
  SilentFlood& operator=(const SilentFlood&) = delete;
  ~SilentFlood() {
    stop_ = true;
    thread_.join();
    for (int fd : fds_) {
      if (fd >= 0) ::close(fd);
    }
  }

  /// Connections opened so far, the first ones included.
  uint64_t opened() const { return opened_; }

 private:
  void run() {
    size_t next = 0;
    bool first = true;
    while (!stop_ && std::chrono::steady_clock::now() < deadline_) {
      size_t reopened = 0;
      for (int& fd : fds_) {
        if (fd >= 0 || (!first && reopened >= reopensPerRound_)) continue;
        fd = connectLoopback(port_, std::chrono::milliseconds(1000), hosts_[next++ % hosts_.size()],
                             /*wait=*/false);
        ++reopened;
        ++opened_;
      }
      first = false;
      std::vector<pollfd> watched;
      for (int fd : fds_) watched.push_back(pollfd{fd, POLLIN | POLLRDHUP, 0});
      ::poll(watched.data(), watched.size(), 50);
      for (size_t i = 0; i < watched.size(); ++i) {
        if (watched[i].fd < 0 || watched[i].revents == 0) continue;
        char byte;
        const ssize_t n = ::recv(watched[i].fd, &byte, 1, MSG_DONTWAIT);
        if (n > 0 || (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))) continue;
        ::close(fds_[i]);  // cut by the server: reopen it next round
        fds_[i] = -1;
      }
    }
  }

  const uint16_t port_;
  const std::vector<uint8_t> hosts_;
  std::vector<int> fds_;
  const size_t reopensPerRound_;
  const std::chrono::steady_clock::time_point deadline_;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> opened_{0};
  std::thread thread_;  // last: starts after everything above exists
};

}  // namespace liaison::testing
