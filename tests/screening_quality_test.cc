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

#include <algorithm>
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

// A sample of 1,500 name tokens: those of every name of the slice in every script and misspellings
// of them (a letter dropped, doubled, replaced, two swapped).
std::vector<screening::Token> sampleOfTokens(const std::vector<std::vector<LabelledPerson>*>& sets) {
  std::vector<screening::Token> tokens;
  for (const auto* persons : sets) {
    for (const auto& person : *persons) {
      for (const auto& name : person.evidence.names) tokens.insert(tokens.end(), name.tokens.begin(), name.tokens.end());
    }
  }
  for (const char* script : {"arabic", "chinese", "hebrew", "korean", "russian"}) {
    const auto rows = readTransliterations(kFixtures / (std::string("wd_") + script + "_80.tsv"));
    for (size_t i = 0; i < rows.size(); i += 3) {
      for (const auto& written : {rows[i].native, rows[i].latin}) {
        const auto name = screening::normaliseName(written);
        tokens.insert(tokens.end(), name.tokens.begin(), name.tokens.end());
      }
    }
  }
  const size_t written = tokens.size();
  for (size_t i = 0; i < written; i += 4) {
    const std::string& text = tokens[i].text;
    if (text.size() < 4) continue;
    const size_t at = (i / 4) % (text.size() - 1);
    std::string dropped = text, doubled = text, replaced = text, swapped = text;
    dropped.erase(at, 1);
    doubled.insert(at, 1, text[at]);
    replaced[at] = text[at] == 'z' ? 'a' : static_cast<char>(text[at] + 1);
    std::swap(swapped[at], swapped[at + 1]);
    for (const auto& variant : {dropped, doubled, replaced, swapped}) {
      for (const auto& token : screening::normaliseName(variant).tokens) tokens.push_back(token);
    }
  }
  std::vector<screening::Token> sample;
  for (size_t i = 0; i < tokens.size() && sample.size() < 1500; i += std::max<size_t>(1, tokens.size() / 1500)) {
    sample.push_back(tokens[i]);
  }
  return sample;
}

std::vector<screening::SpellingSignature> signaturesOf(const std::vector<screening::Token>& tokens) {
  std::vector<screening::SpellingSignature> signatures;
  for (const auto& token : tokens) signatures.push_back(screening::spellingSignature(token));
  return signatures;
}

// The signature an index uses to skip comparisons rules out only pairs compareSpellings finds no
// match in, and it rules out most unrelated pairs: every pair of the sample, about a million.
TEST_F(ScreeningQuality, ASpellingSignatureRulesOutOnlyTokenPairsThatDoNotMatch) {
  const auto sample = sampleOfTokens({&treated_, &watchlist_, &negatives_});
  const auto signatures = signaturesOf(sample);
  size_t pairs = 0, ruledOut = 0, matches = 0;
  for (size_t a = 0; a < sample.size(); ++a) {
    for (size_t b = 0; b < sample.size(); ++b) {
      ++pairs;
      const bool may = screening::maySpellAlike(signatures[a], signatures[b]);
      const auto similarity = screening::compareSpellings(sample[a], sample[b]);
      if (similarity.similarity > 0) {
        ++matches;
        ASSERT_TRUE(may) << sample[a].text << " / " << sample[b].text << " match ("
                         << screening::matchKindName(similarity.kind) << ") but were ruled out";
      }
      if (!may) ++ruledOut;
    }
  }
  std::printf("%zu pairs of %zu tokens: %zu match, %zu ruled out by their signatures\n", pairs, sample.size(), matches,
              ruledOut);
  EXPECT_GT(matches, sample.size());  // every token matches itself, and variants their originals
  EXPECT_GT(static_cast<double>(ruledOut), 0.8 * static_cast<double>(pairs));
}

// Likewise for the approximate match across scripts: of the pairs of the sample in two scripts that
// do not match by their spelling, the signatures rule out none that matches approximately, neither
// from the fade below the cut (a name of one token) nor from the cut (names of several tokens), and
// most of those that do not.
TEST_F(ScreeningQuality, ASpellingSignatureRulesOutOnlyPairsAcrossScriptsThatDoNotResemble) {
  const auto sample = sampleOfTokens({&treated_, &watchlist_, &negatives_});
  const auto signatures = signaturesOf(sample);
  size_t pairs = 0, ruledOut = 0, resembling = 0;
  for (size_t a = 0; a < sample.size(); ++a) {
    for (size_t b = 0; b < sample.size(); ++b) {
      if (sample[a].script == sample[b].script || screening::compareSpellings(sample[a], sample[b]).similarity > 0) {
        continue;
      }
      ++pairs;
      const double cut = screening::crossScriptCut(sample[a].script, sample[b].script);
      const bool fromFade = screening::mayResemble(signatures[a], signatures[b], cut - screening::kCrossScriptFade);
      const bool fromCut = screening::mayResemble(signatures[a], signatures[b], cut);
      const double similarity = screening::compareTokens(sample[a], sample[b]).similarity;
      if (similarity > 0) {
        ++resembling;
        ASSERT_TRUE(fromFade) << sample[a].text << " / " << sample[b].text << " resemble (" << similarity
                              << ") but were ruled out";
      }
      if (similarity >= screening::kNameMatchThreshold) {
        ASSERT_TRUE(fromCut) << sample[a].text << " / " << sample[b].text << " resemble from the cut (" << similarity
                             << ") but were ruled out";
      }
      if (!fromCut) ++ruledOut;
    }
  }
  std::printf("%zu pairs across scripts not alike in spelling: %zu resemble, %zu ruled out from the cut\n", pairs,
              resembling, ruledOut);
  EXPECT_GT(resembling, 100u);
  EXPECT_GT(static_cast<double>(ruledOut), 0.6 * static_cast<double>(pairs));
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
