#include "crypto/record_key.h"

#include <sodium.h>

#include <cstring>
#include <string>

namespace liaison::crypto {
namespace {

constexpr std::string_view kDerivationLabel = "liaison/v1/statistics-record-key";

}  // namespace

RecordKeySecret RecordKeySecret::derivedFrom(const SecretKey& nodeKey) {
  SecretBuffer secret(crypto_generichash_KEYBYTES);
  // The 32-byte seed at the front of libsodium's secret key is the key of this hash.
  crypto_generichash(secret.writable().data(), crypto_generichash_KEYBYTES,
                     reinterpret_cast<const unsigned char*>(kDerivationLabel.data()), kDerivationLabel.size(),
                     nodeKey.held(), 32);
  secret.makeReadOnly();
  return RecordKeySecret(std::move(secret));
}

RecordKeySecret RecordKeySecret::fromBytes(std::span<const uint8_t, 32> bytes) {
  SecretBuffer secret(bytes.size());
  std::memcpy(secret.writable().data(), bytes.data(), bytes.size());
  secret.makeReadOnly();
  return RecordKeySecret(std::move(secret));
}

uint32_t RecordKeySecret::recordKey(std::string_view scope, std::string_view reference) const {
  // scope and reference are separated by a NUL, which neither holds, so no two pairs hash alike.
  std::string message;
  message.reserve(scope.size() + 1 + reference.size());
  message.append(scope).push_back('\0');
  message.append(reference);
  unsigned char hash[32];
  const auto key = bytes_.bytes();
  crypto_generichash(hash, sizeof hash, reinterpret_cast<const unsigned char*>(message.data()),
                     message.size(), key.data(), key.size());
  return uint32_t{hash[0]} | uint32_t{hash[1]} << 8 | uint32_t{hash[2]} << 16 | uint32_t{hash[3]} << 24;
}

}  // namespace liaison::crypto
