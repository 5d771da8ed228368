#include "node/cli/audit_command.h"

#include "crypto/digest.h"
#include "node/cli/cli_args.h"
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

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitNotYet = 3;
constexpr int kExitFork = 5;

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

int verify(const Arguments& args, std::ostream& out, std::ostream& err) {
  args.allowOnly({"as", "node", "heads", "state"});
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

int prove(const Arguments& args, std::ostream& out, std::ostream& err) {
  args.allowOnly({"as", "node", "state"});
  if (args.positional.size() != 2) throw UsageError{"usage: liaison audit prove RECEIPT --node URL --as AUDITOR.toml"};
  auto receipt = parseReceipt(args.positional[1]);
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

int treeHead(const Arguments& args, std::ostream& out, std::ostream& err) {
  args.allowOnly({"as", "node", "state"});
  auto client = auditorClient(args);
  if (!client) return failed(client.error(), err);
  auto head = fetchLatestTreeHead(**client);
  if (!head) return failed(head.error(), err);
  out << "log " << head->head.logId << "\ntree size " << head->head.treeSize << "\nroot hash "
      << crypto::hex(head->head.rootHash) << "\nsigned at " << formatTimestamp(head->head.timestamp)
      << "\nsigned tree head " << crypto::base64(head->envelope) << "\n";
  return kExitOk;
}

int search(const Arguments& args, std::ostream& out, std::ostream& err) {
  args.allowOnly({"as", "node", "state"});
  if (args.positional.size() > 2) throw UsageError{"usage: liaison audit search [QUERY] --node URL --as AUDITOR.toml"};
  const std::string query = args.positional.size() == 2 ? args.positional[1] : std::string();
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

}  // namespace

int runAuditCommand(const std::vector<std::string>& words, std::ostream& out, std::ostream& err) {
  Arguments args = Arguments::parse(words);
  const std::string action = args.positional.empty() ? std::string() : args.positional[0];
  if (action == "verify") return verify(args, out, err);
  if (action == "prove") return prove(args, out, err);
  if (action == "sth") return treeHead(args, out, err);
  if (action == "search") return search(args, out, err);
  throw UsageError{"usage: liaison audit verify|prove RECEIPT|sth|search [QUERY] --node URL --as AUDITOR.toml"};
}

}  // namespace liaison::cli
