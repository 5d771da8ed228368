// The firewall covers existence: through the whole pipeline (real TLS, real PostgreSQL), no
// enforcement-facing officer and no partner can tell a health or justice record that exists from
// one that does not, neither by the answer nor by what the audit log says about it.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "adapters/audit_search.h"
#include "tests/node_harness.h"

namespace liaison::testing {
namespace {

// A random version 4 UUID: a reference no record has.
std::string freshUuid() {
  std::random_device random;
  std::array<uint8_t, 16> bytes{};
  for (uint8_t& b : bytes) b = static_cast<uint8_t>(random());
  bytes[6] = static_cast<uint8_t>((bytes[6] & 0x0f) | 0x40);
  bytes[8] = static_cast<uint8_t>((bytes[8] & 0x3f) | 0x80);
  char text[37];
  std::snprintf(text, sizeof text, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8],
                bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]);
  return text;
}

// The queries that name one firewalled record by reference.
std::vector<Query> queriesFor(Compartment compartment, const std::string& ref) {
  if (compartment == Compartment::health) {
    return {HealthRecordQuery{ref}, GetRecordQuery{ref, RecordKind::healthRecord}};
  }
  return {JusticeRecordQuery{ref}, GetRecordQuery{ref, RecordKind::justiceRecord}};
}

// One answer and the audit entry the node wrote for it.
struct Observed {
  client::QueryAnswer answer;
  AuditEntry entry;
};

// What may differ between two requests that differ only in the record they name: when they were
// made and handled, and the digests of the request and the answer.
AuditEntry withoutTimeAndDigests(AuditEntry entry) {
  entry.recordedAt = {};
  entry.queryDigest = {};
  entry.responseDigest = {};
  return entry;
}

std::string describe(const AuditEntry& e) {
  std::ostringstream out;
  out << "decision " << name(e.decision) << ", reason '" << e.reason << "', " << e.recordRefs.size()
      << " record refs, requester '" << e.requester << "', signer '" << e.signer << "', officer '"
      << e.officerPseudonym << "', case '" << e.caseReference << "', purpose '" << e.purpose << "'";
  return out.str();
}

class RecordExistence : public NodeTest {
 protected:
  void SetUp() override {
    NodeTest::SetUp();
    auditLog_ = std::make_unique<store::AuditReader>(target());
  }

  // Sends `query` with a case reference and reads the audit entry of its answer.
  Observed ask(client::QueryClient& client, const Query& query) {
    client::QueryOptions options;
    options.caseReference = "CASE-2024-17";  // a case, so that no refusal is only about a missing one
    auto answer = client.send(query, options);
    if (!answer) throw std::runtime_error(answer.error().message);
    const uint64_t index = answer->response.receipt.leafIndex;
    auto rows = auditLog_->entries(index, index + 1);
    if (!rows || rows->size() != 1) throw std::runtime_error("no audit entry at the answer's receipt");
    return Observed{std::move(*answer), rows->front().entry};
  }

  std::unique_ptr<store::AuditReader> auditLog_;
};

TEST_F(RecordExistence, NoEnforcementFacingOfficerOrPartnerCanTellAHealthOrJusticeRecordExists) {
  const std::map<Compartment, std::string> existing = {{Compartment::health, healthRef_},
                                                       {Compartment::justice, justiceRef_}};

  // The records exist: the compartments' own staff find them, and find nothing under a fresh reference.
  for (const auto& [compartment, ref] : existing) {
    auto staff = client(compartment == Compartment::health ? kHealthWorker : kJusticeClerk);
    const Query own = queriesFor(compartment, ref).front();
    EXPECT_EQ(ask(*staff, own).answer.response.hits.size(), 1u) << name(compartment);
    EXPECT_TRUE(ask(*staff, queriesFor(compartment, freshUuid()).front()).answer.response.hits.empty());
  }

  const std::vector<std::pair<std::string, std::string>> absentRefs = {
      {"a fresh random UUID", freshUuid()},
      {"a malformed reference", "no-such-record' OR '1'='1"},
  };
  for (const char* asker : {kBorderOfficer, kImmigrationOfficer, kEnforcementOfficer, kLiaisonOfficer,
                            kPartnerBorder, kPartnerImmigration}) {
    auto c = client(asker);
    for (const auto& [compartment, ref] : existing) {
      const std::vector<Query> askedOfExisting = queriesFor(compartment, ref);
      for (size_t q = 0; q < askedOfExisting.size(); ++q) {
        const Observed present = ask(*c, askedOfExisting[q]);
        const std::string what = std::string(asker) + " asking " +
                                 std::string(name(kindOf(askedOfExisting[q]))) + " of " +
                                 std::string(name(compartment));
        EXPECT_NE(present.answer.response.status, ResponseStatus::ok) << what;
        EXPECT_TRUE(present.answer.response.hits.empty()) << what;

        for (const auto& [absentLabel, absentRef] : absentRefs) {
          const Observed absent = ask(*c, queriesFor(compartment, absentRef)[q]);
          const std::string versus = what + ": an existing record vs " + absentLabel;
          const Response& a = present.answer.response;
          const Response& b = absent.answer.response;
          EXPECT_EQ(present.answer.httpStatus, absent.answer.httpStatus) << versus;
          EXPECT_EQ(a.status, b.status) << versus;
          EXPECT_EQ(a.reason, b.reason) << versus;
          EXPECT_EQ(a.withheld, b.withheld) << versus;
          EXPECT_TRUE(b.hits.empty()) << versus;
          EXPECT_EQ(a.responder, b.responder) << versus;
          EXPECT_TRUE(withoutTimeAndDigests(present.entry) == withoutTimeAndDigests(absent.entry))
              << versus << "\n  existing: " << describe(present.entry)
              << "\n  absent:   " << describe(absent.entry);
        }
      }
    }
  }
}

}  // namespace
}  // namespace liaison::testing
