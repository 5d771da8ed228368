// The first pass of the policy loader: TOML text to a Policy. The only file that includes toml++
// (slow to compile); toml++ exceptions stop here and become PolicyIssues with their line and column.
#include <toml++/toml.h>

#include <algorithm>
#include <initializer_list>
#include <map>
#include <set>

#include "policy/policy_loader.h"
#include "policy/words.h"

namespace liaison::policy {
namespace {

using words::inQuotes;
using words::joined;

int lineOf(const toml::node& node) { return static_cast<int>(node.source().begin.line); }
int lineOf(const toml::key& key) { return static_cast<int>(key.source().begin.line); }

// Member, group, rule and firewall names: the characters the store accepts in member ids, so an id in
// the policy can be the id the store and the federation configuration use.
bool isValidId(std::string_view id) {
  return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  });
}
constexpr const char* kIdCharacters = "1..64 characters of A-Z a-z 0-9 . _ -";

// Purposes are declared by officers in requests and written to the audit log: keep them plain.
bool isValidPurpose(std::string_view purpose) {
  return !purpose.empty() && purpose.size() <= 64 && std::all_of(purpose.begin(), purpose.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

// The stable names of an enum whose values run from 0 to `last`, for "... are a, b, c" hints.
template <typename E>
std::string namesUpTo(E last) {
  std::vector<std::string> names;
  for (int i = 0; i <= static_cast<int>(last); ++i) names.emplace_back(name(static_cast<E>(i)));
  return joined(names);
}

// A string element of a list with the line it is on.
struct Item {
  std::string text;
  int line = 0;
};

// The texts of a list stringList read; empty when it could not.
std::vector<std::string> texts(const std::optional<std::vector<Item>>& items) {
  std::vector<std::string> result;
  if (items) {
    for (const Item& item : *items) result.push_back(item.text);
  }
  return result;
}

// Reads one table at a time, reporting every problem and keeping what is usable.
class PolicyReader {
 public:
  explicit PolicyReader(std::vector<PolicyIssue>& issues) : issues_(issues) {}

  PolicyDraft read(const toml::table& root) {
    PolicyDraft draft;
    Policy& policy = draft.policy;
    rejectUnknownKeys(root, {"self", "purposes", "member", "group", "firewall", "rule", "outbound", "statistics"}, "");
    readSelf(root, policy);
    readPurposes(root, policy);
    for (const toml::table* table : tables(root, "member")) readMember(*table, policy);
    for (const toml::table* table : tables(root, "group")) readGroup(*table, policy);
    for (const toml::table* table : tables(root, "firewall")) readFirewall(*table, policy);
    for (const toml::table* table : tables(root, "rule")) readRule(*table, draft);
    for (const toml::table* table : tables(root, "outbound")) readOutbound(*table, policy);
    readStatistics(root, policy.statistics);
    return draft;
  }

 private:
  void report(int line, std::string message) { issues_.push_back(PolicyIssue{line, 0, std::move(message)}); }

  // `context` prefixes every message about the table, e.g. `rule "own-border-checks": `.
  void rejectUnknownKeys(const toml::table& table, std::initializer_list<std::string_view> allowed,
                         const std::string& context) {
    std::vector<std::string> allowedNames(allowed.begin(), allowed.end());
    for (const auto& [key, value] : table) {
      if (std::find(allowed.begin(), allowed.end(), key.str()) != allowed.end()) continue;
      report(lineOf(key), context + (context.empty() ? "unknown top-level key " : "unknown key ") +
                              inQuotes(key.str()) + "; the keys allowed here are " + joined(allowedNames));
    }
  }

  // The tables of `[[key]]` (or `key = [{...}]`); reports any other kind of value.
  std::vector<const toml::table*> tables(const toml::table& root, std::string_view key) {
    std::vector<const toml::table*> result;
    const toml::node* node = root.get(key);
    if (node == nullptr) return result;
    const toml::array* array = node->as_array();
    if (array == nullptr || !array->is_array_of_tables()) {
      report(lineOf(*node),
             inQuotes(key) + " must be a list of tables, each starting with [[" + std::string(key) + "]]");
      return result;
    }
    for (const toml::node& element : *array) result.push_back(element.as_table());
    return result;
  }

  // A string value; reports a missing (when required) or non-string value.
  std::optional<Item> stringValue(const toml::table& table, std::string_view key, const std::string& context,
                                  bool required) {
    const toml::node* node = table.get(key);
    if (node == nullptr) {
      if (required) report(lineOf(table), context + "missing " + std::string(key) + " = \"...\"");
      return std::nullopt;
    }
    const auto* value = node->as_string();
    if (value == nullptr) {
      report(lineOf(*node), context + std::string(key) + " must be a string in double quotes");
      return std::nullopt;
    }
    return Item{value->get(), lineOf(*node)};
  }

  // A required list of strings; reports a missing, wrongly typed or empty list and elements listed
  // twice. `what` names one element in messages ("role"), `whyNotEmpty` completes "KEY is empty, ...".
  std::optional<std::vector<Item>> stringList(const toml::table& table, std::string_view key,
                                              const std::string& context, std::string_view what,
                                              std::string_view whyNotEmpty) {
    const toml::node* node = table.get(key);
    if (node == nullptr) {
      report(lineOf(table), context + "missing " + std::string(key) + " = [...]");
      return std::nullopt;
    }
    const toml::array* array = node->as_array();
    if (array != nullptr && array->empty()) {
      report(lineOf(*node), context + std::string(key) + " is empty, " + std::string(whyNotEmpty));
      return std::nullopt;
    }
    if (array == nullptr || !array->is_homogeneous<std::string>()) {
      report(lineOf(*node), context + std::string(key) + " must be a list of strings, e.g. " +
                                std::string(key) + " = [\"a\", \"b\"]");
      return std::nullopt;
    }
    std::vector<Item> items;
    std::set<std::string> seen;  // a set: a 1 MiB file can hold a list of 100 000 names
    for (const toml::node& element : *array) {
      Item item{element.as_string()->get(), lineOf(element)};
      if (!seen.insert(item.text).second) {
        report(item.line, context + std::string(what) + " " + inQuotes(item.text) + " is listed twice");
        continue;
      }
      items.push_back(std::move(item));
    }
    return items;
  }

  // A value of a closed vocabulary that is a valid name but never allowed in this list, and why.
  template <typename E>
  struct Refused {
    E value;
    std::string_view why;  ///< completes `ROLE-OR-QUERY "x" ...`
  };

  // A list of closed-vocabulary names (roles, compartments, query kinds) parsed with `parse`; a name in
  // `refused` is reported at its line and left out.
  template <typename E>
  std::vector<E> vocabularyList(const toml::table& table, std::string_view key, const std::string& context,
                                std::string_view what, std::optional<E> (*parse)(std::string_view), E last,
                                std::string_view whyNotEmpty, std::initializer_list<Refused<E>> refused = {}) {
    std::vector<E> values;
    auto items = stringList(table, key, context, what, whyNotEmpty);
    if (!items) return values;
    for (const Item& item : *items) {
      auto value = parse(item.text);
      auto refusal = std::find_if(refused.begin(), refused.end(),
                                  [&](const Refused<E>& r) { return value && r.value == *value; });
      if (refusal != refused.end()) {
        report(item.line, context + std::string(what) + " " + inQuotes(item.text) + " " + std::string(refusal->why));
      } else if (value) {
        values.push_back(*value);
      } else {
        report(item.line, context + "unknown " + std::string(what) + " " + inQuotes(item.text) + "; the " +
                              std::string(what) + " names are " + namesUpTo(last));
      }
    }
    return values;
  }

  void readSelf(const toml::table& root, Policy& policy) {
    auto self = stringValue(root, "self", "", false);
    if (!self) {
      if (root.get("self") == nullptr) {
        report(1, "missing self = \"MEMBER-ID\", the member this node serves, at the top of the file");
      }
      return;
    }
    if (!isValidId(self->text)) {
      report(self->line, "self " + inQuotes(self->text) + " is not a member id: use " + kIdCharacters);
      return;
    }
    policy.self = self->text;
  }

  void readPurposes(const toml::table& root, Policy& policy) {
    if (root.get("purposes") == nullptr) {
      report(1, "missing purposes = [...], the purposes an officer may declare, at the top of the file");
      return;
    }
    auto items = stringList(root, "purposes", "", "purpose",
                            "so no rule can ever match; list the purposes officers declare");
    if (!items) return;
    for (const Item& item : *items) {
      if (!isValidPurpose(item.text)) {
        report(item.line, "purpose " + inQuotes(item.text) +
                              " is not a valid purpose name: use 1..64 characters of a-z 0-9 -");
        continue;
      }
      policy.purposes.push_back(item.text);
    }
  }

  // Reports an id that is malformed or already used by self, a member or a group; records it otherwise.
  bool claimId(const Item& id, std::string_view kind, const Policy& policy) {
    if (!isValidId(id.text)) {
      report(id.line, std::string(kind) + " id " + inQuotes(id.text) + " is not valid: use " + kIdCharacters);
      return false;
    }
    if (id.text == policy.self) {
      report(id.line, std::string(kind) + " " + inQuotes(id.text) +
                          " is this node's self, which is a member implicitly; remove this [[" +
                          std::string(kind) + "]]");
      return false;
    }
    auto [it, inserted] = idLines_.emplace(id.text, id.line);
    if (!inserted) {
      report(id.line, std::string(kind) + " id " + inQuotes(id.text) + " is already used at line " +
                          std::to_string(it->second) + "; member and group ids must be unique");
      return false;
    }
    return true;
  }

  void readMember(const toml::table& table, Policy& policy) {
    rejectUnknownKeys(table, {"id"}, "[[member]]: ");
    auto id = stringValue(table, "id", "[[member]]: ", true);
    if (id && claimId(*id, "member", policy)) {
      policy.members.push_back(id->text);
      memberIds_.insert(id->text);
    }
  }

  void readGroup(const toml::table& table, Policy& policy) {
    auto id = stringValue(table, "id", "[[group]]: ", true);
    const std::string context = id ? "group " + inQuotes(id->text) + ": " : "[[group]]: ";
    rejectUnknownKeys(table, {"id", "members"}, context);
    auto members =
        stringList(table, "members", context, "member", "so the group grants nothing; list its member ids");
    if (!id || !claimId(*id, "group", policy) || !members) return;
    std::vector<std::string> ids;
    for (const Item& member : *members) {
      if (member.text != policy.self && memberIds_.count(member.text) == 0) {
        std::string hint = policy.groups.count(member.text) != 0 ? "; a group cannot contain a group"
                                                                 : "; declare it with [[member]] first";
        report(member.line, context + "lists " + inQuotes(member.text) + ", which is not a member" + hint);
        continue;
      }
      ids.push_back(member.text);
    }
    policy.groups.emplace(id->text, std::move(ids));
  }

  // Checks the uniqueness of a rule, firewall or outbound rule name; `kind` is "rule", "firewall" or
  // "outbound".
  void claimName(const Item& name, std::string_view kind, std::map<std::string, int>& seen) {
    if (!isValidId(name.text)) {
      report(name.line,
             std::string(kind) + " name " + inQuotes(name.text) + " is not valid: use " + kIdCharacters);
      return;
    }
    auto [it, inserted] = seen.emplace(name.text, name.line);
    if (!inserted) {
      report(name.line, std::string(kind) + " " + inQuotes(name.text) + " is defined twice (first at line " +
                            std::to_string(it->second) + "); " + std::string(kind) + " names must be unique");
    }
  }

  // The name of a [[rule]] or [[outbound]] table (`kind`) and the prefix of every message about it;
  // reports unknown keys and a missing, malformed or duplicate name. The name is empty when unusable: such
  // a table is not checked further, as every later message would have to call it something, and its
  // other problems are reported already.
  struct Heading {
    std::string context;
    std::string name;
  };
  Heading readHeading(const toml::table& table, std::string_view kind, std::initializer_list<std::string_view> keys,
                      std::map<std::string, int>& seen) {
    const std::string header = "[[" + std::string(kind) + "]]: ";
    auto name = stringValue(table, "name", header, true);
    Heading heading{name ? std::string(kind) + " " + inQuotes(name->text) + ": " : header, ""};
    rejectUnknownKeys(table, keys, heading.context);
    if (!name) return heading;
    claimName(*name, kind, seen);
    if (isValidId(name->text)) heading.name = name->text;
    return heading;
  }

  void readFirewall(const toml::table& table, Policy& policy) {
    auto name = stringValue(table, "name", "[[firewall]]: ", true);
    const std::string context = name ? "firewall " + inQuotes(name->text) + ": " : "[[firewall]]: ";
    rejectUnknownKeys(table, {"name", "compartment", "roles"}, context);
    Firewall firewall;
    firewall.line = lineOf(table);
    if (name) {
      claimName(*name, "firewall", firewallLines_);
      firewall.name = name->text;
    }
    auto compartment = stringValue(table, "compartment", context, true);
    firewall.roles = vocabularyList(table, "roles", context, "role", &parseRole, Role::auditor,
                                    "so the firewall forbids nothing; list the roles it keeps out");
    if (!compartment) return;
    auto parsed = parseCompartment(compartment->text);
    if (!parsed) {
      report(compartment->line, context + "unknown compartment " + inQuotes(compartment->text) +
                                    "; the compartment names are " + namesUpTo(Compartment::justice));
      return;
    }
    // Kept even when other parts are wrong: what it does forbid still counts in the second pass, so a
    // typo in one role does not turn into "no firewall forbids" for every other role.
    firewall.compartment = *parsed;
    policy.firewalls.push_back(std::move(firewall));
  }

  void readRule(const toml::table& table, PolicyDraft& draft) {
    const size_t issuesBefore = issues_.size();
    Rule rule;
    rule.line = lineOf(table);
    const auto [context, name] = readHeading(table, "rule",
                                             {"name", "members", "roles", "purposes", "queries", "compartments",
                                              "mode", "fields", "require_case_reference"},
                                             ruleLines_);
    rule.name = name;
    constexpr const char* kNeverMatches = "so the rule can never match";
    rule.members = texts(
        stringList(table, "members", context, "member", std::string(kNeverMatches) + "; list member or group ids"));
    rule.roles = vocabularyList(table, "roles", context, "role", &parseRole, Role::auditor,
                                std::string(kNeverMatches) + "; list roles");
    rule.purposes =
        texts(stringList(table, "purposes", context, "purpose", std::string(kNeverMatches) + "; list purposes"));
    rule.queries =
        vocabularyList(table, "queries", context, "query", &parseQueryKind, QueryKind::aggregateStatistics,
                       std::string(kNeverMatches) + "; list query kinds");
    rule.compartments =
        vocabularyList(table, "compartments", context, "compartment", &parseCompartment, Compartment::justice,
                       std::string(kNeverMatches) + "; list compartments");
    if (auto mode = stringValue(table, "mode", context, false)) {
      if (auto parsed = parseMode(mode->text)) {
        rule.mode = *parsed;
      } else {
        report(mode->line, context + "unknown mode " + inQuotes(mode->text) +
                               "; the modes are \"hit\" (hit/no-hit only) and \"details\"");
      }
    }
    if (table.get("fields") != nullptr) {
      auto fields =
          stringList(table, "fields", context, "field",
                     "so a details answer would carry no content; omit fields to return every field");
      if (fields) {
        rule.fields.emplace();
        for (const Item& field : *fields) rule.fields->push_back(field.text);
      }
    }
    if (const toml::node* node = table.get("require_case_reference")) {
      if (const auto* flag = node->as_boolean()) {
        rule.requireCaseReference = flag->get();
      } else {
        report(lineOf(*node), context + "require_case_reference must be true or false");
      }
    }
    if (name.empty()) return;
    if (issues_.size() != issuesBefore) draft.incompleteRules.push_back(draft.policy.rules.size());
    draft.policy.rules.push_back(std::move(rule));
  }

  // An [[outbound]] rule. Its partners, purposes and firewall contradictions are checked in the second
  // pass (policy_check.cc), as a [[rule]]'s members and purposes are.
  void readOutbound(const toml::table& table, Policy& policy) {
    OutboundRule rule;
    rule.line = lineOf(table);
    const auto [context, name] =
        readHeading(table, "outbound", {"name", "partners", "roles", "purposes", "queries"}, outboundLines_);
    rule.name = name;
    constexpr const char* kPermitsNothing = "so the rule permits nothing";
    if (auto partners = stringList(table, "partners", context, "partner",
                                   std::string(kPermitsNothing) + "; list member or group ids, or \"*\"")) {
      for (const Item& partner : *partners) {
        if (partner.text == kOutboundAnyPartner && partners->size() > 1) {
          report(partner.line, context + "\"*\" names every partner already; list it alone, or list member "
                                         "and group ids without it");
          continue;
        }
        rule.partners.push_back(partner.text);
      }
    }
    rule.roles = vocabularyList(
        table, "roles", context, "role", &parseRole, Role::auditor, std::string(kPermitsNothing) + "; list roles",
        {{Role::auditor, "never asks partners: an auditor reads a node's audit log at that node"}});
    rule.purposes =
        texts(stringList(table, "purposes", context, "purpose", std::string(kPermitsNothing) + "; list purposes"));
    rule.queries = vocabularyList(
        table, "queries", context, "query", &parseQueryKind, QueryKind::aggregateStatistics,
        std::string(kPermitsNothing) + "; list query kinds",
        {{QueryKind::auditRead, "is never sent to partners: it is read at the node that keeps the log"}});
    if (!name.empty()) policy.outbound.push_back(std::move(rule));
  }

  // An integer key of [statistics] within [low, high]; reports anything else and keeps the default.
  void readBound(const toml::table& table, std::string_view key, uint32_t low, uint32_t high, uint32_t& out,
                 std::string_view why) {
    const toml::node* node = table.get(key);
    if (node == nullptr) return;
    const auto* value = node->as_integer();
    if (value == nullptr || value->get() < low || value->get() > high) {
      report(lineOf(*node), "statistics: " + std::string(key) + " must be a whole number from " + std::to_string(low) +
                                " to " + std::to_string(high) + " (" + std::string(why) + ")");
      return;
    }
    out = static_cast<uint32_t>(value->get());
  }

  // `[statistics]`: the minimum cell size, the noise bound and the oversight roles (policy/statistics.h).
  void readStatistics(const toml::table& root, StatisticsSettings& settings) {
    const toml::node* node = root.get("statistics");
    if (node == nullptr) return;
    const toml::table* table = node->as_table();
    if (table == nullptr) {
      report(lineOf(*node),
             "statistics must be a table: [statistics] with min_cell_size, noise_bound, oversight_roles, periods");
      return;
    }
    rejectUnknownKeys(*table, {"min_cell_size", "noise_bound", "oversight_roles", "periods"}, "statistics: ");
    if (table->get("periods") != nullptr) {
      auto periods = vocabularyList(*table, "periods", "statistics: ", "period", &parseStatisticsPeriod,
                                    StatisticsPeriod::month, "so no statistics could be asked; omit it for all three");
      if (!periods.empty()) settings.periods = std::move(periods);
    }
    readBound(*table, "min_cell_size", kMinOfMinCellSize, kMaxMinCellSize, settings.minCellSize,
              "below 3 a suppressed cell protects nobody");
    readBound(*table, "noise_bound", 0, kMaxNoiseBound, settings.noiseBound, "0 releases exact counts");
    if (settings.noiseBound >= settings.minCellSize) {
      report(lineOf(*table->get("noise_bound")),
             "statistics: noise_bound " + std::to_string(settings.noiseBound) + " must be below min_cell_size " +
                 std::to_string(settings.minCellSize) + ", or noise could release a count of zero for a cell that has records");
      settings.noiseBound = 0;
    }
    if (table->get("oversight_roles") == nullptr) return;
    std::vector<Role> roles;
    for (Role role : vocabularyList(*table, "oversight_roles", "statistics: ", "role", &parseRole, Role::auditor,
                                    "so nobody could see request counts or protected dimensions; omit it for [\"auditor\"]")) {
      if (std::find(kEnforcementFacingRoles.begin(), kEnforcementFacingRoles.end(), role) != kEnforcementFacingRoles.end()) {
        report(lineOf(*table->get("oversight_roles")),
               "statistics: oversight_roles lists " + inQuotes(name(role)) +
                   ", an enforcement-facing role: protected attributes and request counts are never theirs");
        continue;
      }
      roles.push_back(role);
    }
    if (!roles.empty()) settings.oversightRoles = std::move(roles);
  }

  std::vector<PolicyIssue>& issues_;
  std::map<std::string, int> idLines_;  // member and group ids -> line
  std::set<std::string> memberIds_;
  std::map<std::string, int> ruleLines_;
  std::map<std::string, int> firewallLines_;
  std::map<std::string, int> outboundLines_;
};

}  // namespace

std::optional<PolicyDraft> readPolicyToml(std::string_view text, const std::string& fileName,
                                          std::vector<PolicyIssue>& issues) {
  toml::table root;
  try {
    root = toml::parse(text, fileName);
  } catch (const toml::parse_error& error) {
    const toml::source_position& at = error.source().begin;
    issues.push_back(PolicyIssue{static_cast<int>(at.line), static_cast<int>(at.column),
                                 std::string(error.description())});
    return std::nullopt;
  }
  return PolicyReader(issues).read(root);
}

}  // namespace liaison::policy
