// The node configuration's limits: connections, failures per source, request rates and the
// metrics listener. Defaults, ranges, and conflicts named with both lines.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>
#include <iterator>

#include "node/config.h"

namespace liaison {
namespace {

constexpr const char* kMinimalNode = R"(member = "XA-POLICE"
signing_key = "node.key"
tls_certificate = "node.crt"
tls_key = "node.tlskey"
policy = "policy.toml"
)";

class LimitsConfig : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/liaison-limits-config-test-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // The minimal node configuration with `extra` lines after it (from line 6 on).
  Result<node::NodeConfig> load(const std::string& extra) {
    const auto file = dir_ / "node.toml";
    std::ofstream(file) << kMinimalNode << extra;
    return node::loadNodeConfig(file);
  }

  std::filesystem::path dir_;
};

TEST_F(LimitsConfig, DefaultsKeepAnUnconfiguredNodeSafe) {
  auto config = load("");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->maxConnections, 1024u);
  EXPECT_EQ(config->maxConnectionsPerAddress, 256u);
  EXPECT_EQ(config->maxHandshakingConnections, 512u);
  EXPECT_EQ(config->handshakeTimeout, std::chrono::milliseconds(3000));
  EXPECT_EQ(config->admission.failureInterval, std::chrono::seconds(60));
  EXPECT_EQ(config->admission.failuresAuditedInFull, 1u);
  EXPECT_EQ(config->admission.failureBudget, 100u);
  EXPECT_EQ(config->admission.partner.perSecond, 200);
  EXPECT_EQ(config->admission.officer.burst, 50);
  EXPECT_TRUE(config->metricsEnabled);
  EXPECT_EQ(config->metricsAddress, "127.0.0.1");
  EXPECT_EQ(config->metricsPort, 9464);
  EXPECT_FALSE(config->metricsFirewalledKinds);
}

TEST_F(LimitsConfig, TheExampleConfigurationDocumentsTheDefaults) {
  std::ifstream in(std::filesystem::path(LIAISON_SOURCE_DIR) / "examples/node/node.toml");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_NE(text.find("metrics_listen"), std::string::npos);
  const auto file = dir_ / "node.toml";
  std::ofstream(file) << text.substr(0, text.find("[[peer]]"));  // peers name key files made by the demo
  auto example = node::loadNodeConfig(file);
  ASSERT_TRUE(example.ok()) << example.error().message;
  auto defaults = load("");
  ASSERT_TRUE(defaults.ok()) << defaults.error().message;
  EXPECT_EQ(example->maxConnections, defaults->maxConnections);
  EXPECT_EQ(example->maxConnectionsPerAddress, defaults->maxConnectionsPerAddress);
  EXPECT_EQ(example->maxHandshakingConnections, defaults->maxHandshakingConnections);
  EXPECT_EQ(example->handshakeTimeout, defaults->handshakeTimeout);
  EXPECT_EQ(example->admission.failureInterval, defaults->admission.failureInterval);
  EXPECT_EQ(example->admission.failuresAuditedInFull, defaults->admission.failuresAuditedInFull);
  EXPECT_EQ(example->admission.failureBudget, defaults->admission.failureBudget);
  EXPECT_EQ(example->admission.partner.perSecond, defaults->admission.partner.perSecond);
  EXPECT_EQ(example->admission.partner.burst, defaults->admission.partner.burst);
  EXPECT_EQ(example->admission.officer.perSecond, defaults->admission.officer.perSecond);
  EXPECT_EQ(example->admission.officer.burst, defaults->admission.officer.burst);
  EXPECT_EQ(example->metricsAddress, defaults->metricsAddress);
  EXPECT_EQ(example->metricsPort, defaults->metricsPort);
  EXPECT_EQ(example->metricsFirewalledKinds, defaults->metricsFirewalledKinds);
}

TEST_F(LimitsConfig, EveryLimitIsSetByItsKey) {
  auto config = load(R"(max_connections = 300
max_connections_per_address = 20
max_handshaking_connections = 100
handshake_timeout_ms = 1500
source_failure_interval_seconds = 30
source_failure_budget = 40
source_failures_audited_in_full = 3
partner_requests_per_second = 500
partner_request_burst = 900
officer_requests_per_second = 2
officer_request_burst = 7
metrics_listen = "[::1]:9000"
metrics_firewalled_kinds = true
)");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->maxConnections, 300u);
  EXPECT_EQ(config->maxConnectionsPerAddress, 20u);
  EXPECT_EQ(config->maxHandshakingConnections, 100u);
  EXPECT_EQ(config->handshakeTimeout, std::chrono::milliseconds(1500));
  EXPECT_EQ(config->admission.failureInterval, std::chrono::seconds(30));
  EXPECT_EQ(config->admission.failureBudget, 40u);
  EXPECT_EQ(config->admission.failuresAuditedInFull, 3u);
  EXPECT_EQ(config->admission.partner.perSecond, 500);
  EXPECT_EQ(config->admission.partner.burst, 900);
  EXPECT_EQ(config->admission.officer.perSecond, 2);
  EXPECT_EQ(config->admission.officer.burst, 7);
  EXPECT_EQ(config->metricsAddress, "::1");
  EXPECT_EQ(config->metricsPort, 9000);
  EXPECT_TRUE(config->metricsFirewalledKinds);
}

TEST_F(LimitsConfig, TheHandshakingBudgetIsHalfTheConnectionsUnlessGiven) {
  auto config = load("max_connections = 301\n");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->maxHandshakingConnections, 150u);
  config = load("max_connections = 1\n");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->maxHandshakingConnections, 1u);
}

TEST_F(LimitsConfig, TheMetricsListenerCanBeTurnedOff) {
  auto config = load("metrics_listen = \"off\"\n");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_FALSE(config->metricsEnabled);
}

TEST_F(LimitsConfig, ABudgetBeyondWhatItBoundsIsRefusedNamingBothLines) {
  auto config = load("max_connections = 100\nmax_handshaking_connections = 200\n");
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.error().message.find(
                "node.toml:7: 'max_handshaking_connections' (200) exceeds 'max_connections' (100, "),
            std::string::npos)
      << config.error().message;
  EXPECT_NE(config.error().message.find("node.toml:6)"), std::string::npos) << config.error().message;

  config = load("source_failures_audited_in_full = 200\n");
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.error().message.find("node.toml:6: 'source_failures_audited_in_full' (200) exceeds "
                                        "'source_failure_budget' (100, its default)"),
            std::string::npos)
      << config.error().message;
}

TEST_F(LimitsConfig, ValuesOutsideTheirRangesAreRefusedWithTheirLine) {
  const std::pair<const char*, const char*> cases[] = {
      {"max_connections = 0\n", "'max_connections' must be a whole number from 1 to 65536"},
      {"max_connections_per_address = 100000\n",
       "'max_connections_per_address' must be a whole number from 1"},
      {"handshake_timeout_ms = 10\n", "'handshake_timeout_ms' must be a whole number from 100 to 60000"},
      {"source_failure_interval_seconds = 0\n",
       "'source_failure_interval_seconds' must be a whole number from 1"},
      {"source_failure_budget = -1\n", "'source_failure_budget' must be a whole number from 1"},
      {"partner_requests_per_second = 0\n", "'partner_requests_per_second' must be a whole number from 1"},
      {"officer_request_burst = 1.5\n", "'officer_request_burst' must be a whole number from 1"},
      {"metrics_listen = \"localhost\"\n", "'metrics_listen' must be HOST:PORT"},
      {"metrics_firewalled_kinds = \"yes\"\n", "'metrics_firewalled_kinds' must be true or false"},
  };
  for (const auto& [line, message] : cases) {
    auto config = load(line);
    ASSERT_FALSE(config.ok()) << line;
    EXPECT_NE(config.error().message.find(std::string("node.toml:6: ") + message), std::string::npos)
        << line << config.error().message;
  }
}

}  // namespace
}  // namespace liaison
