// The federation directory as plain values: the members of a federation, their nodes' endpoints,
// the keys that sign for them and the TLS certificates that identify them, each for a stated
// period. schema/directory.capnp is its wire form (schema/codec.h encodes it); a directory key
// signs it as an envelope of type `directory`, and node/client/directory.h opens and checks it.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "schema/model.h"

namespace liaison {

/// A signing key of a member, trusted from notBefore to notAfter, both included. A member that
/// rotates its key is listed with both keys for a while, their periods overlapping.
struct DirectoryKey {
  std::array<uint8_t, 32> publicKey{};  ///< the Ed25519 public key
  Timestamp notBefore{};
  Timestamp notAfter{};
  friend bool operator==(const DirectoryKey&, const DirectoryKey&) = default;
};

/// A TLS certificate of a member, by its SPKI pin (`sha256:<base64>`), trusted from notBefore to
/// notAfter, both included.
struct DirectoryPin {
  std::string pin;
  Timestamp notBefore{};
  Timestamp notAfter{};
  friend bool operator==(const DirectoryPin&, const DirectoryPin&) = default;
};

/// One member of the federation, as a node's `[[peer]]` entry describes a partner.
struct DirectoryMember {
  std::string member;    ///< member id, e.g. `XB-BORDER`
  std::string endpoint;  ///< `https://host:port` of its node; may be empty
  std::vector<DirectoryKey> signingKeys;
  std::vector<DirectoryPin> tlsPins;
  std::vector<Role> roles;  ///< the roles its officers may claim
  /// The purposes its officers may declare; nullopt: any the answering node's policy knows.
  std::optional<std::vector<std::string>> purposes;
  friend bool operator==(const DirectoryMember&, const DirectoryMember&) = default;
};

/// The body of a signed directory.
struct Directory {
  std::string federation;  ///< the federation's name, e.g. `EU-LIAISON`
  uint64_t serial = 0;     ///< grows with every directory issued: a node only moves to a higher one
  Timestamp issuedAt{};
  Timestamp expiresAt{};   ///< after this no node uses it
  std::vector<DirectoryMember> members;
  friend bool operator==(const Directory&, const Directory&) = default;
};

}  // namespace liaison
