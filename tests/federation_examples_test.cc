// The policies of the three-agency demo federation (scripts/demo, examples/federation/, compose.yaml)
// say what the demo shows: XB-BORDER's border officers may have their node ask XA-POLICE and
// XC-IMMIGRATION to check a document, both answer them whether they hold it, and nothing more.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "policy/decide.h"
#include "policy/outbound.h"
#include "policy/policy.h"

namespace liaison::policy {
namespace {

using ::testing::ElementsAre;

Policy examplePolicy(const std::string& relative) {
  auto policy = loadPolicy(std::string(LIAISON_SOURCE_DIR) + "/examples/" + relative);
  EXPECT_TRUE(policy.ok()) << policy.error().message;
  return policy.ok() ? std::move(policy).value() : Policy{};
}

Question borderCheckBy(const std::string& member, QueryKind query, Compartment compartment) {
  return Question{member, Role::border, "border-check", query, compartment, /*hasCaseReference=*/true};
}

TEST(FederationExamples, XbBorderOfficersMayHaveTheirNodeAskThePoliceAndTheImmigrationServiceToCheckDocuments) {
  const Policy xb = examplePolicy("federation/xb-border/policy.toml");
  EXPECT_EQ(xb.self, "XB-BORDER");
  EXPECT_THAT(outboundPartners(Role::border, "border-check", QueryKind::checkDocument,
                               {Compartment::documents, Compartment::watchlist}, xb),
              ElementsAre("XA-POLICE", "XC-IMMIGRATION"));
  // Only document checks leave XB, and only for its border officers.
  EXPECT_THAT(outboundPartners(Role::border, "border-check", QueryKind::getRecord, {Compartment::documents}, xb),
              ElementsAre());
  EXPECT_THAT(outboundPartners(Role::immigration, "border-check", QueryKind::checkDocument, {Compartment::documents}, xb),
              ElementsAre());
  EXPECT_THAT(outboundPartners(Role::auditor, "oversight", QueryKind::checkDocument, {Compartment::documents}, xb),
              ElementsAre());
}

TEST(FederationExamples, ThePoliceAndTheImmigrationServiceTellXbBorderOfficersWhetherTheyHoldADocumentAndNoMore) {
  for (const char* file : {"policy.toml", "federation/xc-immigration/policy.toml"}) {
    const Policy answering = examplePolicy(file);
    for (Compartment compartment : {Compartment::documents, Compartment::watchlist}) {
      const Decision check = decide(borderCheckBy("XB-BORDER", QueryKind::checkDocument, compartment), answering);
      EXPECT_TRUE(check.permitted) << file << ": " << explain(borderCheckBy("XB-BORDER", QueryKind::checkDocument, compartment), check);
      EXPECT_EQ(check.mode, Mode::hit) << file;
    }
  }
  // XC gives XB no details at all, not even with a case reference; health stays behind its firewall.
  const Policy xc = examplePolicy("federation/xc-immigration/policy.toml");
  EXPECT_FALSE(decide(borderCheckBy("XB-BORDER", QueryKind::getRecord, Compartment::documents), xc).permitted);
  EXPECT_FALSE(decide(borderCheckBy("XB-BORDER", QueryKind::healthRecord, Compartment::health), xc).permitted);
  // Nor does it answer a member it does not know.
  EXPECT_FALSE(decide(borderCheckBy("XD-CUSTOMS", QueryKind::checkDocument, Compartment::documents), xc).permitted);
}

}  // namespace
}  // namespace liaison::policy
