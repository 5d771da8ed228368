// `liaison policy check FILE`, `liaison policy explain FILE ...` and `liaison policy explain-outbound
// FILE ...`: static checks of a policy file, the decision it takes for one question from a member, and
// the decision it takes before this node sends one of its officers' queries to a partner, each with the
// rules or firewalls behind it.
#include <optional>

#include "node/cli/commands.h"
#include "node/cli/exit_codes.h"
#include "policy/decide.h"
#include "policy/outbound.h"
#include "policy/policy.h"
#include "policy/query_scope.h"

namespace liaison::cli {
namespace {

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

int check(const Arguments& args, const CommandContext& context) {
  std::ostream& out = context.out;
  std::ostream& err = context.err;
  const std::string file = args.positional("FILE");
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
  out << "outbound:  " << policy.outbound.size() << (policy.outbound.empty() ? " (officers ask no partner)" : "")
      << "\n";
  for (const policy::OutboundRule& rule : policy.outbound) {
    out << "  " << rule.name << " (line " << rule.line << "): " << namesOf(rule.roles) << " may ask "
        << listed(rule.partners) << " " << namesOf(rule.queries) << " for " << listed(rule.purposes) << "\n";
  }
  return kExitOk;
}

template <typename E>
E parsedOption(const Arguments& args, const std::string& key, std::optional<E> (*parse)(std::string_view), E last) {
  const std::string text = args.option(key).value_or("");
  if (auto value = parse(text)) return *value;
  throw UsageError{"unknown --" + key + " '" + text + "'; use one of " + namesUpTo(last)};
}

int explain(const Arguments& args, const CommandContext& context) {
  std::ostream& out = context.out;
  std::ostream& err = context.err;
  const std::string file = args.positional("FILE");
  policy::Question question;
  question.member = args.require("member");
  question.role = parsedOption(args, "role", &parseRole, Role::auditor);
  question.purpose = args.require("purpose");
  question.query = parsedOption(args, "query", &parseQueryKind, QueryKind::aggregateStatistics);
  question.hasCaseReference = !args.option("case").value_or("").empty();
  std::vector<Compartment> compartments = policy::compartmentsTouched(question.query);
  if (args.option("compartment")) {
    compartments = {parsedOption(args, "compartment", &parseCompartment, Compartment::justice)};
  }

  auto loaded = load(file, err);
  if (!loaded) {
    err << file << ": the policy cannot be used until the problems above are fixed\n";
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

// The partner to decide for, or every partner of the policy for "all".
constexpr const char* kAllPartners = "all";

int explainOutbound(const Arguments& args, const CommandContext& context) {
  std::ostream& out = context.out;
  std::ostream& err = context.err;
  const std::string file = args.positional("FILE");
  policy::OutboundQuestion question;
  question.role = parsedOption(args, "role", &parseRole, Role::auditor);
  question.purpose = args.require("purpose");
  question.query = parsedOption(args, "query", &parseQueryKind, QueryKind::auditRead);
  const std::string partner = args.require("partner");
  for (const std::string& text : splitCommaList(args.option("compartment").value_or(""))) {
    auto compartment = parseCompartment(text);
    if (!compartment) {
      throw UsageError{"unknown --compartment '" + text + "'; use one or more of " + namesUpTo(Compartment::justice)};
    }
    question.compartments.push_back(*compartment);
  }

  auto loaded = load(file, err);
  if (!loaded) {
    err << file << ": the policy cannot be used until the problems above are fixed\n";
    return kExitFailure;
  }
  const policy::Policy& policy = *loaded;
  if (partner != kAllPartners) {
    question.partner = partner;
    policy::OutboundDecision decision = policy::decideOutbound(question, policy);
    out << policy::explainOutbound(question, decision);
    return decision.permitted ? kExitOk : kExitFailure;
  }
  for (const std::string& member : policy.members) {
    question.partner = member;
    out << policy::explainOutbound(question, policy::decideOutbound(question, policy)) << "\n";
  }
  const std::vector<std::string> partners =
      policy::outboundPartners(question.role, question.purpose, question.query, question.compartments, policy);
  out << "partners asked: " << (partners.empty() ? "none" : listed(partners)) << "\n";
  return partners.empty() ? kExitFailure : kExitOk;
}

}  // namespace

Command policyCommand() {
  const PositionalSpec file{"FILE", "the policy file"};
  return Command{
      .name = "policy",
      .summary = "check a policy file, or explain the decision it takes for one question",
      .subcommands =
          {
              Command{
                  .name = "check",
                  .summary = "load FILE and run every static check",
                  .details = "Prints a summary of a valid policy, or every problem as FILE:LINE: ...\n"
                             "exit status: 0 valid, 1 invalid, 2 usage error\n",
                  .positionals = {file},
                  .run = check,
              },
              Command{
                  .name = "explain",
                  .summary = "decide one question against FILE and print the rules or firewalls behind the decision",
                  .details = "Without --compartment, decides for every compartment the query kind may read.\n"
                             "exit status: 0 permitted (for at least one compartment), 1 refused or the policy is "
                             "invalid, 2 usage error\n",
                  .positionals = {file},
                  .options =
                      {
                          {"member", "M", "the requesting member", true},
                          {"role", "R", "the officer's role: " + namesUpTo(Role::auditor), true},
                          {"purpose", "P", "the declared purpose", true},
                          {"query", "Q", "the query kind: " + namesUpTo(QueryKind::aggregateStatistics), true},
                          {"compartment", "C", "decide for this compartment only: " + namesUpTo(Compartment::justice)},
                          {"case", "REF", "the request carries this case reference"},
                      },
                  .run = explain,
              },
              Command{
                  .name = "explain-outbound",
                  .summary = "decide whether FILE lets one of this node's officers have this node ask a partner, "
                             "and print the outbound rules or firewalls behind the decision",
                  .details = "The firewalls apply first: an enforcement-facing role never asks a partner for a "
                             "query that reads health or justice.\n"
                             "Without --compartment, checks every compartment the query kind may read.\n"
                             "exit status: 0 permitted (with --partner all: for at least one partner), 1 refused "
                             "or the policy is invalid, 2 usage error\n",
                  .positionals = {file},
                  .options =
                      {
                          {"role", "R", "the officer's role: " + namesUpTo(Role::auditor), true},
                          {"purpose", "P", "the declared purpose", true},
                          {"query", "Q", "the query kind: " + namesUpTo(QueryKind::auditRead), true},
                          {"partner", "M", "the partner member to ask, or \"all\" for every partner of the policy",
                           true},
                          {"compartment", "C[,C]",
                           "the compartments the query reads: " + namesUpTo(Compartment::justice)},
                      },
                  .run = explainOutbound,
              },
          },
  };
}

}  // namespace liaison::cli
