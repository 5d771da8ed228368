// The decision function, the firewalls, the compartments each query reads and field masks.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "policy/decide.h"
#include "policy/field_mask.h"
#include "policy/policy.h"
#include "policy/query_scope.h"
#include "tests/sample_records.h"

namespace liaison::policy {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Fields = std::vector<std::string>;

const std::vector<Role> kAllRoles = {Role::border,  Role::immigration, Role::enforcement, Role::health,
                                     Role::justice, Role::liaison,     Role::auditor};
const std::vector<Role> kEnforcementFacing = {Role::enforcement, Role::border, Role::immigration, Role::liaison};

std::vector<QueryKind> allQueryKinds() {
  std::vector<QueryKind> kinds;
  for (int i = 0; i <= static_cast<int>(QueryKind::aggregateStatistics); ++i)
    kinds.push_back(static_cast<QueryKind>(i));
  return kinds;
}

std::vector<Compartment> allCompartments() {
  std::vector<Compartment> compartments;
  for (int i = 0; i <= static_cast<int>(Compartment::justice); ++i)
    compartments.push_back(static_cast<Compartment>(i));
  return compartments;
}

Policy examplePolicy() {
  auto policy = loadPolicy(LIAISON_SOURCE_DIR "/examples/policy.toml");
  EXPECT_TRUE(policy.ok()) << policy.error().message;
  return policy.ok() ? std::move(policy).value() : Policy{};
}

// A small policy built by hand: self XA-POLICE, partners XB-BORDER and XC-IMMIGRATION in group EU-PARTNERS,
// the two mandatory firewalls, and no rules.
Policy handBuiltPolicy() {
  Policy policy;
  policy.file = "hand-built";
  policy.self = "XA-POLICE";
  policy.members = {"XB-BORDER", "XC-IMMIGRATION"};
  policy.groups["EU-PARTNERS"] = {"XB-BORDER", "XC-IMMIGRATION"};
  policy.purposes = {"border-check", "criminal-investigation", "medical-care"};
  policy.firewalls.push_back(Firewall{"health-firewall", Compartment::health, kEnforcementFacing, 10});
  policy.firewalls.push_back(Firewall{"justice-firewall", Compartment::justice, kEnforcementFacing, 14});
  return policy;
}

Rule rule(std::string name, std::vector<std::string> members, std::vector<QueryKind> queries,
          std::vector<Compartment> compartments, Mode mode, int line) {
  Rule r;
  r.name = std::move(name);
  r.members = std::move(members);
  r.roles = {Role::border};
  r.purposes = {"border-check"};
  r.queries = std::move(queries);
  r.compartments = std::move(compartments);
  r.mode = mode;
  r.line = line;
  return r;
}

Question question(std::string member, QueryKind query, Compartment compartment,
                  bool hasCaseReference = false) {
  return Question{std::move(member), Role::border, "border-check", query, compartment, hasCaseReference};
}

// --- firewalls ---------------------------------------------------------------------------------

TEST(Firewall, EnforcementFacingRolesNeverReachHealthOrJusticeInTheShippedPolicy) {
  Policy policy = examplePolicy();
  std::vector<std::string> members = {policy.self};
  members.insert(members.end(), policy.members.begin(), policy.members.end());
  for (const auto& [group, ids] : policy.groups) members.push_back(group);
  members.push_back("XZ-UNKNOWN");
  std::vector<std::string> purposes = policy.purposes;
  purposes.push_back("not-a-purpose");
  int decisions = 0;
  for (Role role : kEnforcementFacing) {
    for (const std::string& purpose : purposes) {
      for (QueryKind query : allQueryKinds()) {
        for (const std::string& member : members) {
          for (Compartment compartment : {Compartment::health, Compartment::justice}) {
            for (bool hasCase : {false, true}) {
              Decision decision =
                  decide(Question{member, role, purpose, query, compartment, hasCase}, policy);
              ASSERT_FALSE(decision.permitted)
                  << explain(Question{member, role, purpose, query, compartment, hasCase}, decision);
              ASSERT_EQ(decision.reason, "not permitted");
              ASSERT_EQ(decision.fields, Fields{});
              ASSERT_THAT(decision.because.at(0), HasSubstr("firewall"));
              ++decisions;
            }
          }
        }
      }
    }
  }
  EXPECT_EQ(decisions, kEnforcementFacingRoles.size() * 7 * 8 * 5 * 2 * 2);
}

// A policy that tries every way to open health to enforcement: directly, through a group, with every
// query kind and for every member. The loader refuses it; built by hand it still cannot open anything.
constexpr const char* kHealthForEveryone = R"(self = "XA-POLICE"
purposes = ["criminal-investigation"]
[[member]]
id = "XB-BORDER"
[[group]]
id = "EVERYONE"
members = ["XA-POLICE", "XB-BORDER"]
[[firewall]]
name = "health-firewall"
compartment = "health"
roles = ["enforcement", "border", "immigration", "liaison"]
[[firewall]]
name = "justice-firewall"
compartment = "justice"
roles = ["enforcement", "border", "immigration", "liaison"]
[[rule]]
name = "health-for-everyone"
members = ["EVERYONE", "XA-POLICE", "XB-BORDER"]
roles = ["enforcement", "border", "immigration"]
purposes = ["criminal-investigation"]
queries = ["get-record", "health-record", "justice-record", "aggregate-statistics"]
compartments = ["health", "justice"]
mode = "details"
require_case_reference = false
)";

TEST(Firewall, LoaderRefusesAPolicyThatTriesToOpenHealthThroughGroups) {
  auto policy = parsePolicy(kHealthForEveryone, "policy.toml");
  ASSERT_FALSE(policy.ok());
  const std::string& message = policy.error().message;
  for (const char* role : {"enforcement", "border", "immigration"}) {
    EXPECT_THAT(message,
                HasSubstr("policy.toml:16: rule \"health-for-everyone\" permits compartment health to role " +
                          std::string(role) + ", which firewall \"health-firewall\" (line 8) forbids"));
    EXPECT_THAT(
        message,
        HasSubstr("policy.toml:16: rule \"health-for-everyone\" permits compartment justice to role " +
                  std::string(role) + ", which firewall \"justice-firewall\" (line 12) forbids"));
  }
}

TEST(Firewall, EnforcementCannotReadHealthWhateverTheRules) {
  // The same policy as kHealthForEveryone, built by hand so that no loader stands in the way.
  Policy policy = handBuiltPolicy();
  policy.groups["EVERYONE"] = {"XA-POLICE", "XB-BORDER", "XC-IMMIGRATION"};
  Rule open;
  open.name = "health-for-everyone";
  open.members = {"EVERYONE", "EU-PARTNERS", "XA-POLICE", "XB-BORDER", "XC-IMMIGRATION"};
  open.roles = kAllRoles;
  open.purposes = policy.purposes;
  open.queries = allQueryKinds();
  open.compartments = allCompartments();
  open.mode = Mode::details;
  open.requireCaseReference = false;
  open.line = 16;
  policy.rules = {open, open};
  policy.rules[0].mode = Mode::hit;

  for (Role role : kEnforcementFacing) {
    for (const std::string& purpose : policy.purposes) {
      for (QueryKind query : allQueryKinds()) {
        for (const char* member : {"XA-POLICE", "XB-BORDER", "XC-IMMIGRATION"}) {
          for (Compartment compartment : {Compartment::health, Compartment::justice}) {
            for (bool hasCase : {false, true}) {
              Question q{member, role, purpose, query, compartment, hasCase};
              Decision decision = decide(q, policy);
              ASSERT_FALSE(decision.permitted) << explain(q, decision);
              ASSERT_EQ(decision.reason, "not permitted");
              ASSERT_THAT(decision.because, ElementsAre(HasSubstr("-firewall\" (line 1")));
            }
          }
        }
      }
    }
  }
  // The same rule does open health to the health role: the refusal above is the firewall's doing.
  Decision health = decide(Question{"XA-POLICE", Role::health, "medical-care", QueryKind::healthRecord,
                                    Compartment::health, false},
                           policy);
  EXPECT_TRUE(health.permitted) << explain({}, health);
}

TEST(Firewall, BuiltInFirewallHoldsForAHandBuiltPolicyWithoutFirewalls) {
  Policy policy = handBuiltPolicy();
  policy.firewalls.clear();
  Rule open = rule("border-health", {"XA-POLICE"}, {QueryKind::healthRecord}, {Compartment::health},
                   Mode::details, 20);
  open.requireCaseReference = false;
  policy.rules = {open};
  Decision decision = decide(question("XA-POLICE", QueryKind::healthRecord, Compartment::health), policy);
  EXPECT_FALSE(decision.permitted);
  EXPECT_EQ(decision.reason, "not permitted");
  EXPECT_THAT(decision.because,
              ElementsAre("built-in firewall: compartment health is never open to role border"));
}

TEST(Firewall, LiaisonOfficersAreEnforcementFacingEvenWhereAPolicyForgetsThem) {
  // A hand-built policy whose firewalls leave liaison out, with a rule opening health and justice
  // to liaison officers: the built-in firewall still refuses.
  Policy policy = handBuiltPolicy();
  for (Firewall& firewall : policy.firewalls) firewall.roles = {Role::enforcement, Role::border, Role::immigration};
  Rule open = rule("liaison-everything", {"XA-POLICE"}, {QueryKind::healthRecord, QueryKind::justiceRecord},
                   {Compartment::health, Compartment::justice}, Mode::details, 20);
  open.roles = {Role::liaison};
  open.requireCaseReference = false;
  policy.rules = {open};
  for (auto [query, compartment] : {std::pair{QueryKind::healthRecord, Compartment::health},
                                    std::pair{QueryKind::justiceRecord, Compartment::justice}}) {
    Question q = question("XA-POLICE", query, compartment, true);
    q.role = Role::liaison;
    Decision decision = decide(q, policy);
    EXPECT_FALSE(decision.permitted) << name(compartment);
    EXPECT_EQ(decision.reason, "not permitted");
  }
  // And the loader refuses a policy file whose firewalls leave liaison out.
  std::string text = "self = \"XA-POLICE\"\npurposes = [\"border-check\"]\n"
                     "[[firewall]]\nname = \"h\"\ncompartment = \"health\"\n"
                     "roles = [\"enforcement\", \"border\", \"immigration\", \"liaison\"]\n"
                     "[[firewall]]\nname = \"j\"\ncompartment = \"justice\"\n"
                     "roles = [\"enforcement\", \"border\", \"immigration\"]\n";
  auto loaded = parsePolicy(text, "policy.toml");
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.error().message.find("no firewall forbids compartment justice to role liaison"), std::string::npos)
      << loaded.error().message;
}

TEST(Firewall, RefusalReadsLikeDefaultDeny) {
  Policy policy = examplePolicy();
  Decision firewalled = decide(Question{"XB-BORDER", Role::enforcement, "criminal-investigation",
                                        QueryKind::aggregateStatistics, Compartment::justice, true},
                               policy);
  Decision denied = decide(Question{"XB-BORDER", Role::enforcement, "criminal-investigation",
                                    QueryKind::aggregateStatistics, Compartment::documents, true},
                           policy);
  ASSERT_FALSE(firewalled.permitted);
  ASSERT_FALSE(denied.permitted);
  EXPECT_EQ(firewalled.reason, denied.reason);
  EXPECT_EQ(firewalled.fields, denied.fields);
}

// --- decisions ----------------------------------------------------------------------------------

TEST(Decide, DefaultDenyWhenNoRuleMatches) {
  Policy policy = handBuiltPolicy();
  policy.rules = {
      rule("own-checks", {"XA-POLICE"}, {QueryKind::checkDocument}, {Compartment::documents}, Mode::hit, 20)};
  Decision decision = decide(question("XB-BORDER", QueryKind::checkDocument, Compartment::documents), policy);
  EXPECT_FALSE(decision.permitted);
  EXPECT_EQ(decision.reason, "not permitted");
  EXPECT_THAT(decision.because, ElementsAre("no rule permits (default deny)"));
}

TEST(Decide, UnknownMemberAndUnknownPurposeAreRefused) {
  Policy policy = handBuiltPolicy();
  policy.rules = {rule("all", {"XA-POLICE", "EU-PARTNERS"}, {QueryKind::checkDocument},
                       {Compartment::documents}, Mode::hit, 20)};
  Decision stranger =
      decide(question("XZ-STRANGER", QueryKind::checkDocument, Compartment::documents), policy);
  EXPECT_FALSE(stranger.permitted);
  EXPECT_EQ(stranger.reason, "not permitted");
  EXPECT_THAT(stranger.because, ElementsAre("member \"XZ-STRANGER\" is not in the policy"));

  // A group is not a requester, even though the rule names it.
  Decision group = decide(question("EU-PARTNERS", QueryKind::checkDocument, Compartment::documents), policy);
  EXPECT_FALSE(group.permitted);

  Question q = question("XB-BORDER", QueryKind::checkDocument, Compartment::documents);
  q.purpose = "curiosity";
  Decision purpose = decide(q, policy);
  EXPECT_FALSE(purpose.permitted);
  EXPECT_EQ(purpose.reason, "not permitted");
  EXPECT_THAT(purpose.because, ElementsAre("purpose \"curiosity\" is not in the policy"));
}

TEST(Decide, GroupMembershipGrants) {
  Policy policy = handBuiltPolicy();
  policy.rules = {rule("partners-hit", {"EU-PARTNERS"}, {QueryKind::checkDocument}, {Compartment::documents},
                       Mode::hit, 20)};
  for (const char* member : {"XB-BORDER", "XC-IMMIGRATION"}) {
    Decision decision = decide(question(member, QueryKind::checkDocument, Compartment::documents), policy);
    EXPECT_TRUE(decision.permitted) << member;
    EXPECT_EQ(decision.mode, Mode::hit);
    EXPECT_THAT(decision.because, ElementsAre("rule \"partners-hit\" (line 20)"));
  }
  EXPECT_FALSE(
      decide(question("XA-POLICE", QueryKind::checkDocument, Compartment::documents), policy).permitted);
}

TEST(Decide, PartnersGetHitNoHitAndDetailsOnlyThroughGetRecordWithACase) {
  Policy policy = examplePolicy();
  Question check{"XB-BORDER", Role::border, "border-check", QueryKind::checkDocument, Compartment::documents,
                 false};
  Decision hit = decide(check, policy);
  EXPECT_TRUE(hit.permitted);
  EXPECT_EQ(hit.mode, Mode::hit);
  EXPECT_EQ(hit.fields, Fields{});

  Question details = check;
  details.query = QueryKind::getRecord;
  Decision withoutCase = decide(details, policy);
  EXPECT_FALSE(withoutCase.permitted);
  EXPECT_EQ(withoutCase.reason, "not permitted: a case reference is required");
  EXPECT_THAT(withoutCase.because, ElementsAre(HasSubstr("rule \"partners-document-details\"")));

  details.hasCaseReference = true;
  Decision withCase = decide(details, policy);
  EXPECT_TRUE(withCase.permitted);
  EXPECT_EQ(withCase.mode, Mode::details);
  ASSERT_TRUE(withCase.fields.has_value());
  EXPECT_THAT(*withCase.fields, ::testing::Contains("number"));
  EXPECT_THAT(*withCase.fields, ::testing::Not(::testing::Contains("national_reference")));
}

TEST(Decide, CaseReferenceRequirementFollowsTheRule) {
  Policy policy = handBuiltPolicy();
  Rule byDefault = rule("details", {"XB-BORDER"}, {QueryKind::getRecord, QueryKind::checkDocument},
                        {Compartment::documents}, Mode::details, 20);
  policy.rules = {byDefault};
  // Default: get-record under a details rule needs a case reference, other queries do not.
  EXPECT_FALSE(decide(question("XB-BORDER", QueryKind::getRecord, Compartment::documents), policy).permitted);
  EXPECT_TRUE(
      decide(question("XB-BORDER", QueryKind::getRecord, Compartment::documents, true), policy).permitted);
  EXPECT_TRUE(
      decide(question("XB-BORDER", QueryKind::checkDocument, Compartment::documents), policy).permitted);

  policy.rules[0].requireCaseReference = true;  // now for every query of the rule
  Decision check = decide(question("XB-BORDER", QueryKind::checkDocument, Compartment::documents), policy);
  EXPECT_FALSE(check.permitted);
  EXPECT_EQ(check.reason, "not permitted: a case reference is required");
  EXPECT_THAT(check.because, ElementsAre("rule \"details\" (line 20) requires a case reference"));

  policy.rules[0].requireCaseReference = false;  // and for none
  EXPECT_TRUE(decide(question("XB-BORDER", QueryKind::getRecord, Compartment::documents), policy).permitted);
}

TEST(Decide, MostGenerousModeWins) {
  Policy policy = handBuiltPolicy();
  policy.rules = {
      rule("partners-hit", {"EU-PARTNERS"}, {QueryKind::checkDocument}, {Compartment::documents}, Mode::hit,
           20),
      rule("border-details", {"XB-BORDER"}, {QueryKind::checkDocument}, {Compartment::documents},
           Mode::details, 30),
  };
  Decision decision = decide(question("XB-BORDER", QueryKind::checkDocument, Compartment::documents), policy);
  EXPECT_TRUE(decision.permitted);
  EXPECT_EQ(decision.mode, Mode::details);
  EXPECT_FALSE(decision.fields.has_value());
  EXPECT_THAT(decision.because,
              ElementsAre("rule \"partners-hit\" (line 20)", "rule \"border-details\" (line 30)"));

  Decision other =
      decide(question("XC-IMMIGRATION", QueryKind::checkDocument, Compartment::documents), policy);
  EXPECT_EQ(other.mode, Mode::hit);
}

TEST(Decide, FieldMasksOfMatchingRulesAddUp) {
  Policy policy = handBuiltPolicy();
  Rule a =
      rule("a", {"EU-PARTNERS"}, {QueryKind::checkDocument}, {Compartment::documents}, Mode::details, 20);
  a.fields = Fields{"number", "issuing_state"};
  Rule b = rule("b", {"XB-BORDER"}, {QueryKind::checkDocument}, {Compartment::documents}, Mode::details, 30);
  b.fields = Fields{"issuing_state", "fraud_type"};
  Rule hit = rule("c", {"XB-BORDER"}, {QueryKind::checkDocument}, {Compartment::documents}, Mode::hit, 40);
  policy.rules = {a, b, hit};
  Decision decision = decide(question("XB-BORDER", QueryKind::checkDocument, Compartment::documents), policy);
  EXPECT_EQ(decision.fields, (Fields{"number", "issuing_state", "fraud_type"}));

  Rule all =
      rule("d", {"XB-BORDER"}, {QueryKind::checkDocument}, {Compartment::documents}, Mode::details, 50);
  policy.rules.push_back(all);  // no mask: every field
  EXPECT_FALSE(
      decide(question("XB-BORDER", QueryKind::checkDocument, Compartment::documents), policy).fields);
}

TEST(Decide, HitRuleNeverPermitsAQueryThatAnswersOnlyWithDetails) {
  Policy policy = handBuiltPolicy();
  Rule hit = rule("hit", {"XB-BORDER"}, {QueryKind::getRecord}, {Compartment::documents}, Mode::hit, 20);
  hit.requireCaseReference = false;
  policy.rules = {hit};
  EXPECT_FALSE(
      decide(question("XB-BORDER", QueryKind::getRecord, Compartment::documents, true), policy).permitted);
}

TEST(Decide, CompartmentTheQueryNeverReadsIsRefused) {
  Policy policy = handBuiltPolicy();
  policy.rules = {rule("wide", {"XB-BORDER"}, {QueryKind::checkDocument, QueryKind::listMovements},
                       {Compartment::documents, Compartment::immigration}, Mode::hit, 20)};
  Decision decision =
      decide(question("XB-BORDER", QueryKind::checkDocument, Compartment::immigration), policy);
  EXPECT_FALSE(decision.permitted);
  EXPECT_EQ(decision.reason, "not permitted");
  EXPECT_THAT(decision.because, ElementsAre("query check-document never reads compartment immigration"));
}

TEST(Decide, ExplainShowsTheQuestionTheDecisionAndWhy) {
  Policy policy = examplePolicy();
  Question q{"XB-BORDER",          Role::enforcement,   "criminal-investigation",
             QueryKind::getRecord, Compartment::health, true};
  std::string text = explain(q, decide(q, policy));
  EXPECT_THAT(
      text, HasSubstr("member XB-BORDER, role enforcement, purpose criminal-investigation, query get-record, "
                      "compartment health, case reference given"));
  EXPECT_THAT(text, HasSubstr("decision: refused (not permitted)"));
  EXPECT_THAT(text, HasSubstr("firewall \"health-firewall\" (line "));

  q.role = Role::border;
  q.purpose = "border-check";
  q.query = QueryKind::checkDocument;
  q.compartment = Compartment::documents;
  EXPECT_THAT(explain(q, decide(q, policy)), HasSubstr("decision: permitted, hit/no-hit only"));
}

// --- which compartments a query reads -----------------------------------------------------------

TEST(PolicyQueryScope, CompartmentsTouchedByEveryQueryKind) {
  using enum Compartment;
  PersonIdentity person;
  EXPECT_THAT(compartmentsTouched(Query{CheckDocumentQuery{}}), ElementsAre(documents, watchlist));
  EXPECT_THAT(compartmentsTouched(Query{screeningOf(person)}), ElementsAre(notices, watchlist));
  EXPECT_THAT(compartmentsTouched(Query{ScreenManifestQuery{{screeningOf(person)}, {}}}),
              ElementsAre(notices, watchlist, documents));
  EXPECT_THAT(compartmentsTouched(Query{ListMovementsQuery{person, "X1"}}), ElementsAre(immigration));
  EXPECT_THAT(compartmentsTouched(Query{HealthRecordQuery{"r"}}), ElementsAre(health));
  EXPECT_THAT(compartmentsTouched(Query{JusticeRecordQuery{"r"}}), ElementsAre(justice));
  for (Compartment compartment : allCompartments()) {
    EXPECT_THAT(compartmentsTouched(Query{AggregateStatisticsQuery{compartment}}), ElementsAre(compartment));
  }
  for (RecordKind kind : testing::allRecordKinds()) {
    EXPECT_THAT(compartmentsTouched(Query{GetRecordQuery{"r", kind}}), ElementsAre(compartmentOf(kind)));
  }
}

TEST(PolicyQueryScope, KindVariantCoversEveryQueryOfThatKind) {
  auto expectCovered = [](const Query& query) {
    std::vector<Compartment> possible = compartmentsTouched(kindOf(query));
    for (Compartment compartment : compartmentsTouched(query)) {
      EXPECT_THAT(possible, ::testing::Contains(compartment)) << name(kindOf(query));
    }
  };
  expectCovered(CheckDocumentQuery{});
  expectCovered(ScreenPersonQuery{});
  expectCovered(ScreenManifestQuery{});
  expectCovered(ListMovementsQuery{});
  expectCovered(HealthRecordQuery{});
  expectCovered(JusticeRecordQuery{});
  for (RecordKind kind : testing::allRecordKinds()) expectCovered(GetRecordQuery{"r", kind});
  for (Compartment compartment : allCompartments()) expectCovered(AggregateStatisticsQuery{compartment});
  EXPECT_EQ(compartmentsTouched(QueryKind::getRecord).size(), 6u);
  EXPECT_EQ(compartmentsTouched(QueryKind::aggregateStatistics).size(), 6u);
}

// --- field masks ---------------------------------------------------------------------------------

TEST(FieldMask, ClearsExactlyTheFieldsOutsideTheMask) {
  const auto original =
      std::get<TravelDocument>(testing::sampleRecord(RecordKind::travelDocument, "XA-POLICE"));
  Record record = original;
  Fields withheld = applyFieldMask(record, Fields{"number", "issuing_state", "fraud_type"});

  TravelDocument expected;                // every field at its default ...
  expected.meta.ref = original.meta.ref;  // ... except the ones always returned
  expected.meta.owner = original.meta.owner;
  expected.meta.handling = original.meta.handling;
  expected.meta.retentionUntil = original.meta.retentionUntil;
  expected.number = original.number;  // ... and the ones in the mask
  expected.issuingState = original.issuingState;
  expected.fraudType = original.fraudType;
  EXPECT_EQ(std::get<TravelDocument>(record), expected);
  EXPECT_THAT(withheld, ElementsAre("visible_to", "document_type", "issue_date", "expiry_date", "report_date",
                                    "review_date", "national_reference"));
}

TEST(FieldMask, MasksPersonFieldsOfANotice) {
  const auto original = std::get<Notice>(testing::sampleRecord(RecordKind::notice, "XA-POLICE"));
  Record record = original;
  applyFieldMask(record, Fields{"colour", "family_name", "date_of_birth"});
  const auto& masked = std::get<Notice>(record);
  EXPECT_EQ(masked.colour, original.colour);
  EXPECT_EQ(masked.person.familyName, original.person.familyName);
  EXPECT_EQ(masked.person.dateOfBirth, original.person.dateOfBirth);
  EXPECT_EQ(masked.person.givenNames, "");
  EXPECT_EQ(masked.person.nationality, "");
  EXPECT_EQ(masked.charges, "");
  EXPECT_TRUE(masked.aliases.empty());
  EXPECT_TRUE(masked.meta.visibleTo.empty());
  EXPECT_EQ(masked.meta.owner, "XA-POLICE");
}

TEST(FieldMask, EveryKindKeepsAllWithoutAMaskAndOnlyTheAlwaysReturnedWithAnEmptyOne) {
  for (RecordKind kind : testing::allRecordKinds()) {
    const Record original = testing::sampleRecord(kind, "XA-POLICE");

    Record unmasked = original;
    EXPECT_TRUE(applyFieldMask(unmasked, std::nullopt).empty());
    EXPECT_EQ(unmasked, original) << name(kind);

    Record everything = original;
    EXPECT_TRUE(applyFieldMask(everything, maskableFields(kind)).empty());
    EXPECT_EQ(everything, original) << name(kind);

    Record nothing = original;
    EXPECT_EQ(applyFieldMask(nothing, Fields{}), maskableFields(kind)) << name(kind);
    Record expected = std::visit(
        [](const auto& typed) -> Record {
          std::remove_cvref_t<decltype(typed)> blank{};
          blank.meta.ref = typed.meta.ref;
          blank.meta.owner = typed.meta.owner;
          blank.meta.handling = typed.meta.handling;
          blank.meta.retentionUntil = typed.meta.retentionUntil;
          return blank;
        },
        original);
    EXPECT_EQ(nothing, expected) << name(kind);
  }
}

TEST(FieldMask, MaskableFieldsExcludeWhatIsAlwaysReturned) {
  Fields fields = maskableFields(RecordKind::healthRecord);
  EXPECT_THAT(fields, ElementsAre("visible_to", "family_name", "given_names", "date_of_birth", "sex",
                                  "nationality", "facility", "record_kind", "recorded_on", "summary"));
}

}  // namespace
}  // namespace liaison::policy
