// The `liaison` binary itself, run as a child process: `keygen` and the exit codes of usage errors.
// The commands that need a database or a node are in cli_pgtest.cc.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "crypto/keys.h"
#include "crypto/signing.h"
#include "tests/liaison_process.h"

namespace liaison::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

std::string readFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

unsigned modeOf(const fs::path& path) {
  struct stat info {};
  EXPECT_EQ(::stat(path.c_str(), &info), 0) << path;
  return info.st_mode & 07777;
}

class Cli : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/liaison-cli-test-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
  fs::path dir_;
};

TEST_F(Cli, KeygenWritesAnOwnerOnlySecretKeyAndAPublicKeyThatVerifyItsSignatures) {
  // A careless operator's umask does not widen the secret key's mode.
  const mode_t previous = ::umask(0);
  const CommandResult result = runLiaison({"keygen", "--out", (dir_ / "officer").string()});
  ::umask(previous);
  ASSERT_EQ(result.exitCode, 0) << result.err;
  EXPECT_EQ(modeOf(dir_ / "officer.key"), 0600u);
  EXPECT_EQ(modeOf(dir_ / "officer.pub"), 0644u);

  auto secretKey = crypto::loadSecretKey(dir_ / "officer.key");
  ASSERT_TRUE(secretKey.ok()) << secretKey.error().message;
  auto publicKey = crypto::loadPublicKey(dir_ / "officer.pub");
  ASSERT_TRUE(publicKey.ok()) << publicKey.error().message;
  EXPECT_EQ(secretKey->publicKey(), *publicKey);
  const std::vector<uint8_t> body{1, 2, 3};
  EXPECT_TRUE(crypto::verify(MessageType::request, body, crypto::sign(MessageType::request, body, *secretKey),
                             *publicKey));
  // It names the files and the key id partners will pin, and never prints the secret.
  EXPECT_THAT(result.out, HasSubstr("officer.key (0600)"));
  EXPECT_THAT(result.out, HasSubstr("key id " + publicKey->id().hex()));
  const std::string secretLine = readFile(dir_ / "officer.key");
  const std::string secretBase64 = secretLine.substr(secretLine.find(' ') + 1, 40);
  EXPECT_THAT(result.out + result.err, Not(HasSubstr(secretBase64)));
}

TEST_F(Cli, KeygenNeverOverwritesAKeyPair) {
  ASSERT_EQ(runLiaison({"keygen", "--out", (dir_ / "node").string()}).exitCode, 0);
  const std::string key = readFile(dir_ / "node.key");
  const std::string pub = readFile(dir_ / "node.pub");

  const CommandResult again = runLiaison({"keygen", "--out", (dir_ / "node").string()});
  EXPECT_EQ(again.exitCode, kExitFailure);
  EXPECT_THAT(again.err, HasSubstr("node.key"));
  EXPECT_EQ(readFile(dir_ / "node.key"), key);
  EXPECT_EQ(readFile(dir_ / "node.pub"), pub);

  // A public key left in place alone: refused too, and no secret key without its public half.
  fs::remove(dir_ / "node.key");
  const CommandResult besidePub = runLiaison({"keygen", "--out", (dir_ / "node").string()});
  EXPECT_EQ(besidePub.exitCode, kExitFailure);
  EXPECT_THAT(besidePub.err, HasSubstr("node.pub"));
  EXPECT_FALSE(fs::exists(dir_ / "node.key"));
  EXPECT_EQ(readFile(dir_ / "node.pub"), pub);
}

TEST_F(Cli, KeygenIntoAFolderThatDoesNotExistFailsNamingIt) {
  const CommandResult result = runLiaison({"keygen", "--out", (dir_ / "missing" / "node").string()});
  EXPECT_EQ(result.exitCode, kExitFailure);
  EXPECT_THAT(result.err, HasSubstr((dir_ / "missing").string()));
  EXPECT_FALSE(fs::exists(dir_ / "missing"));
}

TEST_F(Cli, UsageErrorsExitWithTwoAndSayWhatWasWrong) {
  struct Case {
    std::vector<std::string> args;
    const char* says;
  };
  const Case cases[] = {
      {{}, "no command given"},
      {{"frobnicate"}, "unknown command 'frobnicate'"},
      {{"keygen"}, "missing --out"},
      {{"keygen", "--out", (dir_ / "a").string(), "--force", "yes"}, "unknown option --force"},
      {{"keygen", "--out"}, "option --out needs a value"},
      {{"query"}, "missing --as"},
      {{"node"}, "missing --config"},
  };
  for (const Case& c : cases) {
    const CommandResult result = runLiaison(c.args);
    std::string line = "liaison";
    for (const auto& arg : c.args) line += " " + arg;
    EXPECT_EQ(result.exitCode, kExitUsage) << line << "\n" << result.err;
    EXPECT_THAT(result.err, HasSubstr(c.says)) << line;
    EXPECT_THAT(result.err, HasSubstr("usage: liaison")) << line;
  }
  // Nothing was written by the refused keygen.
  EXPECT_FALSE(fs::exists(dir_ / "a.key"));
}

}  // namespace
}  // namespace liaison::testing
