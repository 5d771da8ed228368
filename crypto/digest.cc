#include "crypto/digest.h"

#include <sodium.h>

#include "crypto/keys.h"

namespace liaison::crypto {

Digest sha256(std::span<const uint8_t> bytes) {
  initialise();
  Digest digest{};
  crypto_hash_sha256(digest.data(), bytes.data(), bytes.size());
  return digest;
}

std::string hex(const Digest& digest) {
  std::string out(digest.size() * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), digest.data(), digest.size());
  out.pop_back();
  return out;
}

}  // namespace liaison::crypto
