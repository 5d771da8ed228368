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

static_assert(sizeof(crypto_hash_sha256_state) <= 128, "Sha256Stream::state_ is too small");

Sha256Stream::Sha256Stream() {
  initialise();
  crypto_hash_sha256_init(reinterpret_cast<crypto_hash_sha256_state*>(state_));
}

void Sha256Stream::update(std::span<const uint8_t> bytes) {
  crypto_hash_sha256_update(reinterpret_cast<crypto_hash_sha256_state*>(state_), bytes.data(), bytes.size());
}

Digest Sha256Stream::finish() {
  Digest digest{};
  crypto_hash_sha256_final(reinterpret_cast<crypto_hash_sha256_state*>(state_), digest.data());
  return digest;
}

std::string hex(const Digest& digest) {
  std::string out(digest.size() * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), digest.data(), digest.size());
  out.pop_back();
  return out;
}

std::optional<Digest> parseHexDigest(std::string_view text) {
  Digest digest{};
  size_t written = 0;
  const char* end = nullptr;
  if (text.size() != 2 * digest.size() ||
      sodium_hex2bin(digest.data(), digest.size(), text.data(), text.size(), nullptr, &written, &end) != 0 ||
      written != digest.size() || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return digest;
}

std::string base64(std::span<const uint8_t> bytes) {
  constexpr int kVariant = sodium_base64_VARIANT_ORIGINAL;
  std::string out(sodium_base64_encoded_len(bytes.size(), kVariant), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes.data(), bytes.size(), kVariant);
  out.pop_back();  // the NUL
  return out;
}

std::optional<std::vector<uint8_t>> fromBase64(std::string_view text, size_t maxBytes) {
  if (text.size() % 4 != 0 || text.size() / 4 * 3 > maxBytes + 2) return std::nullopt;
  std::vector<uint8_t> out(text.size() / 4 * 3);
  size_t written = 0;
  const char* end = nullptr;
  if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &written, &end,
                        sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != text.data() + text.size() || written > maxBytes) {
    return std::nullopt;
  }
  out.resize(written);
  return out;
}

}  // namespace liaison::crypto
