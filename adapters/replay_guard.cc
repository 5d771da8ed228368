#include "adapters/replay_guard.h"

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "adapters/pg_liveness.h"
#include "adapters/pg_session.h"
#include "adapters/record_rows.h"

namespace liaison::store {

namespace {

// Claims a batch in one prepared statement (parsed and planned once per connection): the rows that were new
// come back by their position in the arrays; a row that conflicts with an earlier claim is left out.
constexpr const char* kClaimBatchSql =
    "WITH claims AS ("
    "  SELECT * FROM unnest($1::text[], $2::bytea[], $3::timestamptz[]) WITH ORDINALITY"
    "    AS c(requester, nonce, expires_at, position)),"
    " inserted AS ("
    "  INSERT INTO node.nonces (requester, nonce, expires_at)"
    "  SELECT requester, nonce, expires_at FROM claims ORDER BY position"
    "  ON CONFLICT DO NOTHING RETURNING requester, nonce)"
    "SELECT c.position FROM claims c JOIN inserted i USING (requester, nonce)";
constexpr const char* kClaimBatch = "claim_nonces";

// `<`, not `<=`: a request may still be valid at the very second it expires.
constexpr const char* kPurgeSql = "DELETE FROM node.nonces WHERE expires_at < $1";

// Most claims committed by one statement.
constexpr size_t kMaxBatch = 256;


}  // namespace

/// Connections as liaison_gateway for concurrent callers: a stack of idle ones, grown on demand up
/// to a capacity. Connecting happens outside the lock; a connection that failed is dropped, never
/// handed to the next caller.
class ReplayGuard::ConnectionPool {
 public:
  ConnectionPool(DatabaseTarget target, size_t capacity) : target_(std::move(target)), capacity_(capacity) {}

  /// Runs `work` on a connection of its own and returns what it returns, or the translated error
  /// of whatever it (or connecting) threw, labelled with `what`.
  ///
  /// Pooled connections outlive database restarts badly: one the server closed while it sat idle
  /// is replaced before anything is sent on it, and when a kept connection breaks under the
  /// statement itself, the work runs once more on a fresh one. Every statement of the guard may
  /// run twice: a claim that did commit the first time reads as a repeat the second, so the
  /// request is refused, never accepted twice.
  template <typename T, typename Work>
  Result<T> run(std::string_view what, Work&& work) {
    for (int attempt = 1;; ++attempt) {
      std::unique_ptr<pqxx::connection> conn = keepIfIntact(acquire());
      const bool kept = conn != nullptr;
      try {
        if (!conn) conn = openGatewayConnection();
        T value = work(*conn);
        release(std::move(conn));
        return value;
      } catch (const std::exception& e) {
        const bool broke = dynamic_cast<const pqxx::broken_connection*>(&e) != nullptr || (conn && !conn->is_open());
        release(nullptr);
        if (!(kept && broke) || attempt == 2) return databaseError(what, e);
      }
    }
  }

 private:
  // Asynchronous commit is safe for every statement of the guard. WAL is written and flushed in
  // order, and the node answers a request only after that request's audit entry has committed with
  // synchronous_commit on (adapters/audit_log.h), which its claim precedes. Flushing the audit
  // commit flushes this earlier record too, so every answered request has a durable nonce. A crash
  // can lose only claims of requests that were never answered, and replaying those is harmless.
  // This needs the nonces and the audit log in the same PostgreSQL cluster (one WAL stream). A
  // purge lost in a crash is simply done again.
  std::unique_ptr<pqxx::connection> openGatewayConnection() {
    auto conn = openConnection(target_, DbRole::gateway);
    pqxx::nontransaction setup(*conn);
    setup.exec("SET synchronous_commit = off");
    conn->prepare(kClaimBatch, kClaimBatchSql);
    return conn;
  }

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

/// A claim waiting for its batch, and its answer once the batch has run.
struct ReplayGuard::Pending {
  std::string requester;
  std::span<const uint8_t, 32> nonce;
  Timestamp expiresAt;
  std::optional<Result<bool>> answer;
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
  Pending pending{std::string(requester), nonce, expiresAt, std::nullopt};
  std::unique_lock lock(mutex_);
  queue_.push_back(&pending);
  // Group commit without a thread of its own: while a batch runs, claims queue up; when it ends,
  // the first waiter whose claim is still queued takes everything queued as the next batch.
  while (!pending.answer) {
    if (batchRunning_) {
      batchDone_.wait(lock);
      continue;
    }
    batchRunning_ = true;
    std::vector<Pending*> batch;
    while (!queue_.empty() && batch.size() < kMaxBatch) {
      batch.push_back(queue_.front());
      queue_.pop_front();
    }
    lock.unlock();
    std::vector<Result<bool>> answers;
    try {
      answers = runBatch(batch);
    } catch (const std::exception& e) {  // e.g. out of memory building the arrays: refuse, never hang
      answers.assign(batch.size(), Result<bool>(fail(ErrorKind::unavailable, std::string("replay guard: ") + e.what())));
    }
    lock.lock();
    for (size_t i = 0; i < batch.size(); ++i) batch[i]->answer = std::move(answers[i]);
    batchRunning_ = false;
    batchDone_.notify_all();
  }
  return std::move(*pending.answer);
}

std::vector<Result<bool>> ReplayGuard::runBatch(const std::vector<Pending*>& batch) {
  // A nonce twice in one batch: only its first claim goes to the database; the others are
  // repeats of it, whatever the database says about the first.
  std::vector<size_t> rowOf(batch.size(), SIZE_MAX);  // position in the arrays, or SIZE_MAX: a repeat
  std::vector<std::string> requesters, nonces, expiries;
  std::unordered_set<std::string> seen;
  for (size_t i = 0; i < batch.size(); ++i) {
    std::string nonce = byteaHex(batch[i]->nonce);
    if (!seen.insert(batch[i]->requester + ' ' + nonce).second) continue;
    rowOf[i] = requesters.size();
    requesters.push_back(batch[i]->requester);
    nonces.push_back(std::move(nonce));
    expiries.push_back(formatTimestamp(batch[i]->expiresAt));
  }
  auto isNew =
      pool_->run<std::vector<bool>>("replay guard: cannot claim a nonce", [&](pqxx::connection& conn) {
        pqxx::nontransaction tx(conn);  // one statement, committed on its own
        pqxx::result rows = tx.exec_prepared(kClaimBatch, textArrayLiteral(requesters),
                                             textArrayLiteral(nonces), textArrayLiteral(expiries));
        std::vector<bool> inserted(requesters.size(), false);
        for (const auto& row : rows) {
          const auto position = row[0].as<size_t>();
          if (position < 1 || position > inserted.size())
            throw std::runtime_error("claim position out of range");
          inserted[position - 1] = true;
        }
        return inserted;
      });
  std::vector<Result<bool>> answers;
  answers.reserve(batch.size());
  for (size_t i = 0; i < batch.size(); ++i) {
    if (!isNew) {
      answers.emplace_back(isNew.error());
    } else {
      answers.emplace_back(rowOf[i] != SIZE_MAX && (*isNew)[rowOf[i]]);
    }
  }
  return answers;
}

Result<uint64_t> ReplayGuard::purgeExpired(Timestamp now) {
  return pool_->run<uint64_t>("replay guard: cannot purge expired nonces", [&](pqxx::connection& conn) {
    pqxx::nontransaction tx(conn);
    pqxx::result deleted = tx.exec_params(kPurgeSql, formatTimestamp(now));
    return static_cast<uint64_t>(deleted.affected_rows());
  });
}

}  // namespace liaison::store
