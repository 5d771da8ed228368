// `liaison audit verify|prove|sth|search|console`: the auditor's tools against a running node.
#include <pthread.h>

#include <csignal>

#include "crypto/digest.h"
#include "node/cli/audit_console.h"
#include "node/cli/commands.h"
#include "node/cli/exit_codes.h"
#include "node/client/audit_verify.h"
#include "node/client/query_client.h"

namespace liaison::cli {
namespace {

using client::AuditVerifyOptions;
using client::fetchLatestTreeHead;
using client::loadClientConfig;
using client::parseReceipt;
using client::proveReceipt;
using client::QueryClient;
using client::ReceiptCheck;
using client::verifyAuditLog;

int failed(const Error& error, std::ostream& err) {
  err << "liaison: " << error.message << "\n";
  return error.kind == ErrorKind::conflict ? kExitFork : kExitFailure;
}

Result<std::unique_ptr<QueryClient>> auditorClient(const Arguments& args) {
  auto config = loadClientConfig(args.require("as"));
  if (!config) return config.error();
  if (auto state = args.option("state")) config->stateDir = *state;
  return QueryClient::create(*config, args.require("node"));
}

int verify(const Arguments& args, const CommandContext& context) {
  std::ostream& out = context.out;
  std::ostream& err = context.err;
  auto client = auditorClient(args);
  if (!client) return failed(client.error(), err);
  AuditVerifyOptions options;
  for (const auto& folder : splitCommaList(args.option("heads").value_or(""))) options.headFolders.emplace_back(folder);
  auto report = verifyAuditLog(**client, options);
  if (!report) return failed(report.error(), err);
  out << "log " << report->head.logId << ": latest signed head " << report->head.treeSize << " entries, root "
      << crypto::hex(report->head.rootHash) << ", signed " << formatTimestamp(report->head.timestamp) << "\n"
      << "entries downloaded and rehashed: " << report->entries << "\n"
      << "earlier signed heads checked: " << report->headsChecked << "\n"
      << "entries compared with an earlier verification: " << report->previouslyVerified << "\n";
  if (report->entriesOverLimits > 0) {
    out << "entries with a field longer than today's limits (written by an older node): "
        << report->entriesOverLimits << "\n";
  }
  if (report->verified) {
    out << "VERIFIED: every entry hashes into the signed root and every head seen is consistent with it\n";
    return kExitOk;
  }
  out << "FAILED: " << report->problems.size() << " problem(s)";
  if (report->firstBadIndex) out << "; first bad index " << *report->firstBadIndex;
  out << "\n";
  constexpr size_t kShown = 20;
  for (size_t i = 0; i < report->problems.size() && i < kShown; ++i) out << "  " << report->problems[i] << "\n";
  if (report->problems.size() > kShown) out << "  ... and " << report->problems.size() - kShown << " more\n";
  return kExitFailure;
}

int prove(const Arguments& args, const CommandContext& context) {
  std::ostream& out = context.out;
  std::ostream& err = context.err;
  auto receipt = parseReceipt(args.positional("RECEIPT"));
  if (!receipt) throw UsageError{receipt.error().message};
  auto client = auditorClient(args);
  if (!client) return failed(client.error(), err);
  auto check = proveReceipt(**client, *receipt);
  if (!check) return failed(check.error(), err);
  switch (check->verdict) {
    case ReceiptCheck::Verdict::included:
      out << "INCLUDED: " << check->detail << "\n";
      return kExitOk;
    case ReceiptCheck::Verdict::notYetCovered:
      out << "NOT YET: " << check->detail << "\n";
      return kExitNotYet;
    case ReceiptCheck::Verdict::notIncluded: break;
  }
  out << "NOT INCLUDED: " << check->detail << "\n";
  return kExitFailure;
}

int treeHead(const Arguments& args, const CommandContext& context) {
  std::ostream& out = context.out;
  std::ostream& err = context.err;
  auto client = auditorClient(args);
  if (!client) return failed(client.error(), err);
  auto head = fetchLatestTreeHead(**client);
  if (!head) return failed(head.error(), err);
  out << "log " << head->head.logId << "\ntree size " << head->head.treeSize << "\nroot hash "
      << crypto::hex(head->head.rootHash) << "\nsigned at " << formatTimestamp(head->head.timestamp)
      << "\nsigned tree head " << crypto::base64(head->envelope) << "\n";
  return kExitOk;
}

int search(const Arguments& args, const CommandContext& context) {
  std::ostream& out = context.out;
  std::ostream& err = context.err;
  const std::string query = args.positional("QUERY");
  auto client = auditorClient(args);
  if (!client) return failed(client.error(), err);
  auto reply = (*client)->getSigned("/v1/audit/search" + (query.empty() ? std::string() : "?" + query));
  if (!reply) return failed(reply.error(), err);
  const std::string body(reply->body.begin(), reply->body.end());
  if (reply->status != 200) {
    err << "liaison: the node answered HTTP " << reply->status << ": " << body;
    return kExitFailure;
  }
  out << body;
  return kExitOk;
}

// Serves the console until SIGINT or SIGTERM.
int console(const Arguments& args, const CommandContext& context) {
  AuditConsoleOptions options;
  auto config = loadClientConfig(args.require("as"));
  if (!config) return failed(config.error(), context.err);
  if (auto state = args.option("state")) config->stateDir = *state;
  options.config = std::move(*config);
  options.nodeUrl = args.require("node");
  if (auto listen = args.option("listen")) {
    if (Status ok = parseConsoleListen(*listen, options); !ok) throw UsageError{ok.error().message};
  }
  for (const auto& folder : splitCommaList(args.option("heads").value_or(""))) options.headFolders.emplace_back(folder);
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // before any thread starts, so all inherit it
  auto started = AuditConsole::start(std::move(options));
  if (!started) return failed(started.error(), context.err);
  // The login address holds the secret: it goes to the auditor's terminal only, never to a log.
  context.out << "audit console for " << args.require("node") << " at " << (*started)->origin() << "\n"
              << "open this address in your browser (it signs you in; keep it to yourself):\n  "
              << (*started)->loginUrl() << "\nstop with Ctrl-C" << std::endl;
  int received = 0;
  sigwait(&signals, &received);
  (*started)->stop();
  return kExitOk;
}

// --as, --node and --state, which every audit command takes.
std::vector<OptionSpec> auditorOptions() {
  return {
      {"node", "URL", "the node, https://HOST:PORT", true},
      {"as", "AUDITOR.toml", "the client configuration of one of the node's auditors", true},
      {"state", "DIR", "where the node's signed tree heads are kept (default: the configuration's state_dir)"},
  };
}

Command auditSubcommand(Command command) {
  std::vector<OptionSpec> options = auditorOptions();
  options.insert(options.end(), command.options.begin(), command.options.end());
  command.options = std::move(options);
  command.loadsSecretKeys = true;
  return command;
}

}  // namespace

Command auditCommand() {
  return Command{
      .name = "audit",
      .summary = "the auditor's tools: verify the node's audit log, prove a receipt, show the tree head, search, "
                 "the console",
      .subcommands =
          {
              auditSubcommand({
                  .name = "verify",
                  .summary = "download the node's audit log, rehash every entry, check the signed root and every "
                             "tree head seen",
                  .details = "Heads are those kept in the state folder, and those collected in --heads.\n"
                             "exit status: 0 verified, 1 a problem (naming the first bad index) or the check "
                             "failed, 2 usage error, 5 fork\n",
                  .options = {{"heads", "DIR,DIR", "further folders of the node's signed heads, e.g. partners'"}},
                  .run = verify,
              }),
              auditSubcommand({
                  .name = "prove",
                  .summary = "check that a receipt is included under the latest signed head",
                  .details = "exit status: 0 included, 1 not included or the check failed, 2 usage error, 3 not "
                             "yet under a signed head, 5 fork\n",
                  .positionals = {{"RECEIPT", "as `liaison query` prints it: LOG:INDEX:LEAFHASH"}},
                  .run = prove,
              }),
              auditSubcommand({
                  .name = "sth",
                  .summary = "print the latest signed tree head",
                  .details = "exit status: 0 printed, 1 failed, 2 usage error, 5 fork\n",
                  .run = treeHead,
              }),
              auditSubcommand({
                  .name = "search",
                  .summary = "search and export the log",
                  .details = "QUERY is the auditor API's search, e.g. 'member=XB-BORDER&decision=refused&format=csv' "
                             "(see README, Auditor API).\nexit status: 0 printed, 1 failed, 2 usage error, 5 fork\n",
                  .positionals = {{"QUERY", "filters and format", false}},
                  .run = search,
              }),
              auditSubcommand({
                  .name = "console",
                  .summary = "serve the auditor's console (search, entries with their proofs, charts, alerts, "
                             "the log's state) as a web page on this machine",
                  .details = "It listens on loopback only and prints a login address holding a secret made at "
                             "this start; the page refuses every request without it. Every read is signed with "
                             "the auditor's key here (the browser never sees it) and audited by the node.\n"
                             "exit status: 0 stopped by SIGINT or SIGTERM, 1 could not start, 2 usage error\n",
                  .options = {{"listen", "ADDRESS:PORT", "where to listen (default 127.0.0.1:8090; loopback only; "
                                                         "port 0 picks a free one)"},
                              {"heads", "DIR,DIR", "further folders of the node's signed heads, e.g. partners'"}},
                  .run = console,
              }),
          },
  };
}

}  // namespace liaison::cli
