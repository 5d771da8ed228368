#include "adapters/transparency_log.h"

#include <algorithm>
#include <cstdint>
#include <utility>

#include "adapters/pg_liveness.h"
#include "adapters/pg_session.h"
#include "adapters/record_rows.h"
#include "crypto/digest.h"
#include "crypto/envelope.h"
#include "crypto/merkle.h"
#include "schema/codec.h"

namespace liaison::store {
namespace {

// Entries read per query while catching up; bounds the memory of one result (~300 bytes each).
constexpr uint64_t kReadBatch = 20'000;

constexpr const char* kReadEntriesSql =
    "SELECT seq, entry FROM audit.entries WHERE seq >= $1 ORDER BY seq LIMIT $2";
// Heads newest first, keyset-paged: the rows before ($1, $2). Times in full, so that a page
// boundary between two rows of one second is exact.
constexpr const char* kHeadsPageSql =
    "SELECT tree_size, root_hash, to_char(signed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), "
    "envelope FROM audit.tree_heads WHERE (tree_size, signed_at) < ($1::bigint, $2::timestamptz) "
    "ORDER BY tree_size DESC, signed_at DESC LIMIT $3";
// Rows of audit.tree_heads read per query while looking for the latest head the node signed.
constexpr uint64_t kHeadPage = 64;
// Which of the record references $2 an entry of this log that reports a finding already names.
constexpr const char* kAuditedFindingsSql =
    "SELECT DISTINCT ref FROM audit.entries, unnest(record_refs) AS ref "
    "WHERE requester = $1 AND decision = 'refused' AND record_refs && $2::text[] AND ref = ANY ($2::text[])";
constexpr const char* kStoreHeadSql =
    "INSERT INTO audit.tree_heads (tree_size, root_hash, signed_at, envelope) VALUES ($1, $2, $3::timestamptz, $4)";

std::vector<uint8_t> bytesOf(const pqxx::field& field) {
  pqxx::binarystring bytes(field);
  return std::vector<uint8_t>(bytes.begin(), bytes.end());
}

// The head a row of audit.tree_heads carries, if it is one this node signed for this log and the
// row's columns agree with it; otherwise why not. Anyone with the writer role can insert a row;
// only this node's key makes it a head, and from then on only the signed body counts.
Result<SignedTreeHead> ownHeadOf(const std::vector<uint8_t>& envelopeBytes, const crypto::KeyRing& ownKey,
                                 const std::string& logId, uint64_t size, const std::vector<uint8_t>& root) {
  auto envelope = crypto::openEnvelope(envelopeBytes, MessageType::treeHead, ownKey);
  if (!envelope) {
    return fail(ErrorKind::conflict, "not signed by this node's key: " + envelope.error().message);
  }
  auto head = decodeTreeHead(envelope->value().body);
  if (!head) return fail(ErrorKind::conflict, "signed by this node's key, but not a tree head: " + head.error().message);
  if (head->logId != logId) {
    return fail(ErrorKind::conflict, "signed by this node's key for another log, '" + head->logId + "'");
  }
  if (head->treeSize != size || !std::ranges::equal(head->rootHash, root)) {
    return fail(ErrorKind::conflict, "its tree size or root hash column differs from the head of " +
                                         std::to_string(head->treeSize) + " entries its envelope carries");
  }
  return SignedTreeHead{*head, envelopeBytes, envelope->value()};
}

}  // namespace

std::string UnsignedTreeHeadRow::recordRef() const {
  return "audit.tree_heads/" + std::to_string(treeSize) + "/" + signedAt;
}

struct TransparencyLog::Connections {
  std::unique_ptr<pqxx::connection> reader;  // liaison_auditor
  std::unique_ptr<pqxx::connection> writer;  // liaison_audit_writer, for heads
};

TransparencyLog::TransparencyLog(DatabaseTarget target, std::string logId, const crypto::SecretKey& key)
    : target_(std::move(target)), logId_(std::move(logId)), key_(key), db_(std::make_unique<Connections>()) {}

TransparencyLog::~TransparencyLog() = default;

Result<std::unique_ptr<TransparencyLog>> TransparencyLog::open(const DatabaseTarget& target, std::string logId,
                                                               const crypto::SecretKey& key) {
  std::unique_ptr<TransparencyLog> log(new TransparencyLog(target, std::move(logId), key));
  {
    std::lock_guard lock(log->syncMutex_);
    if (Status loaded = log->syncLocked(); !loaded) return loaded.error();
  }
  if (Status head = log->loadLatestHead(); !head) return head.error();
  return log;
}

Status TransparencyLog::syncLocked() {
  try {
    db_->reader = keepIfIntact(std::move(db_->reader));  // e.g. closed by a database restart
    if (!db_->reader) db_->reader = openConnection(target_, DbRole::auditor);
    for (;;) {
      const uint64_t from = size();
      pqxx::read_transaction tx(*db_->reader);
      pqxx::result rows = tx.exec_params(kReadEntriesSql, from, kReadBatch);
      tx.commit();
      std::vector<Digest> leaves;
      leaves.reserve(rows.size());
      uint64_t expected = from;
      for (const auto& row : rows) {
        const auto seq = row[0].as<uint64_t>();
        if (seq != expected) {
          return fail(ErrorKind::conflict, "audit log " + logId_ + " has no entry " + std::to_string(expected) +
                                               " (the next stored entry is " + std::to_string(seq) +
                                               "): entries were removed from audit.entries");
        }
        leaves.push_back(crypto::leafHash(bytesOf(row[1])));
        ++expected;
      }
      {
        std::unique_lock lock(treeMutex_);
        tree_.append(leaves);  // only this function and committed() append, both under syncMutex_
      }
      if (rows.size() < kReadBatch) return {};
    }
  } catch (const std::exception& e) {
    db_->reader.reset();
    Error error = databaseError("audit log " + logId_ + ": cannot read entries", e);
    return fail(error.kind == ErrorKind::internal ? ErrorKind::unavailable : error.kind, std::move(error.message));
  }
}

Status TransparencyLog::loadLatestHead() {
  // Only open() calls this, before any other thread can see the log, so taking headMutex_ before
  // syncMutex_ (committed() takes them the other way round) cannot deadlock.
  std::lock_guard lock(headMutex_);
  std::lock_guard sync(syncMutex_);  // the reader connection
  crypto::KeyRing ownKey;
  if (Status added = ownKey.add(key_.publicKey()); !added) return added.error();
  try {
    db_->reader = keepIfIntact(std::move(db_->reader));
    if (!db_->reader) db_->reader = openConnection(target_, DbRole::auditor);
    // Newest first, a page at a time: rows that are not this node's heads are passed over, and
    // the first one that is becomes the head the stored entries must match.
    std::string afterSize = std::to_string(INT64_MAX), afterTime = "infinity";
    for (;;) {
      pqxx::read_transaction tx(*db_->reader);
      pqxx::result rows = tx.exec_params(kHeadsPageSql, afterSize, afterTime, kHeadPage);
      tx.commit();
      for (const auto& row : rows) {
        const auto size = row[0].as<uint64_t>();
        std::string signedAt = row[2].as<std::string>();
        std::vector<uint8_t> envelopeBytes = bytesOf(row[3]);
        auto head = ownHeadOf(envelopeBytes, ownKey, logId_, size, bytesOf(row[1]));
        if (!head) {
          ++unsignedHeadCount_;
          if (unsignedHeads_.size() < kMaxUnsignedHeadsKept) {
            unsignedHeads_.push_back(UnsignedTreeHeadRow{size, std::move(signedAt), head.error().message, false});
          }
          continue;
        }
        markAuditedUnsignedHeads();
        return checkEntriesAgainst(std::move(head).value(), signedAt);
      }
      if (rows.size() < kHeadPage) break;
      afterSize = rows.back()[0].as<std::string>();
      afterTime = rows.back()[2].as<std::string>();
    }
    markAuditedUnsignedHeads();
    return {};  // the node never signed a head here
  } catch (const std::exception& e) {
    db_->reader.reset();
    return databaseError("audit log " + logId_ + ": cannot read the latest tree head", e);
  }
}

Status TransparencyLog::checkEntriesAgainst(SignedTreeHead head, const std::string& signedAt) {
  const uint64_t size = head.head.treeSize;
  const uint64_t have = this->size();
  if (size > have) {
    return fail(ErrorKind::conflict, "audit log " + logId_ + " holds " + std::to_string(have) +
                                         " entries but the node signed a tree head of " + std::to_string(size) +
                                         " entries at " + signedAt + ": entries from index " + std::to_string(have) +
                                         " on were removed");
  }
  auto expected = rootAt(size);
  if (!expected || *expected != head.head.rootHash) {
    return fail(ErrorKind::conflict, "audit log " + logId_ + ": its first " + std::to_string(size) +
                                         " entries no longer hash to the root the node signed at " + signedAt +
                                         ": stored entries were altered; run `liaison audit verify` against a "
                                         "restored copy to find the first changed index");
  }
  latest_ = std::move(head);
  return {};
}

void TransparencyLog::markAuditedUnsignedHeads() {
  if (unsignedHeads_.empty()) return;
  std::vector<std::string> refs;
  for (const auto& row : unsignedHeads_) refs.push_back(row.recordRef());
  pqxx::read_transaction tx(*db_->reader);
  pqxx::result audited = tx.exec_params(kAuditedFindingsSql, logId_, textArrayLiteral(refs));
  tx.commit();
  for (const auto& found : audited) {
    const std::string ref = found[0].as<std::string>();
    for (auto& row : unsignedHeads_) row.audited = row.audited || row.recordRef() == ref;
  }
}

void TransparencyLog::committed(uint64_t firstIndex, std::span<const Digest> leaves) {
  std::lock_guard sync(syncMutex_);
  if (firstIndex > size() && !syncLocked()) return;  // sync() catches up later; nothing is lost
  const uint64_t have = size();
  if (firstIndex > have) return;
  const uint64_t known = std::min<uint64_t>(have - firstIndex, leaves.size());
  // Leaves a sync read back from the table meanwhile must be the ones just committed; anything
  // else means the table changed under the node, and no further head may be signed over it.
  std::optional<uint64_t> contradicted;
  {
    std::unique_lock lock(treeMutex_);
    for (uint64_t i = 0; i < known && !contradicted; ++i) {
      if (tree_.leaf(firstIndex + i) != leaves[i]) contradicted = firstIndex + i;
    }
    if (!contradicted) tree_.append(leaves.subspan(known));
  }
  if (contradicted) {  // headMutex_ after treeMutex_ is released: signHead takes them the other way
    std::lock_guard head(headMutex_);
    fault_ = fail(ErrorKind::conflict, "audit log " + logId_ + ": entry " + std::to_string(*contradicted) +
                                           " in audit.entries is not the entry the node committed");
  }
}

Status TransparencyLog::sync() {
  std::lock_guard sync(syncMutex_);
  return syncLocked();
}

Result<SignedTreeHead> TransparencyLog::signHead(Timestamp now) {
  std::lock_guard lock(headMutex_);
  if (fault_) return *fault_;
  TreeHead head;
  head.logId = logId_;
  {
    std::shared_lock tree(treeMutex_);
    head.treeSize = tree_.size();
    auto root = tree_.rootAt(head.treeSize);
    if (!root) return root.error();
    head.rootHash = *root;
  }
  if (latest_ && latest_->head.treeSize == head.treeSize) return *latest_;
  // Heads are ordered by size; a clock stepping back must not make a later head look older.
  head.timestamp = latest_ ? std::max(now, latest_->head.timestamp) : now;
  std::vector<uint8_t> envelope = crypto::sealEnvelope(MessageType::treeHead, encodeTreeHead(head), key_);
  try {
    db_->writer = keepIfIntact(std::move(db_->writer));
    if (!db_->writer) db_->writer = openConnection(target_, DbRole::auditWriter);
    pqxx::work tx(*db_->writer);
    tx.exec_params(kStoreHeadSql, head.treeSize, pqxx::binarystring(head.rootHash.data(), head.rootHash.size()),
                   formatTimestamp(head.timestamp), pqxx::binarystring(envelope.data(), envelope.size()));
    tx.commit();
  } catch (const std::exception& e) {
    db_->writer.reset();
    return databaseError("audit log " + logId_ + ": cannot store the tree head of " +
                             std::to_string(head.treeSize) + " entries",
                         e);
  }
  auto decoded = decodeEnvelope(envelope);
  if (!decoded) return decoded.error();  // sealed just above: cannot happen
  latest_ = SignedTreeHead{std::move(head), std::move(envelope), std::move(*decoded)};
  return *latest_;
}

std::optional<SignedTreeHead> TransparencyLog::latestHead() const {
  std::lock_guard lock(headMutex_);
  return latest_;
}

uint64_t TransparencyLog::size() const {
  std::shared_lock lock(treeMutex_);
  return tree_.size();
}

Result<std::vector<Digest>> TransparencyLog::leaves(uint64_t start, uint64_t end) const {
  std::shared_lock lock(treeMutex_);
  if (start > end || end > tree_.size()) {
    return fail(ErrorKind::invalidInput, "leaves [" + std::to_string(start) + ", " + std::to_string(end) +
                                             ") are not within the tree of " + std::to_string(tree_.size()));
  }
  std::vector<Digest> out;
  out.reserve(end - start);
  for (uint64_t i = start; i < end; ++i) out.push_back(tree_.leaf(i));
  return out;
}

Result<Digest> TransparencyLog::rootAt(uint64_t treeSize) const {
  std::shared_lock lock(treeMutex_);
  return tree_.rootAt(treeSize);
}

Result<std::vector<Digest>> TransparencyLog::inclusionProof(uint64_t index, uint64_t treeSize) const {
  std::shared_lock lock(treeMutex_);
  return tree_.inclusionProof(index, treeSize);
}

Result<std::vector<Digest>> TransparencyLog::consistencyProof(uint64_t first, uint64_t second) const {
  std::shared_lock lock(treeMutex_);
  return tree_.consistencyProof(first, second);
}

}  // namespace liaison::store
