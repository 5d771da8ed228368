// The second pass of the policy loader: checks that need the whole policy. Every message names the
// rule or firewall and points at its header line.
#include <algorithm>
#include <set>

#include "policy/field_mask.h"
#include "policy/policy_loader.h"
#include "policy/query_scope.h"
#include "policy/words.h"

namespace liaison::policy {
namespace {

using words::contains;
using words::inQuotes;
using words::joined;

template <typename T>
std::string namesOf(const std::vector<T>& values) {
  std::string text;
  for (const T& value : values) text += (text.empty() ? "" : ", ") + std::string(name(value));
  return text;
}

class PolicyChecker {
 public:
  PolicyChecker(const PolicyDraft& draft, std::vector<PolicyIssue>& issues)
      : policy_(draft.policy),
        incompleteRules_(draft.incompleteRules),
        issues_(issues),
        members_(policy_.members.begin(), policy_.members.end()),
        purposes_(policy_.purposes.begin(), policy_.purposes.end()) {
    members_.insert(policy_.self);
  }

  void check() {
    for (size_t i = 0; i < policy_.rules.size(); ++i) {
      checkRule(policy_.rules[i], !std::binary_search(incompleteRules_.begin(), incompleteRules_.end(), i));
    }
    for (const OutboundRule& rule : policy_.outbound) checkOutbound(rule);
    checkBuiltInFirewalls();
  }

 private:
  void report(int line, std::string message) { issues_.push_back(PolicyIssue{line, 0, std::move(message)}); }

  // Unknown members and purposes and firewall contradictions are real whatever else is wrong with the
  // rule; reachability and fields depend on its whole query and compartment lists and its mode.
  void checkRule(const Rule& rule, bool complete) {
    const std::string context = "rule " + inQuotes(rule.name) + ": ";
    for (const std::string& member : rule.members) {
      if (members_.count(member) != 0 || policy_.groups.count(member) != 0) continue;
      report(rule.line, context + "unknown member or group " + inQuotes(member) +
                            "; declare it with [[member]] or [[group]], or fix the spelling");
    }
    checkPurposes(rule.line, context, rule.purposes);
    checkFirewalls(rule);
    if (!complete) return;
    checkReachable(rule, context);
    checkFields(rule, context);
  }

  void checkPurposes(int line, const std::string& context, const std::vector<std::string>& purposes) {
    // Without any declared purposes the first pass has reported that; repeating it per rule adds nothing.
    if (policy_.purposes.empty()) return;
    for (const std::string& purpose : purposes) {
      if (purposes_.count(purpose) != 0) continue;
      report(line, context + "unknown purpose " + inQuotes(purpose) + "; the purposes are " +
                       joined(policy_.purposes) + " (add it to purposes, or fix the spelling)");
    }
  }

  void checkFirewalls(const Rule& rule) {
    for (Role role : rule.roles) {
      for (Compartment compartment : rule.compartments) {
        reportFirewalls(rule.line, "rule " + inQuotes(rule.name) + " permits compartment " +
                                       std::string(name(compartment)),
                        role, compartment);
      }
    }
  }

  // Reports every firewall that forbids `compartment` to `role`, which `permit` (`rule "x" permits
  // compartment health`) opens.
  void reportFirewalls(int line, const std::string& permit, Role role, Compartment compartment) {
    bool forbiddenByPolicy = false;
    for (const Firewall& firewall : policy_.firewalls) {
      if (firewall.compartment != compartment || !contains(firewall.roles, role)) continue;
      forbiddenByPolicy = true;
      report(line, permit + " to role " + std::string(name(role)) + ", which " + cite(firewall) + " forbids");
    }
    if (!forbiddenByPolicy && isAlwaysForbidden(role, compartment)) {
      report(line, permit + " to role " + std::string(name(role)) +
                       ", which the built-in firewall forbids (health and justice are never open to "
                       "border, immigration or enforcement)");
    }
  }

  // Unknown partners and purposes, self named as a partner, and queries whose compartments a firewall
  // closes to one of the rule's roles (decideOutbound would refuse them all: the rule says what it cannot
  // do). get-record and aggregate-statistics read what their parameters choose, so only a request decides.
  void checkOutbound(const OutboundRule& rule) {
    const std::string context = "outbound " + inQuotes(rule.name) + ": ";
    for (const std::string& partner : rule.partners) {
      if (partner == policy_.self) {
        report(rule.line, context + "names this node's own member " + inQuotes(partner) +
                              " as a partner; its officers' queries are answered here, never sent out");
      } else if (partner != kOutboundAnyPartner && members_.count(partner) == 0 &&
                 policy_.groups.count(partner) == 0) {
        report(rule.line, context + "unknown partner " + inQuotes(partner) +
                              "; declare it with [[member]] or [[group]], fix the spelling, or use \"*\"");
      }
    }
    checkPurposes(rule.line, context, rule.purposes);
    for (Role role : rule.roles) {
      for (QueryKind query : rule.queries) {
        for (Compartment compartment : compartmentsAlwaysTouched(query)) {
          reportFirewalls(rule.line, "outbound " + inQuotes(rule.name) + " permits query " +
                                         std::string(name(query)) + " (compartment " +
                                         std::string(name(compartment)) + ")",
                          role, compartment);
        }
      }
    }
  }

  // Every query and every compartment of a rule must be able to meet: a part that cannot is a mistake
  // (usually a permit the author thinks exists and does not).
  void checkReachable(const Rule& rule, const std::string& context) {
    for (QueryKind query : rule.queries) {
      const std::vector<Compartment> touched = compartmentsTouched(query);
      bool meets = std::any_of(rule.compartments.begin(), rule.compartments.end(),
                               [&](Compartment c) { return contains(touched, c); });
      if (!meets) {
        report(rule.line, context + "query " + std::string(name(query)) +
                              " reads none of the rule's compartments (" + namesOf(rule.compartments) +
                              "), so it can never match; it reads " + namesOf(touched));
      }
      if (rule.mode == Mode::hit && answersOnlyWithDetails(query)) {
        report(rule.line,
               context + "query " + std::string(name(query)) +
                   " answers only with record contents or counts, so mode \"hit\" can never match it; "
                   "permit it in a rule with mode = \"details\"");
      }
    }
    for (Compartment compartment : rule.compartments) {
      bool read = std::any_of(rule.queries.begin(), rule.queries.end(),
                              [&](QueryKind q) { return contains(compartmentsTouched(q), compartment); });
      if (!read) {
        report(rule.line, context + "compartment " + std::string(name(compartment)) +
                              " is read by none of the rule's queries (" + namesOf(rule.queries) +
                              "), so it can never match");
      }
    }
  }

  void checkFields(const Rule& rule, const std::string& context) {
    if (!rule.fields) return;
    if (rule.mode != Mode::details) {
      report(rule.line,
             context + "fields apply only to mode \"details\"; a hit/no-hit answer carries no fields");
      return;
    }
    std::vector<std::string> known;
    for (int i = 0; i <= static_cast<int>(RecordKind::justiceRecord); ++i) {
      auto kind = static_cast<RecordKind>(i);
      if (!contains(rule.compartments, compartmentOf(kind))) continue;
      for (std::string& field : maskableFields(kind)) {
        if (!contains(known, field)) known.push_back(std::move(field));
      }
    }
    for (const std::string& field : rule.fields.value()) {
      if (field == "ref") {
        report(rule.line, context + "field \"ref\" cannot be listed: the reference is always returned");
        continue;
      }
      bool alwaysReturned = std::find(kAlwaysReturnedFields.begin(), kAlwaysReturnedFields.end(), field) !=
                            kAlwaysReturnedFields.end();
      if (alwaysReturned || contains(known, field)) continue;
      report(rule.line, context + "unknown field " + inQuotes(field) + " for compartments " +
                            namesOf(rule.compartments) + "; their fields are " + joined(known));
    }
  }

  // The firewalls every policy must contain, whatever its author intended (see kEnforcementFacingRoles).
  void checkBuiltInFirewalls() {
    for (Compartment compartment : {Compartment::health, Compartment::justice}) {
      int line = 1;
      for (const Firewall& firewall : policy_.firewalls) {
        if (firewall.compartment == compartment) {
          line = firewall.line;
          break;
        }
      }
      for (Role role : kEnforcementFacingRoles) {
        bool forbidden = std::any_of(
            policy_.firewalls.begin(), policy_.firewalls.end(),
            [&](const Firewall& f) { return f.compartment == compartment && contains(f.roles, role); });
        if (forbidden) continue;
        std::string facing;
        for (Role r : kEnforcementFacingRoles) facing += (facing.empty() ? "" : ", ") + std::string(name(r));
        report(line, "no firewall forbids compartment " + std::string(name(compartment)) + " to role " +
                         std::string(name(role)) + "; every policy must firewall health and justice from " +
                         "the enforcement-facing roles " + facing + " (add the role to a [[firewall]] of " +
                         std::string(name(compartment)) + ")");
      }
    }
  }

  const Policy& policy_;
  const std::vector<size_t>& incompleteRules_;
  std::vector<PolicyIssue>& issues_;
  std::set<std::string> members_;  // self and the declared members
  std::set<std::string> purposes_;
};

}  // namespace

void checkPolicy(const PolicyDraft& draft, std::vector<PolicyIssue>& issues) {
  PolicyChecker(draft, issues).check();
}

}  // namespace liaison::policy
