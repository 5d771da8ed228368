// Kept-alive connections to one partner node, shared by the threads that call it: a pool of idle
// HttpsClients, each lent to one thread at a time, so that a query fanned out to a partner pays for
// a TLS handshake only when every pooled connection is busy.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <set>
#include <vector>

#include "node/net/https_client.h"

namespace liaison::net {

/// Idle HttpsClients to one server, lent out one thread at a time. Thread-safe. Must outlive every
/// Lease it handed out.
class HttpsClientPool {
 public:
  /// One client, lent to its holder until the Lease is destroyed, when it goes back to the pool's
  /// idle clients (or is dropped if the pool already keeps as many as it may). Movable, not copyable.
  class Lease {
   public:
    Lease(Lease&& other) noexcept;
    Lease& operator=(Lease&& other) noexcept;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease();

    HttpsClient& operator*() const { return *client_; }
    HttpsClient* operator->() const { return client_.get(); }

    /// Drops the client instead of returning it: after a timeout or an error, what state its
    /// connection is in is unknown (a response half read, say), so nobody else should use it.
    void discard() { discarded_ = true; }

   private:
    friend class HttpsClientPool;
    Lease(HttpsClientPool& pool, std::unique_ptr<HttpsClient> client) : pool_(&pool), client_(std::move(client)) {}
    void giveBack();

    HttpsClientPool* pool_;
    std::unique_ptr<HttpsClient> client_;
    bool discarded_ = false;
  };

  /// Clients are made from `options` as needed (they connect on their first request); at most
  /// `maxIdleClients` are kept when returned, the rest are closed.
  explicit HttpsClientPool(ClientOptions options, size_t maxIdleClients = 8);
  HttpsClientPool(const HttpsClientPool&) = delete;
  HttpsClientPool& operator=(const HttpsClientPool&) = delete;

  /// Lends the most recently returned idle client (its connection is the likeliest still open), or
  /// a new one when none is idle. Never blocks on other holders.
  Lease acquire();

  /// TLS handshakes completed by every client this pool made, those discarded or dropped included:
  /// how many connections calling this server cost.
  uint64_t handshakes() const;

  /// Clients waiting in the pool now.
  size_t idleClients() const;

 private:
  void giveBack(std::unique_ptr<HttpsClient> client, bool discard);

  const ClientOptions options_;
  const size_t maxIdleClients_;
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<HttpsClient>> idle_;  // guarded by mutex_; the last returned at the back
  std::set<const HttpsClient*> lent_;               // guarded by mutex_
  uint64_t retiredHandshakes_ = 0;                  // of clients no longer held; guarded by mutex_
};

}  // namespace liaison::net
