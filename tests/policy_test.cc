// The policy loader: the shipped example loads, and every kind of problem is reported with its file,
// line and rule, all of them at once.
#include "policy/policy.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "tests/policy_texts.h"

namespace liaison::policy {
namespace {

using ::testing::HasSubstr;

// Lines 1..17 of every test policy; what a test appends starts at line 18.
constexpr std::string_view kBase = kTestPolicyBase;

// A valid rule to append to kBase; its lines are 18 ([[rule]]) to 25 (mode).
constexpr std::string_view kPartnersHit = R"([[rule]]
name = "partners-hit"
members = ["EU-PARTNERS"]
roles = ["border"]
purposes = ["border-check"]
queries = ["check-document"]
compartments = ["documents"]
mode = "hit"
)";

std::string examplePath() { return LIAISON_SOURCE_DIR "/examples/policy.toml"; }

// The error message for kBase followed by `extra`, or a note that it loaded.
std::string problemsWith(std::string_view extra) {
  auto policy = parsePolicy(std::string(kBase) + std::string(extra), "policy.toml");
  if (policy) return "(no problem: the policy loaded)";
  EXPECT_EQ(policy.error().kind, ErrorKind::invalidInput);
  return policy.error().message;
}

// kPartnersHit with one line replaced: `key` is the key whose line is swapped for `line`.
std::string partnersHitWith(std::string_view key, std::string_view line) {
  std::string rule(kPartnersHit);
  size_t start = rule.find(std::string(key) + " = ");
  EXPECT_NE(start, std::string::npos) << key;
  size_t end = rule.find('\n', start);
  return rule.replace(start, end - start, line);
}

// --- the shipped example -----------------------------------------------------------------------

TEST(PolicyFile, ShippedExampleLoadsCleanly) {
  auto policy = loadPolicy(examplePath());
  ASSERT_TRUE(policy.ok()) << policy.error().message;
  EXPECT_EQ(policy->self, "XA-POLICE");
  EXPECT_EQ(policy->members, (std::vector<std::string>{"XB-BORDER", "XC-IMMIGRATION"}));
  EXPECT_EQ(policy->groups.at("EU-PARTNERS"), (std::vector<std::string>{"XB-BORDER", "XC-IMMIGRATION"}));
  EXPECT_EQ(policy->file, examplePath());
  EXPECT_FALSE(policy->rules.empty());
}

TEST(PolicyFile, ShippedExampleFirewallsHealthAndJusticeFromEnforcementFacingRoles) {
  auto policy = loadPolicy(examplePath());
  ASSERT_TRUE(policy.ok()) << policy.error().message;
  for (Compartment compartment : {Compartment::health, Compartment::justice}) {
    for (Role role : {Role::enforcement, Role::border, Role::immigration}) {
      bool forbidden = false;
      for (const Firewall& firewall : policy->firewalls) {
        forbidden = forbidden ||
                    (firewall.compartment == compartment &&
                     std::find(firewall.roles.begin(), firewall.roles.end(), role) != firewall.roles.end());
      }
      EXPECT_TRUE(forbidden) << name(compartment) << " is not firewalled from " << name(role);
    }
  }
}

TEST(PolicyFile, TestBaseLoadsCleanly) {
  EXPECT_EQ(problemsWith(kPartnersHit), "(no problem: the policy loaded)");
}

TEST(PolicyFile, RuleAndFirewallRememberTheLineOfTheirHeader) {
  auto policy = parsePolicy(std::string(kBase) + std::string(kPartnersHit), "policy.toml");
  ASSERT_TRUE(policy.ok()) << policy.error().message;
  EXPECT_EQ(policy->firewalls.at(0).line, 10);
  EXPECT_EQ(policy->firewalls.at(1).line, 14);
  EXPECT_EQ(policy->rules.at(0).line, 18);
}

TEST(PolicyFile, ModeDefaultsToHitAndCaseReferenceToTheBuiltInRule) {
  auto policy = parsePolicy(std::string(kBase) + partnersHitWith("mode", ""), "policy.toml");
  ASSERT_TRUE(policy.ok()) << policy.error().message;
  EXPECT_EQ(policy->rules.at(0).mode, Mode::hit);
  EXPECT_FALSE(policy->rules.at(0).fields.has_value());
  EXPECT_FALSE(policy->rules.at(0).requireCaseReference.has_value());
}

// --- one test per kind of problem ----------------------------------------------------------------

TEST(PolicyFile, SyntaxErrorNamesLineAndColumn) {
  EXPECT_THAT(problemsWith("[[rule]]\nname = \"broken\nroles = []\n"), HasSubstr("policy.toml:19:"));
  std::string message = problemsWith("x = [1,\n");
  EXPECT_THAT(message, ::testing::MatchesRegex("policy\\.toml:1[89]:[0-9]+: .+"));
}

TEST(PolicyFile, FileOverOneMebibyteIsRefusedBeforeParsing) {
  std::string text(kMaxPolicyFileBytes + 1, '#');
  auto policy = parsePolicy(text, "huge.toml");
  ASSERT_FALSE(policy.ok());
  EXPECT_THAT(policy.error().message, HasSubstr("huge.toml: the policy file is larger than 1024 KiB"));
}

TEST(PolicyFile, UnknownTopLevelKeyIsReportedWithItsLine) {
  auto policy = parsePolicy("colour = \"blue\"\n" + std::string(kBase), "policy.toml");
  ASSERT_FALSE(policy.ok());
  EXPECT_EQ(
      policy.error().message,
      "policy.toml:1: unknown top-level key \"colour\"; the keys allowed here are self, purposes, member, "
      "group, firewall, rule, outbound, statistics");
}

TEST(PolicyFile, StatisticsDefaultToCellsOfTenWithoutNoiseForAuditors) {
  auto defaults = parsePolicy(std::string(kBase), "policy.toml");
  ASSERT_TRUE(defaults.ok()) << defaults.error().message;
  EXPECT_EQ(defaults->statistics.minCellSize, 10u);
  EXPECT_EQ(defaults->statistics.noiseBound, 0u);
  EXPECT_THAT(defaults->statistics.oversightRoles, ::testing::ElementsAre(Role::auditor));
  auto set = parsePolicy(std::string(kBase) +
                             "[statistics]\nmin_cell_size = 20\nnoise_bound = 3\noversight_roles = [\"auditor\", \"justice\"]\n",
                         "policy.toml");
  ASSERT_TRUE(set.ok()) << set.error().message;
  EXPECT_EQ(set->statistics.minCellSize, 20u);
  EXPECT_EQ(set->statistics.noiseBound, 3u);
  EXPECT_THAT(set->statistics.oversightRoles, ::testing::ElementsAre(Role::auditor, Role::justice));
  EXPECT_EQ(set->statistics.periods.size(), 3u);
  auto monthly = parsePolicy(std::string(kBase) + "[statistics]\nperiods = [\"month\"]\n", "policy.toml");
  ASSERT_TRUE(monthly.ok()) << monthly.error().message;
  EXPECT_THAT(monthly->statistics.periods, ::testing::ElementsAre(StatisticsPeriod::month));
}

TEST(PolicyFile, NonsensicalStatisticsSettingsAreReportedWithTheirLine) {
  EXPECT_THAT(problemsWith("[statistics]\nmin_cell_size = 2\n"),
              HasSubstr("policy.toml:19: statistics: min_cell_size must be a whole number from 3 to 1000"));
  EXPECT_THAT(problemsWith("[statistics]\nmin_cell_size = \"ten\"\n"),
              HasSubstr("policy.toml:19: statistics: min_cell_size must be a whole number"));
  EXPECT_THAT(problemsWith("[statistics]\nnoise_bound = -1\n"),
              HasSubstr("policy.toml:19: statistics: noise_bound must be a whole number from 0 to 100"));
  EXPECT_THAT(problemsWith("[statistics]\nmin_cell_size = 10\nnoise_bound = 10\n"),
              HasSubstr("policy.toml:20: statistics: noise_bound 10 must be below min_cell_size 10"));
  EXPECT_THAT(problemsWith("[statistics]\noversight_roles = [\"auditor\", \"border\"]\n"),
              HasSubstr("policy.toml:19: statistics: oversight_roles lists \"border\", an enforcement-facing role"));
  EXPECT_THAT(problemsWith("[statistics]\noversight_roles = []\n"),
              HasSubstr("policy.toml:19: statistics: oversight_roles is empty"));
  EXPECT_THAT(problemsWith("[statistics]\nperiods = [\"fortnight\"]\n"),
              HasSubstr("policy.toml:19: statistics: unknown period \"fortnight\"; the period names are day, week, month"));
  EXPECT_THAT(problemsWith("[statistics]\nmin_cell = 10\n"),
              HasSubstr("policy.toml:19: statistics: unknown key \"min_cell\""));
}

TEST(PolicyFile, UnknownKeyInRuleIsReportedWithItsLine) {
  EXPECT_THAT(problemsWith(std::string(kPartnersHit) + "role = [\"border\"]\n"),
              HasSubstr("policy.toml:26: rule \"partners-hit\": unknown key \"role\""));
}

TEST(PolicyFile, UnknownKeyInFirewallIsReportedWithItsLine) {
  EXPECT_THAT(
      problemsWith(
          "[[firewall]]\nname = \"f\"\ncompartment = \"health\"\nroles = [\"liaison\"]\nforever = true\n"),
      HasSubstr("policy.toml:22: firewall \"f\": unknown key \"forever\""));
}

TEST(PolicyFile, MissingSelfIsReported) {
  auto policy = parsePolicy(std::string(kBase.substr(kBase.find('\n') + 1)), "policy.toml");
  ASSERT_FALSE(policy.ok());
  EXPECT_THAT(policy.error().message,
              HasSubstr("policy.toml:1: missing self = \"MEMBER-ID\", the member this node serves"));
}

TEST(PolicyFile, MalformedSelfIsReported) {
  std::string text(kBase);
  text.replace(0, text.find('\n'), "self = \"XA POLICE\"");
  auto policy = parsePolicy(text, "policy.toml");
  ASSERT_FALSE(policy.ok());
  EXPECT_THAT(policy.error().message,
              HasSubstr("policy.toml:1: self \"XA POLICE\" is not a member id: use 1..64 characters"));
}

TEST(PolicyFile, ValueOfTheWrongTypeIsReported) {
  EXPECT_EQ(
      problemsWith(partnersHitWith("roles", "roles = \"border\"")),
      "policy.toml:21: rule \"partners-hit\": roles must be a list of strings, e.g. roles = [\"a\", \"b\"]");
  EXPECT_EQ(problemsWith(std::string(kPartnersHit) + "require_case_reference = \"yes\"\n"),
            "policy.toml:26: rule \"partners-hit\": require_case_reference must be true or false");
}

TEST(PolicyFile, MissingRuleKeyIsReportedAtTheRule) {
  EXPECT_EQ(problemsWith(partnersHitWith("queries", "")),
            "policy.toml:18: rule \"partners-hit\": missing queries = [...]");
}

TEST(PolicyFile, RuleWrittenAsSingleTableIsReported) {
  EXPECT_THAT(problemsWith("[rule]\nname = \"x\"\n"),
              HasSubstr("policy.toml:18: \"rule\" must be a list of tables, each starting with [[rule]]"));
}

TEST(PolicyCheck, UnknownMemberOrGroupInRule) {
  EXPECT_EQ(problemsWith(partnersHitWith("members", "members = [\"EU-PARTNER\"]")),
            "policy.toml:18: rule \"partners-hit\": unknown member or group \"EU-PARTNER\"; declare it with "
            "[[member]] or [[group]], or fix the spelling");
}

TEST(PolicyCheck, UnknownPurposeInRule) {
  EXPECT_EQ(problemsWith(partnersHitWith("purposes", "purposes = [\"border-chek\"]")),
            "policy.toml:18: rule \"partners-hit\": unknown purpose \"border-chek\"; the purposes are "
            "border-check, "
            "criminal-investigation, medical-care (add it to purposes, or fix the spelling)");
}

TEST(PolicyCheck, UnknownRoleName) {
  EXPECT_EQ(problemsWith(partnersHitWith("roles", "roles = [\"borders\"]")),
            "policy.toml:21: rule \"partners-hit\": unknown role \"borders\"; the role names are border, "
            "immigration, enforcement, health, justice, liaison, auditor");
}

TEST(PolicyCheck, UnknownCompartmentName) {
  EXPECT_EQ(
      problemsWith(partnersHitWith("compartments", "compartments = [\"document\"]")),
      "policy.toml:24: rule \"partners-hit\": unknown compartment \"document\"; the compartment names are "
      "notices, documents, immigration, watchlist, health, justice");
}

TEST(PolicyCheck, UnknownQueryName) {
  EXPECT_EQ(problemsWith(partnersHitWith("queries", "queries = [\"check_document\"]")),
            "policy.toml:23: rule \"partners-hit\": unknown query \"check_document\"; the query names are "
            "check-document, screen-person, screen-manifest, get-record, list-movements, health-record, "
            "justice-record, aggregate-statistics");
}

TEST(PolicyCheck, UnknownModeName) {
  EXPECT_EQ(
      problemsWith(partnersHitWith("mode", "mode = \"full\"")),
      "policy.toml:25: rule \"partners-hit\": unknown mode \"full\"; the modes are \"hit\" (hit/no-hit only) "
      "and \"details\"");
}

TEST(PolicyCheck, UnknownFieldForTheRuleCompartments) {
  // family_name exists, but not in the documents compartment.
  std::string rule = partnersHitWith("mode", "mode = \"details\"\nfields = [\"number\", \"family_name\"]");
  EXPECT_THAT(problemsWith(rule),
              HasSubstr("policy.toml:18: rule \"partners-hit\": unknown field \"family_name\" "
                        "for compartments documents; their fields are visible_to, number, "));
}

TEST(PolicyCheck, ReferenceCannotBeListedAsAField) {
  std::string rule = partnersHitWith("mode", "mode = \"details\"\nfields = [\"ref\"]");
  EXPECT_EQ(problemsWith(rule),
            "policy.toml:18: rule \"partners-hit\": field \"ref\" cannot be listed: the reference is always "
            "returned");
}

TEST(PolicyCheck, FieldsOnAHitRule) {
  EXPECT_EQ(
      problemsWith(std::string(kPartnersHit) + "fields = [\"number\"]\n"),
      "policy.toml:18: rule \"partners-hit\": fields apply only to mode \"details\"; a hit/no-hit answer "
      "carries no fields");
}

TEST(PolicyCheck, DuplicateRuleName) {
  EXPECT_EQ(
      problemsWith(std::string(kPartnersHit) + std::string(kPartnersHit)),
      "policy.toml:27: rule \"partners-hit\" is defined twice (first at line 19); rule names must be unique");
}

TEST(PolicyCheck, DuplicateFirewallName) {
  EXPECT_EQ(
      problemsWith(
          "[[firewall]]\nname = \"health-firewall\"\ncompartment = \"health\"\nroles = [\"liaison\"]\n"),
      "policy.toml:19: firewall \"health-firewall\" is defined twice (first at line 11); firewall names must "
      "be unique");
}

TEST(PolicyCheck, DuplicateMemberId) {
  EXPECT_EQ(problemsWith("[[member]]\nid = \"XB-BORDER\"\n"),
            "policy.toml:19: member id \"XB-BORDER\" is already used at line 4; member and group ids must be "
            "unique");
}

TEST(PolicyCheck, DuplicateGroupIdAndGroupNamedLikeAMember) {
  EXPECT_EQ(problemsWith("[[group]]\nid = \"EU-PARTNERS\"\nmembers = [\"XB-BORDER\"]\n"),
            "policy.toml:19: group id \"EU-PARTNERS\" is already used at line 8; member and group ids must "
            "be unique");
  EXPECT_EQ(
      problemsWith("[[group]]\nid = \"XC-IMMIGRATION\"\nmembers = [\"XB-BORDER\"]\n"),
      "policy.toml:19: group id \"XC-IMMIGRATION\" is already used at line 6; member and group ids must be "
      "unique");
}

TEST(PolicyCheck, SelfDeclaredAgainAsMember) {
  EXPECT_EQ(
      problemsWith("[[member]]\nid = \"XA-POLICE\"\n"),
      "policy.toml:19: member \"XA-POLICE\" is this node's self, which is a member implicitly; remove this "
      "[[member]]");
}

TEST(PolicyCheck, GroupListingAnUnknownMember) {
  EXPECT_EQ(
      problemsWith("[[group]]\nid = \"NORTH\"\nmembers = [\"XB-BORDER\", \"XD-COASTGUARD\"]\n"),
      "policy.toml:20: group \"NORTH\": lists \"XD-COASTGUARD\", which is not a member; declare it with "
      "[[member]] first");
}

TEST(PolicyCheck, PermitThatAFirewallContradictsNamesBothLines) {
  std::string rule = R"([[rule]]
name = "partners-details"
members = ["EU-PARTNERS"]
roles = ["enforcement"]
purposes = ["criminal-investigation"]
queries = ["health-record"]
compartments = ["health"]
mode = "details"
)";
  EXPECT_EQ(problemsWith(rule),
            "policy.toml:18: rule \"partners-details\" permits compartment health to role "
            "enforcement, which firewall \"health-firewall\" (line 10) forbids");
}

TEST(PolicyCheck, PermitOfFirewalledCompartmentIsRefusedEvenWithoutAFirewall) {
  std::string base(kBase);
  base.erase(base.find("[[firewall]]"));  // no firewalls at all
  std::string rule = R"([[rule]]
name = "border-justice"
members = ["XA-POLICE"]
roles = ["border"]
purposes = ["border-check"]
queries = ["justice-record"]
compartments = ["justice"]
mode = "details"
)";
  auto policy = parsePolicy(base + rule, "policy.toml");
  ASSERT_FALSE(policy.ok());
  EXPECT_THAT(policy.error().message,
              HasSubstr("policy.toml:10: rule \"border-justice\" permits compartment justice "
                        "to role border, which the built-in firewall forbids"));
}

TEST(PolicyCheck, PolicyMustFirewallHealthAndJusticeFromEnforcementFacingRoles) {
  std::string text(kBase);
  text.replace(text.rfind("roles = "), std::string::npos, "roles = [\"enforcement\", \"border\", \"liaison\"]\n");
  auto policy = parsePolicy(text, "policy.toml");
  ASSERT_FALSE(policy.ok());
  EXPECT_EQ(
      policy.error().message,
      "policy.toml:14: no firewall forbids compartment justice to role immigration; every policy must "
      "firewall health and justice from the enforcement-facing roles border, immigration, enforcement, liaison "
      "(add the role to a [[firewall]] of justice)");
}

TEST(PolicyCheck, EmptyListMeansTheRuleCanNeverMatch) {
  const std::pair<std::string_view, int> kLists[] = {
      {"members", 20}, {"roles", 21}, {"purposes", 22}, {"queries", 23}, {"compartments", 24}};
  for (const auto& [key, line] : kLists) {
    std::string message = problemsWith(partnersHitWith(key, std::string(key) + " = []"));
    EXPECT_THAT(message, HasSubstr("policy.toml:" + std::to_string(line) + ": rule \"partners-hit\": " +
                                   std::string(key) + " is empty, so the rule can never match"));
    EXPECT_EQ(message.find('\n'), std::string::npos) << "one problem only, not its consequences:\n"
                                                     << message;
  }
}

TEST(PolicyCheck, QueryThatReadsNoneOfTheRuleCompartments) {
  std::string rule = partnersHitWith("queries", "queries = [\"check-document\", \"list-movements\"]");
  EXPECT_EQ(problemsWith(rule),
            "policy.toml:18: rule \"partners-hit\": query list-movements reads none of the "
            "rule's compartments (documents), so it can never match; it reads immigration");
}

TEST(PolicyCheck, CompartmentThatNoneOfTheRuleQueriesReads) {
  std::string rule = partnersHitWith("compartments", "compartments = [\"documents\", \"notices\"]");
  EXPECT_EQ(problemsWith(rule),
            "policy.toml:18: rule \"partners-hit\": compartment notices is read by none of the "
            "rule's queries (check-document), so it can never match");
}

TEST(PolicyCheck, HitModeCannotPermitAQueryThatAnswersOnlyWithDetails) {
  for (std::string_view query : {"get-record", "aggregate-statistics"}) {
    std::string rule = partnersHitWith("queries", "queries = [\"" + std::string(query) + "\"]");
    EXPECT_EQ(problemsWith(rule),
              "policy.toml:18: rule \"partners-hit\": query " + std::string(query) +
                  " answers only with record contents or counts, so mode \"hit\" can never "
                  "match it; permit it in a rule with mode = \"details\"");
  }
}

TEST(PolicyCheck, EntryListedTwice) {
  EXPECT_EQ(problemsWith(partnersHitWith("roles", "roles = [\"border\", \"border\"]")),
            "policy.toml:21: rule \"partners-hit\": role \"border\" is listed twice");
}

TEST(PolicyCheck, EveryProblemIsReportedOnItsOwnLineInLineOrder) {
  std::string text = std::string(kBase) + "colour = 1\n" + partnersHitWith("roles", "roles = [\"borders\"]") +
                     "[[member]]\nid = \"XB-BORDER\"\n";
  auto policy = parsePolicy(text, "policy.toml");
  ASSERT_FALSE(policy.ok());
  EXPECT_EQ(policy.error().message,
            "policy.toml:18: firewall \"justice-firewall\": unknown key \"colour\"; the keys allowed here "
            "are name, "
            "compartment, roles\n"
            "policy.toml:22: rule \"partners-hit\": unknown role \"borders\"; the role names are border, "
            "immigration, enforcement, health, justice, liaison, auditor\n"
            "policy.toml:28: member id \"XB-BORDER\" is already used at line 4; member and group ids must be "
            "unique");
}

TEST(PolicyCheck, RuleWithATypoStillReportsItsFirewallContradiction) {
  std::string rule = R"([[rule]]
name = "partners-details"
members = ["EU-PARTNERS"]
roles = ["enforcement", "enforcment"]
purposes = ["criminal-investigation"]
queries = ["health-record"]
compartments = ["health"]
mode = "details"
)";
  std::string message = problemsWith(rule);
  EXPECT_THAT(message,
              HasSubstr("policy.toml:18: rule \"partners-details\" permits compartment health to role "
                        "enforcement, which firewall \"health-firewall\" (line 10) forbids"));
  EXPECT_THAT(message, HasSubstr("policy.toml:21: rule \"partners-details\": unknown role \"enforcment\""));
}

}  // namespace
}  // namespace liaison::policy
