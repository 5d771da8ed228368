// Signatures, key ids and envelopes: what verifies, and that nothing else does.
#include "crypto/signing.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <array>
#include <concepts>
#include <cstdint>
#include <ostream>
#include <string>
#include <type_traits>
#include <vector>

#include "crypto/envelope.h"
#include "crypto/keys.h"
#include "schema/codec.h"

namespace liaison::crypto {
namespace {

template <typename T>
concept Printable = requires(std::ostream& out, const T& value) {
  out << value;
};

// A secret key must not be copyable or printable.
static_assert(!std::is_copy_constructible_v<SecretKey>);
static_assert(!std::is_copy_assignable_v<SecretKey>);
static_assert(!Printable<SecretKey>);
// Only openEnvelope makes a Verified envelope.
static_assert(!std::is_constructible_v<Verified<SignedEnvelope>, SignedEnvelope, PublicKey, std::string>);

KeyPair fixtureKeys(uint8_t fill) {
  std::array<uint8_t, 32> seed{};
  seed.fill(fill);
  return keyPairFromSeed(seed);
}

std::vector<uint8_t> bytesOf(std::string_view text) { return {text.begin(), text.end()}; }

TEST(Signing, SignatureOverBodyVerifies) {
  KeyPair keys = fixtureKeys(1);
  std::vector<uint8_t> body = bytesOf("check passport X1234567");
  Signature signature = sign(MessageType::request, body, keys.secretKey);
  EXPECT_TRUE(verify(MessageType::request, body, signature, keys.publicKey));
}

TEST(Signing, EmptyBodyCanBeSignedAndVerified) {
  KeyPair keys = fixtureKeys(1);
  Signature signature = sign(MessageType::treeHead, {}, keys.secretKey);
  EXPECT_TRUE(verify(MessageType::treeHead, {}, signature, keys.publicKey));
}

// Pins the wire contract: what is signed is "liaison/v1/<type name>\0" followed by the body.
TEST(Signing, SignedBytesAreDomainPrefixThenBody) {
  KeyPair keys = fixtureKeys(2);
  std::vector<uint8_t> body = bytesOf("body");
  Signature signature = sign(MessageType::request, body, keys.secretKey);

  std::string message("liaison/v1/request\0body", 23);
  EXPECT_EQ(crypto_sign_verify_detached(signature.data(), reinterpret_cast<const uint8_t*>(message.data()),
                                        message.size(), keys.publicKey.bytes().data()),
            0);
  EXPECT_NE(
      crypto_sign_verify_detached(signature.data(), body.data(), body.size(), keys.publicKey.bytes().data()),
      0);
}

TEST(Signing, FlippingAnyBodyBitBreaksTheSignature) {
  KeyPair keys = fixtureKeys(3);
  const std::vector<uint8_t> body = bytesOf("short body");
  Signature signature = sign(MessageType::response, body, keys.secretKey);
  for (size_t bit = 0; bit < body.size() * 8; ++bit) {
    std::vector<uint8_t> tampered = body;
    tampered[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    EXPECT_FALSE(verify(MessageType::response, tampered, signature, keys.publicKey)) << "bit " << bit;
  }
}

TEST(Signing, AppendingOrTruncatingTheBodyBreaksTheSignature) {
  KeyPair keys = fixtureKeys(3);
  std::vector<uint8_t> body = bytesOf("short body");
  Signature signature = sign(MessageType::response, body, keys.secretKey);
  std::vector<uint8_t> longer = body;
  longer.push_back(0);
  std::vector<uint8_t> shorter(body.begin(), body.end() - 1);
  EXPECT_FALSE(verify(MessageType::response, longer, signature, keys.publicKey));
  EXPECT_FALSE(verify(MessageType::response, shorter, signature, keys.publicKey));
}

TEST(Signing, FlippingAnySignatureBitBreaksTheSignature) {
  KeyPair keys = fixtureKeys(4);
  std::vector<uint8_t> body = bytesOf("short body");
  const Signature signature = sign(MessageType::request, body, keys.secretKey);
  for (size_t bit = 0; bit < signature.size() * 8; ++bit) {
    Signature tampered = signature;
    tampered[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    EXPECT_FALSE(verify(MessageType::request, body, tampered, keys.publicKey)) << "bit " << bit;
  }
}

TEST(Signing, FlippingAnyPublicKeyBitIsRefusedOrBreaksTheSignature) {
  KeyPair keys = fixtureKeys(5);
  std::vector<uint8_t> body = bytesOf("short body");
  Signature signature = sign(MessageType::request, body, keys.secretKey);
  for (size_t bit = 0; bit < keys.publicKey.bytes().size() * 8; ++bit) {
    std::array<uint8_t, 32> tampered = keys.publicKey.bytes();
    tampered[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    Result<PublicKey> key = PublicKey::fromBytes(tampered);
    if (key.ok()) {
      EXPECT_FALSE(verify(MessageType::request, body, signature, *key)) << "bit " << bit;
    } else {
      EXPECT_EQ(key.error().kind, ErrorKind::invalidInput) << "bit " << bit;
    }
  }
}

TEST(Signing, RequestSignatureDoesNotVerifyAsAnotherType) {
  KeyPair keys = fixtureKeys(6);
  std::vector<uint8_t> body = bytesOf("the same body");
  Signature signature = sign(MessageType::request, body, keys.secretKey);
  EXPECT_TRUE(verify(MessageType::request, body, signature, keys.publicKey));
  EXPECT_FALSE(verify(MessageType::response, body, signature, keys.publicKey));
  EXPECT_FALSE(verify(MessageType::treeHead, body, signature, keys.publicKey));
}

TEST(Signing, SignatureDoesNotVerifyUnderAnotherKey) {
  KeyPair signer = fixtureKeys(7);
  KeyPair other = fixtureKeys(8);
  std::vector<uint8_t> body = bytesOf("body");
  Signature signature = sign(MessageType::request, body, signer.secretKey);
  EXPECT_FALSE(verify(MessageType::request, body, signature, other.publicKey));
}

TEST(Signing, GeneratedKeysSignAndDiffer) {
  KeyPair first = generateKeyPair();
  KeyPair second = generateKeyPair();
  EXPECT_NE(first.publicKey, second.publicKey);
  std::vector<uint8_t> body = bytesOf("body");
  EXPECT_TRUE(
      verify(MessageType::request, body, sign(MessageType::request, body, first.secretKey), first.publicKey));
}

TEST(SecretKey, KnowsItsPublicKeyAndSurvivesAMove) {
  KeyPair keys = fixtureKeys(9);
  EXPECT_EQ(keys.secretKey.publicKey(), keys.publicKey);
  SecretKey moved = std::move(keys.secretKey);
  EXPECT_EQ(moved.publicKey(), keys.publicKey);
}

TEST(PublicKey, WrongLengthIsRefused) {
  std::array<uint8_t, 31> shortKey{};
  Result<PublicKey> key = PublicKey::fromBytes(shortKey);
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.error().kind, ErrorKind::invalidInput);
  EXPECT_NE(key.error().message.find("got 31"), std::string::npos) << key.error().message;
}

TEST(PublicKey, SmallOrderPointIsRefused) {
  // The identity point (y = 1): every signature with R = identity and s = 0 would verify under it.
  std::array<uint8_t, 32> identity{};
  identity[0] = 1;
  Result<PublicKey> key = PublicKey::fromBytes(identity);
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.error().kind, ErrorKind::invalidInput);
}

TEST(KeyId, DiffersBetweenKeys) {
  EXPECT_NE(fixtureKeys(10).publicKey.id(), fixtureKeys(11).publicKey.id());
  EXPECT_NE(fixtureKeys(10).publicKey.id().hex(), fixtureKeys(11).publicKey.id().hex());
}

TEST(KeyId, IsStableForTheSameKey) {
  KeyPair keys = fixtureKeys(12);
  Result<PublicKey> again = PublicKey::fromBytes(keys.publicKey.bytes());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->id(), keys.publicKey.id());
  EXPECT_EQ(fixtureKeys(12).publicKey.id(), keys.publicKey.id());
  EXPECT_EQ(keys.secretKey.publicKey().id(), keys.publicKey.id());
}

// Pins the derivation: BLAKE2b with a 16-byte output over "liaison/v1/key-id\0" and the key.
TEST(KeyId, IsBlake2b128OfDomainAndKey) {
  KeyPair keys = fixtureKeys(13);
  std::vector<uint8_t> input = bytesOf(std::string_view("liaison/v1/key-id\0", 18));
  input.insert(input.end(), keys.publicKey.bytes().begin(), keys.publicKey.bytes().end());
  std::array<uint8_t, 16> expected{};
  crypto_generichash(expected.data(), expected.size(), input.data(), input.size(), nullptr, 0);
  EXPECT_EQ(keys.publicKey.id().bytes(), expected);
  EXPECT_EQ(keys.publicKey.id().hex().size(), 32u);
}

class Envelope : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(ring.add(signer.publicKey, "member-a").ok()); }

  KeyPair signer = fixtureKeys(20);
  KeyRing ring;
  std::vector<uint8_t> body = bytesOf("request body bytes");
};

void expectRefused(const Result<Verified<SignedEnvelope>>& opened, ErrorKind kind,
                   std::string_view substring) {
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().kind, kind) << opened.error().message;
  EXPECT_NE(opened.error().message.find(substring), std::string::npos) << opened.error().message;
}

TEST_F(Envelope, SealedEnvelopeOpensWithItsBodyAndSigner) {
  std::vector<uint8_t> sealed = sealEnvelope(MessageType::request, body, signer.secretKey);
  Result<Verified<SignedEnvelope>> opened = openEnvelope(sealed, MessageType::request, ring);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  EXPECT_EQ(opened->value().type, MessageType::request);
  EXPECT_EQ(opened->value().body, body);
  EXPECT_EQ(opened->value().keyId, signer.publicKey.id().bytes());
  EXPECT_EQ(opened->signer(), signer.publicKey);
  EXPECT_EQ(opened->owner(), "member-a");
}

TEST_F(Envelope, WrongExpectedTypeIsRefused) {
  std::vector<uint8_t> sealed = sealEnvelope(MessageType::request, body, signer.secretKey);
  expectRefused(openEnvelope(sealed, MessageType::response, ring), ErrorKind::invalidInput,
                "where a response was expected");
}

TEST_F(Envelope, UnknownSigningKeyIsRefused) {
  KeyPair stranger = fixtureKeys(21);
  std::vector<uint8_t> sealed = sealEnvelope(MessageType::request, body, stranger.secretKey);
  expectRefused(openEnvelope(sealed, MessageType::request, ring), ErrorKind::notPermitted,
                "unknown signing key " + stranger.publicKey.id().hex());
}

TEST_F(Envelope, TamperedBodyIsRefused) {
  Result<SignedEnvelope> envelope =
      decodeEnvelope(sealEnvelope(MessageType::request, body, signer.secretKey));
  ASSERT_TRUE(envelope.ok()) << envelope.error().message;
  envelope->body[0] ^= 1;
  expectRefused(openEnvelope(encodeEnvelope(*envelope), MessageType::request, ring), ErrorKind::notPermitted,
                "signature does not verify");
}

TEST_F(Envelope, RelabelledTypeIsRefused) {
  // A signed request relabelled as a response, and opened as a response: the domain prefix differs.
  Result<SignedEnvelope> envelope =
      decodeEnvelope(sealEnvelope(MessageType::request, body, signer.secretKey));
  ASSERT_TRUE(envelope.ok()) << envelope.error().message;
  envelope->type = MessageType::response;
  expectRefused(openEnvelope(encodeEnvelope(*envelope), MessageType::response, ring), ErrorKind::notPermitted,
                "signature does not verify");
}

TEST_F(Envelope, KeyIdOfAnotherTrustedKeyIsRefused) {
  KeyPair other = fixtureKeys(22);
  ASSERT_TRUE(ring.add(other.publicKey, "member-b").ok());
  Result<SignedEnvelope> envelope =
      decodeEnvelope(sealEnvelope(MessageType::request, body, signer.secretKey));
  ASSERT_TRUE(envelope.ok()) << envelope.error().message;
  envelope->keyId = other.publicKey.id().bytes();
  expectRefused(openEnvelope(encodeEnvelope(*envelope), MessageType::request, ring), ErrorKind::notPermitted,
                "signature does not verify");
}

TEST_F(Envelope, OversizedInputIsRefusedBeforeDecoding) {
  std::vector<uint8_t> huge(kMaxEnvelopeBytes + 1, 0);
  expectRefused(openEnvelope(huge, MessageType::request, ring), ErrorKind::invalidInput, "limit");
}

TEST_F(Envelope, GarbageIsRefused) {
  std::vector<uint8_t> garbage = bytesOf("this is not an envelope at all!!");
  expectRefused(openEnvelope(garbage, MessageType::request, ring), ErrorKind::invalidInput,
                "does not decode");
  expectRefused(openEnvelope({}, MessageType::request, ring), ErrorKind::invalidInput, "does not decode");
}

TEST(KeyRing, SameKeyCannotBeTrustedTwice) {
  KeyPair keys = fixtureKeys(30);
  KeyRing ring;
  ASSERT_TRUE(ring.add(keys.publicKey, "member-a").ok());
  Status again = ring.add(keys.publicKey, "member-b");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().kind, ErrorKind::conflict);
  EXPECT_EQ(ring.find(keys.publicKey.id())->owner, "member-a");
}

}  // namespace
}  // namespace liaison::crypto
