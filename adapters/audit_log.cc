#include "adapters/audit_log.h"

#include <algorithm>
#include <future>
#include <iterator>
#include <stdexcept>
#include <string_view>
#include <utility>
#include <vector>

#include "adapters/pg_liveness.h"
#include "adapters/pg_session.h"
#include "adapters/record_rows.h"
#include "crypto/merkle.h"
#include "schema/codec.h"
#include "schema/limits.h"

namespace liaison::store {

struct AuditLog::Pending {
  AuditEntry entry;
  std::vector<uint8_t> bytes;  // canonical encoding, stored in audit.entries.entry
  Digest leafHash{};
  std::promise<Result<AuditReceipt>> done;
};

namespace {

// The earliest time PostgreSQL's timestamptz reads as text (it has no year 0000, which the codec allows).
constexpr Timestamp kEarliestRecordedAt = std::chrono::sys_days{std::chrono::year{1} / 1 / 1};

// Column arrays for audit.append_batch; its record_refs argument holds one array literal per entry.
constexpr const char* kAppendBatchSql =
    "SELECT seq FROM audit.append_batch($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::text[], "
    "$6::text[], $7::text[], $8::bytea[], $9::text[], $10::text[], $11::text[], $12::bytea[], $13::bytea[], "
    "$14::text[], $15::text[], $16::text[], $17::text[], $18::text[], $19::text[], $20::text[], $21::text[], "
    "$22::bigint[]) "
    "WITH ORDINALITY AS appended(seq, position) ORDER BY position";
// The name it is prepared under on the writer's connection: parsed and planned once.
constexpr const char* kAppendBatch = "append_batch";

// Builds a PostgreSQL array literal. Every element is double-quoted with `"` and `\` escaped, so
// any text (commas, braces, the word NULL) arrives as written.
class ArrayLiteral {
 public:
  void add(std::string_view element) {
    text_ += text_.empty() ? "{\"" : ",\"";
    for (char c : element) {
      if (c == '"' || c == '\\') text_ += '\\';
      text_ += c;
    }
    text_ += '"';
  }
  /// Adds bytes in bytea's hex form, `\x0a1b...`.
  void addBytes(std::span<const uint8_t> bytes) { add(byteaHex(bytes)); }
  std::string str() const { return text_.empty() ? "{}" : text_ + "}"; }

 private:
  std::string text_;
};

struct AuditRow {
  const AuditEntry& entry;
  std::span<const uint8_t> bytes;
};

// Opens the writer's connection. Durability is the point of the log, so synchronous_commit is
// forced on whatever the database or role default says; READ COMMITTED is what audit.assign_seq
// needs to see the previous append after taking its lock.
std::unique_ptr<pqxx::connection> openWriterConnection(const DatabaseTarget& target) {
  auto conn = openConnection(target, DbRole::auditWriter);
  pqxx::nontransaction setup(*conn);
  setup.exec("SET synchronous_commit = on; SET default_transaction_isolation = 'read committed'");
  conn->prepare(kAppendBatch, kAppendBatchSql);
  return conn;
}

// Inserts `rows` in one transaction and returns their seqs in row order. Throws on any failure,
// in which case nothing was committed (or, if the commit itself was cut off, it is unknown), or,
// for seqs that are not one contiguous run, the batch was committed but no receipt may name them.
//
// The transaction is the single autocommitted statement: one round trip per batch instead of
// three (BEGIN, the append, COMMIT), and the writer's turn is what every waiting request waits on.
std::vector<uint64_t> insertBatch(pqxx::connection& conn, std::span<const AuditRow> rows) {
  ArrayLiteral recordedAt, requester, officer, role, purpose, caseReference, queryKind, queryDigest, decision,
      reason, recordRefs, responseDigest, entryBytes, signer, claimedRequester, claimedOfficer, claimedRole,
      remoteAddress, peerPin, localUser, command, repeatCount;
  for (const AuditRow& row : rows) {
    const AuditEntry& e = row.entry;
    recordedAt.add(formatTimestamp(e.recordedAt));
    requester.add(e.requester);
    officer.add(e.officerPseudonym);
    role.add(e.role ? name(*e.role) : "");
    purpose.add(e.purpose);
    caseReference.add(e.caseReference);
    queryKind.add(e.queryKind ? name(*e.queryKind) : "");
    queryDigest.addBytes(e.queryDigest);
    decision.add(name(e.decision));
    reason.add(e.reason);
    ArrayLiteral refs;
    for (const std::string& ref : e.recordRefs) refs.add(ref);
    recordRefs.add(refs.str());
    responseDigest.addBytes(e.responseDigest);
    entryBytes.addBytes(row.bytes);
    signer.add(e.signer);
    claimedRequester.add(e.claimedRequester);
    claimedOfficer.add(e.claimedOfficer);
    claimedRole.add(e.claimedRole ? name(*e.claimedRole) : "");
    remoteAddress.add(e.remoteAddress);
    peerPin.add(e.peerPin);
    localUser.add(e.localUser);
    command.add(e.command);
    repeatCount.add(std::to_string(e.repeatCount));
  }
  pqxx::nontransaction tx(conn);
  pqxx::result result =
      tx.exec_prepared(kAppendBatch, recordedAt.str(), requester.str(), officer.str(), role.str(),
                       purpose.str(), caseReference.str(), queryKind.str(), queryDigest.str(), decision.str(),
                       reason.str(), recordRefs.str(), responseDigest.str(), entryBytes.str(), signer.str(),
                       claimedRequester.str(), claimedOfficer.str(), claimedRole.str(), remoteAddress.str(),
                       peerPin.str(), localUser.str(), command.str(), repeatCount.str());
  std::vector<uint64_t> seqs;
  seqs.reserve(result.size());
  for (const auto& r : result) seqs.push_back(r[0].as<uint64_t>());
  // The function promises one contiguous run in row order; never hand out a receipt that names
  // the wrong leaf. The entries are committed by now: the batch fails (no caller may answer), and
  // the transparency log, which this batch then does not feed, reads them back from the table.
  bool contiguous = seqs.size() == rows.size();
  for (size_t i = 1; contiguous && i < seqs.size(); ++i) contiguous = seqs[i] == seqs[0] + i;
  if (!contiguous) {
    throw std::runtime_error("audit.append_batch returned " + std::to_string(seqs.size()) + " seqs for " +
                             std::to_string(rows.size()) + " entries, or not one contiguous run");
  }
  return seqs;
}

// Commits `rows` on `conn`, opening it first if needed, and returns their seqs. After any failure
// the connection is dropped so the next batch starts on a fresh one.
Result<std::vector<uint64_t>> commitRows(std::unique_ptr<pqxx::connection>& conn, const AuditLogOptions& options,
                                         const DatabaseTarget& target, std::span<const AuditRow> rows,
                                         const std::string& logId) {
  if (options.lease != nullptr) {
    if (Status held = options.lease->confirm(); !held) {
      return fail(ErrorKind::unavailable, "audit log " + logId + ": not appending " + std::to_string(rows.size()) +
                                              " entries: " + held.error().message);
    }
  }
  try {
    // Nothing of this batch has been sent yet, so a connection that died while idle is simply
    // replaced; once the statement is on its way, a failure fails the batch (see insertBatch).
    conn = keepIfIntact(std::move(conn));
    if (!conn) conn = openWriterConnection(target);
    return insertBatch(*conn, rows);
  } catch (const std::exception& e) {
    conn.reset();
    // Whatever the cause, the log cannot take entries right now; the message keeps the detail.
    Error error = databaseError(
        "audit log " + logId + ": cannot append " + std::to_string(rows.size()) + " entries", e);
    return fail(ErrorKind::unavailable, std::move(error.message));
  }
}

// What the database would refuse for one entry, checked before it can fail a whole batch.
Status checkStorable(const AuditEntry& entry, std::span<const uint8_t> bytes) {
  // The decoder validates what the encoder does not: text is UTF-8 without NUL, enums are in
  // range, times lie in years 0000..9999.
  auto decoded = decodeAuditEntry(bytes);
  if (!decoded)
    return fail(ErrorKind::invalidInput, "audit entry cannot be stored: " + decoded.error().message);
  if (entry.recordedAt < kEarliestRecordedAt) {
    return fail(ErrorKind::invalidInput, "audit entry cannot be stored: recording time " +
                                             formatTimestamp(entry.recordedAt) + " is before year 0001");
  }
  return {};
}

}  // namespace

AuditLog::AuditLog(DatabaseTarget target, std::string logId, AuditLogOptions options)
    : target_(std::move(target)),
      logId_(std::move(logId)),
      options_{std::max<size_t>(options.maxBatch, 1), options.maxWait, options.maxQueued,
               std::move(options.onCommitted), options.lease},
      writer_([this] { runWriter(); }) {}

AuditLog::~AuditLog() { flushAndStop(); }

void AuditLog::withdrawn() {
  std::lock_guard lock(mutex_);
  settleLocked();
}

AuditLog::Announcement AuditLog::announce() {
  std::lock_guard lock(mutex_);
  ++announced_;
  return announcement();
}

void AuditLog::settleLocked() {
  // The last outstanding announcement ends a batch's wait.
  if (--announced_ == 0 && !queue_.empty()) queueChanged_.notify_one();
}

Result<AuditReceipt> AuditLog::append(const AuditEntry& entry, Announcement announced) {
  // Encoding, validation and hashing happen on the caller's thread, in parallel, before queueing.
  auto pending = std::make_unique<Pending>();
  pending->entry = entry;
  // Text the caller built (a reason may quote a request) is cut to the log's limits, so every
  // entry decodes under them and no page of the auditor API is blown up by one entry.
  limits::cutTextToLimits(pending->entry);
  pending->bytes = encodeAuditEntry(pending->entry);
  if (Status storable = checkStorable(pending->entry, pending->bytes); !storable) return storable.error();
  pending->leafHash = crypto::leafHash(pending->bytes);
  std::future<Result<AuditReceipt>> receipt = pending->done.get_future();
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return fail(ErrorKind::unavailable, "audit log " + logId_ + " is stopped");
    if (queue_.size() >= options_.maxQueued) {
      return fail(ErrorKind::unavailable, "audit log " + logId_ + " is overloaded: " +
                                              std::to_string(queue_.size()) + " entries are waiting");
    }
    queue_.push_back(std::move(pending));
    if (takeOver(announced)) settleLocked();
    // The writer waits for a first entry, a full batch or the last announced entry; wake it
    // only for those.
    if (queue_.size() == 1 || queue_.size() == options_.maxBatch) queueChanged_.notify_one();
  }
  return receipt.get();
}

void AuditLog::flushAndStop() {
  std::lock_guard stopLock(stopMutex_);
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  queueChanged_.notify_one();
  if (writer_.joinable()) writer_.join();
}

size_t AuditLog::queued() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

bool AuditLog::takeBatch(std::deque<std::unique_ptr<Pending>>& batch) {
  std::unique_lock lock(mutex_);
  queueChanged_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
  if (queue_.empty()) return false;  // stopping, and everything accepted has been committed
  if (options_.maxWait.count() > 0) {
    queueChanged_.wait_for(lock, options_.maxWait, [&] {
      return stopping_ || announced_ == 0 || queue_.size() >= options_.maxBatch;
    });
  }
  const size_t take = std::min(queue_.size(), options_.maxBatch);
  std::move(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(take), std::back_inserter(batch));
  queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(take));
  return true;
}

void AuditLog::runWriter() {
  std::unique_ptr<pqxx::connection> conn;
  std::deque<std::unique_ptr<Pending>> batch;
  std::vector<AuditRow> rows;
  std::vector<Digest> leaves;
  while (takeBatch(batch)) {
    rows.clear();
    for (const auto& p : batch) rows.push_back(AuditRow{p->entry, p->bytes});
    Result<std::vector<uint64_t>> seqs = commitRows(conn, options_, target_, rows, logId_);
    if (seqs) {
      appended_ += batch.size();
      ++batches_;
      if (options_.onCommitted) {
        leaves.clear();
        for (const auto& p : batch) leaves.push_back(p->leafHash);
        options_.onCommitted(seqs->front(), leaves);
      }
      for (size_t i = 0; i < batch.size(); ++i) {
        batch[i]->done.set_value(AuditReceipt{logId_, (*seqs)[i], batch[i]->leafHash});
      }
    } else {
      // Every caller of the batch is refused: none of them may answer without its entry on disk.
      for (auto& p : batch) p->done.set_value(seqs.error());
    }
    batch.clear();
  }
}

}  // namespace liaison::store
