// `liaison node`: runs the serving node from the command line.
#include <pthread.h>

#include <csignal>
#include <cstdlib>
#include <ostream>

#include "node/cli/commands.h"
#include "node/cli/exit_codes.h"
#include "node/node.h"

namespace liaison::cli {
namespace {

// SIGTERM and SIGINT are blocked in every thread and taken by sigwait on the main thread, so the
// shutdown runs as ordinary code rather than inside a signal handler.
sigset_t shutdownSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return set;
}

// Serves until SIGTERM or SIGINT, then shuts down gracefully.
int serve(const Arguments& args, const CommandContext& context) {
  std::ostream& out = context.out;
  std::ostream& err = context.err;
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

}  // namespace

Command nodeCommand() {
  return Command{
      .name = "node",
      .summary = "serve signed queries over TLS 1.3 until SIGTERM",
      .details = "On SIGTERM or SIGINT it stops accepting, finishes the requests in flight and flushes the audit "
                 "log. The database is the configuration's `database`, else $LIAISON_DB.\n"
                 "exit status: 0 stopped, 1 could not start\n",
      .options = {{"config", "NODE.toml", "the node configuration (see examples/node/node.toml)", true}},
      .run = serve,
      .loadsSecretKeys = true,
  };
}

}  // namespace liaison::cli
