#include "node/client/directory.h"

#include <algorithm>
#include <map>
#include <set>

#include "crypto/digest.h"
#include "crypto/secure_file.h"
#include "crypto/signing.h"
#include "node/net/tls_identity.h"
#include "schema/codec.h"
#include "schema/limits.h"

namespace liaison::client {
namespace {

// Collects the problems of one directory, each worded "WHERE: what is wrong".
class Rules {
 public:
  void problem(const std::string& where, const std::string& what) { problems_.push_back(where + ": " + what); }
  std::vector<std::string> take() { return std::move(problems_); }

 private:
  std::vector<std::string> problems_;
};

// A credential's period must end after it starts.
void checkPeriod(Rules& rules, const std::string& where, Timestamp notBefore, Timestamp notAfter) {
  if (notAfter <= notBefore) {
    rules.problem(where, "its period ends (" + formatTimestamp(notAfter) + ") before it starts (" +
                             formatTimestamp(notBefore) + ")");
  }
}

bool isPin(const std::string& pin) {
  if (pin.size() != net::kPinLength || pin.rfind(net::kPinPrefix, 0) != 0) return false;
  auto hash = crypto::fromBase64(std::string_view(pin).substr(net::kPinPrefix.size()), 32);
  return hash && hash->size() == 32;
}

// The keys and pins seen so far, by value, with where each was listed: one credential identifies
// one member, so the second listing of any of them is refused, naming the first.
struct Seen {
  std::map<std::array<uint8_t, 32>, std::string> keys;
  std::map<std::string, std::string> pins;
};

void checkMember(Rules& rules, const DirectoryMember& member, size_t index, Seen& seen) {
  const std::string where = "member " + (member.member.empty() ? "#" + std::to_string(index + 1) : member.member);
  if (member.member.empty()) rules.problem(where, "has no member id");
  if (!member.endpoint.empty() && member.endpoint.rfind("https://", 0) != 0) {
    rules.problem(where, "endpoint must start with https://");
  }
  if (member.signingKeys.empty()) rules.problem(where, "lists no signing key: it could not sign a request");
  for (size_t k = 0; k < member.signingKeys.size(); ++k) {
    const DirectoryKey& key = member.signingKeys[k];
    auto publicKey = crypto::PublicKey::fromBytes(key.publicKey);
    const std::string keyWhere = where + " signing key " + std::to_string(k + 1) +
                                 (publicKey ? " (id " + publicKey->id().hex() + ")" : "");
    if (!publicKey) rules.problem(keyWhere, "is not a valid Ed25519 public key");
    checkPeriod(rules, keyWhere, key.notBefore, key.notAfter);
    if (auto [it, fresh] = seen.keys.emplace(key.publicKey, keyWhere); !fresh) {
      rules.problem(keyWhere, "is listed twice, also as " + it->second + ": one key signs for one member only");
    }
  }
  if (member.tlsPins.empty()) rules.problem(where, "lists no TLS pin: its node could not connect");
  for (size_t p = 0; p < member.tlsPins.size(); ++p) {
    const DirectoryPin& pin = member.tlsPins[p];
    const std::string pinWhere = where + " TLS pin " + std::to_string(p + 1);
    if (!isPin(pin.pin)) {
      rules.problem(pinWhere, "must be sha256: and the base64 of a 32-byte hash");
      continue;
    }
    checkPeriod(rules, pinWhere, pin.notBefore, pin.notAfter);
    if (auto [it, fresh] = seen.pins.emplace(pin.pin, pinWhere); !fresh) {
      rules.problem(pinWhere, "is listed twice, also as " + it->second +
                                  ": one certificate identifies one member only");
    }
  }
  if (member.roles.empty()) rules.problem(where, "lists no role its officers may claim");
  std::set<Role> roles;
  for (Role role : member.roles) {
    if (!roles.insert(role).second) rules.problem(where, "lists role " + std::string(name(role)) + " twice");
    if (role == Role::auditor) {
      rules.problem(where, "lists role auditor: a node's audit log is read by its own auditors only");
    }
  }
  if (member.purposes) {
    if (member.purposes->empty()) rules.problem(where, "lists no purpose; leave purposes out to allow any");
    std::set<std::string> purposes;
    for (const std::string& purpose : *member.purposes) {
      if (purpose.empty()) rules.problem(where, "lists an empty purpose");
      else if (!purposes.insert(purpose).second) rules.problem(where, "lists purpose '" + purpose + "' twice");
    }
  }
}

DirectoryRefusal refusal(DirectoryProblem problem, std::string message) { return {problem, std::move(message)}; }

// The envelope of a signed directory, checked to be one.
Result<SignedEnvelope> directoryEnvelope(std::span<const uint8_t> signedBytes) {
  if (signedBytes.size() > kMaxSignedDirectoryBytes) {
    return fail(ErrorKind::invalidInput, "directory: " + limits::bytesOverLimit(signedBytes.size(), kMaxSignedDirectoryBytes));
  }
  auto envelope = decodeEnvelope(signedBytes);
  if (!envelope) return envelope.error();
  if (envelope->type != MessageType::directory) {
    return fail(ErrorKind::invalidInput, "the envelope carries a " + std::string(name(envelope->type)) +
                                             ", not a directory");
  }
  return envelope;
}

}  // namespace

std::vector<std::string> directoryProblems(const Directory& directory) {
  Rules rules;
  const std::string where = "directory";
  if (directory.federation.empty()) rules.problem(where, "names no federation");
  if (directory.serial == 0) rules.problem(where, "serial must be at least 1");
  if (directory.expiresAt <= directory.issuedAt) {
    rules.problem(where, "expires (" + formatTimestamp(directory.expiresAt) + ") before it is issued (" +
                             formatTimestamp(directory.issuedAt) + ")");
  } else if (directory.expiresAt - directory.issuedAt > kMaxDirectoryValidity) {
    rules.problem(where, "is valid for " + roughDuration(directory.expiresAt - directory.issuedAt) +
                             ", longer than the " + roughDuration(kMaxDirectoryValidity) + " allowed");
  }
  std::map<std::string, size_t> members;
  Seen seen;
  for (size_t i = 0; i < directory.members.size(); ++i) {
    const DirectoryMember& member = directory.members[i];
    if (!member.member.empty()) {
      if (auto [it, fresh] = members.emplace(member.member, i); !fresh) {
        rules.problem("member " + member.member, "is listed twice (entries " + std::to_string(it->second + 1) +
                                                     " and " + std::to_string(i + 1) + ")");
      }
    }
    checkMember(rules, member, i, seen);
  }
  return rules.take();
}

Result<std::vector<uint8_t>> signDirectory(const Directory& directory, const crypto::SecretKey& key) {
  if (std::vector<std::string> problems = directoryProblems(directory); !problems.empty()) {
    std::string message;
    for (const std::string& p : problems) message += (message.empty() ? "" : "\n") + p;
    return fail(ErrorKind::invalidInput, message);
  }
  std::vector<uint8_t> sealed = crypto::sealEnvelope(MessageType::directory, encodeDirectory(directory), key);
  if (sealed.size() > kMaxSignedDirectoryBytes) {
    return fail(ErrorKind::invalidInput, "the signed directory would be " + std::to_string(sealed.size()) +
                                             " bytes, more than the " + std::to_string(kMaxSignedDirectoryBytes) +
                                             " a node reads: list fewer members, keys, pins or purposes");
  }
  return sealed;
}

std::string_view name(DirectoryProblem problem) {
  switch (problem) {
    case DirectoryProblem::unreadable: return "unreadable";
    case DirectoryProblem::malformed: return "malformed";
    case DirectoryProblem::unknownKey: return "unknown-key";
    case DirectoryProblem::badSignature: return "bad-signature";
    case DirectoryProblem::invalid: return "invalid";
    case DirectoryProblem::notYetValid: return "not-yet-valid";
    case DirectoryProblem::expired: return "expired";
  }
  return "invalid";
}

OpenedDirectory openDirectory(std::span<const uint8_t> signedBytes, const crypto::KeyRing& anchors, Timestamp now) {
  auto envelope = directoryEnvelope(signedBytes);
  if (!envelope) return refusal(DirectoryProblem::malformed, envelope.error().message);
  const crypto::KeyId keyId(envelope->keyId);
  const crypto::TrustedKey* anchor = anchors.find(keyId);
  if (anchor == nullptr) {
    return refusal(DirectoryProblem::unknownKey,
                   "signed by key " + keyId.hex() + ", which is not one of the trusted directory keys (anchors)");
  }
  // The signature before the body is parsed, as for every envelope.
  if (!crypto::verify(MessageType::directory, envelope->body, envelope->signature, anchor->key)) {
    return refusal(DirectoryProblem::badSignature,
                   "the signature does not verify under anchor " + keyId.hex() + " (" + anchor->owner + ")");
  }
  auto directory = decodeDirectory(envelope->body);
  if (!directory) return refusal(DirectoryProblem::malformed, directory.error().message);
  if (std::vector<std::string> problems = directoryProblems(*directory); !problems.empty()) {
    std::string message = "serial " + std::to_string(directory->serial) + " is signed but breaks the rules:";
    for (const std::string& p : problems) message += "\n" + p;
    return refusal(DirectoryProblem::invalid, message);
  }
  const std::string serial = "serial " + std::to_string(directory->serial);
  if (directory->issuedAt > now + kDirectoryClockSkew) {
    return refusal(DirectoryProblem::notYetValid, serial + " is issued at " + formatTimestamp(directory->issuedAt) +
                                                      ", " + roughDuration(directory->issuedAt - now) +
                                                      " from now: not valid yet (is a clock wrong?)");
  }
  if (now > directory->expiresAt) {
    return refusal(DirectoryProblem::expired, serial + " expired at " + formatTimestamp(directory->expiresAt) + ", " +
                                                  roughDuration(now - directory->expiresAt) + " ago");
  }
  return TrustedDirectory(std::move(directory).value(), anchor->key, crypto::sha256(envelope->body));
}

std::variant<std::vector<uint8_t>, DirectoryRefusal> readSignedDirectoryFile(const std::filesystem::path& path) {
  std::vector<char> buffer(kMaxSignedDirectoryBytes + 1);
  auto length = crypto::readBoundedFile(path, buffer, {.limitFor = "a signed directory", .statesSizeOnDisk = true});
  if (!length) return refusal(DirectoryProblem::unreadable, length.error().message);
  return std::vector<uint8_t>(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(*length));
}

Result<UnverifiedDirectory> decodeSignedDirectory(std::span<const uint8_t> signedBytes) {
  auto envelope = directoryEnvelope(signedBytes);
  if (!envelope) return envelope.error();
  auto directory = decodeDirectory(envelope->body);
  if (!directory) return directory.error();
  return UnverifiedDirectory{crypto::KeyId(envelope->keyId), std::move(directory).value()};
}

Result<crypto::KeyRing> loadDirectoryAnchors(const std::vector<std::filesystem::path>& files) {
  crypto::KeyRing anchors;
  for (const std::filesystem::path& file : files) {
    auto key = crypto::loadPublicKey(file);
    if (!key) return key.error();
    if (Status added = anchors.add(*key, file.string()); !added) {
      return fail(ErrorKind::invalidInput, file.string() + ": " + added.error().message);
    }
  }
  return anchors;
}

std::string roughDuration(std::chrono::seconds span) {
  using std::chrono::duration_cast;
  const auto count = [](auto value, const char* unit) {
    const auto n = value.count();
    return std::to_string(n) + " " + unit + (n == 1 ? "" : "s");
  };
  if (span >= std::chrono::days(2)) return count(duration_cast<std::chrono::days>(span), "day");
  if (span >= std::chrono::hours(2)) return count(duration_cast<std::chrono::hours>(span), "hour");
  if (span >= std::chrono::minutes(2)) return count(duration_cast<std::chrono::minutes>(span), "minute");
  return count(span, "second");
}

}  // namespace liaison::client
