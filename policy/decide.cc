#include "policy/decide.h"

#include <algorithm>
#include <sstream>
#include <utility>

#include "policy/query_scope.h"
#include "policy/words.h"

namespace liaison::policy {
namespace {

using words::contains;
using words::inQuotes;

// `self`, a declared partner, or a member of a group. A group id is not a member: requesters are members.
bool isKnownMember(const Policy& policy, const std::string& member) {
  if (member == policy.self || contains(policy.members, member)) return true;
  return std::any_of(policy.groups.begin(), policy.groups.end(),
                     [&](const auto& group) { return contains(group.second, member); });
}

bool ruleNamesMember(const Rule& rule, const Policy& policy, const std::string& member) {
  return std::any_of(rule.members.begin(), rule.members.end(), [&](const std::string& entry) {
    if (entry == member) return true;
    auto group = policy.groups.find(entry);
    return group != policy.groups.end() && contains(group->second, member);
  });
}

bool requiresCaseReference(const Rule& rule, QueryKind query) {
  return rule.requireCaseReference.value_or(rule.mode == Mode::details && query == QueryKind::getRecord);
}

Decision refuse(std::string reason, std::vector<std::string> because) {
  Decision decision;
  decision.reason = std::move(reason);
  decision.because = std::move(because);
  return decision;
}

}  // namespace

Decision decide(const Question& question, const Policy& policy) {
  // Firewalls come first, before anything that depends on the member, purpose or rules, so every refusal
  // of a firewalled compartment is the same refusal.
  std::vector<std::string> firewalls = firewallsForbidding(question.role, question.compartment, policy);
  if (!firewalls.empty()) return refuse(kNotPermitted, std::move(firewalls));

  if (!isKnownMember(policy, question.member)) {
    return refuse(kNotPermitted, {"member " + inQuotes(question.member) + " is not in the policy"});
  }
  if (!contains(policy.purposes, question.purpose)) {
    return refuse(kNotPermitted, {"purpose " + inQuotes(question.purpose) + " is not in the policy"});
  }
  if (!contains(compartmentsTouched(question.query), question.compartment)) {
    return refuse(kNotPermitted, {"query " + std::string(name(question.query)) + " never reads compartment " +
                                  std::string(name(question.compartment))});
  }

  Decision decision;
  std::vector<std::string> wantingCaseReference;
  bool details = false;
  bool allFields = false;
  std::vector<std::string> fieldUnion;
  for (const Rule& rule : policy.rules) {
    if (!ruleNamesMember(rule, policy, question.member) || !contains(rule.roles, question.role) ||
        !contains(rule.purposes, question.purpose) || !contains(rule.queries, question.query) ||
        !contains(rule.compartments, question.compartment)) {
      continue;
    }
    if (rule.mode == Mode::hit && answersOnlyWithDetails(question.query)) continue;
    if (requiresCaseReference(rule, question.query) && !question.hasCaseReference) {
      wantingCaseReference.push_back(cite(rule) + " requires a case reference");
      continue;
    }
    decision.because.push_back(cite(rule));
    if (rule.mode != Mode::details) continue;
    details = true;
    if (!rule.fields) {
      allFields = true;
    } else {
      for (const std::string& field : *rule.fields) {
        if (!contains(fieldUnion, field)) fieldUnion.push_back(field);
      }
    }
  }

  if (decision.because.empty()) {
    if (!wantingCaseReference.empty()) return refuse(kCaseReferenceRequired, std::move(wantingCaseReference));
    return refuse(kNotPermitted, {"no rule permits (default deny)"});
  }
  decision.permitted = true;
  decision.mode = details ? Mode::details : Mode::hit;
  if (details && allFields) {
    decision.fields = std::nullopt;
  } else if (details) {
    decision.fields = std::move(fieldUnion);
  }
  return decision;
}

std::string explain(const Question& question, const Decision& decision) {
  std::ostringstream out;
  out << "question: member " << question.member << ", role " << name(question.role) << ", purpose "
      << question.purpose << ", query " << name(question.query) << ", compartment "
      << name(question.compartment) << ", case reference " << (question.hasCaseReference ? "given" : "none")
      << "\n";
  if (!decision.permitted) {
    out << "decision: refused (" << decision.reason << ")\n";
  } else if (decision.mode == Mode::hit) {
    out << "decision: permitted, hit/no-hit only\n";
  } else if (!decision.fields) {
    out << "decision: permitted, details with all fields\n";
  } else {
    out << "decision: permitted, details with fields";
    const char* separator = " ";
    for (const std::string& field : *decision.fields) {
      out << separator << field;
      separator = ", ";
    }
    if (decision.fields->empty())
      out << " (none beyond the reference, owner, handling code and retention date)";
    out << "\n";
  }
  out << "because:\n";
  for (const std::string& line : decision.because) out << "  " << line << "\n";
  return out.str();
}

}  // namespace liaison::policy
