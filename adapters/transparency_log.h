// The audit log as an RFC 6962 transparency log: the Merkle tree over every entry of
// audit.entries, the tree heads the node signs, and the proofs it serves from them.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <span>
#include <string>
#include <vector>

#include "adapters/database.h"
#include "crypto/keys.h"
#include "crypto/merkle_tree.h"
#include "schema/model.h"
#include "schema/status.h"

namespace liaison::store {

/// A tree head and the encoded envelope (type treeHead) that signs it: what partners and
/// auditors keep as evidence.
struct SignedTreeHead {
  TreeHead head;
  std::vector<uint8_t> envelope;
  SignedEnvelope signedEnvelope;  ///< `envelope` decoded, as responses carry it
};

/// A row of audit.tree_heads that is not a head this node signed. Anyone with the writer role's
/// password can insert one, and rows cannot be removed, so such a row must not stop the node: it
/// is passed over as a security finding for the node to report.
struct UnsignedTreeHeadRow {
  uint64_t treeSize = 0;  ///< as the row's column claims
  std::string signedAt;   ///< as the row's column claims, `YYYY-MM-DDTHH:MM:SS.ffffffZ` (UTC)
  std::string problem;    ///< why it is not a head of this node
  /// True when the audit log already holds an entry that reports this row (one that names its
  /// recordRef()), so a restart does not report it again.
  bool audited = false;
  /// How audit entries name the row among their record references: `audit.tree_heads/SIZE/SIGNED_AT`.
  std::string recordRef() const;
};

/// The in-memory Merkle tree of the node's audit log, kept in step with audit.entries, and the
/// node's signed tree heads (audit.tree_heads).
///
/// open() rebuilds the tree from the stored entries, recomputing every leaf from the entry bytes,
/// and refuses a log that no longer matches the latest head the node signed (entries altered,
/// removed or missing): a node must not sign a history that contradicts its own evidence. Rows of
/// audit.tree_heads that are not heads the node signed are passed over (unsignedHeads()). After
/// that the tree only grows: committed() adds the leaves of each audit batch, sync() picks up
/// entries other processes appended (e.g. `liaison import` auditing an import).
///
/// Thread-safe. Proofs and roots read the tree under a shared lock and cost O(log² n) hashes
/// (crypto/merkle_tree.h); database work never happens under that lock.
class TransparencyLog {
 public:
  /// Connects as liaison_auditor (reads) and liaison_audit_writer (heads). Errors: unavailable
  /// when the database cannot be read; conflict when the stored log contradicts a signed head
  /// or has a hole, naming the index.
  static Result<std::unique_ptr<TransparencyLog>> open(const DatabaseTarget& target, std::string logId,
                                                       const crypto::SecretKey& key);
  ~TransparencyLog();
  TransparencyLog(const TransparencyLog&) = delete;
  TransparencyLog& operator=(const TransparencyLog&) = delete;

  /// The audit writer's report of a committed batch: leaves [firstIndex, firstIndex + n). Leaves
  /// already in the tree (read back by a sync) must be these, or signHead refuses from then on;
  /// a gap before firstIndex is filled from the database first.
  void committed(uint64_t firstIndex, std::span<const Digest> leaves);

  /// Adds entries appended by anyone since the tree's last leaf.
  Status sync();

  /// Signs and stores a head for the current tree when it grew since the latest head (or when
  /// there is none yet), and returns the latest head. A head is stored before it is returned,
  /// so no head is ever served that the node did not keep.
  Result<SignedTreeHead> signHead(Timestamp now);

  /// The latest signed head; empty before the first.
  std::optional<SignedTreeHead> latestHead() const;

  /// The rows open() passed over, newest first: at most kMaxUnsignedHeadsKept of them.
  const std::vector<UnsignedTreeHeadRow>& unsignedHeads() const { return unsignedHeads_; }
  /// How many rows open() passed over in all (more than unsignedHeads() holds past the cap).
  uint64_t unsignedHeadCount() const { return unsignedHeadCount_; }
  /// Most passed-over rows open() keeps to report.
  static constexpr size_t kMaxUnsignedHeadsKept = 100;

  const std::string& logId() const { return logId_; }
  uint64_t size() const;
  /// Leaf hashes [start, end); invalidInput when the range is not within the tree.
  Result<std::vector<Digest>> leaves(uint64_t start, uint64_t end) const;
  Result<Digest> rootAt(uint64_t treeSize) const;
  Result<std::vector<Digest>> inclusionProof(uint64_t index, uint64_t treeSize) const;
  Result<std::vector<Digest>> consistencyProof(uint64_t first, uint64_t second) const;

 private:
  TransparencyLog(DatabaseTarget target, std::string logId, const crypto::SecretKey& key);
  /// Reads entries from the tree's size on and appends their leaves. Caller holds syncMutex_.
  Status syncLocked();
  Status loadLatestHead();
  /// Makes `head` the latest unless the stored entries contradict it. Caller holds headMutex_.
  Status checkEntriesAgainst(SignedTreeHead head, const std::string& signedAt);
  /// Marks the passed-over rows that an audit entry of this log already reports. Caller holds
  /// syncMutex_ (the reader connection).
  void markAuditedUnsignedHeads();

  const DatabaseTarget target_;
  const std::string logId_;
  const crypto::SecretKey& key_;

  struct Connections;  // libpqxx stays in the .cc
  const std::unique_ptr<Connections> db_;

  std::mutex syncMutex_;  // one reader of audit.entries at a time; guards db_->reader

  mutable std::shared_mutex treeMutex_;  // guards tree_
  crypto::MerkleTree tree_;

  mutable std::mutex headMutex_;  // guards latest_, fault_ and db_->writer
  std::optional<SignedTreeHead> latest_;
  std::optional<Error> fault_;  // set once the table contradicted the tree: no more heads

  std::vector<UnsignedTreeHeadRow> unsignedHeads_;  // written by open() only
  uint64_t unsignedHeadCount_ = 0;
};

}  // namespace liaison::store
