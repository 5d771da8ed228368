// Ed25519 keys: the public key and its id as values, the secret key as a resource in guarded memory,
// and the two key files a node keeps on disk:
//   PREFIX.key  `liaison-ed25519-secret-v1 <base64 of the 32-byte seed>\n`, mode 0600
//   PREFIX.pub  `liaison-ed25519-public-v1 <base64 of the 32-byte key> <key id hex>\n`, mode 0644
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <utility>

#include "crypto/secret_memory.h"
#include "schema/model.h"
#include "schema/status.h"

namespace liaison::crypto {

/// Initialises libsodium. Idempotent and thread-safe; every function of this module calls it, so a
/// caller needs it only to open the random source early (before dropping privileges, say).
void initialise();

/// Largest key file accepted. Key files are one short line; anything bigger is not one of ours.
inline constexpr size_t kMaxKeyFileBytes = 4096;

/// A short, stable name for a public key: BLAKE2b-128 over "liaison/v1/key-id\0" and the key.
/// Envelopes carry it so a receiver can find the signer's key without trying every key it knows.
class KeyId {
 public:
  /// Wraps raw id bytes, e.g. from a received envelope; says nothing about whether the key is known.
  explicit KeyId(const std::array<uint8_t, 16>& bytes) : bytes_(bytes) {}

  /// The 16 id bytes.
  const std::array<uint8_t, 16>& bytes() const { return bytes_; }
  /// Lower-case hex, 32 characters, as key files and error messages show it.
  std::string hex() const;

  /// Constant time, so comparing an id taken from the wire leaks nothing through timing.
  friend bool operator==(const KeyId& a, const KeyId& b);

 private:
  std::array<uint8_t, 16> bytes_;
};

/// An Ed25519 public key that is a valid point of the prime-order subgroup, with its id.
class PublicKey {
 public:
  /// Accepts exactly 32 bytes encoding a valid, canonical, non-small-order point.
  static Result<PublicKey> fromBytes(std::span<const uint8_t> bytes);

  /// The 32 key bytes.
  const std::array<uint8_t, 32>& bytes() const { return bytes_; }
  /// The key's id, computed once when the key was made.
  const KeyId& id() const { return id_; }

  friend bool operator==(const PublicKey&, const PublicKey&) = default;

 private:
  PublicKey(const std::array<uint8_t, 32>& bytes, const KeyId& id) : bytes_(bytes), id_(id) {}

  std::array<uint8_t, 32> bytes_;
  KeyId id_;
};

struct KeyPair;

/// An Ed25519 secret key. Its 64 bytes live in a SecretBuffer (crypto/secret_memory.h): guarded,
/// locked out of swap and core dumps, read-only once written, wiped when the key is destroyed.
/// Move-only; a move hands the buffer over, and the moved-from key holds nothing: using it (to sign,
/// to derive its public key, to write it) stops the process rather than sign with no key. Has no
/// way to print or to hand out its bytes; only signing and writing the key file read them.
class SecretKey {
 public:
  SecretKey(const SecretKey&) = delete;
  SecretKey& operator=(const SecretKey&) = delete;
  SecretKey(SecretKey&& other) noexcept = default;
  SecretKey& operator=(SecretKey&& other) noexcept = default;
  ~SecretKey() = default;

  /// The matching public key.
  PublicKey publicKey() const;

 private:
  explicit SecretKey(SecretBuffer bytes) : bytes_(std::move(bytes)) {}
  // The key bytes for libsodium; stops the process when the key was moved from.
  const uint8_t* held() const;

  friend KeyPair keyPairFromSeed(std::span<const uint8_t, 32> seed);
  // signing.h declares this as `Signature sign(...)`; Signature is this array.
  friend std::array<uint8_t, 64> sign(MessageType type, std::span<const uint8_t> body, const SecretKey& key);
  friend Status writeKeyFiles(const std::filesystem::path& outPrefix, const KeyPair& pair);
  friend class RecordKeySecret;  // derives the statistics record-key secret (crypto/record_key.h)

  SecretBuffer bytes_;  ///< libsodium layout: the 32-byte seed, then the public key
};

/// A secret key with its public key.
struct KeyPair {
  PublicKey publicKey;
  SecretKey secretKey;
};

/// A fresh key pair from the system's random source.
KeyPair generateKeyPair();

/// The key pair a 32-byte seed determines. For deterministic fixtures and for loading key files;
/// a real node's keys come from generateKeyPair().
KeyPair keyPairFromSeed(std::span<const uint8_t, 32> seed);

/// Writes PREFIX.key (mode 0600, the seed) and PREFIX.pub (mode 0644, the public key and its id).
/// Refuses to overwrite either file, so an existing identity is never lost by accident.
Status writeKeyFiles(const std::filesystem::path& outPrefix, const KeyPair& pair);

/// Loads a .key file. Refuses a file that grants any access to group or others, and anything that
/// is not exactly the one-line format writeKeyFiles produces.
Result<SecretKey> loadSecretKey(const std::filesystem::path& path);

/// Loads a .pub file and checks that the key id it states is the id of the key it holds.
Result<PublicKey> loadPublicKey(const std::filesystem::path& path);

}  // namespace liaison::crypto
