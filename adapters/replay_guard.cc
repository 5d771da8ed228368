#include "adapters/replay_guard.h"

#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "adapters/pg_session.h"

namespace liaison::store {

namespace {

constexpr const char* kClaimSql =
    "INSERT INTO node.nonces (requester, nonce, expires_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING";

// `<`, not `<=`: a request may still be valid at the very second it expires.
constexpr const char* kPurgeSql = "DELETE FROM node.nonces WHERE expires_at < $1";

}  // namespace

/// Connections as liaison_gateway for concurrent callers: a stack of idle ones, grown on demand up
/// to a capacity. Connecting happens outside the lock; a connection that failed is dropped, never
/// handed to the next caller.
class ReplayGuard::ConnectionPool {
 public:
  ConnectionPool(DatabaseTarget target, size_t capacity) : target_(std::move(target)), capacity_(capacity) {}

  /// Runs `work` on a connection of its own and returns what it returns, or the translated error
  /// of whatever it (or connecting) threw, labelled with `what`.
  template <typename T, typename Work>
  Result<T> run(std::string_view what, Work&& work) {
    std::unique_ptr<pqxx::connection> conn = acquire();
    std::optional<T> value;
    try {
      if (!conn) conn = openConnection(target_, DbRole::gateway);
      value = work(*conn);
    } catch (const std::exception& e) {
      release(nullptr);
      return databaseError(what, e);
    }
    release(std::move(conn));
    return std::move(*value);
  }

 private:
  // An idle connection, or null when the caller may open a new one; waits while all are in use.
  std::unique_ptr<pqxx::connection> acquire() {
    std::unique_lock lock(mutex_);
    returned_.wait(lock, [&] { return !idle_.empty() || open_ < capacity_; });
    if (idle_.empty()) {
      ++open_;
      return nullptr;
    }
    auto conn = std::move(idle_.back());
    idle_.pop_back();
    return conn;
  }

  // Gives a connection back, or with null gives up its slot.
  void release(std::unique_ptr<pqxx::connection> conn) {
    {
      std::lock_guard lock(mutex_);
      if (conn) {
        idle_.push_back(std::move(conn));
      } else {
        --open_;
      }
    }
    returned_.notify_one();
  }

  const DatabaseTarget target_;
  const size_t capacity_;
  std::mutex mutex_;
  std::condition_variable returned_;
  std::vector<std::unique_ptr<pqxx::connection>> idle_;
  size_t open_ = 0;  // idle plus in use
};

ReplayGuard::ReplayGuard(DatabaseTarget target)
    : pool_(std::make_unique<ConnectionPool>(std::move(target), kMaxConnections)) {}

ReplayGuard::~ReplayGuard() = default;

Result<bool> ReplayGuard::claim(std::string_view requester, std::span<const uint8_t, 32> nonce,
                                Timestamp expiresAt) {
  if (!isValidMemberId(requester)) {
    return fail(ErrorKind::invalidInput,
                "replay guard: the requester is not a member id (1..64 of A-Za-z0-9._-)");
  }
  return pool_->run<bool>("replay guard: cannot claim a nonce", [&](pqxx::connection& conn) {
    pqxx::work tx(conn);
    // Asynchronous commit is safe here. WAL is written and flushed in order, and the node answers a
    // request only after that request's audit entry has committed with synchronous_commit on
    // (adapters/audit_log.h), which this claim precedes. Flushing the audit commit flushes this
    // earlier record too, so every answered request has a durable nonce. A crash can lose only
    // claims of requests that were never answered, and replaying those is harmless. This needs the
    // nonces and the audit log in the same PostgreSQL cluster (one WAL stream).
    tx.exec("SET LOCAL synchronous_commit = off");
    pqxx::result inserted =
        tx.exec_params(kClaimSql, std::string(requester), pqxx::binarystring(nonce.data(), nonce.size()),
                       formatTimestamp(expiresAt));
    tx.commit();
    return inserted.affected_rows() == 1;
  });
}

Result<uint64_t> ReplayGuard::purgeExpired(Timestamp now) {
  return pool_->run<uint64_t>("replay guard: cannot purge expired nonces", [&](pqxx::connection& conn) {
    pqxx::work tx(conn);
    pqxx::result deleted = tx.exec_params(kPurgeSql, formatTimestamp(now));
    tx.commit();
    return static_cast<uint64_t>(deleted.affected_rows());
  });
}

}  // namespace liaison::store
