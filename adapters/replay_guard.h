// Replay protection for signed requests: each (requester, nonce) is accepted once, kept in
// PostgreSQL (node.nonces) so that a restart does not reopen the window.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <span>
#include <string_view>
#include <vector>

#include "adapters/database.h"
#include "schema/model.h"
#include "schema/status.h"

namespace liaison::store {

/// Accepts each (requester, nonce) once; the record survives a restart.
///
/// Connects as liaison_gateway, which can reach node.nonces and nothing else. Thread-safe, with
/// group commit: claims that arrive while a batch is being committed wait and go together into
/// the next batch, one statement, run by the first of their callers. Connections come from a small
/// pool, opened on demand (at most kMaxConnections; further callers wait for one to come back).
class ReplayGuard {
 public:
  /// Most connections the guard opens at once.
  static constexpr size_t kMaxConnections = 16;

  /// Connects lazily: the first claim opens the first connection.
  explicit ReplayGuard(DatabaseTarget target);
  ~ReplayGuard();
  ReplayGuard(const ReplayGuard&) = delete;
  ReplayGuard& operator=(const ReplayGuard&) = delete;

  /// True if the nonce was new and is now claimed until `expiresAt`; false if it was seen before.
  /// ErrorKind::invalidInput for a requester that is not a member id; ErrorKind::unavailable when
  /// the database cannot be reached. On an error the request must be refused.
  ///
  /// The claim is committed asynchronously (see replay_guard.cc) before this returns: it is
  /// durable once the same request's audit entry is, which is before the request is answered.
  Result<bool> claim(std::string_view requester, std::span<const uint8_t, 32> nonce, Timestamp expiresAt);

  /// Deletes claims whose expiry is before `now` (they can no longer be replayed: the validity
  /// window refuses them). Returns how many.
  Result<uint64_t> purgeExpired(Timestamp now);

 private:
  class ConnectionPool;  // replay_guard.cc
  struct Pending;        // a claim waiting for its batch (replay_guard.cc)

  /// Claims `batch` in one statement; the answers in the batch's order.
  std::vector<Result<bool>> runBatch(const std::vector<Pending*>& batch);

  std::unique_ptr<ConnectionPool> pool_;
  std::mutex mutex_;                   // guards queue_, batchRunning_ and every queued answer
  std::condition_variable batchDone_;  // a batch has its answers
  std::deque<Pending*> queue_;         // claims waiting for the next batch
  bool batchRunning_ = false;
};

}  // namespace liaison::store
