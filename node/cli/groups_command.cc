#include "node/cli/groups_command.h"

#include "adapters/group_sync.h"
#include "policy/policy.h"

namespace liaison::cli {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;

void printChanges(const store::GroupChanges& changes, std::ostream& out) {
  for (const auto& [group, member] : changes.added) out << "+ " << group << " " << member << "\n";
  for (const auto& [group, member] : changes.removed) out << "- " << group << " " << member << "\n";
}

}  // namespace

int runGroupsCommand(const Arguments& args, const store::CommandLineOrigin& origin, std::ostream& out,
                     std::ostream& err) {
  args.allowOnly({"db", "db-admin", "health-db", "justice-db", "policy", "dry-run"});
  if (args.positional.size() != 2 || args.positional[1] != "sync") {
    throw UsageError{"groups takes one subcommand: sync"};
  }
  const std::string file = args.require("policy");
  auto policy = policy::loadPolicy(file);
  if (!policy) {
    err << policy.error().message << "\n"
        << file << ": the policy cannot be used until the problems above are fixed\n";
    return kExitFailure;
  }
  const store::DatabaseTarget target = databaseTarget(args);
  const bool dryRun = args.flag("dry-run");
  auto changes = dryRun ? store::diffGroups(target, store::DbRole::admin, policy->groups)
                        : store::syncGroups(target, policy->self, policy->groups, file, origin);
  if (!changes) {
    err << "liaison: " << changes.error().message << "\n";
    return kExitFailure;
  }
  printChanges(*changes, out);
  out << (dryRun ? "would change" : "changed") << " federation.group_members: " << changes->added.size()
      << " added, " << changes->removed.size() << " removed; " << policy->groups.size() << " groups, "
      << changes->memberships << " memberships in " << file
      << (dryRun || changes->empty() ? "" : " (audited)") << "\n";
  return kExitOk;
}

}  // namespace liaison::cli
