// The real `liaison node` process keeps its keys out of core dumps, however it was started.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <chrono>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include "tests/liaison_process.h"
#include "tests/node_harness.h"

namespace liaison::testing {
namespace {

using namespace std::chrono_literals;

// The soft and hard core file size limits of process `pid` as /proc shows them ("0", "unlimited").
std::pair<std::string, std::string> coreLimitsOf(pid_t pid) {
  std::ifstream limits("/proc/" + std::to_string(pid) + "/limits");
  constexpr std::string_view kCoreLine = "Max core file size";
  for (std::string line; std::getline(limits, line);) {
    if (line.rfind(kCoreLine, 0) != 0) continue;
    std::istringstream values(line.substr(kCoreLine.size()));
    std::pair<std::string, std::string> soft_hard;
    values >> soft_hard.first >> soft_hard.second;
    return soft_hard;
  }
  throw std::runtime_error("no core file size in /proc/" + std::to_string(pid) + "/limits");
}

class ProtectedNodeProcess : public NodeTest {};

TEST_F(ProtectedNodeProcess, ANodeStartedWithCoreDumpsAllowedRunsWithACoreLimitOfZero) {
  stopNode();  // the process below takes over the database
  // Started the way a careless operator might: with core dumps allowed. Only root may raise a hard
  // limit of 0; elsewhere the node inherits the 0 it would set.
  struct rlimit original {};
  ASSERT_EQ(getrlimit(RLIMIT_CORE, &original), 0);
  struct rlimit allowed = original;
  if (allowed.rlim_max == 0) allowed.rlim_max = RLIM_INFINITY;
  allowed.rlim_cur = allowed.rlim_max;
  (void)setrlimit(RLIMIT_CORE, &allowed);
  NodeProcess node(writeNodeConfigFile(config_, dir_ / "node-process.toml"), dir_ / "node-process.log");
  (void)setrlimit(RLIMIT_CORE, &original);

  // The node printed its port, so it has loaded its keys.
  const auto [soft, hard] = coreLimitsOf(node.pid());
  node.signal(SIGTERM);
  const std::optional<int> exited = node.waitForExit(30s);
  ASSERT_TRUE(exited.has_value()) << "the node is still running after SIGTERM\n" << node.log();
  const int status = *exited;
  EXPECT_EQ(soft, "0");
  EXPECT_EQ(hard, "0") << "a hard limit above 0 lets the process raise its own limit again";
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "the node did not stop cleanly on SIGTERM";
}

}  // namespace
}  // namespace liaison::testing
