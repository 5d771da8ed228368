// Quality floors of screening on a fixed slice of the shared evaluation sets
// (tests/fixtures/screening/README.md): deterministic, not timed. A change to the normaliser or the
// matcher that loses recall or precision below these floors fails here; bench/screening_quality.cc
// measures the full sets. The floors sit a little under what this slice measured when they were set
// (README.md, "Screening quality"). On this slice (rows Wikidata has at least twice) every script but
// Chinese (recall 0.947) meets the goal, recall 0.95 at precision 0.90; on the full sets
// Chinese and Korean do not yet. The
// transliteration precision floors are the goal's, not the 0.97-0.98 of before: the graded similarity
// across scripts (screening/match.h, crossScriptSimilarity) deliberately trades precision there for
// recall (0.37-0.84 before).
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "bench/screening_eval.h"
#include "screening/match.h"

namespace liaison::bench::quality {
namespace {

const std::filesystem::path kFixtures =
    std::filesystem::path(LIAISON_SOURCE_DIR) / "tests/fixtures/screening";

struct Floor {
  double precision;
  double recall;
};

void expectAtLeast(const Point& measured, Floor floor, const std::string& what) {
  EXPECT_GE(measured.precision, floor.precision) << what << ": precision " << measured.precision;
  EXPECT_GE(measured.recall, floor.recall) << what << ": recall " << measured.recall;
  std::printf("%s: precision %.4f recall %.4f (TP %llu FP %llu FN %llu)\n", what.c_str(), measured.precision,
              measured.recall, static_cast<unsigned long long>(measured.truePositives),
              static_cast<unsigned long long>(measured.falsePositives),
              static_cast<unsigned long long>(measured.falseNegatives));
}

class ScreeningQuality : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    treated_ = readPersons(kFixtures / "positives_un_treated.csv");
    watchlist_ = readPersons(kFixtures / "positives_un_untreated.csv");
    negatives_ = readPersons(kFixtures / "negatives_global.csv");
  }
  static std::vector<LabelledPerson> treated_;
  static std::vector<LabelledPerson> watchlist_;
  static std::vector<LabelledPerson> negatives_;
};
std::vector<LabelledPerson> ScreeningQuality::treated_;
std::vector<LabelledPerson> ScreeningQuality::watchlist_;
std::vector<LabelledPerson> ScreeningQuality::negatives_;

TEST_F(ScreeningQuality, TheSliceIsTheOneTheFloorsWereSetOn) {
  EXPECT_EQ(treated_.size(), 200u);
  EXPECT_EQ(watchlist_.size(), 200u);
  EXPECT_EQ(negatives_.size(), 2000u);
}

TEST_F(ScreeningQuality, AlteredUnNamesFindTheirPersonByNameAlone) {
  const Counts counts = scoreScreening(treated_, negatives_, watchlist_, false, 2);
  expectAtLeast(counts.at(screening::kNameMatchThreshold), {0.95, 0.99}, "screening, name only");
}

TEST_F(ScreeningQuality, DateOfBirthAndNationalityRaisePrecision) {
  const Counts names = scoreScreening(treated_, negatives_, watchlist_, false, 2);
  const Counts persons = scoreScreening(treated_, negatives_, watchlist_, true, 2);
  const Point person = persons.at(screening::kMatchThreshold);
  expectAtLeast(person, {0.97, 0.99}, "screening, name + date of birth + nationality");
  EXPECT_GT(person.precision, names.at(screening::kMatchThreshold).precision);
}

// Native-script names against their Latin forms, and as many negatives.
void expectTransliterationFloor(const std::string& script, Floor floor) {
  const auto rows = readTransliterations(kFixtures / ("wd_" + script + "_80.tsv"));
  ASSERT_EQ(rows.size(), 300u) << script;
  const Counts counts = scorePairs(transliterationPairs(rows, 20261205));
  // Names alone: judged at the names threshold, as `liaison screen compare` and a screening without
  // date of birth or nationality judge them.
  expectAtLeast(counts.at(screening::kNameMatchThreshold), floor, "transliteration " + script);
}

TEST(TransliterationQuality, ArabicScriptNamesMatchTheirLatinForms) {
  expectTransliterationFloor("arabic", {0.96, 0.96});
}
TEST(TransliterationQuality, ChineseNamesMatchTheirLatinForms) {
  expectTransliterationFloor("chinese", {0.91, 0.94});
}
TEST(TransliterationQuality, HebrewNamesMatchTheirLatinForms) {
  expectTransliterationFloor("hebrew", {0.96, 0.95});
}
TEST(TransliterationQuality, KoreanNamesMatchTheirLatinForms) {
  expectTransliterationFloor("korean", {0.90, 0.96});
}
TEST(TransliterationQuality, RussianNamesMatchTheirLatinForms) {
  expectTransliterationFloor("russian", {0.99, 0.98});
}

}  // namespace
}  // namespace liaison::bench::quality
