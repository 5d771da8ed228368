// The in-memory screening index: finding variants of recorded names, ranking and limits, replacing
// and removing identities, and visibility exactly as row-level security shows records.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "screening/index.h"

namespace liaison::screening {
namespace {

IndexedRecord record(std::string ref, std::vector<std::string> names, std::string owner = "XA-POLICE",
                     std::vector<std::string> visibleTo = {}) {
  IndexedRecord r;
  r.ref = std::move(ref);
  r.kind = IdentityKind::notice;
  r.names = std::move(names);
  r.owner = std::move(owner);
  r.visibleTo = std::move(visibleTo);
  return r;
}

PersonQuery query(std::vector<std::string_view> names, std::string_view dateOfBirth = "") {
  PersonQuery q;
  for (auto name : names) q.names.push_back(normaliseName(name));
  if (!dateOfBirth.empty()) q.dateOfBirth = parsePartialDate(dateOfBirth).value();
  return q;
}

std::vector<std::string> refsOf(const std::vector<ScreeningHit>& hits) {
  std::vector<std::string> refs;
  for (const auto& hit : hits) refs.push_back(hit.ref);
  return refs;
}

// A few hundred unrelated identities around the ones a test cares about.
void addDistractors(ScreeningIndex& index, size_t count) {
  const char* given[] = {"anna", "pedro", "li", "olga", "kwame", "sofia", "yusuf", "ines", "tomas", "mei"};
  const char* family[] = {"garcia", "okafor", "nguyen", "kowalski", "haddad", "tanaka", "silva", "novak",
                          "moreau", "jensen", "rossi", "popescu"};
  for (size_t i = 0; i < count; ++i) {
    index.upsert(record("distractor-" + std::to_string(i),
                        {std::string(given[i % 10]) + " " + family[(i / 10) % 12] + std::to_string(i / 120)}));
  }
}

TEST(ScreeningIndex, FindsMisspelledReorderedAndTransliteratedVariants) {
  ScreeningIndex index;
  addDistractors(index, 300);
  index.upsert(record("shevchenko", {"Taras Shevchenko", "Тарас Шевченко"}));
  index.upsert(record("salek", {"Abdulhai Salek"}));
  for (auto name : {"Taras Shevchenko", "Shevchenko Taras", "Taras Shevchneko", "Тарас Шевченко", "T Shevchenko"}) {
    const auto hits = index.search(query({name}), "XA-POLICE", 10);
    ASSERT_FALSE(hits.empty()) << name;
    EXPECT_EQ(hits[0].ref, "shevchenko") << name;
  }
  EXPECT_EQ(refsOf(index.search(query({"SALEK, ABDULHAY"}), "XA-POLICE", 10)), std::vector<std::string>{"salek"});
  EXPECT_TRUE(index.search(query({"Ivan Petrenko"}), "XA-POLICE", 10).empty());
}

TEST(ScreeningIndex, AHitCarriesItsScoreAndExplanation) {
  ScreeningIndex index;
  IndexedRecord taras = record("shevchenko", {"Тарас Шевченко"});
  taras.dateOfBirth = parsePartialDate("1970-05-12").value();
  taras.nationalities = {"UKR"};
  index.upsert(taras);
  PersonQuery q = query({"Taras Shevchenko"}, "1970");
  q.nationalities = {"UKR"};
  const auto hits = index.search(q, "XA-POLICE", 10);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_GE(hits[0].score.score, kMatchThreshold);
  EXPECT_EQ(hits[0].score.dateOfBirth, DateEvidence::partial);
  EXPECT_NE(hits[0].explanation.text.find("family name SHEVCHENKO ~ ШЕВЧЕНКО (transliteration, 1.00)"),
            std::string::npos)
      << hits[0].explanation.text;
  EXPECT_NE(hits[0].explanation.text.find("nationality UKR agrees"), std::string::npos);
}

TEST(ScreeningIndex, HitsAreRankedBestFirstAndLimited) {
  ScreeningIndex index;
  addDistractors(index, 100);
  index.upsert(record("exact", {"John William Smith"}));
  index.upsert(record("missing-middle", {"John Smith"}));
  index.upsert(record("typo", {"Jon Willaim Smith"}));
  const auto hits = index.search(query({"John William Smith"}), "XA-POLICE", 10);
  ASSERT_EQ(refsOf(hits), (std::vector<std::string>{"exact", "typo", "missing-middle"}));
  EXPECT_GT(hits[0].score.score, hits[1].score.score);
  EXPECT_EQ(refsOf(index.search(query({"John William Smith"}), "XA-POLICE", 2)),
            (std::vector<std::string>{"exact", "typo"}));
  EXPECT_TRUE(index.search(query({"John William Smith"}), "XA-POLICE", 0).empty());
}

TEST(ScreeningIndex, AnAgreeingDateOfBirthRanksAboveADifferentOne) {
  ScreeningIndex index;
  IndexedRecord older = record("older", {"Maria Ivanova"});
  older.dateOfBirth = parsePartialDate("1950-01-01").value();
  IndexedRecord younger = record("younger", {"Maria Ivanova"});
  younger.dateOfBirth = parsePartialDate("1990-03-04").value();
  index.upsert(older);
  index.upsert(younger);
  const auto hits = index.search(query({"Maria Ivanova"}, "1990"), "XA-POLICE", 10);
  ASSERT_EQ(refsOf(hits), (std::vector<std::string>{"younger", "older"}));
  EXPECT_EQ(hits[1].score.dateOfBirth, DateEvidence::mismatch);
  EXPECT_LT(hits[1].score.score, hits[0].score.score);
  // Equal evidence: ties are ordered by reference.
  EXPECT_EQ(refsOf(index.search(query({"Maria Ivanova"}), "XA-POLICE", 10)),
            (std::vector<std::string>{"older", "younger"}));
  // A different date of birth and a slightly different name: no hit.
  EXPECT_EQ(refsOf(index.search(query({"Maria Ivanovna"}, "1990"), "XA-POLICE", 10)),
            (std::vector<std::string>{"younger"}));
}

TEST(ScreeningIndex, UpsertReplacesTheIdentityWithTheSameRef) {
  ScreeningIndex index;
  index.upsert(record("r1", {"Taras Shevchenko"}));
  index.upsert(record("r1", {"Lesya Ukrainka"}));
  EXPECT_EQ(index.size(), 1u);
  EXPECT_TRUE(index.search(query({"Taras Shevchenko"}), "XA-POLICE", 10).empty());
  EXPECT_EQ(refsOf(index.search(query({"Lesya Ukrainka"}), "XA-POLICE", 10)), std::vector<std::string>{"r1"});
}

TEST(ScreeningIndex, RemoveForgetsTheIdentity) {
  ScreeningIndex index;
  index.upsert(record("r1", {"Taras Shevchenko"}));
  index.upsert(record("r2", {"Taras Shevchenko"}));
  EXPECT_TRUE(index.remove("r1"));
  EXPECT_FALSE(index.remove("r1"));
  EXPECT_FALSE(index.remove("never-there"));
  EXPECT_EQ(index.size(), 1u);
  EXPECT_EQ(refsOf(index.search(query({"Taras Shevchenko"}), "XA-POLICE", 10)), std::vector<std::string>{"r2"});
  EXPECT_TRUE(index.remove("r2"));
  EXPECT_TRUE(index.search(query({"Taras Shevchenko"}), "XA-POLICE", 10).empty());
  // Slots and tokens freed by a removal are reused correctly.
  index.upsert(record("r3", {"Taras Shevchenko"}));
  EXPECT_EQ(refsOf(index.search(query({"Taras Shevchenko"}), "XA-POLICE", 10)), std::vector<std::string>{"r3"});
}

TEST(ScreeningIndex, AnIdentityWithManyAliasesIsFoundByEachAndSurvivesReplacementAndRemoval) {
  // Eight names of three tokens: more token ids than an identity holds inline, so its names live on
  // the heap; replaced by a short record and back, removed, and its slot reused by a long one.
  const std::vector<std::string> aliases = {
      "Taras Hryhorovych Shevchenko", "Тарас Григорович Шевченко", "Kobzar Taras Sevcenko",
      "Shevchenko Taras Hryhorovych", "Taras H Shevtchenko",        "Tarass Grigorjevitsch Schewtschenko",
      "Tarasi Hryhori Szewczenko",    "Taras Gryhorovich Chevtchenko"};
  ScreeningIndex index;
  addDistractors(index, 300);
  index.upsert(record("many", aliases));
  for (const auto& alias : aliases) {
    EXPECT_EQ(refsOf(index.search(query({alias}), "XA-POLICE", 10)).front(), "many") << alias;
  }
  index.upsert(record("many", {"Lesya Ukrainka"}));
  EXPECT_TRUE(index.search(query({"Tarass Grigorjevitsch Schewtschenko"}), "XA-POLICE", 10).empty());
  EXPECT_EQ(refsOf(index.search(query({"Lesya Ukrainka"}), "XA-POLICE", 10)), std::vector<std::string>{"many"});
  index.upsert(record("many", aliases));
  EXPECT_EQ(refsOf(index.search(query({"Szewczenko Tarasi Hryhori"}), "XA-POLICE", 10)).front(), "many");
  EXPECT_TRUE(index.remove("many"));
  EXPECT_TRUE(index.search(query({"Taras Hryhorovych Shevchenko"}), "XA-POLICE", 10).empty());
  index.upsert(record("again", aliases));
  EXPECT_EQ(refsOf(index.search(query({"Kobzar Taras Sevcenko"}), "XA-POLICE", 10)),
            std::vector<std::string>{"again"});
}

TEST(ScreeningIndexVisibility, TheOwnerAListedMemberAndAListedGroupSeeARecord) {
  ScreeningIndex index;
  index.upsert(record("r1", {"Taras Shevchenko"}, "XA-POLICE", {"XB-BORDER", "schengen"}));
  index.setGroups({{"XC-CUSTOMS", {"schengen"}}, {"XD-POLICE", {"nordic"}}});
  const auto q = query({"Taras Shevchenko"});
  EXPECT_EQ(index.search(q, "XA-POLICE", 10).size(), 1u);
  EXPECT_EQ(index.search(q, "XB-BORDER", 10).size(), 1u);
  EXPECT_EQ(index.search(q, "XC-CUSTOMS", 10).size(), 1u);
  EXPECT_TRUE(index.search(q, "XD-POLICE", 10).empty());
  EXPECT_TRUE(index.search(q, "XE-UNKNOWN", 10).empty());
  // A group's name is not a member: acting as "schengen" shows nothing the group was not given as owner.
  index.upsert(record("r2", {"Taras Shevchenko"}, "XD-POLICE"));
  EXPECT_EQ(refsOf(index.search(q, "schengen", 10)), std::vector<std::string>{"r1"});
}

TEST(ScreeningIndexVisibility, AGroupMembershipChangeTakesEffectAtOnce) {
  ScreeningIndex index;
  index.upsert(record("r1", {"Taras Shevchenko"}, "XA-POLICE", {"schengen"}));
  const auto q = query({"Taras Shevchenko"});
  EXPECT_TRUE(index.search(q, "XC-CUSTOMS", 10).empty());
  index.setGroups({{"XC-CUSTOMS", {"schengen"}}});
  EXPECT_EQ(index.search(q, "XC-CUSTOMS", 10).size(), 1u);
  index.setGroups({});
  EXPECT_TRUE(index.search(q, "XC-CUSTOMS", 10).empty());
}

TEST(ScreeningIndexVisibility, InvisibleIdentitiesNeitherScoreNorTakeAPlaceInTheLimit) {
  ScreeningIndex index;
  // Better hits the requester may not see must not push its visible hit out of the limit.
  for (int i = 0; i < 5; ++i) index.upsert(record("hidden-" + std::to_string(i), {"John William Smith"}, "XB-BORDER"));
  index.upsert(record("visible", {"Jon William Smith"}, "XA-POLICE"));
  EXPECT_EQ(refsOf(index.search(query({"John William Smith"}), "XA-POLICE", 1)), std::vector<std::string>{"visible"});
  EXPECT_EQ(index.search(query({"John William Smith"}), "XB-BORDER", 100).size(), 6u - 1u);
}

TEST(ScreeningIndex, ACommonTokenAloneDoesNotFloodTheCandidatesButARareOneIsNeverLost) {
  ScreeningIndex index;
  for (int i = 0; i < 6000; ++i) {
    index.upsert(record("common-" + std::to_string(i), {"Mohammed Person" + std::to_string(i)}));
  }
  index.upsert(record("rare", {"Mohammed Zawahiri"}));
  index.upsert(record("both-common", {"Mohammed Ali"}));
  for (int i = 0; i < 6000; ++i) index.upsert(record("ali-" + std::to_string(i), {"Ali Other" + std::to_string(i)}));
  EXPECT_EQ(refsOf(index.search(query({"Muhammad Zawahiri"}), "XA-POLICE", 10)), std::vector<std::string>{"rare"});
  EXPECT_EQ(refsOf(index.search(query({"Mohamed Ali"}), "XA-POLICE", 10)), std::vector<std::string>{"both-common"});
}

// The index compares each distinct token pair once per search and hands compareNames the
// similarities: every hit must score, and be explained, exactly as scoring that person alone does.
TEST(ScreeningIndex, EveryHitScoresExactlyAsScoringThePersonAlone) {
  const char* given[] = {"Muhammad", "Mohammed", "Abdul", "Ali", "J", "Ivan", "Иван", "Тарас", "Taras", "Yusuf"};
  const char* family[] = {"Rahman", "Abdulrahman", "Ivanov", "Иванов", "Shevchenko", "Шевченко", "Sevcenko",
                          "Al-Rashid", "Alrashid", "Hassan", "Hasan"};
  const char* dates[] = {"1970-05-12", "1970", "1971-05-12", "1980-02-03", ""};
  std::vector<IndexedRecord> records;
  for (size_t i = 0; i < 330; ++i) {
    IndexedRecord r = record("r" + std::to_string(i), {std::string(given[i % 10]) + " " + family[(i / 10) % 11]});
    if (i % 3 == 0) r.names.push_back(std::string(family[i % 11]) + " " + given[(i / 11) % 10] + " " + given[i % 7]);
    if (i % 4 == 0) r.names.push_back(std::string(given[(i + 3) % 10]) + "-" + given[(i + 5) % 10] + " " + family[i % 11]);
    if (!std::string(dates[i % 5]).empty()) r.dateOfBirth = parsePartialDate(dates[i % 5]).value();
    r.sex = i % 2 == 0 ? Sex::male : Sex::unspecified;
    if (i % 5 == 0) r.nationalities = {"UKR"};
    records.push_back(std::move(r));
  }
  ScreeningIndex index;
  for (const auto& r : records) index.upsert(r);
  // Token ids freed and taken again between searches: a search never uses another search's comparisons.
  for (size_t i = 0; i < 40; ++i) index.remove(records[i].ref);
  for (size_t i = 0; i < 40; ++i) index.upsert(records[i]);

  auto recordOf = [&records](const std::string& ref) {
    return personRecordOf(
        *std::find_if(records.begin(), records.end(), [&ref](const IndexedRecord& x) { return x.ref == ref; }));
  };
  size_t checked = 0;
  for (auto names : std::vector<std::vector<std::string_view>>{{"Mohamed Abdul Rahman", "Абдул Рахман"},
                                                               {"Ivan Ivanov"},
                                                               {"Shevchenko Taras", "T Sevcenko"},
                                                               {"Ali Alrashid", "Ali al Rashid Hassan"},
                                                               {"Yusuf Hasan"}}) {
    for (const char* date : {"1970", "1970-05-12", ""}) {
      PersonQuery q = query(names, date);
      q.sex = Sex::male;
      q.nationalities = {"UKR"};
      const auto hits = index.search(q, "XA-POLICE", kMaxSearchLimit, 0.5);
      EXPECT_FALSE(hits.empty()) << names[0];
      for (const auto& hit : hits) {
        const PersonRecord person = recordOf(hit.ref);
        const PersonScore alone = scorePerson(q, person);
        EXPECT_EQ(hit.score.score, alone.score) << names[0] << " ~ " << hit.ref;
        EXPECT_EQ(hit.score.nameScore, alone.nameScore) << names[0] << " ~ " << hit.ref;
        // The name pair that scored (of equally scoring pairs the index may name another one).
        ASSERT_LT(hit.score.queryName, q.names.size());
        ASSERT_LT(hit.score.recordName, person.names.size());
        const PersonScore pair = combineEvidence(
            compareNames(q.names[hit.score.queryName], person.names[hit.score.recordName]), hit.score.queryName,
            hit.score.recordName, alone.dateOfBirth, alone.sex, alone.nationality);
        EXPECT_EQ(pair.score, alone.score) << names[0] << " ~ " << hit.ref;
        EXPECT_EQ(hit.explanation.text, explain(pair, q, person)) << names[0] << " ~ " << hit.ref;
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 300u);
}

// Pairs across scripts that the matcher scores at the threshold only approximately (no token shares
// a key or its text with its match), from the screening benchmark's misses: the index must propose
// them, from a Latin query to a record in its native script and the reverse.
TEST(ScreeningIndex, FindsNamesThatMatchOnlyApproximatelyAcrossScripts) {
  const std::vector<std::pair<std::string, std::string>> pairs = {
      {"Schwimmer Reginald", "레지널드 슈위머"},         // Hangul
      {"Elon Henkys", "亨奇斯 埃隆"},                    // Han
      {"Phylarchus Alicia", "أليسيا فيلارخوس"},         // Arabic
      {"Prinicp Protić", "פרינציפ פרוטיץ'"},            // Hebrew
      {"Hezekiah Belpaie", "хизкиягу бельпер"},        // Cyrillic
      {"诺艾尔 布里斯坦", "Noelle Brillstein"},          // Han query, Latin record
  };
  const PartialDate born = parsePartialDate("1970-05-12").value();
  ScreeningIndex index;
  addDistractors(index, 300);
  for (size_t i = 0; i < pairs.size(); ++i) {
    IndexedRecord listed = record("listed-" + std::to_string(i), {pairs[i].second});
    listed.dateOfBirth = born;
    index.upsert(listed);
  }
  for (size_t i = 0; i < pairs.size(); ++i) {
    const auto& [queried, listed] = pairs[i];
    PersonRecord person;
    person.names.push_back(normaliseName(listed));
    person.dateOfBirth = born;
    const PersonQuery q = query({queried}, "1970-05-12");
    ASSERT_GE(scorePerson(q, person).score, kMatchThreshold) << queried << " ~ " << listed;
    EXPECT_EQ(refsOf(index.search(q, "XA-POLICE", 10)), std::vector<std::string>{"listed-" + std::to_string(i)})
        << queried << " ~ " << listed;
  }
}

// One token shares a key, but that key is common (on more identities than a rare list holds), and
// the other token matches only approximately across scripts: still a candidate.
TEST(ScreeningIndex, FindsAnApproximateMatchAcrossScriptsBesideACommonToken) {
  ScreeningIndex index;
  for (int i = 0; i < 400; ++i) index.upsert(record("kassel-" + std::to_string(i), {"Kassel Other" + std::to_string(i)}));
  index.upsert(record("listed", {"ליפפא קאשל"}));
  PersonRecord person;
  person.names.push_back(normaliseName("ליפפא קאשל"));
  ASSERT_GE(scorePerson(query({"Caiseal Lippe"}), person).score, kMatchThreshold);
  EXPECT_EQ(refsOf(index.search(query({"Caiseal Lippe"}), "XA-POLICE", 10)), std::vector<std::string>{"listed"});
  // Removing the record removes its keys across scripts too.
  EXPECT_TRUE(index.remove("listed"));
  EXPECT_TRUE(index.search(query({"Caiseal Lippe"}), "XA-POLICE", 10).empty());
}

TEST(ScreeningIndex, OnlyTheFirstNamesOfAQueryAreSearched) {
  ScreeningIndex index;
  index.upsert(record("r1", {"Taras Shevchenko"}));
  PersonQuery many;
  for (size_t i = 0; i < kMaxQueryNames; ++i) many.names.push_back(normaliseName("Nobody Known" + std::to_string(i)));
  many.names.push_back(normaliseName("Taras Shevchenko"));
  EXPECT_TRUE(index.search(many, "XA-POLICE", 10).empty());
  many.names.erase(many.names.begin());
  EXPECT_EQ(refsOf(index.search(many, "XA-POLICE", 10)), std::vector<std::string>{"r1"});
}

TEST(ScreeningIndex, MemoryIsCountedAndStaysSmallPerIdentity) {
  ScreeningIndex index;
  const size_t empty = index.memoryBytes();
  addDistractors(index, 2000);
  const size_t full = index.memoryBytes();
  EXPECT_GT(full, empty + 2000 * 64);   // at least the identities' own structs and postings
  EXPECT_LT(full - empty, 2000 * 1024);  // the goal: at most 1 KB per identity
  for (int i = 0; i < 2000; ++i) EXPECT_TRUE(index.remove("distractor-" + std::to_string(i)));
  EXPECT_EQ(index.size(), 0u);
}

TEST(ScreeningIndex, SearchesRunConcurrentlyWithAWriter) {
  ScreeningIndex index;
  addDistractors(index, 200);
  index.upsert(record("stable", {"Taras Shevchenko"}));
  std::atomic<bool> wrong{false};
  std::thread writer([&index] {
    for (int i = 0; i < 300; ++i) {
      index.upsert(record("moving", {i % 2 == 0 ? "Taras Shevchenko" : "Lesya Ukrainka"}));
      if (i % 3 == 0) index.remove("moving");
    }
  });
  std::thread reader([&index, &wrong] {
    for (int i = 0; i < 300; ++i) {
      const auto hits = index.search(query({"Taras Shevchenko"}), "XA-POLICE", 10);
      const auto refs = refsOf(hits);
      if (refs.empty() || refs.size() > 2 || std::find(refs.begin(), refs.end(), "stable") == refs.end()) wrong = true;
    }
  });
  writer.join();
  reader.join();
  EXPECT_FALSE(wrong);
}

}  // namespace
}  // namespace liaison::screening
