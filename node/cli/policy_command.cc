#include "node/cli/policy_command.h"

#include <algorithm>
#include <map>
#include <optional>

#include "policy/decide.h"
#include "policy/policy.h"
#include "policy/query_scope.h"

namespace liaison::cli {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

constexpr const char* kPolicyUsage = R"(usage: liaison policy check FILE
       liaison policy explain FILE --member M --role R --purpose P --query Q [--compartment C] [--case REF]

check     load FILE and run every static check; print a summary, or every problem as FILE:LINE: ...
explain   decide one question against FILE and print the rules or firewalls behind the decision; without
          --compartment, decide for every compartment the query kind may read. --case REF says the
          request carries a case reference.
exit status: 0 valid / permitted (for at least one compartment), 1 invalid / refused, 2 usage error
)";

struct UsageError {
  std::string message;
};

std::string listed(const std::vector<std::string>& items) {
  std::string text;
  for (const std::string& item : items) text += (text.empty() ? "" : ", ") + item;
  return text;
}

template <typename T>
std::string namesOf(const std::vector<T>& values) {
  std::vector<std::string> names;
  for (const T& value : values) names.emplace_back(name(value));
  return listed(names);
}

std::optional<policy::Policy> load(const std::string& file, std::ostream& err) {
  auto policy = policy::loadPolicy(file);
  if (policy) return std::move(policy).value();
  err << policy.error().message << "\n";
  return std::nullopt;
}

int check(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (args.size() != 2) throw UsageError{"policy check takes exactly one FILE"};
  const std::string& file = args[1];
  auto loaded = load(file, err);
  if (!loaded) {
    err << file << ": the policy cannot be used until the problems above are fixed\n";
    return kExitFailure;
  }
  const policy::Policy& policy = *loaded;
  std::vector<std::string> members{policy.self + " (self)"};
  members.insert(members.end(), policy.members.begin(), policy.members.end());
  out << file << ": valid policy of member " << policy.self << "\n"
      << "members:   " << listed(members) << "\n";
  out << "groups:    ";
  if (policy.groups.empty()) out << "none";
  const char* separator = "";
  for (const auto& [id, ids] : policy.groups) {
    out << separator << id << " (" << listed(ids) << ")";
    separator = "; ";
  }
  out << "\npurposes:  " << listed(policy.purposes) << "\n"
      << "firewalls: " << policy.firewalls.size() << "\n";
  for (const policy::Firewall& firewall : policy.firewalls) {
    out << "  " << firewall.name << " (line " << firewall.line << "): " << name(firewall.compartment)
        << " forbidden to " << namesOf(firewall.roles) << "\n";
  }
  out << "rules:     " << policy.rules.size() << "\n";
  for (const policy::Rule& rule : policy.rules) {
    out << "  " << rule.name << " (line " << rule.line << "): " << name(rule.mode) << " to "
        << listed(rule.members) << " as " << namesOf(rule.roles) << "\n";
  }
  return kExitOk;
}

// `--name value` options after the file; each may be given once.
std::map<std::string, std::string> explainOptions(const std::vector<std::string>& args) {
  static const std::vector<std::string> kKnown = {"member", "role",        "purpose",
                                                  "query",  "compartment", "case"};
  std::map<std::string, std::string> options;
  for (size_t i = 2; i < args.size(); i += 2) {
    const std::string& arg = args[i];
    if (arg.rfind("--", 0) != 0) throw UsageError{"unexpected argument '" + arg + "'"};
    std::string key = arg.substr(2);
    if (std::find(kKnown.begin(), kKnown.end(), key) == kKnown.end())
      throw UsageError{"unknown option " + arg};
    if (i + 1 >= args.size()) throw UsageError{"option " + arg + " needs a value"};
    if (!options.emplace(key, args[i + 1]).second) throw UsageError{"option " + arg + " given twice"};
  }
  for (const char* required : {"member", "role", "purpose", "query"}) {
    if (options.count(required) == 0) throw UsageError{std::string("missing --") + required};
  }
  return options;
}

template <typename E>
E parsedOption(const std::map<std::string, std::string>& options, const std::string& key,
               std::optional<E> (*parse)(std::string_view), E last) {
  if (auto value = parse(options.at(key))) return *value;
  std::vector<std::string> names;
  for (int i = 0; i <= static_cast<int>(last); ++i) names.emplace_back(name(static_cast<E>(i)));
  throw UsageError{"unknown --" + key + " '" + options.at(key) + "'; use one of " + listed(names)};
}

int explainCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (args.size() < 2) throw UsageError{"policy explain needs a FILE"};
  auto options = explainOptions(args);
  policy::Question question;
  question.member = options.at("member");
  question.role = parsedOption(options, "role", &parseRole, Role::auditor);
  question.purpose = options.at("purpose");
  question.query = parsedOption(options, "query", &parseQueryKind, QueryKind::aggregateStatistics);
  question.hasCaseReference = options.count("case") != 0 && !options.at("case").empty();
  std::vector<Compartment> compartments = policy::compartmentsTouched(question.query);
  if (options.count("compartment") != 0) {
    compartments = {parsedOption(options, "compartment", &parseCompartment, Compartment::justice)};
  }

  auto loaded = load(args[1], err);
  if (!loaded) {
    err << args[1] << ": the policy cannot be used until the problems above are fixed\n";
    return kExitFailure;
  }
  bool anyPermitted = false;
  const char* separator = "";
  for (Compartment compartment : compartments) {
    question.compartment = compartment;
    policy::Decision decision = policy::decide(question, *loaded);
    anyPermitted = anyPermitted || decision.permitted;
    out << separator << policy::explain(question, decision);
    separator = "\n";
  }
  return anyPermitted ? kExitOk : kExitFailure;
}

}  // namespace

int runPolicyCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  try {
    if (args.empty()) throw UsageError{"policy needs a subcommand: check or explain"};
    if (args[0] == "check") return check(args, out, err);
    if (args[0] == "explain") return explainCommand(args, out, err);
    if (args[0] == "help") {
      out << kPolicyUsage;
      return kExitOk;
    }
    throw UsageError{"unknown policy subcommand '" + args[0] + "'"};
  } catch (const UsageError& e) {
    err << "liaison: " << e.message << "\n\n" << kPolicyUsage;
    return kExitUsage;
  }
}

}  // namespace liaison::cli
