#include "crypto/keys.h"

#include <sodium.h>
#include <unistd.h>

#include <algorithm>
#include <cassert>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "crypto/secure_file.h"

namespace liaison::crypto {
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kSecretHeader = "liaison-ed25519-secret-v1";
constexpr std::string_view kPublicHeader = "liaison-ed25519-public-v1";
constexpr std::string_view kSecretFormat = "liaison-ed25519-secret-v1 <base64 of the 32-byte seed>";
constexpr std::string_view kPublicFormat =
    "liaison-ed25519-public-v1 <base64 of the 32-byte key> <key id hex>";
// The trailing NUL is part of the domain, so no other domain string can extend this one.
constexpr std::string_view kKeyIdDomain{"liaison/v1/key-id\0", 18};
constexpr size_t kSeedBase64Size =
    sodium_base64_ENCODED_LEN(crypto_sign_SEEDBYTES, sodium_base64_VARIANT_ORIGINAL);
constexpr size_t kKeyBase64Size =
    sodium_base64_ENCODED_LEN(crypto_sign_PUBLICKEYBYTES, sodium_base64_VARIANT_ORIGINAL);
// Both key files are at most kMaxKeyFileBytes; only the .key file must be private to its owner.
constexpr BoundedFileRules kSecretKeyFile{
    .limitFor = "a key file", .ownerOnlyContent = "a secret key", .statesSizeOnDisk = true};
constexpr BoundedFileRules kPublicKeyFile{.limitFor = "a key file", .statesSizeOnDisk = true};
constexpr std::string_view kReplaceAdvice =
    "move the existing key files away first if you mean to replace this identity";

static_assert(crypto_sign_SEEDBYTES == 32 && crypto_sign_PUBLICKEYBYTES == 32 &&
              crypto_sign_SECRETKEYBYTES == 64);

// Splits the one line of a key file into its space-separated fields and checks the header and the
// field count. Never quotes the file's text in a message: in a secret key file, it is the secret.
Result<std::vector<std::string_view>> splitKeyLine(const fs::path& path, std::string_view text,
                                                   std::string_view header, size_t fieldCount,
                                                   std::string_view format) {
  auto refuse = [&](std::string_view problem) {
    return fileError(ErrorKind::invalidInput, path,
                     std::string(problem) + "; expected one line `" + std::string(format) + "`");
  };
  if (text.empty()) return refuse("empty file");
  size_t newline = text.find('\n');
  if (newline == std::string_view::npos) return refuse("the line does not end with a newline");
  if (newline != text.size() - 1) return refuse("unexpected data after the first line");

  std::vector<std::string_view> fields;
  std::string_view line = text.substr(0, newline);
  for (size_t start = 0;;) {
    size_t space = line.find(' ', start);
    fields.push_back(line.substr(start, space - start));
    if (space == std::string_view::npos) break;
    start = space + 1;
  }
  if (fields[0] != header) return refuse("the line does not start with `" + std::string(header) + "`");
  if (fields.size() != fieldCount) {
    return refuse(std::to_string(fields.size()) + " space-separated fields where " +
                  std::to_string(fieldCount) + " belong");
  }
  return fields;
}

// Decodes padded standard base64 into `out`; nullopt if `text` is not exactly that (no whitespace,
// no trailing characters).
std::optional<size_t> decodeBase64(std::string_view text, std::span<uint8_t> out) {
  size_t length = 0;
  if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &length, nullptr,
                        sodium_base64_VARIANT_ORIGINAL) != 0) {
    return std::nullopt;
  }
  return length;
}

// Decodes exactly 32 hex digits.
std::optional<std::array<uint8_t, 16>> decodeKeyIdHex(std::string_view text) {
  std::array<uint8_t, 16> bytes{};
  size_t length = 0;
  const char* end = nullptr;
  if (text.size() != 2 * bytes.size() ||
      sodium_hex2bin(bytes.data(), bytes.size(), text.data(), text.size(), nullptr, &length, &end) != 0 ||
      length != bytes.size() || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return bytes;
}

}  // namespace

void initialise() {
  // A function-local static runs sodium_init exactly once, even when threads race to get here.
  static const bool initialised = sodium_init() >= 0;
  if (!initialised) {
    // Without libsodium there is no safe randomness and no signing; nothing can carry on.
    std::fputs("liaison: libsodium failed to initialise\n", stderr);
    std::abort();
  }
}

std::string KeyId::hex() const {
  char text[2 * sizeof bytes_ + 1];
  sodium_bin2hex(text, sizeof text, bytes_.data(), bytes_.size());
  return text;
}

bool operator==(const KeyId& a, const KeyId& b) {
  return sodium_memcmp(a.bytes_.data(), b.bytes_.data(), a.bytes_.size()) == 0;
}

Result<PublicKey> PublicKey::fromBytes(std::span<const uint8_t> bytes) {
  initialise();
  if (bytes.size() != crypto_sign_PUBLICKEYBYTES) {
    return fail(ErrorKind::invalidInput,
                "an Ed25519 public key is 32 bytes, got " + std::to_string(bytes.size()));
  }
  // Refusing small-order and non-canonical points up front means no key we hold can make a forged
  // or ambiguous signature verify.
  if (crypto_core_ed25519_is_valid_point(bytes.data()) != 1) {
    return fail(ErrorKind::invalidInput,
                "not a valid Ed25519 public key (not a point of the prime-order group)");
  }
  std::array<uint8_t, 32> keyBytes{};
  std::copy(bytes.begin(), bytes.end(), keyBytes.begin());

  std::array<uint8_t, 16> idBytes{};
  crypto_generichash_state state;
  crypto_generichash_init(&state, nullptr, 0, idBytes.size());
  crypto_generichash_update(&state, reinterpret_cast<const uint8_t*>(kKeyIdDomain.data()),
                            kKeyIdDomain.size());
  crypto_generichash_update(&state, keyBytes.data(), keyBytes.size());
  crypto_generichash_final(&state, idBytes.data(), idBytes.size());
  return PublicKey(keyBytes, KeyId(idBytes));
}

const uint8_t* SecretKey::held() const {
  if (bytes_.empty()) {
    // A moved-from key holds nothing; signing with it would be a bug that must not go unnoticed.
    std::fputs("liaison: bug: a moved-from secret key was used\n", stderr);
    std::abort();
  }
  return bytes_.bytes().data();
}

PublicKey SecretKey::publicKey() const {
  std::array<uint8_t, 32> keyBytes{};
  crypto_sign_ed25519_sk_to_pk(keyBytes.data(), held());
  return PublicKey::fromBytes(keyBytes).value();
}

KeyPair keyPairFromSeed(std::span<const uint8_t, 32> seed) {
  initialise();
  // The key is written once, here, straight into guarded memory, and is read-only from then on.
  SecretBuffer secretBytes(crypto_sign_SECRETKEYBYTES);
  std::array<uint8_t, 32> publicBytes{};
  crypto_sign_seed_keypair(publicBytes.data(), secretBytes.writable().data(), seed.data());
  secretBytes.makeReadOnly();
  return KeyPair{PublicKey::fromBytes(publicBytes).value(), SecretKey(std::move(secretBytes))};
}

KeyPair generateKeyPair() {
  initialise();
  SecretBuffer seed(crypto_sign_SEEDBYTES);
  randombytes_buf(seed.writable().data(), crypto_sign_SEEDBYTES);
  return keyPairFromSeed(std::span<const uint8_t, 32>(seed.bytes().data(), crypto_sign_SEEDBYTES));
}

Status writeKeyFiles(const fs::path& outPrefix, const KeyPair& pair) {
  initialise();
  // The .pub is derived from the secret key so the two files always agree.
  const PublicKey publicKey = pair.secretKey.publicKey();
  assert(publicKey == pair.publicKey);

  fs::path keyPath = outPrefix;
  keyPath += ".key";
  fs::path pubPath = outPrefix;
  pubPath += ".pub";

  // `header base64\n`; sodium_bin2base64 writes a NUL where the newline goes. The line is the
  // secret in another form, so it is kept in guarded memory too.
  SecretBuffer secretLineBuffer(kSecretHeader.size() + 1 + kSeedBase64Size);
  std::span<char> secretLine = secretLineBuffer.writableText();
  std::copy(kSecretHeader.begin(), kSecretHeader.end(), secretLine.begin());
  secretLine[kSecretHeader.size()] = ' ';
  sodium_bin2base64(secretLine.data() + kSecretHeader.size() + 1, kSeedBase64Size, pair.secretKey.held(),
                    crypto_sign_SEEDBYTES, sodium_base64_VARIANT_ORIGINAL);
  secretLine.back() = '\n';

  std::array<char, kKeyBase64Size> keyBase64{};
  sodium_bin2base64(keyBase64.data(), keyBase64.size(), publicKey.bytes().data(), publicKey.bytes().size(),
                    sodium_base64_VARIANT_ORIGINAL);
  std::string publicLine =
      std::string(kPublicHeader) + " " + keyBase64.data() + " " + publicKey.id().hex() + "\n";

  if (Status written = writeNewFile(keyPath, secretLine, 0600, kReplaceAdvice); !written) return written;
  if (Status written = writeNewFile(pubPath, publicLine, 0644, kReplaceAdvice); !written) {
    // Leave nothing behind rather than a key without its public half.
    ::unlink(keyPath.c_str());
    return written;
  }
  return syncParentDirectory(keyPath);
}

Result<SecretKey> loadSecretKey(const fs::path& path) {
  initialise();
  // The file's text and the decoded seed are the secret too: both live in guarded memory.
  SecretBuffer textBuffer(kMaxKeyFileBytes + 1);
  std::span<char> text = textBuffer.writableText();
  Result<size_t> size = readBoundedFile(path, text, kSecretKeyFile);
  if (!size) return size.error();
  auto fields = splitKeyLine(path, std::string_view(text.data(), *size), kSecretHeader, 2, kSecretFormat);
  if (!fields) return fields.error();

  // Decoded into a buffer as large as the file could hold, so a wrong length is reported as such.
  SecretBuffer seedBuffer(kMaxKeyFileBytes);
  std::span<uint8_t> seed = seedBuffer.writable();
  std::optional<size_t> length = decodeBase64((*fields)[1], seed);
  if (!length) return fileError(ErrorKind::invalidInput, path, "the seed is not valid base64");
  if (*length != crypto_sign_SEEDBYTES) {
    return fileError(ErrorKind::invalidInput, path,
                     "the seed has the wrong length: expected 32 bytes, got " + std::to_string(*length));
  }
  return std::move(keyPairFromSeed(std::span<const uint8_t, 32>(seed.data(), 32)).secretKey);
}

Result<PublicKey> loadPublicKey(const fs::path& path) {
  initialise();
  std::array<char, kMaxKeyFileBytes + 1> text;
  Result<size_t> size = readBoundedFile(path, text, kPublicKeyFile);
  if (!size) return size.error();
  auto fields = splitKeyLine(path, std::string_view(text.data(), *size), kPublicHeader, 3, kPublicFormat);
  if (!fields) return fields.error();

  std::array<uint8_t, kMaxKeyFileBytes> keyBytes;
  std::optional<size_t> length = decodeBase64((*fields)[1], keyBytes);
  if (!length) return fileError(ErrorKind::invalidInput, path, "the public key is not valid base64");
  Result<PublicKey> key = PublicKey::fromBytes(std::span<const uint8_t>(keyBytes.data(), *length));
  if (!key) return fileError(ErrorKind::invalidInput, path, key.error().message);

  std::optional<std::array<uint8_t, 16>> statedId = decodeKeyIdHex((*fields)[2]);
  if (!statedId) return fileError(ErrorKind::invalidInput, path, "the key id is not 32 hex digits");
  if (KeyId(*statedId) != key->id()) {
    return fileError(ErrorKind::invalidInput, path,
                     "states key id " + KeyId(*statedId).hex() + " but the key's id is " + key->id().hex() +
                         "; the file is damaged or was edited");
  }
  return key;
}

}  // namespace liaison::crypto
