#include <gtest/gtest.h>

#include <stdlib.h>

#include <fstream>

#include "node/client/client_config.h"
#include "node/config.h"

namespace liaison {
namespace {

class ConfigFile : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/liaison-config-test-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::filesystem::path write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
    return dir_ / name;
  }

  std::filesystem::path dir_;
};

constexpr const char* kNode = R"(member = "XA-POLICE"
listen = "127.0.0.1:9443"
signing_key = "keys/node.key"
tls_certificate = "/etc/liaison/node.crt"
tls_key = "keys/node.tlskey"
policy = "policy.toml"
validity_window_seconds = 120

[[peer]]
member = "XB-BORDER"
signing_public_key = "keys/xb.pub"
tls_pin = "sha256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="

[[officer]]
pseudonym = "border-1"
public_key = "keys/border-1.pub"
role = "border"
purposes = ["border-check"]
)";

TEST_F(ConfigFile, ANodeConfigurationLoadsWithPathsRelativeToItsFile) {
  auto config = node::loadNodeConfig(write("node.toml", kNode));
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->member, "XA-POLICE");
  EXPECT_EQ(config->listenPort, 9443);
  EXPECT_EQ(config->signingKey, dir_ / "keys/node.key");
  EXPECT_EQ(config->tlsCertificate, "/etc/liaison/node.crt");
  EXPECT_EQ(config->validityWindow, std::chrono::seconds(120));
  ASSERT_EQ(config->peers.size(), 1u);
  EXPECT_EQ(config->peers[0].member, "XB-BORDER");
  ASSERT_EQ(config->officers.size(), 1u);
  EXPECT_EQ(config->officers[0].role, Role::border);
  EXPECT_EQ(config->auditBatchWait, std::chrono::microseconds(2000)) << "the default";
  EXPECT_EQ(config->workerThreads, 64u) << "the default";
}

TEST_F(ConfigFile, TheAuditBatchWaitIsSetInMicrosecondsWithinItsRange) {
  std::string text = kNode;
  text.insert(text.find("\n[[peer]]"), "audit_batch_wait_us = 250\n");
  auto config = node::loadNodeConfig(write("node.toml", text));
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->auditBatchWait, std::chrono::microseconds(250));

  text.replace(text.find("audit_batch_wait_us = 250"), 25, "audit_batch_wait_us = 500000");
  auto tooLong = node::loadNodeConfig(write("node.toml", text));
  ASSERT_FALSE(tooLong.ok());
  EXPECT_NE(tooLong.error().message.find(":8: 'audit_batch_wait_us' must be a whole number"),
            std::string::npos)
      << tooLong.error().message;
}

TEST_F(ConfigFile, AValidityWindowOfMoreThanFifteenMinutesIsRefusedNamingTheKeyTheLineAndTheRange) {
  std::string text = kNode;
  text.replace(text.find("validity_window_seconds = 120"), 29, "validity_window_seconds = 900");
  auto fifteenMinutes = node::loadNodeConfig(write("node.toml", text));
  ASSERT_TRUE(fifteenMinutes.ok()) << fifteenMinutes.error().message;
  EXPECT_EQ(fifteenMinutes->validityWindow, std::chrono::minutes(15));

  for (const char* tooLong : {"901", "3600"}) {
    std::string longer = text;
    longer.replace(longer.find("= 900"), 5, std::string("= ") + tooLong);
    auto path = write("node.toml", longer);
    auto refused = node::loadNodeConfig(path);
    ASSERT_FALSE(refused.ok()) << tooLong;
    EXPECT_NE(refused.error().message.find(
                  path.string() + ":7: 'validity_window_seconds' must be a whole number from 10 to 900"),
              std::string::npos)
        << refused.error().message;
  }
}

TEST_F(ConfigFile, MistakesAreReportedWithFileAndLine) {
  std::string text = kNode;
  text.replace(text.find("role = \"border\""), 15, "role = \"sheriff\"");
  text.replace(text.find("validity_window_seconds = 120"), 29, "validity_window_seconds = 99999");
  text += "colour = \"blue\"\n";
  auto path = write("node.toml", text);
  auto config = node::loadNodeConfig(path);
  ASSERT_FALSE(config.ok());
  const std::string& message = config.error().message;
  EXPECT_NE(message.find(path.string() + ":7: 'validity_window_seconds' must be a whole number"), std::string::npos)
      << message;
  EXPECT_NE(message.find(":17: unknown role 'sheriff'"), std::string::npos) << message;
  EXPECT_NE(message.find(":19: unknown key 'colour'"), std::string::npos) << message;
}

TEST_F(ConfigFile, AMalformedPinOrMissingKeyIsRefused) {
  std::string text = kNode;
  text.replace(text.find("sha256:AAAA"), 11, "md5:AAAA");
  text.replace(text.find("signing_key = \"keys/node.key\"\n"), 30, "");
  auto config = node::loadNodeConfig(write("node.toml", text));
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.error().message.find("missing key 'signing_key'"), std::string::npos) << config.error().message;
  EXPECT_NE(config.error().message.find("'tls_pin' must look like sha256:"), std::string::npos) << config.error().message;
}

TEST_F(ConfigFile, AnOfficerOrPartnerRegisteredTwiceIsRefusedNamingBothLines) {
  // A re-registered officer whose old health entry was left in place: the new key would sign in
  // with the old entry's role.
  std::string text = kNode;
  text += R"(
[[officer]]
pseudonym = "border-1"
public_key = "keys/border-1-new.pub"
role = "health"
purposes = ["medical-care"]

[[peer]]
member = "XB-BORDER"
signing_public_key = "keys/xb-2.pub"
tls_pin = "sha256:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB="

[[peer]]
member = "XA-POLICE"
signing_public_key = "keys/self.pub"
tls_pin = "sha256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
)";
  auto path = write("node.toml", text);
  auto config = node::loadNodeConfig(path);
  ASSERT_FALSE(config.ok());
  const std::string& message = config.error().message;
  EXPECT_NE(message.find(path.string() + ":20: officer 'border-1' is registered twice, here and at line 14"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find(":26: partner 'XB-BORDER' is registered twice, here and at line 9"), std::string::npos)
      << message;
  EXPECT_NE(message.find(":31: partner 'XA-POLICE' is this node's own member"), std::string::npos) << message;
  EXPECT_NE(message.find(":31: the TLS certificate of partner 'XA-POLICE' is also pinned at line 9"),
            std::string::npos)
      << message;
}

TEST_F(ConfigFile, APartnersOfficersClaimOnlyTheRolesAndPurposesAgreed) {
  auto defaults = node::loadNodeConfig(write("node.toml", kNode));
  ASSERT_TRUE(defaults.ok()) << defaults.error().message;
  EXPECT_EQ(defaults->peers[0].roles,
            (std::vector<Role>{Role::border, Role::immigration, Role::enforcement, Role::liaison}))
      << "by default the enforcement-facing roles only";
  EXPECT_FALSE(defaults->peers[0].purposes.has_value());

  std::string text = kNode;
  text.insert(text.find("\n[[officer]]"), "roles = [\"border\"]\npurposes = [\"border-check\"]\n");
  auto agreed = node::loadNodeConfig(write("node.toml", text));
  ASSERT_TRUE(agreed.ok()) << agreed.error().message;
  EXPECT_EQ(agreed->peers[0].roles, std::vector<Role>{Role::border});
  EXPECT_EQ(agreed->peers[0].purposes, std::vector<std::string>{"border-check"});

  text = kNode;
  text.insert(text.find("\n[[officer]]"), "roles = [\"border\", \"auditor\", \"sheriff\"]\n");
  auto refused = node::loadNodeConfig(write("node.toml", text));
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find(":13: a partner's officers cannot be auditors"), std::string::npos)
      << refused.error().message;
  EXPECT_NE(refused.error().message.find(":13: unknown role 'sheriff'"), std::string::npos) << refused.error().message;
}

TEST_F(ConfigFile, ATomlSyntaxErrorNamesLineAndColumn) {
  auto config = node::loadNodeConfig(write("node.toml", "member = \"XA\"\nlisten = \n"));
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.error().message.find("node.toml:2:"), std::string::npos) << config.error().message;
}

TEST_F(ConfigFile, AClientNeedsEitherAPinOrTheNodeCertificate) {
  auto config = client::loadClientConfig(write("client.toml", R"(member = "XA-POLICE"
pseudonym = "border-1"
role = "border"
signing_key = "border-1.key"
node_public_key = "node.pub"
)"));
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.error().message.find("give exactly one of 'node_pin' and 'node_certificate'"), std::string::npos)
      << config.error().message;
}

}  // namespace
}  // namespace liaison
