// The policy a node enforces: who (members and groups) may ask what (query kinds) about which
// compartments, for which purposes, in which roles, and with which answer (hit/no-hit or details with
// a field mask). Default deny; a firewall forbids a compartment to roles absolutely and overrides every
// rule. The file format is documented at the top of examples/policy.toml.
#pragma once

#include <array>
#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "policy/statistics.h"
#include "schema/model.h"
#include "schema/status.h"

namespace liaison::policy {

/// How much a permitted query may learn: only whether and where there is a hit, or the record itself.
enum class Mode : uint8_t { hit, details };

/// "hit" or "details", as the policy file spells them.
std::string_view name(Mode mode);
/// Parses "hit" or "details"; nullopt for anything else.
std::optional<Mode> parseMode(std::string_view text);

/// A permit. It matches a question when every one of its lists contains the question's value.
struct Rule {
  std::string name;
  std::vector<std::string> members;  ///< member ids or group ids
  std::vector<Role> roles;
  std::vector<std::string> purposes;
  std::vector<QueryKind> queries;
  std::vector<Compartment> compartments;
  Mode mode = Mode::hit;
  /// Fields a details answer may carry; nullopt returns every field (see policy/field_mask.h).
  std::optional<std::vector<std::string>> fields;
  /// nullopt: the default, a case reference is required for get-record under a details rule only.
  /// true/false: required, or not, for every query the rule permits.
  std::optional<bool> requireCaseReference;
  int line = 0;  ///< line of the rule's `[[rule]]` header, for messages
};

/// Forbids a compartment to roles, for every member, purpose and query kind, whatever the rules say.
struct Firewall {
  std::string name;
  Compartment compartment = Compartment::health;
  std::vector<Role> roles;
  int line = 0;  ///< line of the firewall's `[[firewall]]` header, for messages
};

/// An outbound permit: which partners this node's own officers may ask, through this node, in which
/// roles, for which purposes and with which query kinds. It matches an outbound question when every one
/// of its lists contains the question's value (policy/outbound.h decides).
struct OutboundRule {
  std::string name;
  /// Member ids or group ids as written (groups are resolved when deciding, as for Rule::members), or the
  /// single entry kOutboundAnyPartner for every partner member.
  std::vector<std::string> partners;
  std::vector<Role> roles;  ///< never auditor: the loader refuses it
  std::vector<std::string> purposes;
  std::vector<QueryKind> queries;  ///< never audit-read: the loader refuses it
  int line = 0;  ///< line of the rule's `[[outbound]]` header, for messages
};

/// The `partners` entry of an outbound rule that names every partner member of the policy.
inline constexpr std::string_view kOutboundAnyPartner = "*";

/// A loaded policy. Every name in it is resolved: a Policy from loadPolicy has passed all static checks.
struct Policy {
  std::string file;                                        ///< where it came from, for messages
  std::string self;                                        ///< the member this node serves
  std::vector<std::string> members;                        ///< partner members; `self` is implicit
  std::map<std::string, std::vector<std::string>> groups;  ///< group id -> member ids
  std::vector<std::string> purposes;
  std::vector<Rule> rules;
  std::vector<Firewall> firewalls;
  std::vector<OutboundRule> outbound;  ///< what this node's officers may ask partners; empty: nothing
  StatisticsSettings statistics;       ///< `[statistics]`: suppression, noise and oversight roles
};

/// Largest policy file accepted; a real policy is a few kilobytes.
inline constexpr size_t kMaxPolicyFileBytes = 1024 * 1024;

/// The roles that face enforcement work, liaison units included (they forward to and from police and
/// border services). health and justice are forbidden to them by every policy: the loader refuses a
/// policy without firewalls saying so, and decide() refuses even a Policy built by hand.
inline constexpr std::array kEnforcementFacingRoles = {Role::border, Role::immigration, Role::enforcement,
                                                       Role::liaison};

/// How messages, decisions and explanations name a rule: `rule "NAME" (line N)`.
std::string cite(const Rule& rule);
/// How messages, decisions and explanations name a firewall: `firewall "NAME" (line N)`.
std::string cite(const Firewall& firewall);

/// How messages, decisions and explanations name an outbound rule: `outbound "NAME" (line N)`.
std::string cite(const OutboundRule& rule);

/// True when `compartment` is forbidden to `role` whatever a policy says (the built-in firewall).
bool isAlwaysForbidden(Role role, Compartment compartment);

/// Why `compartment` is closed to `role`: a citation of every policy firewall that forbids it, or, when
/// none does, the built-in firewall's if isAlwaysForbidden; empty when it is open. Both decide() and
/// decideOutbound() refuse on it, so the inbound and the outbound path share one firewall.
std::vector<std::string> firewallsForbidding(Role role, Compartment compartment, const Policy& policy);

/// Reads and checks a policy file. On failure the message holds every problem found, one per line, as
/// `FILE:LINE: what is wrong` (`FILE:LINE:COLUMN:` for TOML syntax errors), in line order.
Result<Policy> loadPolicy(const std::filesystem::path& path);

/// Like loadPolicy, for text already in memory; `fileName` is used in messages and kept in Policy::file.
Result<Policy> parsePolicy(std::string_view text, std::string fileName);

}  // namespace liaison::policy
