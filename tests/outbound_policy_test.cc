// The outbound policy: which partners this node's own officers may have it ask, in which role, for which
// purpose and with which query kind; the firewalls that hold outbound too; the [[outbound]] loader; and
// `liaison policy explain-outbound`.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "node/cli/exit_codes.h"
#include "policy/decide.h"
#include "policy/outbound.h"
#include "policy/policy.h"
#include "policy/query_scope.h"
#include "tests/liaison_process.h"
#include "tests/policy_texts.h"

namespace liaison::policy {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

const std::vector<Role> kAllRoles = {Role::border,  Role::immigration, Role::enforcement, Role::health,
                                     Role::justice, Role::liaison,     Role::auditor};

std::vector<QueryKind> everyQueryKind() {
  std::vector<QueryKind> kinds;
  for (int i = 0; i <= static_cast<int>(QueryKind::auditRead); ++i) kinds.push_back(static_cast<QueryKind>(i));
  return kinds;
}

std::vector<Compartment> everyCompartment() {
  std::vector<Compartment> compartments;
  for (int i = 0; i <= static_cast<int>(Compartment::justice); ++i)
    compartments.push_back(static_cast<Compartment>(i));
  return compartments;
}

bool isEnforcementFacing(Role role) {
  return std::find(kEnforcementFacingRoles.begin(), kEnforcementFacingRoles.end(), role) !=
         kEnforcementFacingRoles.end();
}

// Self XA-POLICE; partners XB-BORDER, XC-IMMIGRATION and XD-COASTGUARD; group NORTH (XB-BORDER,
// XD-COASTGUARD, and self, which is never a partner); the two mandatory firewalls; no rules.
Policy handBuiltPolicy() {
  const std::vector<Role> facing(kEnforcementFacingRoles.begin(), kEnforcementFacingRoles.end());
  Policy policy;
  policy.file = "hand-built";
  policy.self = "XA-POLICE";
  policy.members = {"XB-BORDER", "XC-IMMIGRATION", "XD-COASTGUARD"};
  policy.groups["NORTH"] = {"XB-BORDER", "XD-COASTGUARD", "XA-POLICE"};
  policy.purposes = {"border-check", "criminal-investigation", "medical-care"};
  policy.firewalls.push_back(Firewall{"health-firewall", Compartment::health, facing, 10});
  policy.firewalls.push_back(Firewall{"justice-firewall", Compartment::justice, facing, 14});
  return policy;
}

OutboundRule outboundRule(std::string name, std::vector<std::string> partners, std::vector<QueryKind> queries,
                          int line) {
  return OutboundRule{std::move(name), std::move(partners), {Role::border, Role::liaison}, {"border-check"},
                      std::move(queries), line};
}

OutboundQuestion borderAsks(std::string partner, QueryKind query = QueryKind::checkDocument,
                            std::vector<Compartment> compartments = {}) {
  return OutboundQuestion{Role::border, "border-check", query, std::move(partner), std::move(compartments)};
}

// --- the decision ------------------------------------------------------------------------------------

TEST(Outbound, DefaultDenyWithoutOutboundRules) {
  const Policy policy = handBuiltPolicy();
  for (Role role : kAllRoles) {
    for (QueryKind query : everyQueryKind()) {
      for (const std::string& partner : policy.members) {
        OutboundDecision decision =
            decideOutbound(OutboundQuestion{role, "border-check", query, partner, {Compartment::documents}}, policy);
        EXPECT_FALSE(decision.permitted) << name(role) << " " << name(query) << " " << partner;
        EXPECT_EQ(decision.reason, kNotPermitted);
      }
    }
  }
  EXPECT_THAT(decideOutbound(borderAsks("XB-BORDER"), policy).because,
              ElementsAre("no outbound rule permits (default deny)"));
}

TEST(Outbound, MatchingRulePermitsAndIsCited) {
  Policy policy = handBuiltPolicy();
  policy.outbound.push_back(outboundRule("border-checks", {"XB-BORDER"}, {QueryKind::checkDocument}, 18));
  policy.outbound.push_back(outboundRule("border-screening", {"XB-BORDER"}, {QueryKind::checkDocument,
                                                                             QueryKind::screenPerson}, 24));
  OutboundDecision decision = decideOutbound(borderAsks("XB-BORDER"), policy);
  EXPECT_TRUE(decision.permitted);
  EXPECT_EQ(decision.reason, "");
  EXPECT_THAT(decision.because,
              ElementsAre("outbound \"border-checks\" (line 18)", "outbound \"border-screening\" (line 24)"));
}

TEST(Outbound, EachListThatDoesNotMatchRefuses) {
  Policy policy = handBuiltPolicy();
  policy.outbound.push_back(outboundRule("border-checks", {"XB-BORDER"}, {QueryKind::checkDocument}, 18));
  ASSERT_TRUE(decideOutbound(borderAsks("XB-BORDER"), policy).permitted);

  OutboundQuestion otherRole = borderAsks("XB-BORDER");
  otherRole.role = Role::immigration;
  OutboundQuestion otherPurpose = borderAsks("XB-BORDER");
  otherPurpose.purpose = "criminal-investigation";
  const OutboundQuestion otherQuery = borderAsks("XB-BORDER", QueryKind::screenPerson);
  const OutboundQuestion otherPartner = borderAsks("XC-IMMIGRATION");
  for (const OutboundQuestion& question : {otherRole, otherPurpose, otherQuery, otherPartner}) {
    OutboundDecision decision = decideOutbound(question, policy);
    EXPECT_FALSE(decision.permitted) << explainOutbound(question, decision);
    EXPECT_EQ(decision.reason, kNotPermitted);
    EXPECT_THAT(decision.because, ElementsAre("no outbound rule permits (default deny)"));
  }
}

TEST(Outbound, UnknownPartnersSelfAndUnknownPurposesAreRefusedWhateverTheRules) {
  Policy policy = handBuiltPolicy();
  policy.outbound.push_back(outboundRule("everyone", {"*", "NORTH", "XA-POLICE", "XZ-ROGUE"},
                                         {QueryKind::checkDocument}, 18));
  policy.outbound.back().purposes.push_back("fishing");
  // A group id is not a member, so never a partner either.
  for (const char* partner : {"XZ-ROGUE", "NORTH", "XA-POLICE", ""}) {
    OutboundDecision decision = decideOutbound(borderAsks(partner), policy);
    EXPECT_FALSE(decision.permitted) << partner;
    EXPECT_EQ(decision.reason, kNotPermitted);
  }
  EXPECT_THAT(decideOutbound(borderAsks("XA-POLICE"), policy).because.at(0),
              HasSubstr("is this node's own member"));
  OutboundQuestion fishing = borderAsks("XB-BORDER");
  fishing.purpose = "fishing";
  EXPECT_THAT(decideOutbound(fishing, policy).because, ElementsAre("purpose \"fishing\" is not in the policy"));
}

TEST(Outbound, GroupPermitsItsMembersOnlyAndStarEveryPartner) {
  Policy policy = handBuiltPolicy();
  policy.outbound.push_back(outboundRule("north-checks", {"NORTH"}, {QueryKind::checkDocument}, 18));
  policy.outbound.push_back(outboundRule("everyone-screening", {"*"}, {QueryKind::screenPerson}, 24));
  EXPECT_TRUE(decideOutbound(borderAsks("XB-BORDER"), policy).permitted);
  EXPECT_TRUE(decideOutbound(borderAsks("XD-COASTGUARD"), policy).permitted);
  EXPECT_FALSE(decideOutbound(borderAsks("XC-IMMIGRATION"), policy).permitted);
  EXPECT_FALSE(decideOutbound(borderAsks("XA-POLICE"), policy).permitted) << "self is in NORTH, never a partner";
  for (const std::string& partner : policy.members) {
    EXPECT_TRUE(decideOutbound(borderAsks(partner, QueryKind::screenPerson), policy).permitted) << partner;
  }
  EXPECT_FALSE(decideOutbound(borderAsks("XA-POLICE", QueryKind::screenPerson), policy).permitted);
  EXPECT_FALSE(decideOutbound(borderAsks("XZ-ROGUE", QueryKind::screenPerson), policy).permitted);
}

TEST(Outbound, PartnersListsExactlyThePermittedOnesInPolicyOrder) {
  Policy policy = handBuiltPolicy();
  policy.members = {"XD-COASTGUARD", "XC-IMMIGRATION", "XB-BORDER"};
  policy.outbound.push_back(outboundRule("north-checks", {"NORTH"}, {QueryKind::checkDocument}, 18));
  policy.outbound.push_back(outboundRule("immigration", {"XC-IMMIGRATION"}, {QueryKind::screenPerson}, 24));
  EXPECT_THAT(outboundPartners(Role::border, "border-check", QueryKind::checkDocument, {}, policy),
              ElementsAre("XD-COASTGUARD", "XB-BORDER"));
  EXPECT_THAT(outboundPartners(Role::liaison, "border-check", QueryKind::screenPerson, {}, policy),
              ElementsAre("XC-IMMIGRATION"));
  EXPECT_THAT(outboundPartners(Role::enforcement, "border-check", QueryKind::checkDocument, {}, policy),
              ElementsAre());
  EXPECT_THAT(outboundPartners(Role::border, "medical-care", QueryKind::checkDocument, {}, policy), ElementsAre());
  policy.outbound.push_back(outboundRule("health-everywhere", {"*"}, {QueryKind::healthRecord}, 30));
  EXPECT_THAT(outboundPartners(Role::border, "border-check", QueryKind::healthRecord, {Compartment::health}, policy),
              ElementsAre());
}

TEST(Outbound, AuditorAndAuditReadNeverLeaveTheNode) {
  Policy policy = handBuiltPolicy();
  OutboundRule rule = outboundRule("everything", {"*"}, everyQueryKind(), 18);
  rule.roles = kAllRoles;
  policy.outbound.push_back(rule);
  OutboundQuestion auditor = borderAsks("XB-BORDER");
  auditor.role = Role::auditor;
  EXPECT_FALSE(decideOutbound(auditor, policy).permitted);
  EXPECT_FALSE(decideOutbound(borderAsks("XB-BORDER", QueryKind::auditRead), policy).permitted);
  EXPECT_TRUE(decideOutbound(borderAsks("XB-BORDER"), policy).permitted) << "the rule itself permits";
}

// --- the firewalls hold outbound ----------------------------------------------------------------------

TEST(OutboundFirewall, HealthAndJusticeNeverLeaveForAnEnforcementFacingRoleWhateverTheRules) {
  Policy policy = handBuiltPolicy();
  OutboundRule rule = outboundRule("health-everywhere", {"*"},
                                   {QueryKind::healthRecord, QueryKind::justiceRecord, QueryKind::getRecord,
                                    QueryKind::aggregateStatistics},
                                   18);
  rule.roles.assign(kEnforcementFacingRoles.begin(), kEnforcementFacingRoles.end());
  policy.outbound.push_back(rule);
  for (Role role : kEnforcementFacingRoles) {
    auto ask = [&](QueryKind query, std::vector<Compartment> compartments) {
      return decideOutbound(OutboundQuestion{role, "border-check", query, "XB-BORDER", std::move(compartments)},
                            policy);
    };
    OutboundDecision health = ask(QueryKind::healthRecord, {Compartment::health});
    EXPECT_FALSE(health.permitted) << name(role);
    EXPECT_EQ(health.reason, kNotPermitted);
    EXPECT_THAT(health.because, ElementsAre("firewall \"health-firewall\" (line 10)"));
    EXPECT_THAT(ask(QueryKind::justiceRecord, {Compartment::justice}).because,
                ElementsAre("firewall \"justice-firewall\" (line 14)"));
    // A caller that names the wrong compartment, or none, cannot open them either.
    EXPECT_FALSE(ask(QueryKind::healthRecord, {Compartment::documents}).permitted) << name(role);
    EXPECT_FALSE(ask(QueryKind::justiceRecord, {}).permitted) << name(role);
    EXPECT_FALSE(ask(QueryKind::getRecord, {Compartment::health}).permitted) << name(role);
    EXPECT_FALSE(ask(QueryKind::aggregateStatistics, {Compartment::justice}).permitted) << name(role);
    EXPECT_FALSE(ask(QueryKind::getRecord, {}).permitted) << name(role) << ": no compartment named";
    EXPECT_TRUE(ask(QueryKind::getRecord, {Compartment::documents}).permitted) << name(role);
  }
  // The health role is not firewalled from health: the same rule, extended to it, lets it ask.
  policy.outbound.back().roles.push_back(Role::health);
  EXPECT_TRUE(
      decideOutbound(OutboundQuestion{Role::health, "border-check", QueryKind::healthRecord, "XB-BORDER", {}}, policy)
          .permitted);
}

TEST(OutboundFirewall, BuiltInFirewallHoldsForAHandBuiltPolicyWithoutFirewalls) {
  Policy policy = handBuiltPolicy();
  policy.firewalls.clear();
  OutboundRule rule = outboundRule("health-everywhere", {"*"}, {QueryKind::healthRecord}, 18);
  rule.roles.assign(kEnforcementFacingRoles.begin(), kEnforcementFacingRoles.end());
  policy.outbound.push_back(rule);
  for (Role role : kEnforcementFacingRoles) {
    OutboundDecision decision = decideOutbound(
        OutboundQuestion{role, "border-check", QueryKind::healthRecord, "XC-IMMIGRATION", {Compartment::health}},
        policy);
    EXPECT_FALSE(decision.permitted) << name(role);
    EXPECT_THAT(decision.because, ElementsAre("built-in firewall: compartment health is never open to role " +
                                              std::string(name(role))));
  }
}

TEST(OutboundFirewall, APolicysOwnFirewallAppliesToTheRolesItNames) {
  // A policy may firewall more than the built-in minimum: here notices from the health role.
  Policy policy = handBuiltPolicy();
  policy.firewalls.push_back(Firewall{"no-notices-for-health", Compartment::notices, {Role::health}, 20});
  OutboundRule rule = outboundRule("care-screening", {"*"}, {QueryKind::screenPerson, QueryKind::healthRecord}, 18);
  rule.roles = {Role::health};
  policy.outbound.push_back(rule);
  OutboundDecision screening = decideOutbound(
      OutboundQuestion{Role::health, "border-check", QueryKind::screenPerson, "XB-BORDER", {}}, policy);
  EXPECT_FALSE(screening.permitted);
  EXPECT_THAT(screening.because, ElementsAre("firewall \"no-notices-for-health\" (line 20)"));
  EXPECT_TRUE(decideOutbound(OutboundQuestion{Role::health, "border-check", QueryKind::healthRecord, "XB-BORDER",
                                              {Compartment::health}},
                             policy)
                  .permitted);
}

// Every role x query kind x partner x compartment set, under a rule that permits everything: nothing
// reading health or justice is ever sent for an enforcement-facing role, and the rest is permitted.
TEST(OutboundFirewall, NoQueryReadingAFirewalledCompartmentLeavesForAnEnforcementFacingRole) {
  Policy policy = handBuiltPolicy();
  OutboundRule rule = outboundRule("everything", {"*"}, everyQueryKind(), 18);
  rule.roles = kAllRoles;
  rule.purposes = policy.purposes;
  policy.outbound.push_back(rule);
  std::vector<std::vector<Compartment>> compartmentSets = {{}, everyCompartment()};
  for (Compartment compartment : everyCompartment()) compartmentSets.push_back({compartment});
  std::vector<std::string> partners = policy.members;
  partners.insert(partners.end(), {"XA-POLICE", "XZ-ROGUE", "NORTH", "*"});
  int permitted = 0;
  for (Role role : kAllRoles) {
    for (QueryKind query : everyQueryKind()) {
      for (const std::string& partner : partners) {
        for (const std::vector<Compartment>& compartments : compartmentSets) {
          const OutboundQuestion question{role, "criminal-investigation", query, partner, compartments};
          const OutboundDecision decision = decideOutbound(question, policy);
          // What the query may read: what the caller says, what its kind always reads, and when the caller
          // says nothing, whatever its kind could read.
          std::vector<Compartment> reads = compartments.empty() ? compartmentsTouched(query) : compartments;
          for (Compartment always : compartmentsAlwaysTouched(query)) reads.push_back(always);
          const bool readsFirewalled = std::any_of(reads.begin(), reads.end(), isFirewalled);
          if (isEnforcementFacing(role) && readsFirewalled) {
            EXPECT_FALSE(decision.permitted) << explainOutbound(question, decision);
          }
          const bool shouldPermit = !(isEnforcementFacing(role) && readsFirewalled) && role != Role::auditor &&
                                    query != QueryKind::auditRead &&
                                    std::find(policy.members.begin(), policy.members.end(), partner) !=
                                        policy.members.end();
          EXPECT_EQ(decision.permitted, shouldPermit) << explainOutbound(question, decision);
          permitted += decision.permitted ? 1 : 0;
        }
      }
    }
  }
  EXPECT_GT(permitted, 0);
}

TEST(Outbound, ExplainShowsTheQuestionTheDecisionAndWhy) {
  Policy policy = handBuiltPolicy();
  policy.outbound.push_back(outboundRule("border-checks", {"XB-BORDER"}, {QueryKind::checkDocument}, 18));
  const OutboundQuestion question = borderAsks("XB-BORDER");
  EXPECT_EQ(explainOutbound(question, decideOutbound(question, policy)),
            "outbound question: role border, purpose border-check, query check-document, partner XB-BORDER, "
            "compartments documents, watchlist (every one the query kind may read)\n"
            "decision: permitted, the request may be sent to XB-BORDER\n"
            "because:\n"
            "  outbound \"border-checks\" (line 18)\n");
  const OutboundQuestion health = borderAsks("XB-BORDER", QueryKind::healthRecord, {Compartment::health});
  EXPECT_EQ(explainOutbound(health, decideOutbound(health, policy)),
            "outbound question: role border, purpose border-check, query health-record, partner XB-BORDER, "
            "compartments health\n"
            "decision: refused (not permitted), nothing is sent to XB-BORDER\n"
            "because:\n"
            "  firewall \"health-firewall\" (line 10)\n");
}

// --- the [[outbound]] loader --------------------------------------------------------------------------

// A valid [[outbound]] to append to kTestPolicyBase; its lines are 18 ([[outbound]]) to 23 (queries).
constexpr std::string_view kBorderPartners = R"([[outbound]]
name = "border-partners"
partners = ["EU-PARTNERS"]
roles = ["border", "liaison"]
purposes = ["border-check"]
queries = ["check-document", "screen-person", "get-record"]
)";

// kBorderPartners with the line of `key` replaced by `line`.
std::string borderPartnersWith(std::string_view key, std::string_view line) {
  std::string rule(kBorderPartners);
  size_t start = rule.find(std::string(key) + " = ");
  EXPECT_NE(start, std::string::npos) << key;
  return rule.replace(start, rule.find('\n', start) - start, line);
}

std::string problemsWith(std::string_view extra) {
  auto policy = parsePolicy(std::string(kTestPolicyBase) + std::string(extra), "policy.toml");
  if (policy) return "(no problem: the policy loaded)";
  EXPECT_EQ(policy.error().kind, ErrorKind::invalidInput);
  return policy.error().message;
}

TEST(OutboundFile, OutboundRuleLoadsWithItsLine) {
  auto policy = parsePolicy(std::string(kTestPolicyBase) + std::string(kBorderPartners), "policy.toml");
  ASSERT_TRUE(policy.ok()) << policy.error().message;
  ASSERT_EQ(policy->outbound.size(), 1u);
  const OutboundRule& rule = policy->outbound.at(0);
  EXPECT_EQ(rule.name, "border-partners");
  EXPECT_EQ(rule.line, 18);
  EXPECT_THAT(rule.partners, ElementsAre("EU-PARTNERS"));
  EXPECT_THAT(rule.roles, ElementsAre(Role::border, Role::liaison));
  EXPECT_THAT(rule.purposes, ElementsAre("border-check"));
  EXPECT_THAT(rule.queries, ElementsAre(QueryKind::checkDocument, QueryKind::screenPerson, QueryKind::getRecord));
  EXPECT_EQ(cite(rule), "outbound \"border-partners\" (line 18)");
  EXPECT_THAT(outboundPartners(Role::liaison, "border-check", QueryKind::screenPerson, {}, *policy),
              ElementsAre("XB-BORDER", "XC-IMMIGRATION"));
}

TEST(OutboundFile, StarAloneLoadsAndAPolicyWithoutOutboundRulesAsksNoOne) {
  EXPECT_EQ(problemsWith(borderPartnersWith("partners", "partners = [\"*\"]")), "(no problem: the policy loaded)");
  auto policy = parsePolicy(std::string(kTestPolicyBase), "policy.toml");
  ASSERT_TRUE(policy.ok()) << policy.error().message;
  EXPECT_TRUE(policy->outbound.empty());
}

TEST(OutboundFile, EachBadFieldIsReportedWithItsLine) {
  const std::pair<std::string, std::string> kCases[] = {
      {borderPartnersWith("partners", "partners = [\"EU-PARTNER\"]"),
       "policy.toml:18: outbound \"border-partners\": unknown partner \"EU-PARTNER\"; declare it with [[member]] "
       "or [[group]], fix the spelling, or use \"*\""},
      {borderPartnersWith("partners", "partners = [\"XB-BORDER\", \"XA-POLICE\"]"),
       "policy.toml:18: outbound \"border-partners\": names this node's own member \"XA-POLICE\" as a partner; "
       "its officers' queries are answered here, never sent out"},
      {borderPartnersWith("partners", "partners = [\"XB-BORDER\",\n  \"*\"]"),
       "policy.toml:21: outbound \"border-partners\": \"*\" names every partner already; list it alone, or list "
       "member and group ids without it"},
      {borderPartnersWith("roles", "roles = [\"border\", \"borders\"]"),
       "policy.toml:21: outbound \"border-partners\": unknown role \"borders\"; the role names are border, "
       "immigration, enforcement, health, justice, liaison, auditor"},
      {borderPartnersWith("roles", "roles = [\"border\", \"auditor\"]"),
       "policy.toml:21: outbound \"border-partners\": role \"auditor\" never asks partners: an auditor reads a "
       "node's audit log at that node"},
      {borderPartnersWith("purposes", "purposes = [\"border-chek\"]"),
       "policy.toml:18: outbound \"border-partners\": unknown purpose \"border-chek\"; the purposes are "
       "border-check, criminal-investigation, medical-care (add it to purposes, or fix the spelling)"},
      {borderPartnersWith("queries", "queries = [\"check_document\"]"),
       "policy.toml:23: outbound \"border-partners\": unknown query \"check_document\"; the query names are "
       "check-document, screen-person, screen-manifest, get-record, list-movements, health-record, "
       "justice-record, aggregate-statistics"},
      {borderPartnersWith("queries", "queries = [\"check-document\", \"audit-read\"]"),
       "policy.toml:23: outbound \"border-partners\": query \"audit-read\" is never sent to partners: it is read "
       "at the node that keeps the log"},
      {borderPartnersWith("name", "name = \"border partners\""),
       "policy.toml:19: outbound name \"border partners\" is not valid: use 1..64 characters of A-Z a-z 0-9 . _ -"},
      {borderPartnersWith("name", "name = \"border-partners\"\ncolour = \"red\""),
       "policy.toml:20: outbound \"border-partners\": unknown key \"colour\"; the keys allowed here are name, "
       "partners, roles, purposes, queries"},
      {std::string(kBorderPartners) + std::string(kBorderPartners),
       "policy.toml:25: outbound \"border-partners\" is defined twice (first at line 19); outbound names must be "
       "unique"},
  };
  for (const auto& [text, expected] : kCases) EXPECT_EQ(problemsWith(text), expected) << text;
}

TEST(OutboundFile, MissingOrEmptyListIsReported) {
  const std::pair<std::string_view, int> kLists[] = {{"partners", 20}, {"roles", 21}, {"purposes", 22}, {"queries", 23}};
  for (const auto& [key, line] : kLists) {
    EXPECT_EQ(problemsWith(borderPartnersWith(key, std::string(key) + " = []")),
              "policy.toml:" + std::to_string(line) + ": outbound \"border-partners\": " + std::string(key) +
                  " is empty, so the rule permits nothing; list " +
                  (key == "partners"   ? "member or group ids, or \"*\""
                   : key == "roles"    ? "roles"
                   : key == "purposes" ? "purposes"
                                       : "query kinds"));
    EXPECT_EQ(problemsWith(borderPartnersWith(key, "")),
              "policy.toml:18: outbound \"border-partners\": missing " + std::string(key) + " = [...]");
  }
}

TEST(OutboundFile, RuleThatAFirewallContradictsIsRefusedNamingBothLines) {
  EXPECT_EQ(problemsWith(borderPartnersWith("queries", "queries = [\"check-document\", \"health-record\"]")),
            "policy.toml:18: outbound \"border-partners\" permits query health-record (compartment health) to "
            "role border, which firewall \"health-firewall\" (line 10) forbids\n"
            "policy.toml:18: outbound \"border-partners\" permits query health-record (compartment health) to "
            "role liaison, which firewall \"health-firewall\" (line 10) forbids");
  // get-record reads what its request names: only the request decides, so the rule loads.
  EXPECT_EQ(problemsWith(kBorderPartners), "(no problem: the policy loaded)");
  // The health role may ask partners for health records.
  EXPECT_EQ(problemsWith("[[outbound]]\nname = \"care\"\npartners = [\"*\"]\nroles = [\"health\"]\n"
                         "purposes = [\"medical-care\"]\nqueries = [\"health-record\"]\n"),
            "(no problem: the policy loaded)");
}

TEST(OutboundFile, ShippedExampleLetsBorderAndLiaisonOfficersAskBothPartners) {
  auto policy = loadPolicy(LIAISON_SOURCE_DIR "/examples/policy.toml");
  ASSERT_TRUE(policy.ok()) << policy.error().message;
  EXPECT_FALSE(policy->outbound.empty());
  for (Role role : {Role::border, Role::liaison}) {
    for (QueryKind query : {QueryKind::checkDocument, QueryKind::screenPerson, QueryKind::getRecord}) {
      EXPECT_THAT(outboundPartners(role, "border-check", query, {Compartment::documents}, *policy),
                  ElementsAre("XB-BORDER", "XC-IMMIGRATION"))
          << name(role) << " " << name(query);
    }
  }
  EXPECT_THAT(outboundPartners(Role::border, "border-check", QueryKind::healthRecord, {}, *policy), ElementsAre());
  EXPECT_THAT(outboundPartners(Role::auditor, "oversight", QueryKind::aggregateStatistics, {}, *policy),
              ElementsAre());
}

// --- liaison policy explain-outbound ------------------------------------------------------------------

const std::string kExample = LIAISON_SOURCE_DIR "/examples/policy.toml";

TEST(PolicyCommand, ExplainOutboundPrintsTheDecisionAndExitsByIt) {
  const testing::CommandResult permitted =
      testing::runLiaison({"policy", "explain-outbound", kExample, "--role", "border", "--purpose", "border-check",
                           "--query", "check-document", "--partner", "XB-BORDER"});
  EXPECT_EQ(permitted.exitCode, cli::kExitOk) << permitted.err;
  EXPECT_THAT(permitted.out, HasSubstr("decision: permitted, the request may be sent to XB-BORDER\n"));
  EXPECT_THAT(permitted.out, HasSubstr("outbound \"border-partners-checks\" (line "));

  const testing::CommandResult firewalled =
      testing::runLiaison({"policy", "explain-outbound", kExample, "--role", "liaison", "--purpose",
                           "criminal-investigation", "--query", "get-record", "--partner", "XB-BORDER",
                           "--compartment", "documents,justice"});
  EXPECT_EQ(firewalled.exitCode, cli::kExitFailure);
  EXPECT_THAT(firewalled.out, HasSubstr("decision: refused (not permitted), nothing is sent to XB-BORDER\n"));
  EXPECT_THAT(firewalled.out, HasSubstr("firewall \"justice-firewall\" (line "));
}

TEST(PolicyCommand, ExplainOutboundToAllPartnersNamesThoseAsked) {
  const testing::CommandResult all =
      testing::runLiaison({"policy", "explain-outbound", kExample, "--role", "immigration", "--purpose",
                           "asylum-casework", "--query", "list-movements", "--partner", "all"});
  EXPECT_EQ(all.exitCode, cli::kExitOk) << all.err;
  EXPECT_THAT(all.out, HasSubstr("partner XB-BORDER"));
  EXPECT_THAT(all.out, HasSubstr("\npartners asked: XC-IMMIGRATION\n"));
  const testing::CommandResult none =
      testing::runLiaison({"policy", "explain-outbound", kExample, "--role", "auditor", "--purpose", "oversight",
                           "--query", "audit-read", "--partner", "all"});
  EXPECT_EQ(none.exitCode, cli::kExitFailure);
  EXPECT_THAT(none.out, HasSubstr("\npartners asked: none\n"));
}

TEST(PolicyCommand, ExplainOutboundRefusesBadWordsAsUsageErrors) {
  const testing::CommandResult compartment =
      testing::runLiaison({"policy", "explain-outbound", kExample, "--role", "border", "--purpose", "border-check",
                           "--query", "check-document", "--partner", "XB-BORDER", "--compartment", "healthy"});
  EXPECT_EQ(compartment.exitCode, cli::kExitUsage);
  EXPECT_THAT(compartment.err, HasSubstr("unknown --compartment 'healthy'"));
  const testing::CommandResult missing = testing::runLiaison(
      {"policy", "explain-outbound", kExample, "--role", "border", "--purpose", "border-check", "--query", "check-document"});
  EXPECT_EQ(missing.exitCode, cli::kExitUsage);
  EXPECT_THAT(missing.err, HasSubstr("--partner"));
}

TEST(PolicyCommand, CheckListsTheOutboundRules) {
  const testing::CommandResult check = testing::runLiaison({"policy", "check", kExample});
  EXPECT_EQ(check.exitCode, cli::kExitOk) << check.err;
  EXPECT_THAT(check.out, HasSubstr("outbound:  3\n"));
  EXPECT_THAT(check.out, HasSubstr("border-partners-checks (line "));
  EXPECT_THAT(check.out, HasSubstr("): border, liaison may ask EU-PARTNERS check-document, screen-person, "
                                   "get-record for border-check\n"));
}

}  // namespace
}  // namespace liaison::policy
