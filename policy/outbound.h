// The outbound decision: may this node's own officer, in this role and for this purpose, have this node
// ask this partner this kind of query? Taken by the officer's own node before anything leaves it, once per
// partner named (or, for "every partner", over the policy's members). A pure function of (question,
// policy), like decide(), and refused by the same firewalls: an enforcement-facing officer never sends a
// query that reads health or justice, whatever the [[outbound]] rules say.
#pragma once

#include <string>
#include <vector>

#include "policy/policy.h"
#include "schema/model.h"

namespace liaison::policy {

/// One outbound question: may an officer of this node in `role`, declaring `purpose`, send a query of
/// kind `query` reading `compartments` to `partner`?
struct OutboundQuestion {
  Role role = Role::border;
  std::string purpose;
  QueryKind query = QueryKind::checkDocument;
  std::string partner;  ///< a member id
  /// The compartments the query reads (policy/query_scope.h compartmentsTouched(const Query&)). Empty:
  /// unknown, so the firewalls are checked against every compartment the query kind could read.
  std::vector<Compartment> compartments;
};

/// The answer, with the outbound rules or firewalls that made it.
struct OutboundDecision {
  bool permitted = false;
  /// For the officer: empty when permitted, else kNotPermitted (policy/decide.h), the same for every
  /// refusal, so it tells nothing about which firewall or rule refused.
  std::string reason;
  /// For audit and `policy explain-outbound`: `outbound "NAME" (line N)` for every matching rule, or the
  /// firewalls, or what is unknown, or "no outbound rule permits (default deny)".
  std::vector<std::string> because;
};

/// Decides in this order: auditor role and audit-read refuse (an auditor reads a node's log at that node);
/// a firewall refuses (the policy's or the built-in one, for any compartment the query reads); the
/// node's own member, a partner the policy does not declare, or an unknown purpose refuses; then every
/// matching [[outbound]] rule permits; none matching refuses (default deny).
OutboundDecision decideOutbound(const OutboundQuestion& question, const Policy& policy);

/// The partners of `policy.members` this officer may ask with this query (the permitted ones only), in
/// the policy's order: what "every partner" means for one officer's request.
std::vector<std::string> outboundPartners(Role role, const std::string& purpose, QueryKind query,
                                          const std::vector<Compartment>& compartments, const Policy& policy);

/// A multi-line, human-readable account of the question and its decision, for `policy explain-outbound`.
std::string explainOutbound(const OutboundQuestion& question, const OutboundDecision& decision);

}  // namespace liaison::policy
