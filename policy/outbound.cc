#include "policy/outbound.h"

#include <algorithm>
#include <sstream>
#include <utility>

#include "policy/decide.h"
#include "policy/query_scope.h"
#include "policy/words.h"

namespace liaison::policy {
namespace {

using words::contains;
using words::inQuotes;

// The compartments the firewalls are checked against: those the question names, every one its kind reads
// whatever its parameters, and, when the question names none, every one the kind could read (fail closed:
// a caller that forgot them cannot open a firewalled compartment).
std::vector<Compartment> compartmentsToCheck(const OutboundQuestion& question) {
  std::vector<Compartment> compartments = question.compartments;
  std::vector<Compartment> kindScope = question.compartments.empty() ? compartmentsTouched(question.query)
                                                                     : compartmentsAlwaysTouched(question.query);
  for (Compartment compartment : kindScope) {
    if (!contains(compartments, compartment)) compartments.push_back(compartment);
  }
  return compartments;
}

bool namesPartner(const OutboundRule& rule, const Policy& policy, const std::string& partner) {
  return std::any_of(rule.partners.begin(), rule.partners.end(), [&](const std::string& entry) {
    if (entry == kOutboundAnyPartner || entry == partner) return true;
    auto group = policy.groups.find(entry);
    return group != policy.groups.end() && contains(group->second, partner);
  });
}

OutboundDecision refuse(std::vector<std::string> because) {
  OutboundDecision decision;
  decision.reason = kNotPermitted;
  decision.because = std::move(because);
  return decision;
}

}  // namespace

OutboundDecision decideOutbound(const OutboundQuestion& question, const Policy& policy) {
  // Refusals that hold whatever the policy says come first; the loader refuses rules that would need them.
  if (question.role == Role::auditor) {
    return refuse({"role auditor never asks partners: an auditor reads a node's audit log at that node"});
  }
  if (question.query == QueryKind::auditRead) {
    return refuse({"query audit-read is never sent to partners: it is read at the node that keeps the log"});
  }
  std::vector<std::string> firewalls;
  for (Compartment compartment : compartmentsToCheck(question)) {
    for (std::string& firewall : firewallsForbidding(question.role, compartment, policy)) {
      if (!contains(firewalls, firewall)) firewalls.push_back(std::move(firewall));
    }
  }
  if (!firewalls.empty()) return refuse(std::move(firewalls));

  if (question.partner == policy.self) {
    return refuse({"partner " + inQuotes(question.partner) +
                   " is this node's own member: its officers' queries are answered here, not sent out"});
  }
  if (!contains(policy.members, question.partner)) {
    return refuse({"partner " + inQuotes(question.partner) + " is not a member of the policy"});
  }
  if (!contains(policy.purposes, question.purpose)) {
    return refuse({"purpose " + inQuotes(question.purpose) + " is not in the policy"});
  }

  OutboundDecision decision;
  for (const OutboundRule& rule : policy.outbound) {
    if (namesPartner(rule, policy, question.partner) && contains(rule.roles, question.role) &&
        contains(rule.purposes, question.purpose) && contains(rule.queries, question.query)) {
      decision.because.push_back(cite(rule));
    }
  }
  if (decision.because.empty()) return refuse({"no outbound rule permits (default deny)"});
  decision.permitted = true;
  return decision;
}

std::vector<std::string> outboundPartners(Role role, const std::string& purpose, QueryKind query,
                                          const std::vector<Compartment>& compartments, const Policy& policy) {
  std::vector<std::string> partners;
  for (const std::string& member : policy.members) {
    if (decideOutbound(OutboundQuestion{role, purpose, query, member, compartments}, policy).permitted) {
      partners.push_back(member);
    }
  }
  return partners;
}

std::string explainOutbound(const OutboundQuestion& question, const OutboundDecision& decision) {
  std::ostringstream out;
  out << "outbound question: role " << name(question.role) << ", purpose " << question.purpose << ", query "
      << name(question.query) << ", partner " << question.partner << ", compartments ";
  const std::vector<Compartment> compartments = compartmentsToCheck(question);
  const char* separator = "";
  for (Compartment compartment : compartments) {
    out << separator << name(compartment);
    separator = ", ";
  }
  if (question.compartments.empty()) out << " (every one the query kind may read)";
  out << "\n";
  if (decision.permitted) {
    out << "decision: permitted, the request may be sent to " << question.partner << "\n";
  } else {
    out << "decision: refused (" << decision.reason << "), nothing is sent to " << question.partner << "\n";
  }
  out << "because:\n";
  for (const std::string& line : decision.because) out << "  " << line << "\n";
  return out.str();
}

}  // namespace liaison::policy
