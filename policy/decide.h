// The decision function: a pure function of (question, policy), no I/O, so tests can walk every role,
// purpose, query kind and member. The node asks once per compartment a query touches
// (policy/query_scope.h), before it looks anything up.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "policy/policy.h"
#include "schema/model.h"

namespace liaison::policy {

/// One question to the policy: may this member's officer, in this role and for this purpose, run this
/// query kind against this compartment?
struct Question {
  std::string member;  ///< requesting member id
  Role role = Role::border;
  std::string purpose;
  QueryKind query = QueryKind::checkDocument;
  Compartment compartment = Compartment::documents;
  bool hasCaseReference = false;
};

/// The reason given to a requester for every refusal except a missing case reference. It is the same
/// for a firewall, an unknown member and default deny, so a refusal reveals nothing about either the
/// policy or the data.
inline constexpr const char* kNotPermitted = "not permitted";

/// The reason given when a rule would permit the question if it carried a case reference. Only ever
/// given after the firewalls have been passed, so it says nothing about firewalled compartments.
inline constexpr const char* kCaseReferenceRequired = "not permitted: a case reference is required";

/// The answer, with the rules or firewalls that made it.
struct Decision {
  bool permitted = false;
  Mode mode = Mode::hit;  ///< meaningful when permitted
  /// Fields a details answer may carry; nullopt = all. Refusals and hit answers carry an empty list, so
  /// applying it by mistake withholds everything.
  std::optional<std::vector<std::string>> fields = std::vector<std::string>{};
  std::string reason;                ///< for the requester: empty, kNotPermitted or kCaseReferenceRequired
  std::vector<std::string> because;  ///< for audit and `policy explain`: `rule "NAME" (line N)`, ...
};

/// Decides in this order: a firewall (the policy's or the built-in one) refuses; an unknown member or
/// purpose, or a compartment the query kind never reads, refuses; then every matching rule permits and
/// the most generous one wins (details over hit, union of field masks); no matching rule refuses.
Decision decide(const Question& question, const Policy& policy);

/// A multi-line, human-readable account of the question and its decision, for `policy explain`.
std::string explain(const Question& question, const Decision& decision);

}  // namespace liaison::policy
