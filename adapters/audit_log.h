// The node's audit log in PostgreSQL (audit.entries): every request, allowed or refused, is
// appended and durably committed before its answer leaves. Fail closed: no receipt, no answer.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <utility>

#include "adapters/database.h"
#include "adapters/writer_lease.h"
#include "schema/model.h"
#include "schema/status.h"

namespace liaison::store {

/// Who ran a command-line tool that reads or writes records (import, purge, records, groups sync),
/// for its audit entry: those act on an operator's word alone, so the entry names the operator.
struct CommandLineOrigin {
  std::string localUser;  ///< the operating-system user, e.g. `alice` or `root (sudo by alice)`
  std::string command;    ///< the command as run
  /// Names the operator and the command in `entry` (AuditEntry::localUser and ::command).
  void stamp(AuditEntry& entry) const {
    entry.localUser = localUser;
    entry.command = command;
  }
};

class AuditSink;

/// An append on its way: from AuditSink::announce until it is handed to append() or destroyed.
/// Move-only; outlives neither its sink nor the call it is handed to. Default-constructed, it
/// announces nothing.
class AuditAnnouncement {
 public:
  AuditAnnouncement() noexcept = default;
  AuditAnnouncement(AuditAnnouncement&& other) noexcept : sink_(std::exchange(other.sink_, nullptr)) {}
  AuditAnnouncement& operator=(AuditAnnouncement&& other) noexcept;
  ~AuditAnnouncement() { withdraw(); }

 private:
  friend class AuditSink;
  explicit AuditAnnouncement(AuditSink* sink) : sink_(sink) {}
  void withdraw();
  AuditSink* sink_ = nullptr;
};

/// Where the request pipeline appends its audit entries. The node's one implementation is the
/// AuditLog below; the interface lets bench/node_bench.cc measure the pipeline without auditing
/// by assembling one of its own, so no production code has a way to answer unaudited.
class AuditSink {
 public:
  virtual ~AuditSink() = default;
  /// Says an append is on its way (AuditLog::announce).
  virtual AuditAnnouncement announce() = 0;
  /// Blocks until `entry` is durably recorded and returns its receipt; on an error the caller
  /// must not answer (AuditLog::append).
  virtual Result<AuditReceipt> append(const AuditEntry& entry, AuditAnnouncement announced = {}) = 0;

 protected:
  /// An announcement of this sink, for announce() to hand out.
  AuditAnnouncement announcement() { return AuditAnnouncement(this); }
  /// True when `announced` is this sink's: it is then settled here and no longer withdraws itself.
  bool takeOver(AuditAnnouncement& announced) {
    if (announced.sink_ != this) return false;
    announced.sink_ = nullptr;
    return true;
  }
  /// One of this sink's announcements ended without an append.
  virtual void withdrawn() = 0;

 private:
  friend class AuditAnnouncement;
};

inline AuditAnnouncement& AuditAnnouncement::operator=(AuditAnnouncement&& other) noexcept {
  if (this != &other) {
    withdraw();
    sink_ = std::exchange(other.sink_, nullptr);
  }
  return *this;
}

inline void AuditAnnouncement::withdraw() {
  if (sink_ == nullptr) return;
  std::exchange(sink_, nullptr)->withdrawn();
}

/// How an AuditLog groups appends into transactions.
struct AuditLogOptions {
  /// Most entries committed in one transaction (at least 1).
  size_t maxBatch = 256;
  /// How long the writer may wait, after the first entry of a batch arrives, for appends that were
  /// announced (AuditLog::announce) and have not arrived yet, so they share the transaction. It
  /// waits only while such appends are outstanding: a lone request commits at once. 0 never waits;
  /// entries that arrive while a batch commits still form the next batch.
  std::chrono::microseconds maxWait{0};
  /// Entries waiting for the writer beyond which append fails fast with ErrorKind::unavailable.
  size_t maxQueued = 10'000;
  /// Called on the writer thread after each committed batch, before any of its callers gets a
  /// receipt, with the batch's first leaf index and its leaf hashes in order: the node's
  /// transparency log adds them to its tree, so every receipt handed out is in the tree.
  std::function<void(uint64_t firstIndex, std::span<const Digest> leafHashes)> onCommitted{};
  /// The node's writer lease on this log, if it holds one (a node does; command-line tools that
  /// audit their work do not). Every batch first confirms it: once it is lost to another node,
  /// every append fails with ErrorKind::unavailable. Must outlive the log.
  AuditWriterLease* lease = nullptr;
};

/// Appends audit entries with group commit: concurrent appends are batched into one transaction.
///
/// One writer thread owns one connection as liaison_audit_writer and commits each batch through
/// audit.append_batch with synchronous_commit on, so a receipt means the entry is on disk. Leaf
/// indices are the entries' `seq`, gap-free in commit order (schema/sql/0002_node.sql). Before a
/// batch is sent, a connection the server closed while it sat idle (a database restart) is
/// replaced; a batch whose statement fails midway fails, since whether it committed is unknown
/// and it must never be appended twice.
/// Thread-safe: callers block on their own entry only, never on a lock held across the database.
class AuditLog final : public AuditSink {
 public:
  /// Starts the writer thread; it connects as liaison_audit_writer when the first batch arrives
  /// and again after any failed batch. `logId` goes into every receipt.
  AuditLog(DatabaseTarget target, std::string logId, AuditLogOptions options = {});
  /// Commits everything already queued, then stops (flushAndStop).
  ~AuditLog();
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  using Announcement = AuditAnnouncement;

  /// Tells the writer that the caller will append soon (a request arrived; it is audited whatever
  /// its outcome). While announced appends are outstanding, a batch waits up to
  /// AuditLogOptions::maxWait for them, so busy nodes commit many entries per transaction and idle
  /// ones do not wait at all.
  Announcement announce() override;

  /// Blocks until `entry` is durably committed and returns its receipt: this log's id, the leaf
  /// index (its seq) and leaf hash. Text fields longer than schema/limits.h allows are cut first
  /// (limits::cutTextToLimits), marked with the number of bytes cut. An ErrorKind::invalidInput
  /// for an entry the log cannot store (text that is not UTF-8 without NUL, more record references
  /// than limits::kMaxAuditRecordRefs, a time outside years 0001..9999); otherwise an
  /// ErrorKind::unavailable when the log is stopped, overloaded or the commit failed. On any error
  /// the caller must not answer the request. `announced`, if the caller announced this append, is
  /// settled when the entry is queued.
  Result<AuditReceipt> append(const AuditEntry& entry, Announcement announced = {}) override;

  /// Stops accepting appends, commits everything queued and joins the writer. Idempotent.
  void flushAndStop();

  /// Entries committed so far.
  uint64_t appended() const { return appended_.load(); }
  /// Transactions committed so far; with appended() it shows how well appends are grouped.
  uint64_t batches() const { return batches_.load(); }
  /// Entries waiting for the writer right now.
  size_t queued() const;

 private:
  struct Pending;  // a queued entry and the caller waiting for it (audit_log.cc)

  void withdrawn() override;

  void runWriter();
  /// Moves the next batch into `batch`; false once stopping and nothing is left.
  bool takeBatch(std::deque<std::unique_ptr<Pending>>& batch);

  const DatabaseTarget target_;
  const std::string logId_;
  const AuditLogOptions options_;

  /// Settles one announcement; the caller holds mutex_.
  void settleLocked();

  mutable std::mutex mutex_;              // guards queue_, announced_ and stopping_
  std::condition_variable queueChanged_;  // wakes the writer
  std::deque<std::unique_ptr<Pending>> queue_;
  size_t announced_ = 0;  // announcements not yet settled
  bool stopping_ = false;

  std::atomic<uint64_t> appended_{0};
  std::atomic<uint64_t> batches_{0};

  std::mutex stopMutex_;  // serialises flushAndStop callers around the join
  std::thread writer_;    // last: starts after everything above exists
};

}  // namespace liaison::store
