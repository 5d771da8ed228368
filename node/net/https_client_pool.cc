#include "node/net/https_client_pool.h"

#include <utility>

namespace liaison::net {

HttpsClientPool::Lease::Lease(Lease&& other) noexcept
    : pool_(other.pool_), client_(std::move(other.client_)), discarded_(other.discarded_) {}

HttpsClientPool::Lease& HttpsClientPool::Lease::operator=(Lease&& other) noexcept {
  if (this != &other) {
    giveBack();
    pool_ = other.pool_;
    client_ = std::move(other.client_);
    discarded_ = other.discarded_;
  }
  return *this;
}

HttpsClientPool::Lease::~Lease() { giveBack(); }

void HttpsClientPool::Lease::giveBack() {
  if (client_) pool_->giveBack(std::move(client_), discarded_);
}

HttpsClientPool::HttpsClientPool(ClientOptions options, size_t maxIdleClients)
    : options_(std::move(options)), maxIdleClients_(maxIdleClients) {}

HttpsClientPool::Lease HttpsClientPool::acquire() {
  std::unique_ptr<HttpsClient> client;
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      client = std::move(idle_.back());
      idle_.pop_back();
      lent_.insert(client.get());
      return Lease(*this, std::move(client));
    }
  }
  // Made outside the lock: it reads the client identity from disk.
  client = std::make_unique<HttpsClient>(options_);
  std::lock_guard lock(mutex_);
  lent_.insert(client.get());
  return Lease(*this, std::move(client));
}

void HttpsClientPool::giveBack(std::unique_ptr<HttpsClient> client, bool discard) {
  std::unique_ptr<HttpsClient> dropped;  // closed outside the lock
  std::lock_guard lock(mutex_);
  lent_.erase(client.get());
  if (discard || idle_.size() >= maxIdleClients_) {
    retiredHandshakes_ += client->handshakes();
    dropped = std::move(client);
  } else {
    idle_.push_back(std::move(client));
  }
}

uint64_t HttpsClientPool::handshakes() const {
  std::lock_guard lock(mutex_);
  uint64_t total = retiredHandshakes_;
  for (const auto& client : idle_) total += client->handshakes();
  for (const HttpsClient* client : lent_) total += client->handshakes();
  return total;
}

size_t HttpsClientPool::idleClients() const {
  std::lock_guard lock(mutex_);
  return idle_.size();
}

}  // namespace liaison::net
