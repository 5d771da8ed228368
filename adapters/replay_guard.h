// Replay protection for signed requests: each (requester, nonce) is accepted once, kept in
// PostgreSQL (node.nonces) so that a restart does not reopen the window.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "adapters/database.h"
#include "schema/model.h"
#include "schema/status.h"

namespace liaison::store {

/// Accepts each (requester, nonce) once; the record survives a restart.
///
/// Connects as liaison_gateway, which can reach node.nonces and nothing else. Thread-safe: worker
/// threads share a small pool of connections, opened on demand (at most kMaxConnections; further
/// callers wait for one to come back).
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
  /// The claim is committed asynchronously (see replay_guard.cc): it is durable once the same
  /// request's audit entry is, which is before the request is answered.
  Result<bool> claim(std::string_view requester, std::span<const uint8_t, 32> nonce, Timestamp expiresAt);

  /// Deletes claims whose expiry is before `now` (they can no longer be replayed: the validity
  /// window refuses them). Returns how many.
  Result<uint64_t> purgeExpired(Timestamp now);

 private:
  class ConnectionPool;  // replay_guard.cc
  std::unique_ptr<ConnectionPool> pool_;
};

}  // namespace liaison::store
