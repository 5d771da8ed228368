// Fuzz target for the federation directory, which every node reads from a file an operator
// distributes (node/client/directory.h): the first input byte picks what the rest is, 0 a directory
// body (schema/codec.h decodeDirectory, then the rules), 1 a signed directory opened against a
// fixed anchor at a fixed time. The seed corpus in tests/corpus/directory_fuzz/ is written by
// tests/directory_test.cc.
//
// Beyond "no crash, no sanitizer report": an accepted body is the canonical encoding of what it
// decodes to and within every limit; a signed directory that opens was signed by the anchor,
// follows every rule and is valid at the time it was opened.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>
#include <vector>

#include "crypto/keys.h"
#include "node/client/directory.h"
#include "schema/codec.h"
#include "schema/limits.h"

namespace {

using namespace liaison;
using Bytes = std::span<const uint8_t>;

void require(bool condition) {
  if (!condition) std::abort();
}

void within(const std::string& text, size_t maxBytes) { require(text.size() <= maxBytes); }

void checkLimits(const Directory& directory) {
  within(directory.federation, limits::kFederationNameBytes);
  require(directory.members.size() <= limits::kMaxDirectoryMembers);
  for (const DirectoryMember& member : directory.members) {
    within(member.member, limits::kMemberIdBytes);
    within(member.endpoint, limits::kEndpointBytes);
    require(member.signingKeys.size() <= limits::kMaxMemberKeys);
    require(member.tlsPins.size() <= limits::kMaxMemberPins);
    for (const DirectoryPin& pin : member.tlsPins) within(pin.pin, limits::kPinBytes);
    require(member.roles.size() <= limits::kMaxMemberRoles);
    if (member.purposes) {
      require(member.purposes->size() <= limits::kMaxMemberPurposes);
      for (const std::string& purpose : *member.purposes) within(purpose, limits::kPurposeBytes);
    }
  }
}

void fuzzBody(Bytes bytes) {
  auto directory = decodeDirectory(bytes);
  if (!directory) return;
  require(encodeDirectory(*directory) == std::vector<uint8_t>(bytes.begin(), bytes.end()));
  auto again = decodeDirectory(encodeDirectory(*directory));
  require(again.ok() && *again == *directory);
  checkLimits(*directory);
  (void)client::directoryProblems(*directory);
}

const crypto::KeyRing& anchors() {
  static const crypto::KeyRing ring = [] {
    std::array<uint8_t, 32> seed{};
    seed.fill(0xD1);  // the anchor of tests/directory_test.cc
    crypto::KeyRing keys;
    (void)keys.add(crypto::keyPairFromSeed(seed).publicKey, "anchor.pub");
    return keys;
  }();
  return ring;
}

void fuzzSigned(Bytes bytes) {
  const Timestamp now = parseTimestamp("2026-06-01T12:00:00Z").value();
  const client::OpenedDirectory opened = client::openDirectory(bytes, anchors(), now);
  auto shown = client::decodeSignedDirectory(bytes);
  const auto* trusted = std::get_if<client::TrustedDirectory>(&opened);
  if (trusted == nullptr) return;
  require(anchors().find(trusted->signer().id()) != nullptr);
  require(client::directoryProblems(trusted->directory()).empty());
  require((*trusted)->expiresAt >= now && (*trusted)->issuedAt <= now + client::kDirectoryClockSkew);
  checkLimits(trusted->directory());
  require(shown.ok() && shown->directory == trusted->directory());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const Bytes message(data + 1, size - 1);
  if (data[0] % 2 == 0) fuzzBody(message);
  else fuzzSigned(message);
  return 0;
}
