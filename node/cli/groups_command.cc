// `liaison groups sync --policy FILE [--dry-run]`: make the database's visibility groups match
// the policy's [[group]] tables (adapters/group_sync.h).
#include "adapters/group_sync.h"
#include "node/cli/commands.h"
#include "node/cli/database_options.h"
#include "node/cli/exit_codes.h"
#include "policy/policy.h"

namespace liaison::cli {
namespace {

void printChanges(const store::GroupChanges& changes, std::ostream& out) {
  for (const auto& [group, member] : changes.added) out << "+ " << group << " " << member << "\n";
  for (const auto& [group, member] : changes.removed) out << "- " << group << " " << member << "\n";
}

// Prints every membership added (`+ GROUP MEMBER`) and removed (`- GROUP MEMBER`) and a summary.
// With --dry-run nothing changes; a change is audited naming the operator.
int sync(const Arguments& args, const CommandContext& context) {
  std::ostream& out = context.out;
  const std::string file = args.require("policy");
  auto policy = policy::loadPolicy(file);
  if (!policy) {
    context.err << policy.error().message << "\n"
                << file << ": the policy cannot be used until the problems above are fixed\n";
    return kExitFailure;
  }
  const store::DatabaseTarget target = databaseTarget(args);
  const bool dryRun = args.flag("dry-run");
  auto changes = dryRun ? store::diffGroups(target, store::DbRole::admin, policy->groups)
                        : store::syncGroups(target, policy->self, policy->groups, file, context.origin);
  if (!changes) {
    context.err << "liaison: " << changes.error().message << "\n";
    return kExitFailure;
  }
  printChanges(*changes, out);
  out << (dryRun ? "would change" : "changed") << " federation.group_members: " << changes->added.size()
      << " added, " << changes->removed.size() << " removed; " << policy->groups.size() << " groups, "
      << changes->memberships << " memberships in " << file
      << (dryRun || changes->empty() ? "" : " (audited)") << "\n";
  return kExitOk;
}

}  // namespace

Command groupsCommand() {
  Command sync{
      .name = "sync",
      .summary = "make the database's visibility groups the policy's [[group]] tables",
      .details = "Groups decide who sees records shared with a group (federation.group_members). Prints every\n"
                 "membership added (+) and removed (-); a change is made in one transaction and audited.\n"
                 "exit status: 0 in step, 1 the policy is invalid or the database refused, 2 usage error\n",
      .options = {{"policy", "FILE", "the policy file whose groups to apply", true},
                  {"dry-run", "", "print what would change, change nothing"}},
      .run = cli::sync,
  };
  for (const OptionSpec& option : databaseOptions()) sync.options.push_back(option);
  return Command{
      .name = "groups",
      .summary = "keep the database's visibility groups in step with the policy",
      .subcommands = {sync},
  };
}

}  // namespace liaison::cli
