// One audit log, one writer: the lease a node holds on its database's audit log for as long as it
// appends to it and signs its tree heads (schema/sql/0008_audit_writer_lease.sql).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "adapters/database.h"
#include "schema/status.h"

namespace liaison::store {

/// A node that took an audit log's writer lease, as recorded in audit.writer_leases.
struct AuditWriter {
  std::string instanceId;  ///< random, 32 hex digits, fresh for every lease taken
  std::string member;
  std::string host;
  int64_t pid = 0;
  std::string startedAt;  ///< `YYYY-MM-DD HH:MM:SS+00`

  /// `node XA-POLICE on host h1, pid 4242, since 2026-01-02 03:04:05+00 (instance 0f3a...)`.
  std::string describe() const;
};

/// The right to append to a database's audit log and to sign its tree heads, held by one node.
///
/// acquire() takes the lock of audit.writer_lock in a transaction of a session of its own, kept
/// open for the lease's life, then records this node in audit.writer_leases. A second node's
/// acquire() fails with ErrorKind::conflict naming the holder. No serving role can take or block
/// the lock, and the lease session holds back neither VACUUM nor transaction ids (see the
/// migration). When the process dies its session ends and the lock is free again.
///
/// If the lease session is lost while the node runs (a database restart, a terminated backend),
/// confirm() takes the lock again, unless another node took the log in between: then the lease is
/// lost for good, confirm() fails with ErrorKind::conflict from then on, and the node must stop
/// appending (AuditLogOptions::lease) and signing heads. Thread-safe.
class AuditWriterLease {
 public:
  /// How long acquire() waits for the lock. A running node holds it for good; this only covers the
  /// moment between a node's death and the end of its database session.
  static constexpr std::chrono::seconds kLockWait{3};

  /// Takes the lease of `target`'s audit log for `member`. `onLost`, if set, is called once, from
  /// whichever thread finds that another node took the log; it must not call back into the lease.
  /// Errors: conflict when another node holds it (the message names it and says what to do);
  /// unavailable when the database cannot be reached.
  static Result<std::unique_ptr<AuditWriterLease>> acquire(const DatabaseTarget& target, std::string member,
                                                           std::function<void(const Error&)> onLost = {});
  /// Releases the lease: ends the lease session, which frees the lock.
  ~AuditWriterLease();
  AuditWriterLease(const AuditWriterLease&) = delete;
  AuditWriterLease& operator=(const AuditWriterLease&) = delete;

  /// Ok while this node holds the lease. Costs one poll(2) while the lease session is intact; when
  /// it is not, takes the lock again and checks that no other node recorded itself meanwhile.
  /// Errors: conflict once the lease is lost to another node (for good); unavailable while the
  /// database cannot be reached to take the lock again (the next call tries again).
  Status confirm();

  /// This node, as recorded when the lease was taken.
  const AuditWriter& self() const { return self_; }

  /// The newest node recorded in `target`'s audit.writer_leases, read as liaison_audit_writer;
  /// nullopt when none ever took the lease.
  static Result<std::optional<AuditWriter>> latestWriter(const DatabaseTarget& target);

 private:
  struct Session;  // the lock's connection (writer_lease.cc), so this header needs no libpqxx
  AuditWriterLease(DatabaseTarget target, AuditWriter self, std::unique_ptr<Session> session,
                   std::function<void(const Error&)> onLost);
  /// Takes the lock again after the session was lost. Caller holds mutex_.
  Status retakeLocked();

  const DatabaseTarget target_;
  const AuditWriter self_;
  const std::function<void(const Error&)> onLost_;
  std::mutex mutex_;  // guards session_ and lost_
  std::unique_ptr<Session> session_;
  std::optional<Error> lost_;  // set once another node took the log
};

}  // namespace liaison::store
