// The binary form of the auditor API's /v1/audit/entries?format=binary pages, shared by the node
// that serves them (node/audit_api.h) and the auditor's client that reads them (audit_verify.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "schema/model.h"
#include "schema/status.h"

namespace liaison::client {

/// Most entries one binary page carries; a client asks again for the rest.
inline constexpr uint64_t kMaxBinaryEntriesPerPage = 10'000;

/// The binary framing of /v1/audit/entries?format=binary, one record per entry, in index order:
/// 8-byte big-endian leaf index, 4-byte big-endian length L, L bytes of the stored entry, then the
/// 32-byte leaf hash the node's tree holds for that index. Entries missing from the store are
/// absent (their index is skipped). Parsing is strict: a truncated record is an error.
struct FramedEntry {
  uint64_t index = 0;
  std::vector<uint8_t> entry;
  Digest treeLeaf{};
};
/// Bytes the framing adds to each entry: index, length and leaf hash.
inline constexpr size_t kFrameOverheadBytes = 8 + 4 + 32;
std::vector<uint8_t> frameEntries(const std::vector<FramedEntry>& entries);
Result<std::vector<FramedEntry>> parseFramedEntries(std::span<const uint8_t> bytes);

}  // namespace liaison::client
