#include "node/cli/node_command.h"

#include <pthread.h>

#include <csignal>
#include <cstdlib>
#include <ostream>

#include "node/cli/cli_args.h"
#include "node/node.h"

namespace liaison::cli {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;

// SIGTERM and SIGINT are blocked in every thread and taken by sigwait on the main thread, so the
// shutdown runs as ordinary code rather than inside a signal handler.
sigset_t shutdownSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return set;
}

}  // namespace

int runNodeCommand(const std::vector<std::string>& words, std::ostream& out, std::ostream& err) {
  Arguments args = Arguments::parse(words);
  args.allowOnly({"config"});
  auto config = node::loadNodeConfig(args.require("config"));
  if (!config) {
    err << "liaison: " << config.error().message << "\n";
    return kExitFailure;
  }
  if (config->database.empty()) {
    if (const char* env = std::getenv("LIAISON_DB")) config->database = env;
  }
  sigset_t signals = shutdownSignals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // before any thread starts, so all inherit it
  auto node = node::Node::start(*config, node::NodeOptions{{}, &err});
  if (!node) {
    err << "liaison: " << node.error().message << "\n";
    return kExitFailure;
  }
  out << "liaison node " << config->member << " listening on " << config->listenAddress << ":" << (*node)->port()
      << std::endl;
  int received = 0;
  sigwait(&signals, &received);
  (*node)->stop();
  return kExitOk;
}

}  // namespace liaison::cli
