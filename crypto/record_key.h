// Record keys for the cell-key method of aggregate statistics (policy/statistics.h): each record
// gets a pseudo-random key that only this node can compute, a keyed BLAKE2b of its reference, so
// the noise a cell carries cannot be predicted or undone by whoever asks.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "crypto/keys.h"
#include "crypto/secret_memory.h"

namespace liaison::crypto {

/// The node's secret for record keys, in guarded memory; never printed or logged.
class RecordKeySecret {
 public:
  /// Derived from the node's signing key (keyed BLAKE2b under its own label), so a node needs no
  /// further secret file and the signing key is never used as a hash key itself. A new signing
  /// key gives new record keys, hence new noise: rotate it rarely.
  static RecordKeySecret derivedFrom(const SecretKey& nodeKey);
  /// A secret of exactly these bytes (tests).
  static RecordKeySecret fromBytes(std::span<const uint8_t, 32> bytes);

  /// The record key of the record (or audit entry) `reference` names in `scope` (a record kind or
  /// `request`): the first four bytes of BLAKE2b-256 keyed with the secret, little-endian.
  uint32_t recordKey(std::string_view scope, std::string_view reference) const;

 private:
  explicit RecordKeySecret(SecretBuffer bytes) : bytes_(std::move(bytes)) {}
  SecretBuffer bytes_;
};

}  // namespace liaison::crypto
