#include "crypto/envelope.h"

#include <cstring>

#include "crypto/signing.h"
#include "schema/codec.h"

namespace liaison::crypto {

size_t KeyRing::KeyIdHash::operator()(const KeyId& id) const {
  size_t hash = 0;
  std::memcpy(&hash, id.bytes().data(), sizeof hash);
  return hash;
}

Status KeyRing::add(const PublicKey& key, std::string owner) {
  auto [it, inserted] = keys_.try_emplace(key.id(), TrustedKey{key, std::move(owner)});
  if (!inserted) {
    return fail(ErrorKind::conflict,
                "key " + key.id().hex() + " is already trusted as \"" + it->second.owner + "\"");
  }
  return {};
}

const TrustedKey* KeyRing::find(const KeyId& id) const {
  auto it = keys_.find(id);
  return it == keys_.end() ? nullptr : &it->second;
}

std::vector<uint8_t> sealEnvelope(MessageType type, std::span<const uint8_t> body, const SecretKey& key) {
  SignedEnvelope envelope;
  envelope.type = type;
  envelope.body.assign(body.begin(), body.end());
  envelope.keyId = key.publicKey().id().bytes();
  envelope.signature = sign(type, body, key);
  return encodeEnvelope(envelope);
}

Result<Verified<SignedEnvelope>> openEnvelope(std::span<const uint8_t> bytes, MessageType expected,
                                              const KeyRing& keys) {
  if (bytes.size() > kMaxEnvelopeBytes) {
    return fail(ErrorKind::invalidInput, "envelope of " + std::to_string(bytes.size()) +
                                             " bytes exceeds the " + std::to_string(kMaxEnvelopeBytes) +
                                             "-byte limit");
  }
  Result<SignedEnvelope> envelope = decodeEnvelope(bytes);
  if (!envelope) {
    return fail(ErrorKind::invalidInput, "envelope does not decode: " + envelope.error().message);
  }
  // Checked before the signature so a validly signed message of another type is refused by name,
  // and the type is the one the signature's domain prefix is then built from.
  if (envelope->type != expected) {
    return fail(ErrorKind::invalidInput, "envelope carries a " + std::string(name(envelope->type)) +
                                             " where a " + std::string(name(expected)) + " was expected");
  }
  KeyId keyId(envelope->keyId);
  const TrustedKey* signer = keys.find(keyId);
  if (signer == nullptr) return fail(ErrorKind::notPermitted, "unknown signing key " + keyId.hex());
  if (!verify(expected, envelope->body, envelope->signature, signer->key)) {
    std::string whose = signer->owner.empty() ? "" : " of " + signer->owner;
    return fail(ErrorKind::notPermitted, "signature does not verify under key " + keyId.hex() + whose);
  }
  return Verified<SignedEnvelope>(std::move(envelope).value(), signer->key, signer->owner);
}

}  // namespace liaison::crypto
