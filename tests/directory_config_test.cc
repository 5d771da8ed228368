// The node configuration's federation directory keys: `directory`, `directory_anchors` and
// `directory_check_interval_ms`, both of the first two or neither.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "node/config.h"

namespace liaison {
namespace {

using ::testing::HasSubstr;

constexpr const char* kNode = R"(member = "XA-POLICE"
signing_key = "keys/node.key"
tls_certificate = "keys/node.crt"
tls_key = "keys/node.tlskey"
policy = "policy.toml"
)";

class DirectoryConfig : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/liaison-directory-config-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  Result<node::NodeConfig> load(const std::string& extra) {
    std::ofstream(dir_ / "node.toml") << kNode << extra;
    return node::loadNodeConfig(dir_ / "node.toml");
  }

  std::filesystem::path dir_;
};

TEST_F(DirectoryConfig, TheDirectoryAndItsAnchorsLoadRelativeToTheFile) {
  auto config = load("directory = \"federation/directory.signed\"\n"
                     "directory_anchors = [\"federation/old.pub\", \"/etc/liaison/new.pub\"]\n"
                     "directory_check_interval_ms = 1000\n");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->directory, dir_ / "federation/directory.signed");
  ASSERT_EQ(config->directoryAnchors.size(), 2u);
  EXPECT_EQ(config->directoryAnchors[0], dir_ / "federation/old.pub");
  EXPECT_EQ(config->directoryAnchors[1], "/etc/liaison/new.pub");
  EXPECT_EQ(config->directoryCheckInterval, std::chrono::milliseconds(1000));
}

TEST_F(DirectoryConfig, WithoutADirectoryThereIsNoneAndItIsCheckedEveryFiveSeconds) {
  auto config = load("");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_TRUE(config->directory.empty());
  EXPECT_EQ(config->directoryCheckInterval, std::chrono::seconds(5));
}

TEST_F(DirectoryConfig, ADirectoryWithoutAnchorsOrAnchorsWithoutADirectoryAreRefused) {
  auto noAnchors = load("directory = \"directory.signed\"\n");
  ASSERT_FALSE(noAnchors.ok());
  EXPECT_THAT(noAnchors.error().message, HasSubstr("node.toml:6: 'directory' needs 'directory_anchors'"));
  auto emptyAnchors = load("directory = \"directory.signed\"\ndirectory_anchors = []\n");
  ASSERT_FALSE(emptyAnchors.ok());
  auto noDirectory = load("directory_anchors = [\"directory.pub\"]\n");
  ASSERT_FALSE(noDirectory.ok());
  EXPECT_THAT(noDirectory.error().message, HasSubstr("node.toml:6: 'directory_anchors' without 'directory'"));
  auto tooOften = load("directory = \"d\"\ndirectory_anchors = [\"a.pub\"]\ndirectory_check_interval_ms = 10\n");
  ASSERT_FALSE(tooOften.ok());
  EXPECT_THAT(tooOften.error().message, HasSubstr("'directory_check_interval_ms' must be a whole number from 100"));
}

}  // namespace
}  // namespace liaison
