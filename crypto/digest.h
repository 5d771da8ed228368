// SHA-256 digests of exact byte strings (request and response digests, audit leaves).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "schema/model.h"

namespace liaison::crypto {

/// SHA-256 of `bytes`.
Digest sha256(std::span<const uint8_t> bytes);

/// SHA-256 of bytes given in pieces, e.g. a file read in chunks.
class Sha256Stream {
 public:
  Sha256Stream();
  void update(std::span<const uint8_t> bytes);
  /// The digest of everything given; the stream is not used after.
  Digest finish();

 private:
  alignas(16) unsigned char state_[128];  // crypto_hash_sha256_state (104 bytes), kept opaque
};

/// Lower-case hex of a digest, for logs and audit exports.
std::string hex(const Digest& digest);

/// Parses exactly 64 hex digits (either case) into a digest; nullopt for anything else.
std::optional<Digest> parseHexDigest(std::string_view text);

/// Standard base64 (RFC 4648 section 4, with padding) of `bytes`.
std::string base64(std::span<const uint8_t> bytes);

/// Decodes standard padded base64; nullopt for anything else (whitespace included) or when the
/// result would exceed `maxBytes`.
std::optional<std::vector<uint8_t>> fromBase64(std::string_view text, size_t maxBytes);

}  // namespace liaison::crypto
