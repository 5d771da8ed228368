#include "node/client/tree_heads.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <system_error>

#include "crypto/digest.h"
#include "crypto/merkle.h"

namespace liaison::client {
namespace {

// A head file holds one envelope; anything larger is not one.
constexpr std::uintmax_t kMaxHeadFileBytes = 4096;

std::string fileNameOf(const TreeHead& head) {
  return std::to_string(head.treeSize) + "-" + crypto::hex(head.rootHash) + ".sth";
}

std::string describe(const TreeHead& head) {
  return "the head of " + std::to_string(head.treeSize) + " entries signed at " + formatTimestamp(head.timestamp) +
         " (root " + crypto::hex(head.rootHash) + ")";
}

bool sameRoot(const TreeHead& a, const TreeHead& b) { return a.rootHash == b.rootHash; }

}  // namespace

TreeHeadStore::TreeHeadStore(std::filesystem::path folder, TreeHeadOpener open)
    : folder_(std::move(folder)), open_(std::move(open)) {}

std::filesystem::path TreeHeadStore::folderFor(const std::filesystem::path& stateDir, const std::string& nodeKeyIdHex) {
  if (stateDir.empty()) return {};
  return stateDir / "tree-heads" / nodeKeyIdHex;
}

std::vector<ReceivedTreeHead> TreeHeadStore::readFolder(const std::filesystem::path& folder,
                                                        std::vector<std::string>* problems) const {
  std::vector<ReceivedTreeHead> heads;
  std::error_code ec;
  for (const auto& file : std::filesystem::directory_iterator(folder, ec)) {
    if (file.path().extension() != ".sth") continue;
    auto report = [&](const std::string& problem) {
      if (problems != nullptr) problems->push_back(file.path().string() + ": " + problem);
    };
    std::error_code timeError;
    const auto modified = file.last_write_time(timeError);
    const std::string fileName = file.path().filename().string();
    if (folder == folder_ && !timeError) {
      if (auto it = verified_.find(fileName); it != verified_.end() && it->second.modified == modified) {
        heads.push_back(it->second.head);
        continue;
      }
    }
    std::error_code sizeError;
    if (file.file_size(sizeError) > kMaxHeadFileBytes || sizeError) {
      report("not a tree head (too large or unreadable)");
      continue;
    }
    std::ifstream in(file.path(), std::ios::binary);
    std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto head = open_(bytes);
    if (!head) {
      report(head.error().message);
      continue;
    }
    heads.push_back(ReceivedTreeHead{std::move(*head), std::move(bytes)});
    if (folder == folder_ && !timeError) verified_[fileName] = Verified{modified, heads.back()};
  }
  std::sort(heads.begin(), heads.end(), [](const auto& a, const auto& b) {
    return a.head.treeSize != b.head.treeSize ? a.head.treeSize < b.head.treeSize : a.head.timestamp < b.head.timestamp;
  });
  return heads;
}

std::vector<ReceivedTreeHead> TreeHeadStore::all(std::vector<std::string>* problems) const {
  if (folder_.empty()) return memory_;
  return readFolder(folder_, problems);
}

std::optional<ReceivedTreeHead> TreeHeadStore::latest() const {
  auto heads = all();
  if (heads.empty()) return std::nullopt;
  return heads.back();
}

Status TreeHeadStore::record(const ReceivedTreeHead& head) {
  if (folder_.empty()) {
    const bool known = std::any_of(memory_.begin(), memory_.end(), [&](const auto& h) { return h.envelope == head.envelope; });
    if (!known) {
      memory_.push_back(head);
      std::sort(memory_.begin(), memory_.end(),
                [](const auto& a, const auto& b) { return a.head.treeSize < b.head.treeSize; });
      if (memory_.size() > kKeptTreeHeads) memory_.erase(memory_.begin());
    }
    return {};
  }
  std::error_code ec;
  std::filesystem::create_directories(folder_, ec);
  if (ec) return fail(ErrorKind::unavailable, folder_.string() + ": cannot create: " + ec.message());
  const auto target = folder_ / fileNameOf(head.head);
  if (std::filesystem::exists(target, ec)) return {};
  const auto temporary = folder_ / ("." + fileNameOf(head.head) + ".tmp");
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(head.envelope.data()), static_cast<std::streamsize>(head.envelope.size()));
    if (!out.flush()) return fail(ErrorKind::unavailable, temporary.string() + ": cannot write: " + std::strerror(errno));
  }
  std::filesystem::rename(temporary, target, ec);
  if (ec) return fail(ErrorKind::unavailable, target.string() + ": cannot store: " + ec.message());
  // Keep the newest heads only (see the class comment).
  auto heads = all();
  for (size_t i = 0; i + kKeptTreeHeads < heads.size(); ++i) {
    const std::string fileName = fileNameOf(heads[i].head);
    std::filesystem::remove(folder_ / fileName, ec);
    verified_.erase(fileName);
  }
  return {};
}

Status TreeHeadStore::accept(const ReceivedTreeHead& head, uint64_t provenFrom, std::span<const Digest> proof) {
  auto fork = [&](const ReceivedTreeHead& earlier, std::span<const Digest> given, const std::string& finding) -> Status {
    auto saved = saveEvidence(finding, earlier, head, given);
    return fail(ErrorKind::conflict, "FORK DETECTED in the audit log of " + head.head.logId + ": " + finding +
                                         (saved ? "; evidence saved to " + saved->string() : ""));
  };
  // Every kept head of either size counts: after a fork there may be more than one.
  for (const ReceivedTreeHead& kept : all()) {
    if (provenFrom > 0 && kept.head.treeSize == provenFrom) {
      if (auto finding = contradiction(kept, head, proof)) return fork(kept, proof, *finding);
    }
    if (kept.head.treeSize == head.head.treeSize) {
      if (auto finding = contradiction(kept, head, {})) return fork(kept, {}, *finding);
    }
  }
  return record(head);
}

Result<std::filesystem::path> TreeHeadStore::saveEvidence(const std::string& finding, const ReceivedTreeHead& earlier,
                                                          const ReceivedTreeHead& later,
                                                          std::span<const Digest> proof) const {
  std::filesystem::path folder = folder_.empty() ? std::filesystem::temp_directory_path() : folder_;
  std::error_code ec;
  std::filesystem::create_directories(folder, ec);
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  std::string stamp = formatTimestamp(now);
  std::replace(stamp.begin(), stamp.end(), ':', '-');
  const auto path = folder / ("fork-" + stamp + "-" + std::to_string(later.head.treeSize) + ".txt");
  std::ofstream out(path, std::ios::trunc);
  out << "Liaison audit log fork evidence\n"
      << "finding: " << finding << "\n"
      << "log: " << later.head.logId << "\n"
      << "earlier head: " << describe(earlier.head) << "\n"
      << "earlier signed head (base64 envelope): " << crypto::base64(earlier.envelope) << "\n"
      << "later head: " << describe(later.head) << "\n"
      << "later signed head (base64 envelope): " << crypto::base64(later.envelope) << "\n"
      << "consistency proof given:";
  for (const Digest& d : proof) out << " " << crypto::hex(d);
  out << "\n";
  if (!out.flush()) return fail(ErrorKind::unavailable, path.string() + ": cannot write the evidence");
  return path;
}

std::vector<ReceivedTreeHead> readTreeHeads(const std::filesystem::path& folder, const TreeHeadOpener& open,
                                            std::vector<std::string>& problems) {
  std::error_code ec;
  if (!std::filesystem::is_directory(folder, ec)) {
    problems.push_back(folder.string() + ": not a folder of tree heads");
    return {};
  }
  TreeHeadStore store(folder, open);
  return store.all(&problems);
}

std::optional<std::string> contradiction(const ReceivedTreeHead& earlier, const ReceivedTreeHead& later,
                                         std::span<const Digest> proof) {
  const TreeHead& a = earlier.head;
  const TreeHead& b = later.head;
  if (a.logId != b.logId) {
    return "heads of different logs (" + a.logId + ", " + b.logId + ") signed with the same key";
  }
  if (b.treeSize < a.treeSize) {
    return describe(b) + " is smaller than " + describe(a) + ": the log was rolled back";
  }
  if (b.treeSize == a.treeSize) {
    if (sameRoot(a, b)) return std::nullopt;
    return describe(b) + " and " + describe(a) + " have the same size and different roots";
  }
  if (a.treeSize == 0) return std::nullopt;  // the empty tree is a prefix of every tree
  if (!crypto::verifyConsistency(a.treeSize, b.treeSize, a.rootHash, b.rootHash, proof)) {
    return describe(b) + " does not extend " + describe(a) + ": the consistency proof fails";
  }
  return std::nullopt;
}

}  // namespace liaison::client
