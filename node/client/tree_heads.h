// The signed tree heads a client was given by one node, kept so that every later answer can be
// held to them: a node that shows a head its earlier heads do not extend has forked its audit log,
// and the two signed heads are the evidence.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "schema/model.h"
#include "schema/status.h"

namespace liaison::client {

/// A tree head as received: decoded, and the encoded envelope that signs it.
struct ReceivedTreeHead {
  TreeHead head;
  std::vector<uint8_t> envelope;
};

/// Verifies a signed head's envelope with the node's key and decodes it.
using TreeHeadOpener = std::function<Result<TreeHead>(std::span<const uint8_t> envelope)>;

/// Heads of one node's log, on disk under `<stateDir>/tree-heads/<node key id>/`, one file per
/// head (`<tree size>-<root hash hex>.sth`, the envelope bytes), so that partners' and auditors'
/// folders can be pooled (`liaison audit verify --heads DIR`). Files are re-verified with the
/// node's key when first read (and again when they change): a planted file is refused, not
/// trusted. Only the newest kKeptTreeHeads are kept: each was checked to extend the one before
/// when it arrived, and consistency is transitive, so older heads add no protection. Fork
/// evidence is never removed. With an empty state folder the heads live in memory only. Not
/// thread-safe.
inline constexpr size_t kKeptTreeHeads = 256;

class TreeHeadStore {
 public:
  /// `folder` is the node's own folder (see folderFor); empty: memory only.
  TreeHeadStore(std::filesystem::path folder, TreeHeadOpener open);

  /// The folder of one node's heads in a state folder.
  static std::filesystem::path folderFor(const std::filesystem::path& stateDir, const std::string& nodeKeyIdHex);

  /// The largest head kept, if any.
  std::optional<ReceivedTreeHead> latest() const;
  /// Every head kept here, smallest first. Files that do not verify are reported in `problems`.
  std::vector<ReceivedTreeHead> all(std::vector<std::string>* problems = nullptr) const;

  /// Accepts a head the node just gave: it must extend every kept head of size `provenFrom`
  /// (through `proof`, an RFC 6962 consistency proof from that size; 0: none) and agree with every
  /// kept head of its own size. Then it is kept. A contradiction is ErrorKind::conflict,
  /// "FORK DETECTED ...", with the evidence saved next to the heads.
  Status accept(const ReceivedTreeHead& head, uint64_t provenFrom, std::span<const Digest> proof);

  /// Keeps `head` (idempotent). Written to a temporary file and renamed, so a reader never sees
  /// half a head.
  Status record(const ReceivedTreeHead& head);

  /// Writes both heads and the proof that failed into `fork-<time>.txt` and returns its path.
  Result<std::filesystem::path> saveEvidence(const std::string& finding, const ReceivedTreeHead& earlier,
                                             const ReceivedTreeHead& later, std::span<const Digest> proof) const;

  const std::filesystem::path& folder() const { return folder_; }

 private:
  std::vector<ReceivedTreeHead> readFolder(const std::filesystem::path& folder, std::vector<std::string>* problems) const;

  std::filesystem::path folder_;
  TreeHeadOpener open_;
  std::vector<ReceivedTreeHead> memory_;  // when there is no folder
  // Heads already verified, by file name, with the file's modification time when verified.
  struct Verified {
    std::filesystem::file_time_type modified;
    ReceivedTreeHead head;
  };
  mutable std::map<std::string, Verified> verified_;
};

/// Reads every head in another folder (e.g. a partner's), verified with `open`.
std::vector<ReceivedTreeHead> readTreeHeads(const std::filesystem::path& folder, const TreeHeadOpener& open,
                                            std::vector<std::string>& problems);

/// Whether `later` is a legitimate successor of `earlier`: same log, not smaller, the same root at
/// the same size, and `proof` an RFC 6962 consistency proof between them. Empty when it is;
/// otherwise what contradicts (the finding to report as a fork).
std::optional<std::string> contradiction(const ReceivedTreeHead& earlier, const ReceivedTreeHead& later,
                                         std::span<const Digest> proof);

}  // namespace liaison::client
