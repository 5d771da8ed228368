#include "node/client/audit_framing.h"

#include <algorithm>
#include <string>

namespace liaison::client {
namespace {

void putBigEndian(std::vector<uint8_t>& out, uint64_t value, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<uint8_t>(value >> (8 * i)));
}

uint64_t getBigEndian(std::span<const uint8_t> bytes) {
  uint64_t value = 0;
  for (uint8_t b : bytes) value = value << 8 | b;
  return value;
}

}  // namespace

std::vector<uint8_t> frameEntries(const std::vector<FramedEntry>& entries) {
  std::vector<uint8_t> out;
  for (const FramedEntry& e : entries) {
    putBigEndian(out, e.index, 8);
    putBigEndian(out, e.entry.size(), 4);
    out.insert(out.end(), e.entry.begin(), e.entry.end());
    out.insert(out.end(), e.treeLeaf.begin(), e.treeLeaf.end());
  }
  return out;
}

Result<std::vector<FramedEntry>> parseFramedEntries(std::span<const uint8_t> bytes) {
  std::vector<FramedEntry> out;
  size_t at = 0;
  while (at < bytes.size()) {
    if (bytes.size() - at < 12) {
      return fail(ErrorKind::invalidInput, "entry framing: record at byte " + std::to_string(at) + " is truncated");
    }
    FramedEntry e;
    e.index = getBigEndian(bytes.subspan(at, 8));
    const uint64_t length = getBigEndian(bytes.subspan(at + 8, 4));
    at += 12;
    if (bytes.size() - at < length + 32) {
      return fail(ErrorKind::invalidInput, "entry framing: entry " + std::to_string(e.index) + " is truncated");
    }
    e.entry.assign(bytes.begin() + static_cast<std::ptrdiff_t>(at), bytes.begin() + static_cast<std::ptrdiff_t>(at + length));
    at += length;
    std::copy_n(bytes.begin() + static_cast<std::ptrdiff_t>(at), 32, e.treeLeaf.begin());
    at += 32;
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace liaison::client
