// The federation directory without a node: its wire form (schema/codec.h), its rules, signing, and
// opening a signed one (node/client/directory.h), with every way a directory is refused; and the
// seed corpus of tests/directory_fuzz.cc, regenerated after a schema change with
//
//   LIAISON_WRITE_DIRECTORY_CORPUS=1 build/bin/liaison_unit_tests --gtest_filter='DirectoryFuzzCorpus.*'
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "crypto/digest.h"
#include "crypto/envelope.h"
#include "crypto/keys.h"
#include "crypto/signing.h"
#include "node/client/directory.h"
#include "schema/codec.h"
#include "schema/limits.h"

namespace liaison::client {
namespace {

using ::testing::HasSubstr;

Timestamp at(const char* text) { return parseTimestamp(text).value(); }

// The time the tests open directories at, and the corpus's anchor: tests/directory_fuzz.cc uses
// the same (kFuzzNow, seed byte kFuzzAnchorSeed).
const Timestamp kNow = at("2026-06-01T12:00:00Z");
constexpr uint8_t kAnchorSeed = 0xD1;

crypto::KeyPair fixedKeys(uint8_t fill) {
  std::array<uint8_t, 32> seed{};
  seed.fill(fill);
  return crypto::keyPairFromSeed(seed);
}

// A well-formed pin whose hash is 32 bytes of `fill`.
std::string pinOf(uint8_t fill) {
  std::array<uint8_t, 32> hash{};
  hash.fill(fill);
  return "sha256:" + crypto::base64(hash);
}

DirectoryMember member(const std::string& id, uint8_t keySeed, uint8_t pinFill) {
  DirectoryMember m;
  m.member = id;
  m.endpoint = "https://" + id + ".example:8443";
  m.signingKeys = {DirectoryKey{fixedKeys(keySeed).publicKey.bytes(), at("2026-01-01T00:00:00Z"), at("2026-12-31T00:00:00Z")}};
  m.tlsPins = {DirectoryPin{pinOf(pinFill), at("2026-01-01T00:00:00Z"), at("2026-12-31T00:00:00Z")}};
  m.roles = {Role::border, Role::immigration};
  return m;
}

Directory sampleDirectory() {
  Directory d;
  d.federation = "EU-LIAISON";
  d.serial = 7;
  d.issuedAt = at("2026-05-01T00:00:00Z");
  d.expiresAt = at("2026-07-01T00:00:00Z");
  d.members = {member("XB-BORDER", 0xB1, 0xB2), member("XC-IMMIGRATION", 0xC1, 0xC2)};
  d.members[0].purposes = std::vector<std::string>{"border-check"};
  // XC rotates its key: the old one until mid-June, the new one from June on.
  d.members[1].signingKeys.push_back(
      DirectoryKey{fixedKeys(0xC3).publicKey.bytes(), at("2026-06-01T00:00:00Z"), at("2027-01-01T00:00:00Z")});
  return d;
}

crypto::KeyRing ringOf(const crypto::KeyPair& keys, const std::string& owner = "anchor.pub") {
  crypto::KeyRing ring;
  EXPECT_TRUE(ring.add(keys.publicKey, owner).ok());
  return ring;
}

std::vector<uint8_t> signedSample(const Directory& directory = sampleDirectory()) {
  return signDirectory(directory, fixedKeys(kAnchorSeed).secretKey).value();
}

DirectoryRefusal refusalOf(const OpenedDirectory& opened) {
  if (const auto* refusal = std::get_if<DirectoryRefusal>(&opened)) return *refusal;
  ADD_FAILURE() << "the directory opened";
  return {};
}

// --- the wire form -------------------------------------------------------------------------------

TEST(DirectoryCodec, EveryFieldSurvivesTheRoundTripAndEqualValuesGiveEqualBytes) {
  const Directory directory = sampleDirectory();
  const std::vector<uint8_t> bytes = encodeDirectory(directory);
  auto decoded = decodeDirectory(bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(*decoded, directory);
  EXPECT_EQ(encodeDirectory(*decoded), bytes);
  // "Any purpose" and "no purpose at all" are different directories.
  Directory none = directory;
  none.members[0].purposes = std::vector<std::string>{};
  auto decodedNone = decodeDirectory(encodeDirectory(none));
  ASSERT_TRUE(decodedNone.ok());
  EXPECT_TRUE(decodedNone->members[0].purposes.has_value());
  EXPECT_FALSE(decodeDirectory(encodeDirectory(directory))->members[1].purposes.has_value());
}

TEST(DirectoryCodec, EveryListAndTextBeyondItsLimitIsRefusedNamingTheField) {
  struct Case {
    const char* says;
    std::function<void(Directory&)> change;
  };
  const std::vector<Case> cases = {
      {"directory: members has 1001 items, more than the 1000 allowed",
       [](Directory& d) { d.members.resize(limits::kMaxDirectoryMembers + 1, d.members[0]); }},
      {"directory: members[0] signing keys has 9 items, more than the 8 allowed",
       [](Directory& d) { d.members[0].signingKeys.resize(limits::kMaxMemberKeys + 1, d.members[0].signingKeys[0]); }},
      {"directory: members[0] tls pins has 9 items, more than the 8 allowed",
       [](Directory& d) { d.members[0].tlsPins.resize(limits::kMaxMemberPins + 1, d.members[0].tlsPins[0]); }},
      {"directory: members[1] roles has 8 items, more than the 7 allowed",
       [](Directory& d) { d.members[1].roles.resize(limits::kMaxMemberRoles + 1, Role::border); }},
      {"directory: members[0] purposes has 65 items, more than the 64 allowed",
       [](Directory& d) { d.members[0].purposes->resize(limits::kMaxMemberPurposes + 1, "p"); }},
      {"directory: members[0] purposes[0] is 65 bytes, more than the 64 allowed",
       [](Directory& d) { (*d.members[0].purposes)[0] = std::string(limits::kPurposeBytes + 1, 'p'); }},
      {"directory: members[0] endpoint is 513 bytes, more than the 512 allowed",
       [](Directory& d) { d.members[0].endpoint = "https://" + std::string(limits::kEndpointBytes - 7, 'e'); }},
      {"directory: members[0] member is 65 bytes, more than the 64 allowed",
       [](Directory& d) { d.members[0].member = std::string(limits::kMemberIdBytes + 1, 'M'); }},
      {"directory: members[0] tls pins[0] pin is 129 bytes, more than the 128 allowed",
       [](Directory& d) { d.members[0].tlsPins[0].pin = std::string(limits::kPinBytes + 1, 'x'); }},
      {"directory: federation is 65 bytes, more than the 64 allowed",
       [](Directory& d) { d.federation = std::string(limits::kFederationNameBytes + 1, 'F'); }},
  };
  for (const Case& c : cases) {
    Directory directory = sampleDirectory();
    c.change(directory);
    auto decoded = decodeDirectory(encodeDirectory(directory));
    ASSERT_FALSE(decoded.ok()) << c.says;
    EXPECT_EQ(decoded.error().message, c.says);
  }
}

TEST(DirectoryCodec, ATimeBeyondTheYear9999IsRefusedNamingTheField) {
  Directory directory = sampleDirectory();
  directory.members[0].signingKeys[0].notAfter = Timestamp{std::chrono::seconds{int64_t{1} << 40}};
  auto decoded = decodeDirectory(encodeDirectory(directory));
  ASSERT_FALSE(decoded.ok());
  EXPECT_THAT(decoded.error().message, HasSubstr("directory: members[0] signing keys[0] not after"));
}

// --- the rules -------------------------------------------------------------------------------------

TEST(DirectoryRules, TheSampleFollowsThemAll) { EXPECT_TRUE(directoryProblems(sampleDirectory()).empty()); }

TEST(DirectoryRules, EachBrokenRuleIsNamedWithTheMemberAndTheEntry) {
  struct Case {
    std::string says;
    std::function<void(Directory&)> change;
  };
  const std::vector<Case> cases = {
      {"directory: names no federation", [](Directory& d) { d.federation.clear(); }},
      {"directory: serial must be at least 1", [](Directory& d) { d.serial = 0; }},
      {"directory: expires (2026-04-01T00:00:00Z) before it is issued",
       [](Directory& d) { d.expiresAt = at("2026-04-01T00:00:00Z"); }},
      {"directory: is valid for 367 days, longer than the 366 days allowed",
       [](Directory& d) { d.expiresAt = d.issuedAt + std::chrono::days(367); }},
      {"member XB-BORDER: is listed twice (entries 1 and 3)",
       [](Directory& d) { d.members.push_back(member("XB-BORDER", 0xB5, 0xB6)); }},
      {"member #1: has no member id", [](Directory& d) { d.members[0].member.clear(); }},
      {"member XB-BORDER: endpoint must start with https://",
       [](Directory& d) { d.members[0].endpoint = "http://xb.example"; }},
      {"member XB-BORDER: lists no signing key", [](Directory& d) { d.members[0].signingKeys.clear(); }},
      {"member XB-BORDER: lists no TLS pin", [](Directory& d) { d.members[0].tlsPins.clear(); }},
      {"member XB-BORDER signing key 1: is not a valid Ed25519 public key",
       [](Directory& d) { d.members[0].signingKeys[0].publicKey.fill(0); }},
      {"its period ends (2026-01-01T00:00:00Z) before it starts (2026-12-31T00:00:00Z)",
       [](Directory& d) { std::swap(d.members[0].signingKeys[0].notBefore, d.members[0].signingKeys[0].notAfter); }},
      {"member XB-BORDER TLS pin 1: must be sha256: and the base64 of a 32-byte hash",
       [](Directory& d) { d.members[0].tlsPins[0].pin = "sha256:not-base64"; }},
      {"member XB-BORDER TLS pin 2: is listed twice, also as member XB-BORDER TLS pin 1",
       [](Directory& d) { d.members[0].tlsPins.push_back(d.members[0].tlsPins[0]); }},
      {"member XC-IMMIGRATION TLS pin 1: is listed twice, also as member XB-BORDER TLS pin 1: one certificate "
       "identifies one member only",
       [](Directory& d) { d.members[1].tlsPins[0].pin = d.members[0].tlsPins[0].pin; }},
      {"member XC-IMMIGRATION signing key 1 (id " + fixedKeys(0xB1).publicKey.id().hex() +
           "): is listed twice, also as member XB-BORDER signing key 1",
       [](Directory& d) { d.members[1].signingKeys[0].publicKey = d.members[0].signingKeys[0].publicKey; }},
      {"member XB-BORDER: lists no role", [](Directory& d) { d.members[0].roles.clear(); }},
      {"member XB-BORDER: lists role border twice", [](Directory& d) { d.members[0].roles.push_back(Role::border); }},
      {"member XB-BORDER: lists role auditor: a node's audit log is read by its own auditors only",
       [](Directory& d) { d.members[0].roles.push_back(Role::auditor); }},
      {"member XB-BORDER: lists no purpose; leave purposes out to allow any",
       [](Directory& d) { d.members[0].purposes->clear(); }},
      {"member XB-BORDER: lists purpose 'border-check' twice",
       [](Directory& d) { d.members[0].purposes->push_back("border-check"); }},
  };
  for (const Case& c : cases) {
    Directory directory = sampleDirectory();
    c.change(directory);
    const std::vector<std::string> problems = directoryProblems(directory);
    std::string all;
    for (const std::string& p : problems) all += p + "\n";
    EXPECT_THAT(all, HasSubstr(c.says));
    // A directory that breaks a rule is never signed.
    auto signedBytes = signDirectory(directory, fixedKeys(kAnchorSeed).secretKey);
    ASSERT_FALSE(signedBytes.ok()) << c.says;
    EXPECT_THAT(signedBytes.error().message, HasSubstr(c.says));
  }
}

TEST(DirectoryRules, ADirectoryTooLargeForANodeToReadIsNotSigned) {
  Directory directory = sampleDirectory();
  // About 4 MiB: a thousand members, each with its own key and pin and 64 purposes of 63 bytes.
  directory.members.clear();
  for (int i = 0; i < 1000; ++i) {
    std::array<uint8_t, 32> seed{};
    seed[0] = static_cast<uint8_t>(i);
    seed[1] = static_cast<uint8_t>(i >> 8);
    DirectoryMember m = member("M" + std::to_string(i), 1, 1);
    m.signingKeys[0].publicKey = crypto::keyPairFromSeed(seed).publicKey.bytes();
    m.tlsPins[0].pin = "sha256:" + crypto::base64(crypto::sha256(seed));
    m.purposes = std::vector<std::string>();
    for (int p = 0; p < 64; ++p) m.purposes->push_back(std::to_string(p) + std::string(60, 'p'));
    directory.members.push_back(std::move(m));
  }
  ASSERT_TRUE(directoryProblems(directory).empty());
  auto signedBytes = signDirectory(directory, fixedKeys(kAnchorSeed).secretKey);
  ASSERT_FALSE(signedBytes.ok());
  EXPECT_THAT(signedBytes.error().message, HasSubstr("more than the 1048576 a node reads"));
}

// --- opening a signed directory ------------------------------------------------------------------

TEST(DirectoryOpening, ADirectorySignedByAnAnchorAndValidNowOpensAsSigned) {
  const std::vector<uint8_t> bytes = signedSample();
  auto opened = openDirectory(bytes, ringOf(fixedKeys(kAnchorSeed)), kNow);
  ASSERT_TRUE(std::holds_alternative<TrustedDirectory>(opened)) << refusalOf(opened).message;
  const TrustedDirectory& trusted = std::get<TrustedDirectory>(opened);
  EXPECT_EQ(trusted.directory(), sampleDirectory());
  EXPECT_EQ(trusted.signer(), fixedKeys(kAnchorSeed).publicKey);
  EXPECT_EQ(trusted.digest(), crypto::sha256(encodeDirectory(sampleDirectory())));
}

TEST(DirectoryOpening, AnExpiredDirectoryIsRefusedSayingWhenItExpired) {
  const DirectoryRefusal refusal =
      refusalOf(openDirectory(signedSample(), ringOf(fixedKeys(kAnchorSeed)), at("2026-07-03T00:00:00Z")));
  EXPECT_EQ(refusal.problem, DirectoryProblem::expired);
  EXPECT_EQ(refusal.message, "serial 7 expired at 2026-07-01T00:00:00Z, 2 days ago");
  // Its last second still counts.
  EXPECT_TRUE(std::holds_alternative<TrustedDirectory>(
      openDirectory(signedSample(), ringOf(fixedKeys(kAnchorSeed)), at("2026-07-01T00:00:00Z"))));
}

TEST(DirectoryOpening, ADirectoryIssuedLaterThanTheClockAllowsIsNotValidYet) {
  const auto anchors = ringOf(fixedKeys(kAnchorSeed));
  const DirectoryRefusal refusal = refusalOf(openDirectory(signedSample(), anchors, at("2026-04-30T23:00:00Z")));
  EXPECT_EQ(refusal.problem, DirectoryProblem::notYetValid);
  EXPECT_THAT(refusal.message, HasSubstr("issued at 2026-05-01T00:00:00Z"));
  // A signer's clock a little ahead is forgiven.
  EXPECT_TRUE(std::holds_alternative<TrustedDirectory>(
      openDirectory(signedSample(), anchors, at("2026-05-01T00:00:00Z") - kDirectoryClockSkew)));
}

TEST(DirectoryOpening, ADirectorySignedByAnotherKeyIsRefusedAsNotAnAnchors) {
  const std::vector<uint8_t> bytes = signDirectory(sampleDirectory(), fixedKeys(0x66).secretKey).value();
  const DirectoryRefusal refusal = refusalOf(openDirectory(bytes, ringOf(fixedKeys(kAnchorSeed)), kNow));
  EXPECT_EQ(refusal.problem, DirectoryProblem::unknownKey);
  EXPECT_THAT(refusal.message, HasSubstr(fixedKeys(0x66).publicKey.id().hex()));
}

TEST(DirectoryOpening, AChangedByteOfTheSignedBodyBreaksTheSignature) {
  const Directory directory = sampleDirectory();
  auto envelope = decodeEnvelope(signedSample(directory)).value();
  // The member's id changes from XB-BORDER to XB-BORDEX: a forged member, same length.
  const std::vector<uint8_t> body = envelope.body;
  const auto at = std::search(body.begin(), body.end(), std::begin("XB-BORDER"), std::end("XB-BORDER") - 1);
  ASSERT_NE(at, body.end());
  envelope.body[static_cast<size_t>(at - body.begin()) + 8] = 'X';
  const DirectoryRefusal refusal =
      refusalOf(openDirectory(encodeEnvelope(envelope), ringOf(fixedKeys(kAnchorSeed), "anchor.pub"), kNow));
  EXPECT_EQ(refusal.problem, DirectoryProblem::badSignature);
  EXPECT_THAT(refusal.message, HasSubstr("anchor.pub"));
}

TEST(DirectoryOpening, TheAnchorsSignatureOverTheSameBytesAsAnotherMessageTypeDoesNotVerify) {
  // Domain separation: a tree head (or request) signature by the directory key is no directory.
  const crypto::KeyPair anchor = fixedKeys(kAnchorSeed);
  const std::vector<uint8_t> body = encodeDirectory(sampleDirectory());
  SignedEnvelope envelope;
  envelope.type = MessageType::directory;
  envelope.body = body;
  envelope.keyId = anchor.publicKey.id().bytes();
  envelope.signature = crypto::sign(MessageType::treeHead, body, anchor.secretKey);
  EXPECT_EQ(refusalOf(openDirectory(encodeEnvelope(envelope), ringOf(anchor), kNow)).problem,
            DirectoryProblem::badSignature);
  // And an envelope of another type, however well signed, is not a directory.
  const std::vector<uint8_t> request = crypto::sealEnvelope(MessageType::request, body, anchor.secretKey);
  const DirectoryRefusal refusal = refusalOf(openDirectory(request, ringOf(anchor), kNow));
  EXPECT_EQ(refusal.problem, DirectoryProblem::malformed);
  EXPECT_THAT(refusal.message, HasSubstr("carries a request, not a directory"));
}

TEST(DirectoryOpening, GarbageAndOversizeInputAreMalformed) {
  const auto anchors = ringOf(fixedKeys(kAnchorSeed));
  EXPECT_EQ(refusalOf(openDirectory(std::vector<uint8_t>(64, 0xFF), anchors, kNow)).problem, DirectoryProblem::malformed);
  EXPECT_EQ(refusalOf(openDirectory({}, anchors, kNow)).problem, DirectoryProblem::malformed);
  const DirectoryRefusal large =
      refusalOf(openDirectory(std::vector<uint8_t>(kMaxSignedDirectoryBytes + 8, 0), anchors, kNow));
  EXPECT_EQ(large.problem, DirectoryProblem::malformed);
  EXPECT_THAT(large.message, HasSubstr("more than the 1048576 allowed"));
}

TEST(DirectoryOpening, ASignedDirectoryThatBreaksARuleIsRefusedAsInvalid) {
  // signDirectory refuses it, so a careless or hostile signer seals it by hand.
  Directory directory = sampleDirectory();
  directory.members[1].tlsPins[0].pin = directory.members[0].tlsPins[0].pin;
  const std::vector<uint8_t> bytes =
      crypto::sealEnvelope(MessageType::directory, encodeDirectory(directory), fixedKeys(kAnchorSeed).secretKey);
  const DirectoryRefusal refusal = refusalOf(openDirectory(bytes, ringOf(fixedKeys(kAnchorSeed)), kNow));
  EXPECT_EQ(refusal.problem, DirectoryProblem::invalid);
  EXPECT_THAT(refusal.message, HasSubstr("one certificate identifies one member only"));
}

TEST(DirectoryOpening, EitherOfTwoAnchorsOpensTheDirectoriesItSigned) {
  // Rotating the directory key itself: nodes trust the old and the new anchor for a while.
  crypto::KeyRing anchors = ringOf(fixedKeys(kAnchorSeed), "old.pub");
  ASSERT_TRUE(anchors.add(fixedKeys(0xD2).publicKey, "new.pub").ok());
  Directory next = sampleDirectory();
  next.serial = 8;
  EXPECT_TRUE(std::holds_alternative<TrustedDirectory>(openDirectory(signedSample(), anchors, kNow)));
  auto opened = openDirectory(signDirectory(next, fixedKeys(0xD2).secretKey).value(), anchors, kNow);
  ASSERT_TRUE(std::holds_alternative<TrustedDirectory>(opened));
  EXPECT_EQ(std::get<TrustedDirectory>(opened).signer(), fixedKeys(0xD2).publicKey);
}

class DirectoryFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/liaison-directory-test-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(DirectoryFiles, AFileLargerThanTheLimitIsRefusedUnreadWithItsSize) {
  const auto file = dir_ / "huge.signed";
  std::ofstream(file).put('x');
  std::filesystem::resize_file(file, kMaxSignedDirectoryBytes + 1);
  auto read = readSignedDirectoryFile(file);
  ASSERT_TRUE(std::holds_alternative<DirectoryRefusal>(read));
  EXPECT_EQ(std::get<DirectoryRefusal>(read).problem, DirectoryProblem::unreadable);
  EXPECT_THAT(std::get<DirectoryRefusal>(read).message, HasSubstr(file.string()));
  EXPECT_THAT(std::get<DirectoryRefusal>(read).message, HasSubstr("1048577 bytes"));
  auto missing = readSignedDirectoryFile(dir_ / "missing.signed");
  ASSERT_TRUE(std::holds_alternative<DirectoryRefusal>(missing));
  EXPECT_THAT(std::get<DirectoryRefusal>(missing).message, HasSubstr("missing.signed"));
}

TEST_F(DirectoryFiles, AnAnchorGivenTwiceIsRefused) {
  const crypto::KeyPair anchor = fixedKeys(kAnchorSeed);
  ASSERT_TRUE(crypto::writeKeyFiles(dir_ / "a", fixedKeys(kAnchorSeed)).ok());
  std::filesystem::copy_file(dir_ / "a.pub", dir_ / "b.pub");
  auto anchors = loadDirectoryAnchors({dir_ / "a.pub", dir_ / "b.pub"});
  ASSERT_FALSE(anchors.ok());
  EXPECT_THAT(anchors.error().message, HasSubstr("b.pub"));
  EXPECT_THAT(anchors.error().message, HasSubstr(anchor.publicKey.id().hex()));
}

// --- the fuzz target's seed corpus -----------------------------------------------------------------

std::filesystem::path corpusFolder() { return std::filesystem::path(LIAISON_SOURCE_DIR) / "tests/corpus/directory_fuzz"; }

// The first byte picks what the fuzz target reads: 0 a directory body, 1 a signed directory.
std::vector<std::pair<std::string, std::vector<uint8_t>>> directorySeeds() {
  auto seed = [](uint8_t selector, const std::vector<uint8_t>& bytes) {
    std::vector<uint8_t> out{selector};
    out.insert(out.end(), bytes.begin(), bytes.end());
    return out;
  };
  Directory empty = sampleDirectory();
  empty.members.clear();
  Directory atLimits = sampleDirectory();
  DirectoryMember& big = atLimits.members[0];
  big.endpoint = "https://" + std::string(limits::kEndpointBytes - 8, 'e');
  big.roles = {Role::border, Role::immigration, Role::enforcement, Role::health, Role::justice, Role::liaison};
  big.purposes = std::vector<std::string>();
  for (size_t p = 0; p < limits::kMaxMemberPurposes; ++p) big.purposes->push_back(std::to_string(p) + "-purpose");
  big.signingKeys.clear();
  big.tlsPins.clear();
  for (uint8_t k = 0; k < limits::kMaxMemberKeys; ++k) {
    big.signingKeys.push_back(DirectoryKey{fixedKeys(0x10 + k).publicKey.bytes(), at("2026-01-01T00:00:00Z"),
                                           at("9999-12-31T23:59:59Z")});
    big.tlsPins.push_back(DirectoryPin{pinOf(0x10 + k), at("1970-01-01T00:00:00Z"), at("2026-12-31T00:00:00Z")});
  }
  Directory expired = sampleDirectory();
  expired.expiresAt = at("2026-05-31T00:00:00Z");
  return {
      {"body-two-members", seed(0, encodeDirectory(sampleDirectory()))},
      {"body-no-members", seed(0, encodeDirectory(empty))},
      {"body-fields-at-their-limits", seed(0, encodeDirectory(atLimits))},
      {"signed-two-members", seed(1, signedSample())},
      {"signed-fields-at-their-limits", seed(1, signedSample(atLimits))},
      {"signed-expired", seed(1, signedSample(expired))},
      {"signed-by-another-key", seed(1, signDirectory(sampleDirectory(), fixedKeys(0x66).secretKey).value())},
  };
}

std::vector<uint8_t> readFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

TEST(DirectoryFuzzCorpus, TheSeedsAreWhatTheCodeWritesToday) {
  const bool write = std::getenv("LIAISON_WRITE_DIRECTORY_CORPUS") != nullptr;
  if (write) std::filesystem::create_directories(corpusFolder());
  for (const auto& [name, bytes] : directorySeeds()) {
    const auto path = corpusFolder() / name;
    if (write) {
      std::ofstream out(path, std::ios::binary | std::ios::trunc);
      out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
      ASSERT_TRUE(out.flush()) << path;
    }
    EXPECT_EQ(readFile(path), bytes) << path << " is stale: regenerate the corpus (see the top of this file)";
  }
}

TEST(DirectoryFuzzCorpus, TheSignedSeedsOpenOrAreRefusedAsTheirNamesSay) {
  const auto anchors = ringOf(fixedKeys(kAnchorSeed));
  for (const auto& [name, bytes] : directorySeeds()) {
    const std::span<const uint8_t> message(bytes.data() + 1, bytes.size() - 1);
    if (bytes[0] == 0) {
      EXPECT_TRUE(decodeDirectory(message).ok()) << name;
      continue;
    }
    const OpenedDirectory opened = openDirectory(message, anchors, kNow);
    if (name == "signed-expired") {
      EXPECT_EQ(refusalOf(opened).problem, DirectoryProblem::expired);
    } else if (name == "signed-by-another-key") {
      EXPECT_EQ(refusalOf(opened).problem, DirectoryProblem::unknownKey);
    } else {
      EXPECT_TRUE(std::holds_alternative<TrustedDirectory>(opened)) << name;
    }
  }
}

}  // namespace
}  // namespace liaison::client
