#include "crypto/signing.h"

#include <sodium.h>

#include <algorithm>
#include <string_view>
#include <vector>

namespace liaison::crypto {
namespace {

// The bytes actually signed: "liaison/v1/" + name(type) + "\0" + body. The NUL ends the type name,
// so no type's prefix can be read as another type's prefix followed by body bytes.
std::vector<uint8_t> signedBytes(MessageType type, std::span<const uint8_t> body) {
  constexpr std::string_view kPrefix = "liaison/v1/";
  std::string_view typeName = name(type);
  std::vector<uint8_t> message(kPrefix.size() + typeName.size() + 1 + body.size());
  auto out = std::copy(kPrefix.begin(), kPrefix.end(), message.begin());
  out = std::copy(typeName.begin(), typeName.end(), out);
  *out++ = 0;
  std::copy(body.begin(), body.end(), out);
  return message;
}

}  // namespace

Signature sign(MessageType type, std::span<const uint8_t> body, const SecretKey& key) {
  initialise();
  std::vector<uint8_t> message = signedBytes(type, body);
  Signature signature{};
  crypto_sign_detached(signature.data(), nullptr, message.data(), message.size(), key.held());
  return signature;
}

bool verify(MessageType type, std::span<const uint8_t> body, const Signature& signature,
            const PublicKey& key) {
  initialise();
  std::vector<uint8_t> message = signedBytes(type, body);
  return crypto_sign_verify_detached(signature.data(), message.data(), message.size(), key.bytes().data()) ==
         0;
}

}  // namespace liaison::crypto
