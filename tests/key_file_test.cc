// Key files on disk: written with the right modes, loaded back, and refused when unsafe or malformed.
#include <gtest/gtest.h>
#include <sodium.h>
#include <sys/stat.h>

#include <array>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

#include "crypto/keys.h"
#include "crypto/signing.h"

namespace liaison::crypto {
namespace {

namespace fs = std::filesystem;

KeyPair fixtureKeys(uint8_t fill) {
  std::array<uint8_t, 32> seed{};
  seed.fill(fill);
  return keyPairFromSeed(seed);
}

std::string base64Of(const std::vector<uint8_t>& bytes) {
  std::string text(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(text.data(), text.size(), bytes.data(), bytes.size(), sodium_base64_VARIANT_ORIGINAL);
  text.pop_back();  // the NUL
  return text;
}

mode_t modeOf(const fs::path& path) {
  struct stat info {};
  EXPECT_EQ(::stat(path.c_str(), &info), 0) << path;
  return info.st_mode & 07777;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class KeyFile : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "liaison-key-file-test-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir = pattern;
  }

  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(dir, ignored);
  }

  // Writes `content` to a file in the test directory with exactly `mode`.
  fs::path writeFile(const std::string& name, const std::string& content, mode_t mode = 0600) {
    fs::path path = dir / name;
    std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
    EXPECT_EQ(::chmod(path.c_str(), mode), 0);
    return path;
  }

  // Asserts that loading the secret key at `path` fails with `kind`, naming the file and saying `part`.
  void expectSecretKeyRefused(const fs::path& path, ErrorKind kind, const std::string& part) {
    Result<SecretKey> key = loadSecretKey(path);
    ASSERT_FALSE(key.ok());
    EXPECT_EQ(key.error().kind, kind) << key.error().message;
    EXPECT_TRUE(contains(key.error().message, path.string())) << key.error().message;
    EXPECT_TRUE(contains(key.error().message, part)) << key.error().message;
  }

  fs::path dir;
  const std::string validSeedLine =
      "liaison-ed25519-secret-v1 " + base64Of(std::vector<uint8_t>(32, 7)) + "\n";
};

TEST_F(KeyFile, WrittenKeysLoadBackAndSign) {
  KeyPair keys = fixtureKeys(1);
  ASSERT_TRUE(writeKeyFiles(dir / "node", keys).ok());

  Result<SecretKey> secretKey = loadSecretKey(dir / "node.key");
  ASSERT_TRUE(secretKey.ok()) << secretKey.error().message;
  Result<PublicKey> publicKey = loadPublicKey(dir / "node.pub");
  ASSERT_TRUE(publicKey.ok()) << publicKey.error().message;
  EXPECT_EQ(*publicKey, keys.publicKey);
  EXPECT_EQ(secretKey->publicKey(), keys.publicKey);

  std::vector<uint8_t> body{1, 2, 3};
  EXPECT_TRUE(verify(MessageType::request, body, sign(MessageType::request, body, *secretKey), *publicKey));
}

TEST_F(KeyFile, KeyIsWrittenOwnerOnlyAndPublicKeyWorldReadable) {
  // Even with a permissive umask the modes are exact.
  mode_t previous = ::umask(0);
  Status written = writeKeyFiles(dir / "node", fixtureKeys(2));
  ::umask(previous);
  ASSERT_TRUE(written.ok()) << written.error().message;
  EXPECT_EQ(modeOf(dir / "node.key"), 0600u);
  EXPECT_EQ(modeOf(dir / "node.pub"), 0644u);
}

TEST_F(KeyFile, WrittenFilesHaveTheDocumentedFormat) {
  KeyPair keys = fixtureKeys(3);
  ASSERT_TRUE(writeKeyFiles(dir / "node", keys).ok());
  std::ifstream secretFile(dir / "node.key");
  std::string secretText((std::istreambuf_iterator<char>(secretFile)), std::istreambuf_iterator<char>());
  EXPECT_EQ(secretText, "liaison-ed25519-secret-v1 " + base64Of(std::vector<uint8_t>(32, 3)) + "\n");
  std::ifstream publicFile(dir / "node.pub");
  std::string publicText((std::istreambuf_iterator<char>(publicFile)), std::istreambuf_iterator<char>());
  std::vector<uint8_t> keyBytes(keys.publicKey.bytes().begin(), keys.publicKey.bytes().end());
  EXPECT_EQ(publicText,
            "liaison-ed25519-public-v1 " + base64Of(keyBytes) + " " + keys.publicKey.id().hex() + "\n");
}

TEST_F(KeyFile, OwnerReadOnlyKeyIsAccepted) {
  fs::path path = writeFile("node.key", validSeedLine, 0400);
  Result<SecretKey> key = loadSecretKey(path);
  ASSERT_TRUE(key.ok()) << key.error().message;
  EXPECT_EQ(key->publicKey(), fixtureKeys(7).publicKey);
}

TEST_F(KeyFile, GroupReadableKeyIsRefused) {
  fs::path path = writeFile("node.key", validSeedLine, 0640);
  expectSecretKeyRefused(path, ErrorKind::notPermitted, "chmod 600 " + path.string());
  expectSecretKeyRefused(path, ErrorKind::notPermitted, "0640");
}

TEST_F(KeyFile, OtherReadableKeyIsRefused) {
  fs::path path = writeFile("node.key", validSeedLine, 0604);
  expectSecretKeyRefused(path, ErrorKind::notPermitted, "chmod 600 " + path.string());
  expectSecretKeyRefused(path, ErrorKind::notPermitted, "0604");
}

TEST_F(KeyFile, GroupWritableKeyIsRefused) {
  fs::path path = writeFile("node.key", validSeedLine, 0620);
  expectSecretKeyRefused(path, ErrorKind::notPermitted, "chmod 600");
}

TEST_F(KeyFile, SeedOfWrongLengthIsRefused) {
  fs::path path =
      writeFile("node.key", "liaison-ed25519-secret-v1 " + base64Of(std::vector<uint8_t>(31, 7)) + "\n");
  expectSecretKeyRefused(path, ErrorKind::invalidInput, "expected 32 bytes, got 31");
}

TEST_F(KeyFile, BadBase64IsRefused) {
  fs::path path =
      writeFile("node.key", "liaison-ed25519-secret-v1 not*base64*at*all*not*base64*at*all*===\n");
  expectSecretKeyRefused(path, ErrorKind::invalidInput, "not valid base64");
}

TEST_F(KeyFile, WrongHeaderIsRefusedWithoutQuotingTheFile) {
  std::string seedText = base64Of(std::vector<uint8_t>(32, 7));
  fs::path path = writeFile("node.key", "liaison-ed25519-public-v1 " + seedText + "\n");
  expectSecretKeyRefused(path, ErrorKind::invalidInput, "does not start with `liaison-ed25519-secret-v1`");
  EXPECT_FALSE(contains(loadSecretKey(path).error().message, seedText));
}

TEST_F(KeyFile, EmptyFileIsRefused) {
  fs::path path = writeFile("node.key", "");
  expectSecretKeyRefused(path, ErrorKind::invalidInput, "empty file");
}

TEST_F(KeyFile, OversizeFileIsRefused) {
  fs::path path = writeFile("node.key", validSeedLine + std::string(kMaxKeyFileBytes, 'A'));
  expectSecretKeyRefused(path, ErrorKind::invalidInput, "limit");
}

TEST_F(KeyFile, TrailingDataIsRefused) {
  fs::path path = writeFile("node.key", validSeedLine + "more\n");
  expectSecretKeyRefused(path, ErrorKind::invalidInput, "after the first line");
  fs::path extraField =
      writeFile("other.key", validSeedLine.substr(0, validSeedLine.size() - 1) + " extra\n");
  expectSecretKeyRefused(extraField, ErrorKind::invalidInput, "fields");
}

TEST_F(KeyFile, MissingNewlineIsRefused) {
  fs::path path = writeFile("node.key", validSeedLine.substr(0, validSeedLine.size() - 1));
  expectSecretKeyRefused(path, ErrorKind::invalidInput, "newline");
}

TEST_F(KeyFile, MissingKeyFileIsNotFound) {
  expectSecretKeyRefused(dir / "absent.key", ErrorKind::notFound, "cannot open");
}

TEST_F(KeyFile, DirectoryIsNotAKeyFile) {
  fs::create_directory(dir / "node.key");
  ::chmod((dir / "node.key").c_str(), 0700);
  expectSecretKeyRefused(dir / "node.key", ErrorKind::invalidInput, "not a regular file");
}

TEST_F(KeyFile, ExistingKeyIsNotOverwritten) {
  KeyPair first = fixtureKeys(4);
  ASSERT_TRUE(writeKeyFiles(dir / "node", first).ok());
  Status again = writeKeyFiles(dir / "node", fixtureKeys(5));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().kind, ErrorKind::conflict);
  EXPECT_TRUE(contains(again.error().message, (dir / "node.key").string())) << again.error().message;
  EXPECT_TRUE(contains(again.error().message, "already exists")) << again.error().message;

  Result<SecretKey> kept = loadSecretKey(dir / "node.key");
  ASSERT_TRUE(kept.ok()) << kept.error().message;
  EXPECT_EQ(kept->publicKey(), first.publicKey);
}

TEST_F(KeyFile, ExistingPublicFileLeavesNoKeyBehind) {
  writeFile("node.pub", "someone else's\n", 0644);
  Status written = writeKeyFiles(dir / "node", fixtureKeys(6));
  ASSERT_FALSE(written.ok());
  EXPECT_EQ(written.error().kind, ErrorKind::conflict);
  EXPECT_FALSE(fs::exists(dir / "node.key"));
}

TEST_F(KeyFile, SymlinkAtKeyPathIsNotFollowed) {
  fs::path target = dir / "elsewhere";
  fs::create_symlink(target, dir / "node.key");
  Status written = writeKeyFiles(dir / "node", fixtureKeys(6));
  ASSERT_FALSE(written.ok());
  EXPECT_FALSE(fs::exists(target));
}

TEST_F(KeyFile, PublicFileWithMismatchedKeyIdIsRefused) {
  KeyPair keys = fixtureKeys(8);
  std::vector<uint8_t> keyBytes(keys.publicKey.bytes().begin(), keys.publicKey.bytes().end());
  fs::path path = writeFile(
      "node.pub",
      "liaison-ed25519-public-v1 " + base64Of(keyBytes) + " " + fixtureKeys(9).publicKey.id().hex() + "\n",
      0644);
  Result<PublicKey> key = loadPublicKey(path);
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.error().kind, ErrorKind::invalidInput);
  EXPECT_TRUE(contains(key.error().message, path.string())) << key.error().message;
  EXPECT_TRUE(contains(key.error().message, keys.publicKey.id().hex())) << key.error().message;
}

TEST_F(KeyFile, PublicFileWithInvalidPointIsRefused) {
  std::vector<uint8_t> identity(32, 0);
  identity[0] = 1;  // the identity point, of small order
  fs::path path =
      writeFile("node.pub",
                "liaison-ed25519-public-v1 " + base64Of(identity) + " " + std::string(32, '0') + "\n", 0644);
  Result<PublicKey> key = loadPublicKey(path);
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.error().kind, ErrorKind::invalidInput);
  EXPECT_TRUE(contains(key.error().message, path.string())) << key.error().message;
}

}  // namespace
}  // namespace liaison::crypto
