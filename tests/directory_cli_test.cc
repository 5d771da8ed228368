// `liaison directory sign|verify|show` run as the real binary: what an operator sees, the exit codes,
// and the mistakes a careless operator makes (a directory key others can read, a pin listed twice,
// the directory key listed as a member's, a file far too large).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "crypto/keys.h"
#include "node/cli/exit_codes.h"
#include "node/client/directory.h"
#include "node/net/tls_identity.h"
#include "tests/liaison_process.h"

namespace liaison::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

using cli::kExitFailure;
using cli::kExitOk;
using cli::kExitUsage;

std::string readText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void writeText(const fs::path& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

class DirectoryCli : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/liaison-directory-cli-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
    for (const char* name : {"directory", "xb", "xc"}) ASSERT_TRUE(crypto::writeKeyFiles(dir_ / name, crypto::generateKeyPair()).ok());
    for (const char* name : {"xb-tls", "xc-tls"}) ASSERT_TRUE(net::writeTlsIdentity(dir_ / name, name, 2).ok());
    writeSource(1);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // The operator's source: two members, XC rotating nothing, XB with a TLS pin given by value.
  void writeSource(int serial, const std::string& extraForXb = "") {
    writeText(dir_ / "directory.toml",
              "federation = \"EU-LIAISON\"\nserial = " + std::to_string(serial) +
                  "\n\n[[member]]\nid = \"XB-BORDER\"\nendpoint = \"https://127.0.0.1:9443\"\nroles = [\"border\"]\n"
                  "purposes = [\"border-check\"]\n  [[member.key]]\n  public_key = \"xb.pub\"\n"
                  "  [[member.tls]]\n  certificate = \"xb-tls.crt\"\n" +
                  extraForXb +
                  "\n[[member]]\nid = \"XC-IMMIGRATION\"\n  [[member.key]]\n  public_key = \"xc.pub\"\n"
                  "  not_after = \"2099-01-01T00:00:00Z\"\n  [[member.tls]]\n  certificate = \"xc-tls.crt\"\n");
  }

  CommandResult sign(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args{"directory", "sign", "--in", (dir_ / "directory.toml").string(), "--key",
                                  (dir_ / "directory.key").string(), "--out", (dir_ / "directory.signed").string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return runLiaison(args);
  }

  CommandResult verify(const fs::path& file, const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args{"directory", "verify", file.string(), "--anchor", (dir_ / "directory.pub").string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return runLiaison(args);
  }

  fs::path dir_;
};

TEST_F(DirectoryCli, ASignedDirectoryVerifiesAndShowsWhatTheSourceListed) {
  const CommandResult signedRun = sign({"--valid-days", "10"});
  ASSERT_EQ(signedRun.exitCode, kExitOk) << signedRun.err;
  EXPECT_THAT(signedRun.out, HasSubstr("signed directory serial 1 of federation EU-LIAISON: 2 members"));
  EXPECT_THAT(signedRun.out, HasSubstr("(10 days)"));
  const std::string directoryKeyId = crypto::loadPublicKey(dir_ / "directory.pub")->id().hex();
  EXPECT_THAT(signedRun.out, HasSubstr("signed by key " + directoryKeyId));
  struct stat info {};
  ASSERT_EQ(::stat((dir_ / "directory.signed").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 07777, 0644u);

  const CommandResult verified = verify(dir_ / "directory.signed");
  EXPECT_EQ(verified.exitCode, kExitOk) << verified.err;
  EXPECT_THAT(verified.out, HasSubstr("valid directory serial 1 of federation EU-LIAISON, 2 members"));
  EXPECT_THAT(verified.out, HasSubstr("signed by anchor " + directoryKeyId));
  EXPECT_THAT(verified.out, ::testing::ContainsRegex("expires in (9|10) days"));  // a second may have passed

  const CommandResult shown = runLiaison({"directory", "show", (dir_ / "directory.signed").string()});
  ASSERT_EQ(shown.exitCode, kExitOk) << shown.err;
  const std::string xbKey = crypto::loadPublicKey(dir_ / "xb.pub")->id().hex();
  const std::string xbPin = net::spkiPinOfCertificateFile(dir_ / "xb-tls.crt").value();
  EXPECT_THAT(shown.out, HasSubstr("member XB-BORDER"));
  EXPECT_THAT(shown.out, HasSubstr("signing key  " + xbKey));
  EXPECT_THAT(shown.out, HasSubstr("TLS pin      " + xbPin));
  EXPECT_THAT(shown.out, HasSubstr("purposes     any the answering node's policy knows"));  // XC lists none
  EXPECT_THAT(shown.out, HasSubstr("2099-01-01T00:00:00Z"));
  EXPECT_THAT(shown.out, HasSubstr("not verified"));

  const CommandResult json = runLiaison({"directory", "show", "--json", (dir_ / "directory.signed").string()});
  ASSERT_EQ(json.exitCode, kExitOk) << json.err;
  const auto parsed = nlohmann::json::parse(json.out);
  EXPECT_EQ(parsed["serial"], 1);
  EXPECT_EQ(parsed["verified"], false);
  EXPECT_EQ(parsed["members"][0]["member"], "XB-BORDER");
  EXPECT_EQ(parsed["members"][0]["signing_keys"][0]["key_id"], xbKey);
  EXPECT_EQ(parsed["members"][0]["tls_pins"][0]["pin"], xbPin);
  EXPECT_EQ(parsed["members"][0]["roles"], nlohmann::json::array({"border"}));
  EXPECT_TRUE(parsed["members"][1]["purposes"].is_null());
}

TEST_F(DirectoryCli, VerifyExitsOneNamingWhyADirectoryIsRefused) {
  ASSERT_EQ(sign({"--valid-days", "10"}).exitCode, kExitOk);
  const fs::path file = dir_ / "directory.signed";
  const std::string bytes = readText(file);

  const CommandResult expired = verify(file, {"--at", "2099-01-01T00:00:00Z"});
  EXPECT_EQ(expired.exitCode, kExitFailure);
  EXPECT_THAT(expired.err, HasSubstr("refused (expired): serial 1 expired at"));
  EXPECT_EQ(expired.out, "");

  const CommandResult early = verify(file, {"--at", "2000-01-01T00:00:00Z"});
  EXPECT_EQ(early.exitCode, kExitFailure);
  EXPECT_THAT(early.err, HasSubstr("refused (not-yet-valid)"));

  const CommandResult otherAnchor =
      runLiaison({"directory", "verify", file.string(), "--anchor", (dir_ / "xb.pub").string()});
  EXPECT_EQ(otherAnchor.exitCode, kExitFailure);
  EXPECT_THAT(otherAnchor.err, HasSubstr("refused (unknown-key)"));

  // A hostile copy in transit: one byte of the member list changed.
  std::string tampered = bytes;
  tampered[tampered.find("XB-BORDER") + 1] = 'Z';
  writeText(dir_ / "tampered.signed", tampered);
  const CommandResult forged = verify(dir_ / "tampered.signed");
  EXPECT_EQ(forged.exitCode, kExitFailure);
  EXPECT_THAT(forged.err, HasSubstr("refused (bad-signature)"));

  writeText(dir_ / "garbage.signed", "not a directory\n");
  const CommandResult garbage = verify(dir_ / "garbage.signed");
  EXPECT_EQ(garbage.exitCode, kExitFailure);
  EXPECT_THAT(garbage.err, HasSubstr("refused (malformed)"));

  const CommandResult missing = verify(dir_ / "missing.signed");
  EXPECT_EQ(missing.exitCode, kExitFailure);
  EXPECT_THAT(missing.err, HasSubstr("refused (unreadable)"));

  // Either of two anchors: the federation rotating its directory key.
  const CommandResult twoAnchors = runLiaison({"directory", "verify", file.string(), "--anchor",
                                               (dir_ / "xb.pub").string() + "," + (dir_ / "directory.pub").string()});
  EXPECT_EQ(twoAnchors.exitCode, kExitOk) << twoAnchors.err;
}

TEST_F(DirectoryCli, ADirectoryKeyOthersCanReadSignsNothing) {
  ASSERT_EQ(::chmod((dir_ / "directory.key").c_str(), 0640), 0);
  const CommandResult result = sign();
  EXPECT_EQ(result.exitCode, kExitFailure);
  EXPECT_THAT(result.err, HasSubstr((dir_ / "directory.key").string()));
  EXPECT_FALSE(fs::exists(dir_ / "directory.signed"));
}

TEST_F(DirectoryCli, APinListedTwiceIsRefusedAndTheDirectoryInPlaceStays) {
  ASSERT_EQ(sign().exitCode, kExitOk);
  const std::string before = readText(dir_ / "directory.signed");
  // The careless operator pastes XC's certificate under XB as well.
  writeSource(2, "  [[member.tls]]\n  certificate = \"xc-tls.crt\"\n");
  const CommandResult result = sign();
  EXPECT_EQ(result.exitCode, kExitFailure);
  EXPECT_THAT(result.err, HasSubstr("member XC-IMMIGRATION TLS pin 1: is listed twice, also as member XB-BORDER TLS pin 2"));
  EXPECT_THAT(result.err, HasSubstr("nothing was signed"));
  EXPECT_EQ(readText(dir_ / "directory.signed"), before);
  for (const auto& entry : fs::directory_iterator(dir_)) EXPECT_THAT(entry.path().string(), Not(HasSubstr(".tmp")));
}

TEST_F(DirectoryCli, TheDirectoryKeyIsNeverAMembersSigningKey) {
  writeSource(1, "  [[member.key]]\n  public_key = \"directory.pub\"\n");
  const CommandResult result = sign();
  EXPECT_EQ(result.exitCode, kExitFailure);
  EXPECT_THAT(result.err, HasSubstr("member XB-BORDER lists the directory key"));
  EXPECT_FALSE(fs::exists(dir_ / "directory.signed"));
}

TEST_F(DirectoryCli, MistakesInTheSourceAreNamedWithTheirLines) {
  writeText(dir_ / "directory.toml",
            "federation = \"EU-LIAISON\"\n\n[[member]]\nid = \"XB-BORDER\"\nrole = \"border\"\n"
            "  [[member.key]]\n  public_key = \"nowhere.pub\"\n  not_after = \"tomorrow\"\n");
  const CommandResult result = sign();
  EXPECT_EQ(result.exitCode, kExitFailure);
  EXPECT_THAT(result.err, HasSubstr("directory.toml:1: missing key 'serial'"));
  EXPECT_THAT(result.err, HasSubstr("directory.toml:5: unknown key 'role'"));
  EXPECT_THAT(result.err, HasSubstr("nowhere.pub"));
  EXPECT_THAT(result.err, HasSubstr("directory.toml:8: 'not_after' must be a UTC time"));
  EXPECT_FALSE(fs::exists(dir_ / "directory.signed"));
}

TEST_F(DirectoryCli, AValidityOfNoDaysOrOverAYearIsAUsageError) {
  for (const char* days : {"0", "367"}) {
    const CommandResult result = sign({"--valid-days", days});
    EXPECT_EQ(result.exitCode, kExitUsage) << days << "\n" << result.err;
    EXPECT_FALSE(fs::exists(dir_ / "directory.signed"));
  }
  const CommandResult badTime = verify(dir_ / "directory.signed", {"--at", "yesterday"});
  EXPECT_EQ(badTime.exitCode, kExitUsage);
  EXPECT_THAT(badTime.err, HasSubstr("--at must be a UTC time"));
}

TEST_F(DirectoryCli, AFileFarTooLargeIsRefusedWithoutBeingRead) {
  const fs::path huge = dir_ / "huge.signed";
  std::ofstream(huge).put('x');
  fs::resize_file(huge, 64u << 20);
  const CommandResult verified = verify(huge);
  EXPECT_EQ(verified.exitCode, kExitFailure);
  EXPECT_THAT(verified.err, HasSubstr("refused (unreadable)"));
  EXPECT_THAT(verified.err, HasSubstr("67108864 bytes"));
  const CommandResult shown = runLiaison({"directory", "show", huge.string()});
  EXPECT_EQ(shown.exitCode, kExitFailure);
  EXPECT_THAT(shown.err, HasSubstr("67108864 bytes"));
}

TEST_F(DirectoryCli, SigningAgainReplacesTheSignedDirectory) {
  ASSERT_EQ(sign().exitCode, kExitOk);
  writeSource(2);
  const CommandResult again = sign();
  ASSERT_EQ(again.exitCode, kExitOk) << again.err;
  EXPECT_THAT(verify(dir_ / "directory.signed").out, HasSubstr("serial 2"));
  for (const auto& entry : fs::directory_iterator(dir_)) EXPECT_THAT(entry.path().string(), Not(HasSubstr(".tmp")));
}

TEST_F(DirectoryCli, TheExampleDirectorySignsWithTheDemosKeys) {
  // examples/directory/directory.toml beside the keys scripts/demo makes in examples/node/keys/.
  fs::create_directories(dir_ / "examples/directory");
  fs::create_directories(dir_ / "examples/node/keys");
  fs::copy_file(fs::path(LIAISON_SOURCE_DIR) / "examples/directory/directory.toml", dir_ / "examples/directory/directory.toml");
  for (const char* name : {"xa-police", "xb-border", "xc-immigration"}) {
    ASSERT_TRUE(crypto::writeKeyFiles(dir_ / "examples/node/keys" / name, crypto::generateKeyPair()).ok());
    ASSERT_TRUE(net::writeTlsIdentity(dir_ / "examples/node/keys" / (std::string(name) + "-tls"), name, 2).ok());
  }
  const fs::path out = dir_ / "examples/directory/directory.signed";
  const CommandResult result =
      runLiaison({"directory", "sign", "--in", (dir_ / "examples/directory/directory.toml").string(), "--key",
                  (dir_ / "directory.key").string(), "--out", out.string()});
  ASSERT_EQ(result.exitCode, kExitOk) << result.err;
  EXPECT_THAT(result.out, HasSubstr("3 members"));
  EXPECT_EQ(verify(out).exitCode, kExitOk);
}

}  // namespace
}  // namespace liaison::testing
