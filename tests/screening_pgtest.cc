// Screening end to end: a real node (tests/node_harness.h) on real PostgreSQL and TLS, its
// screening index built at start and kept current from the change feed, and officers and partners
// screening persons and manifests through it.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>

#include "adapters/store.h"
#include "crypto/digest.h"
#include "schema/codec.h"
#include "node/json_log.h"
#include "node/screening_service.h"
#include "screening/match.h"
#include "tests/node_harness.h"
#include "tests/pg_sessions.h"
#include "tests/sample_records.h"
#include "tests/wait.h"

namespace liaison::testing {
namespace {

ScreenPersonQuery named(std::string name, PartialDate dob = {}, std::string nationality = "") {
  ScreenPersonQuery q;
  q.otherNames = {std::move(name)};
  q.person.dateOfBirth = dob;
  q.person.nationality = std::move(nationality);
  return q;
}

const Hit* hitFor(const Response& response, const std::string& ref) {
  for (const Hit& hit : response.hits) {
    if (hit.recordRef == ref) return &hit;
  }
  return nullptr;
}

std::string bytesOf(const Response& response) {
  auto encoded = encodeResponse(response);
  return std::string(encoded.begin(), encoded.end());
}

using ScreeningTest = NodeTest;

TEST_F(ScreeningTest, AnOwnOfficerGetsHitsRankedWithTheScoreAndWhyAndTheRecord) {
  auto answer = client(kBorderOfficer)->send(named("Taras Shevchenko", PartialDate{1961, 0, 0}, "UKR"), {});
  ASSERT_TRUE(answer.ok()) << answer.error().message;
  ASSERT_EQ(answer->response.status, ResponseStatus::ok) << answer->response.reason;
  ASSERT_FALSE(answer->response.hits.empty());
  const Hit& best = answer->response.hits.front();
  EXPECT_EQ(best.recordRef, shevchenkoNoticeRef_);
  EXPECT_EQ(best.kind, RecordKind::notice);
  ASSERT_TRUE(best.match.has_value());
  EXPECT_GE(best.match->score, static_cast<uint16_t>(screening::kMatchThreshold * 1000));
  EXPECT_EQ(best.match->dateOfBirth, Evidence::partial);
  EXPECT_EQ(best.match->nationality, Evidence::agrees);
  EXPECT_FALSE(best.match->explanation.empty());
  EXPECT_FALSE(best.match->tokens.empty());
  ASSERT_TRUE(best.details.has_value());  // a details rule: the notice itself
  EXPECT_EQ(std::get<Notice>(*best.details).person.familyName, "SHEVCHENKO");
  for (size_t i = 1; i < answer->response.hits.size(); ++i) {
    ASSERT_TRUE(answer->response.hits[i].match);
    EXPECT_LE(answer->response.hits[i].match->score, answer->response.hits[i - 1].match->score);
  }
}

TEST_F(ScreeningTest, NamesInOtherScriptsSwappedOrderAndTyposFindTheRecord) {
  for (const char* name : {"Шевченко Тарас", "SHEVCHENKO TARAS", "Taras Shevchneko", "عمر خالد الرشيد",
                           "Omar Al Rashid", "RASHID, OMAR KHALID"}) {
    auto answer = client(kBorderOfficer)->send(named(name), {});
    ASSERT_TRUE(answer.ok()) << answer.error().message;
    EXPECT_FALSE(answer->response.hits.empty()) << name;
  }
}

TEST_F(ScreeningTest, APartnerUnderAHitRuleLearnsTheReferenceOnlyNoScoreNoName) {
  auto answer = client(kPartnerBorder)->send(named("Taras Shevchenko"), {});
  ASSERT_TRUE(answer.ok()) << answer.error().message;
  ASSERT_EQ(answer->response.status, ResponseStatus::ok) << answer->response.reason;
  const Hit* hit = hitFor(answer->response, shevchenkoNoticeRef_);
  ASSERT_NE(hit, nullptr);
  EXPECT_FALSE(hit->match.has_value());
  EXPECT_FALSE(hit->details.has_value());
  const std::string bytes = bytesOf(answer->response);
  for (const char* leaked : {"SHEVCHENKO", "shevchenko", "Шевченко", "1961"}) {
    EXPECT_EQ(bytes.find(leaked), std::string::npos) << leaked;
  }
}

TEST_F(ScreeningTest, APartnerNeverHitsARecordNotSharedWithIt) {
  auto partner = client(kPartnerBorder)->send(named("Omar Khalid Al-Rashid"), {});
  ASSERT_TRUE(partner.ok()) << partner.error().message;
  EXPECT_EQ(hitFor(partner->response, rashidWatchlistRef_), nullptr);
  auto own = client(kBorderOfficer)->send(named("Omar Khalid Al-Rashid"), {});
  ASSERT_TRUE(own.ok()) << own.error().message;
  EXPECT_NE(hitFor(own->response, rashidWatchlistRef_), nullptr);
}

TEST_F(ScreeningTest, APartnerWithoutAScreeningRuleIsRefused) {
  auto answer = client(kPartnerImmigration)->send(named("Taras Shevchenko"), {});
  ASSERT_TRUE(answer.ok()) << answer.error().message;
  EXPECT_EQ(answer->response.status, ResponseStatus::refused);
  EXPECT_TRUE(answer->response.hits.empty());
}

TEST_F(ScreeningTest, AScreeningByNationalityOrSexAloneIsInvalidAndAudited) {
  const uint64_t before = auditCount();
  ScreenPersonQuery profile;
  profile.person.nationality = "SYR";
  profile.person.sex = Sex::male;
  profile.person.dateOfBirth = PartialDate{1980, 0, 0};
  profile.otherNames = {"-- ‐ .."};  // no letter in it
  auto answer = client(kBorderOfficer)->send(profile, {});
  ASSERT_TRUE(answer.ok()) << answer.error().message;
  EXPECT_EQ(answer->response.status, ResponseStatus::invalid);
  EXPECT_NE(answer->response.reason.find("never nationality or sex alone"), std::string::npos) << answer->response.reason;
  EXPECT_EQ(auditCount(), before + 1);
  EXPECT_EQ(lastAuditEntry().decision, Decision::invalid);
}

TEST_F(ScreeningTest, HealthAndJusticeRecordsAreNeverScreened) {
  for (const char* sentinel : {kHealthSentinel, kJusticeSentinel}) {
    auto answer = client(kBorderOfficer)->send(named(sentinel), {});
    ASSERT_TRUE(answer.ok()) << answer.error().message;
    EXPECT_TRUE(answer->response.hits.empty()) << sentinel;
    EXPECT_EQ(bytesOf(answer->response).find(sentinel), std::string::npos);
  }
}

TEST_F(ScreeningTest, ARecordImportedWhileTheNodeRunsIsFoundAndAPurgedOneNoLonger) {
  store::RecordStore store(target());
  auto person = std::get<WatchlistPerson>(sampleRecord(RecordKind::watchlistPerson, "XA-POLICE"));
  person.person = PersonIdentity{"KOWALCZYK", "Zbigniew", PartialDate{1975, 6, 1}, Sex::male, "POL"};
  const std::string ref = store.insert("XA-POLICE", person).value();
  auto found = [&] {
    auto answer = client(kBorderOfficer)->send(named("Zbigniew Kowalczyk"), {});
    return answer.ok() && hitFor(answer->response, ref) != nullptr;
  };
  // The node follows the change feed by itself (LISTEN/NOTIFY), without being told.
  EXPECT_TRUE(waitUntil(found, std::chrono::seconds(15)));
  {
    auto admin = connectAs(store::DbRole::admin);
    pqxx::work tx(*admin);
    tx.exec_params("DELETE FROM watchlist.persons WHERE ref = $1::uuid", ref);
    tx.commit();
  }
  ASSERT_TRUE(catchUpScreening().ok());
  EXPECT_FALSE(found());
}

TEST_F(ScreeningTest, TheIndexRecoversWhenItsDatabaseSessionsAreCut) {
  {
    auto admin = connectAs(store::DbRole::admin);
    ASSERT_GE(terminateSessions(*admin, "usename = 'liaison_screening'"), 1);
  }
  store::RecordStore store(target());
  auto person = std::get<WatchlistPerson>(sampleRecord(RecordKind::watchlistPerson, "XA-POLICE"));
  person.person = PersonIdentity{"NAKAMURA", "Hiroshi", PartialDate{1969, 0, 0}, Sex::male, "JPN"};
  const std::string ref = store.insert("XA-POLICE", person).value();
  EXPECT_TRUE(waitUntil(
      [&] {
        auto answer = client(kBorderOfficer)->send(named("Hiroshi Nakamura"), {});
        return answer.ok() && hitFor(answer->response, ref) != nullptr;
      },
      std::chrono::seconds(20)));
}

TEST_F(ScreeningTest, AManifestGivesOneResultPerTravellerAndOneAuditEntryNamingItsDigestAndHits) {
  ScreenManifestQuery manifest;
  manifest.travellers.push_back(named("SHEVCHENKO TARAS", PartialDate{1961, 3, 9}, "UKR"));
  manifest.travellers.push_back(named("Ingrid Bergstrom", PartialDate{1990, 1, 1}, "SWE"));
  ScreenPersonQuery carrier = named("Ana Lima", PartialDate{1988, 0, 0}, "BRA");
  carrier.documentNumber = DocumentNumber::parse("L898902C3").value();
  carrier.documentState = "UTO";
  manifest.travellers.push_back(carrier);
  const std::string file = "the manifest file";
  manifest.manifestDigest = crypto::sha256(std::span(reinterpret_cast<const uint8_t*>(file.data()), file.size()));
  const uint64_t before = auditCount();
  auto answer = client(kBorderOfficer)->send(manifest, {});
  ASSERT_TRUE(answer.ok()) << answer.error().message;
  ASSERT_EQ(answer->response.status, ResponseStatus::ok) << answer->response.reason;
  const Hit* notice = hitFor(answer->response, shevchenkoNoticeRef_);
  ASSERT_NE(notice, nullptr);
  EXPECT_EQ(notice->traveller, 0u);
  ASSERT_TRUE(notice->match.has_value());  // a details rule: the score and why ...
  EXPECT_FALSE(notice->details.has_value());  // ... but a manifest's hits carry no records
  const Hit* passport = hitFor(answer->response, stolenPassportRef_);
  ASSERT_NE(passport, nullptr);
  EXPECT_EQ(passport->traveller, 2u);
  for (const Hit& hit : answer->response.hits) EXPECT_NE(hit.traveller, 1u);
  EXPECT_EQ(auditCount(), before + 1);  // one entry for the whole manifest
  const AuditEntry entry = lastAuditEntry();
  EXPECT_EQ(entry.queryKind, QueryKind::screenManifest);
  EXPECT_EQ(entry.travellers, 3u);
  ASSERT_TRUE(entry.manifestDigest.has_value());
  EXPECT_EQ(*entry.manifestDigest, manifest.manifestDigest);
  EXPECT_NE(std::find(entry.recordRefs.begin(), entry.recordRefs.end(), shevchenkoNoticeRef_), entry.recordRefs.end());
  EXPECT_NE(std::find(entry.recordRefs.begin(), entry.recordRefs.end(), stolenPassportRef_), entry.recordRefs.end());
}

TEST_F(ScreeningTest, AProbingOfficerRunsIntoTheScreeningLimitAndEachRefusalIsAudited) {
  stopNode();
  config_.admission.officerScreening = node::RateLimit{1.0 / 3600, 3};
  startNode();
  auto officer = client(kBorderOfficer);
  for (int i = 0; i < 3; ++i) {
    auto answer = officer->send(named("Taras Shevchenk" + std::string(1, static_cast<char>('a' + i))), {});
    ASSERT_TRUE(answer.ok()) << answer.error().message;
    EXPECT_EQ(answer->response.status, ResponseStatus::ok);
  }
  const uint64_t before = auditCount();
  auto refused = officer->send(named("Taras Shevchenkx"), {});
  ASSERT_TRUE(refused.ok()) << refused.error().message;
  EXPECT_EQ(refused->httpStatus, 429u);
  EXPECT_EQ(refused->response.status, ResponseStatus::refused);
  EXPECT_EQ(auditCount(), before + 1);
  const AuditEntry entry = lastAuditEntry();
  EXPECT_EQ(entry.decision, Decision::refused);
  EXPECT_NE(entry.reason.find("screening rate limit"), std::string::npos) << entry.reason;
  // Other queries are not held back by the screening budget.
  CheckDocumentQuery check{DocumentNumber::parse("L898902C3").value(), "UTO", DocumentType::passport};
  auto other = officer->send(check, {});
  ASSERT_TRUE(other.ok()) << other.error().message;
  EXPECT_EQ(other->response.status, ResponseStatus::ok);
}

TEST_F(ScreeningTest, APartnersManifestsHaveABudgetInTravellers) {
  stopNode();
  config_.admission.partnerManifestTravellers = node::RateLimit{1.0 / 3600, 4};
  startNode();
  ScreenManifestQuery manifest;
  for (int i = 0; i < 3; ++i) manifest.travellers.push_back(named("Traveller Number " + std::to_string(i)));
  auto partner = client(kPartnerBorder);
  auto first = partner->send(manifest, {});
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(first->response.status, ResponseStatus::ok) << first->response.reason;
  auto second = partner->send(manifest, {});
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_EQ(second->httpStatus, 429u);
  EXPECT_NE(lastAuditEntry().reason.find("3 travellers"), std::string::npos) << lastAuditEntry().reason;
}

// --- the index shows exactly what row-level security shows ------------------------------------

class ScreeningIndexAgainstRowSecurity : public PgTest {};

// A name no other record is near: three random syllables each for given and family name.
std::string randomName(std::mt19937& random) {
  static const char* kSyllables[] = {"ka", "zu", "mer", "tol", "vin", "dra", "sho", "pel", "qui", "nor",
                                     "bex", "lum", "fra", "gor", "hil", "jax", "wen", "yor", "tsi", "mab"};
  auto word = [&] {
    std::string w;
    for (int i = 0; i < 3; ++i) w += kSyllables[random() % std::size(kSyllables)];
    w[0] = static_cast<char>(w[0] - 'a' + 'A');
    return w;
  };
  return word() + " " + word();
}

TEST_F(ScreeningIndexAgainstRowSecurity, OverRandomRecordsAndMembersTheIndexShowsWhatRowLevelSecurityShows) {
  std::mt19937 random(20261205);
  const std::vector<std::string> members = {"XA-POLICE", "XB-BORDER", "XC-IMMIGRATION", "XD-COAST", "XE-VISA"};
  const std::vector<std::string> groups = {"EU-PARTNERS", "SCHENGEN", "NORDIC"};
  auto setGroups = [&](pqxx::connection& admin) {
    pqxx::work tx(admin);
    tx.exec("DELETE FROM federation.group_members");
    for (const auto& g : groups) {
      for (const auto& m : members) {
        if (random() % 3 == 0) tx.exec_params("INSERT INTO federation.group_members VALUES ($1, $2)", g, m);
      }
    }
    tx.commit();
  };
  auto admin = connectAs(store::DbRole::admin);
  setGroups(*admin);

  struct Seeded {
    std::string ref;
    RecordKind kind;
    std::string name;
  };
  std::vector<Seeded> seeded;
  store::RecordStore store(target());
  auto seed = [&](int count) {
    for (int i = 0; i < count; ++i) {
      const std::string owner = members[random() % members.size()];
      const bool notice = random() % 2 == 0;
      Record record = sampleRecord(notice ? RecordKind::notice : RecordKind::watchlistPerson, owner);
      RecordMeta& meta = metaOf(record);
      meta.ref.clear();
      meta.visibleTo.clear();
      for (const auto& m : members) {
        if (random() % 4 == 0) meta.visibleTo.push_back(m);
      }
      for (const auto& g : groups) {
        if (random() % 4 == 0) meta.visibleTo.push_back(g);
      }
      const std::string name = randomName(random);
      const auto space = name.find(' ');
      PersonIdentity& person = notice ? std::get<Notice>(record).person : std::get<WatchlistPerson>(record).person;
      person.givenNames = name.substr(0, space);
      person.familyName = name.substr(space + 1);
      if (notice) {
        std::get<Notice>(record).aliases.clear();
        std::get<Notice>(record).nameInOriginalScript.clear();
        std::get<Notice>(record).noticeId = "2099/" + std::to_string(seeded.size() + 1000);
      } else {
        std::get<WatchlistPerson>(record).aliases.clear();
      }
      auto ref = store.insert(owner, record);
      ASSERT_TRUE(ref.ok()) << ref.error().message;
      seeded.push_back({*ref, notice ? RecordKind::notice : RecordKind::watchlistPerson, name});
    }
  };
  seed(60);

  std::ostringstream logText;
  node::JsonLog log(logText);
  auto service = node::ScreeningService::start(target(), log);
  ASSERT_TRUE(service.ok()) << service.error().message;

  store::RecordStore enforcement(target(), store::DbRole::enforcement);
  auto check = [&](const char* when) {
    for (const auto& member : members) {
      for (const auto& record : seeded) {
        auto visible = enforcement.get(member, record.kind, record.ref);
        ASSERT_TRUE(visible.ok()) << visible.error().message;
        ScreenPersonQuery q;
        q.otherNames = {record.name};
        const auto hits = (*service)->search(node::personQueryOf(q), member);
        const bool indexed = std::any_of(hits.begin(), hits.end(), [&](const auto& h) { return h.ref == record.ref; });
        EXPECT_EQ(indexed, visible->has_value()) << when << ": " << member << " and " << record.ref << " ("
                                                 << record.name << ")";
      }
    }
  };
  check("after the build");

  // Changes: new records, some purged, group memberships reshuffled; then the same check.
  seed(30);
  {
    pqxx::work tx(*admin);
    for (int i = 0; i < 15; ++i) {
      const size_t victim = random() % seeded.size();
      tx.exec_params("DELETE FROM notices.notices WHERE ref = $1::uuid", seeded[victim].ref);
      tx.exec_params("DELETE FROM watchlist.persons WHERE ref = $1::uuid", seeded[victim].ref);
    }
    tx.commit();
  }
  setGroups(*admin);
  ASSERT_TRUE((*service)->catchUp().ok());
  check("after changes");
}

}  // namespace
}  // namespace liaison::testing
