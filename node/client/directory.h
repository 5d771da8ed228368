// The signed federation directory (schema/directory.h) as operators and nodes use it: the rules a
// directory must follow, signing one with the directory key, and opening a signed one, which checks
// the signature against the trust anchors, the contents against the rules and the period against
// the time. A directory is an envelope of type `directory`: Ed25519 over
// "liaison/v1/directory\0" and the canonical Cap'n Proto body (crypto/signing.h).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "crypto/envelope.h"
#include "crypto/keys.h"
#include "schema/directory.h"
#include "schema/status.h"

namespace liaison::client {

/// The largest signed directory read or written: the envelope limit (1 MiB), room for about a
/// thousand members with two keys and two pins each.
inline constexpr size_t kMaxSignedDirectoryBytes = crypto::kMaxEnvelopeBytes;

/// The longest period a directory may be valid. A directory is the federation's list of who may
/// ask; one that never expires would let a removed member's key be used forever by whoever keeps
/// the old file.
inline constexpr std::chrono::seconds kMaxDirectoryValidity = std::chrono::days(366);

/// How far the clock of the machine that signed a directory may run ahead of the node's: a
/// directory issued at most this far in the future is valid already.
inline constexpr std::chrono::seconds kDirectoryClockSkew{300};

/// Every rule `directory` breaks, one message per problem naming the member and the entry; empty
/// when it follows them all. The rules: a federation name and a serial of at least 1; a period that
/// ends after it starts and is at most kMaxDirectoryValidity long; members listed once each, with a
/// member id, an endpoint that is empty or `https://...`, at least one signing key (a valid Ed25519
/// key) and one TLS pin (`sha256:` and the base64 of 32 bytes), each with a period that ends after
/// it starts; no key or pin listed twice, for one member or two (one credential identifies one
/// member); at least one role, none twice, never `auditor` (a node's audit log is read by its own
/// auditors only); purposes, when listed, at least one, none empty or twice.
std::vector<std::string> directoryProblems(const Directory& directory);

/// The encoded envelope of `directory` signed with the directory key `key`. Refuses
/// (invalidInput) a directory that breaks a rule, naming every problem, or whose signed form would
/// exceed kMaxSignedDirectoryBytes.
Result<std::vector<uint8_t>> signDirectory(const Directory& directory, const crypto::SecretKey& key);

/// Why a signed directory was refused.
enum class DirectoryProblem {
  unreadable,    ///< the file cannot be read, or is larger than kMaxSignedDirectoryBytes
  malformed,     ///< not a directory envelope, or its body does not decode
  unknownKey,    ///< signed by a key that is not one of the trust anchors
  badSignature,  ///< the signature does not verify under the anchor it names
  invalid,       ///< signed, but it breaks a rule (directoryProblems)
  notYetValid,   ///< issued later than now (beyond kDirectoryClockSkew)
  expired,       ///< past its expiry
};

/// A short stable name: `unreadable`, `malformed`, `unknown-key`, `bad-signature`, `invalid`,
/// `not-yet-valid`, `expired`.
std::string_view name(DirectoryProblem problem);

/// A refusal: its kind, and a message that says what was wrong, e.g. "expired at
/// 2026-01-02T03:04:05Z, 2 days ago".
struct DirectoryRefusal {
  DirectoryProblem problem;
  std::string message;
};

class TrustedDirectory;
/// A directory that opened, or why it did not.
using OpenedDirectory = std::variant<TrustedDirectory, DirectoryRefusal>;

/// Opens a signed directory: an envelope of type `directory` signed by a key of `anchors`, whose
/// body decodes, follows the rules and is valid at `now`.
OpenedDirectory openDirectory(std::span<const uint8_t> signedBytes, const crypto::KeyRing& anchors, Timestamp now);

/// A directory signed by a trust anchor, following the rules and valid when it was opened. Only
/// openDirectory makes one, so code that takes a TrustedDirectory cannot be handed anything else.
/// It stays what it was when opened: whether it is still valid is a question of the time
/// (expiresAt).
class TrustedDirectory {
 public:
  const Directory& directory() const { return directory_; }
  const Directory* operator->() const { return &directory_; }
  /// The anchor that signed it.
  const crypto::PublicKey& signer() const { return signer_; }
  /// SHA-256 of the signed body: names this directory in logs and audit entries.
  const Digest& digest() const { return digest_; }

 private:
  TrustedDirectory(Directory directory, crypto::PublicKey signer, const Digest& digest)
      : directory_(std::move(directory)), signer_(std::move(signer)), digest_(digest) {}
  friend OpenedDirectory openDirectory(std::span<const uint8_t>, const crypto::KeyRing&, Timestamp);

  Directory directory_;
  crypto::PublicKey signer_;
  Digest digest_;
};

/// Reads a signed directory file of at most kMaxSignedDirectoryBytes; an unreadable or larger
/// file is a refusal of kind `unreadable` naming the path.
std::variant<std::vector<uint8_t>, DirectoryRefusal> readSignedDirectoryFile(const std::filesystem::path& path);

/// A signed directory's signer and contents, decoded without checking the signature or the
/// period: what `liaison directory show` prints.
struct UnverifiedDirectory {
  crypto::KeyId signer;
  Directory directory;
};

/// Decodes a signed directory without verifying it; refuses what is not a directory envelope or
/// whose body does not decode.
Result<UnverifiedDirectory> decodeSignedDirectory(std::span<const uint8_t> signedBytes);

/// The trust anchors: the directory keys' `.pub` files, each trusted under its file name. Refuses a
/// file that does not load and a key given twice.
Result<crypto::KeyRing> loadDirectoryAnchors(const std::vector<std::filesystem::path>& files);

/// "2 days", "5 hours", "40 minutes", "12 seconds": how long `span` is, roughly, for messages.
std::string roughDuration(std::chrono::seconds span);

}  // namespace liaison::client
