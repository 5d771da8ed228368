// Internal to the policy loader (policy.cc): its two passes and the problems they report. The first
// pass is the only code that sees toml++; the second works on the Policy struct alone.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "policy/policy.h"

namespace liaison::policy {

/// One problem in a policy file, before it is formatted as `FILE:LINE[:COLUMN]: message`.
struct PolicyIssue {
  int line = 1;
  int column = 0;  ///< 0: the problem is a whole value or table, not a character position
  std::string message;
};

/// What the first pass read, and which rules it could read only in part.
struct PolicyDraft {
  Policy policy;
  /// Indexes into policy.rules, ascending, of rules with a problem already reported (an unknown name dropped
  /// from a list, an unknown mode, ...). The second pass runs only the checks such a gap cannot distort.
  std::vector<size_t> incompleteRules;
};

/// First pass: reads the TOML text, reporting syntax errors, unknown keys, values of the wrong type,
/// unknown role/compartment/query/mode names, empty lists and malformed or duplicate ids and names.
/// Keeps every usable part, so the second pass still finds the problems elsewhere in a broken rule.
/// nullopt when the text is not TOML at all (the syntax error is reported).
std::optional<PolicyDraft> readPolicyToml(std::string_view text, const std::string& fileName,
                                          std::vector<PolicyIssue>& issues);

/// Second pass: cross-checks of what the first pass read: unknown members, groups and purposes in rules
/// and outbound rules, an outbound rule naming self, permits and outbound rules a firewall contradicts, rules or parts of rules that can never match, field names the rule's
/// compartments do not have, and the firewalls every policy must contain.
void checkPolicy(const PolicyDraft& draft, std::vector<PolicyIssue>& issues);

}  // namespace liaison::policy
