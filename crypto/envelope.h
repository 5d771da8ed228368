// Signed envelopes: sealing a message body under our key, and opening a received envelope, which
// is the only way to obtain a Verified<SignedEnvelope>.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "crypto/keys.h"
#include "schema/model.h"
#include "schema/status.h"

namespace liaison::crypto {

/// Largest encoded envelope openEnvelope will look at; larger input is refused before decoding.
inline constexpr size_t kMaxEnvelopeBytes = size_t{1} << 20;

/// A public key trusted to sign, with a label saying whose it is (a member id or an officer
/// pseudonym; may be empty).
struct TrustedKey {
  PublicKey key;
  std::string owner;
};

/// The keys whose signatures we accept, found by key id.
class KeyRing {
 public:
  /// Trusts `key` as `owner`'s. Refuses (conflict) a key whose id is already in the ring, so one id
  /// never stands for two owners.
  Status add(const PublicKey& key, std::string owner = {});

  /// The trusted key with this id, or nullptr.
  const TrustedKey* find(const KeyId& id) const;

 private:
  // Key ids are BLAKE2b outputs, so their first bytes already spread well.
  struct KeyIdHash {
    size_t operator()(const KeyId& id) const;
  };
  std::unordered_map<KeyId, TrustedKey, KeyIdHash> keys_;
};

template <typename T>
class Verified;

/// Decodes `bytes` as an envelope of type `expected` and checks its signature against `keys`.
Result<Verified<SignedEnvelope>> openEnvelope(std::span<const uint8_t> bytes, MessageType expected,
                                              const KeyRing& keys);

/// A value whose signature has been checked, with the key that signed it. Only openEnvelope makes
/// one, so code that takes a Verified<T> cannot be handed something unverified.
template <typename T>
class Verified {
 public:
  /// The verified value.
  const T& value() const { return value_; }
  const T& operator*() const { return value_; }
  const T* operator->() const { return &value_; }
  /// The key that signed it.
  const PublicKey& signer() const { return signer_; }
  /// The key ring's label for that key.
  const std::string& owner() const { return owner_; }

 private:
  Verified(T value, PublicKey signer, std::string owner)
      : value_(std::move(value)), signer_(std::move(signer)), owner_(std::move(owner)) {}

  friend Result<Verified<SignedEnvelope>> openEnvelope(std::span<const uint8_t> bytes, MessageType expected,
                                                       const KeyRing& keys);

  T value_;
  PublicKey signer_;
  std::string owner_;
};

/// Signs `body` as a message of `type` and returns the encoded envelope, ready to send.
std::vector<uint8_t> sealEnvelope(MessageType type, std::span<const uint8_t> body, const SecretKey& key);

}  // namespace liaison::crypto
