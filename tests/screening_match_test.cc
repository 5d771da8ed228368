// Matching two names and two persons: token similarity, order-independent alignment, the evidence
// of date of birth, sex and nationality, the threshold and the explanation an analyst reads.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <random>
#include <string>

#include <string_view>
#include <utility>
#include <vector>

#include "screening/match.h"

namespace liaison::screening {
namespace {

Token token(std::string text, std::vector<std::string> keys = {}) {
  Token t;
  t.original = text;
  t.text = std::move(text);
  t.script = Script::latin;
  t.initial = t.text.size() == 1;
  t.keys = std::move(keys);
  return t;
}

double nameScore(std::string_view a, std::string_view b) {
  return compareNames(normaliseName(a), normaliseName(b)).score;
}

PartialDate date(std::string_view text) { return parsePartialDate(text).value(); }

PersonEvidence person(std::vector<std::string_view> names, std::string_view dateOfBirth = "",
                      std::vector<std::string> nationalities = {}, Sex sex = Sex::unspecified) {
  PersonEvidence evidence;
  for (auto name : names) evidence.names.push_back(normaliseName(name));
  if (!dateOfBirth.empty()) evidence.dateOfBirth = date(dateOfBirth);
  evidence.nationalities = std::move(nationalities);
  evidence.sex = sex;
  return evidence;
}

TEST(TokenSimilarity, EqualTextsAreExact) {
  const auto similarity = compareTokens(token("shevchenko"), token("shevchenko"));
  EXPECT_EQ(similarity.kind, MatchKind::exact);
  EXPECT_DOUBLE_EQ(similarity.similarity, 1.0);
}

TEST(TokenSimilarity, ATypoIsAnEditMatchBelowExact) {
  const auto similarity = compareTokens(token("shevchenko"), token("shevchneko"));
  EXPECT_EQ(similarity.kind, MatchKind::edit);
  EXPECT_GE(similarity.similarity, kMinTokenSimilarity);
  EXPECT_LT(similarity.similarity, 1.0);
}

TEST(TokenSimilarity, ASharedPhoneticKeyMatchesSpellingsFarApart) {
  const auto similarity = compareTokens(token("mohammed", {"mhmd"}), token("muhamad", {"mhmd"}));
  EXPECT_EQ(similarity.kind, MatchKind::phonetic);
  EXPECT_GE(similarity.similarity, 0.85);
  EXPECT_EQ(compareTokens(token("mohammed", {"mhmd"}), token("muhamad", {"mhmt"})).kind, MatchKind::edit);
}

TEST(TokenSimilarity, AnInitialMatchesATokenWithThatLetterOnly) {
  EXPECT_EQ(compareTokens(token("j"), token("john")).kind, MatchKind::initial);
  EXPECT_GT(compareTokens(token("j"), token("john")).similarity, 0);
  EXPECT_EQ(compareTokens(token("k"), token("john")).similarity, 0);
}

TEST(TokenSimilarity, UnrelatedTokensDoNotMatch) {
  EXPECT_EQ(compareTokens(token("ivanov"), token("petrenko")).similarity, 0);
  // A prefix is not the name: Ivan is not Ivanov.
  EXPECT_EQ(compareTokens(token("ivan"), token("ivanov")).similarity, 0);
}

TEST(TokenSimilarity, AResemblanceAcrossScriptsIsGradedAndMonotone) {
  for (const Script script : {Script::cyrillic, Script::arabic, Script::hebrew, Script::han, Script::hangul}) {
    const double cut = crossScriptCut(script, Script::latin);
    EXPECT_EQ(cut, crossScriptCut(Script::latin, script));
    EXPECT_EQ(crossScriptSimilarity(cut - kCrossScriptFade - 0.01, cut), 0) << scriptName(script);
    EXPECT_DOUBLE_EQ(crossScriptSimilarity(cut - kCrossScriptFade, cut), kApproximateFloor) << scriptName(script);
    EXPECT_DOUBLE_EQ(crossScriptSimilarity(cut, cut), kNameMatchThreshold) << scriptName(script);
    EXPECT_DOUBLE_EQ(crossScriptSimilarity(1, cut), 1) << scriptName(script);
    double previous = 0;
    for (int step = 0; step <= 1000; ++step) {
      const double similarity = crossScriptSimilarity(step / 1000.0, cut);
      EXPECT_GE(similarity, previous) << scriptName(script) << " at " << step / 1000.0;
      EXPECT_LE(similarity, 1.0);
      previous = similarity;
    }
  }
  // Where romanisation is reliable a resemblance must be closer than where it is a guess.
  EXPECT_GT(crossScriptCut(Script::cyrillic, Script::latin), crossScriptCut(Script::han, Script::latin));
  EXPECT_EQ(crossScriptCut(Script::cyrillic, Script::han), crossScriptCut(Script::cyrillic, Script::latin));
}

TEST(TokenSimilarity, OnlyTokensInDifferentScriptsMatchApproximately) {
  // 克伯 is Kerber as Chinese writes it by ear ("kebo"): a resemblance, not a spelling.
  Token chinese = normaliseName("克伯").tokens.at(0);
  const auto across = compareTokens(chinese, normaliseName("Kerber").tokens.at(0));
  EXPECT_EQ(across.kind, MatchKind::approximate);
  EXPECT_GT(across.similarity, 0);
  // The same two spellings both in Latin are different names.
  EXPECT_EQ(compareTokens(token("kebo"), token("kerber")).similarity, 0);
}

TEST(TokenSimilarity, JaroWinklerIsTheTextbookValue) {
  EXPECT_NEAR(jaroWinkler("martha", "marhta"), 0.961, 0.001);
  EXPECT_NEAR(jaroWinkler("dwayne", "duane"), 0.840, 0.001);
  EXPECT_DOUBLE_EQ(jaroWinkler("", "abc"), 0);
}

// The textbook dynamic programmes, cell by cell, against which the bit-parallel measures are checked.
size_t damerauByTable(std::string_view a, std::string_view b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.size()][b.size()];
}

double jaroWinklerByScan(std::string_view a, std::string_view b) {
  if (a.empty() || b.empty()) return 0;
  if (a == b) return 1;
  const size_t longer = std::max(a.size(), b.size());
  const size_t window = longer / 2 == 0 ? 0 : longer / 2 - 1;
  std::vector<bool> aMatched(a.size()), bMatched(b.size());
  double matches = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    for (size_t j = i > window ? i - window : 0; j < std::min(b.size(), i + window + 1); ++j) {
      if (bMatched[j] || a[i] != b[j]) continue;
      aMatched[i] = bMatched[j] = true;
      ++matches;
      break;
    }
  }
  if (matches == 0) return 0;
  double transpositions = 0;
  for (size_t i = 0, j = 0; i < a.size(); ++i) {
    if (!aMatched[i]) continue;
    while (!bMatched[j]) ++j;
    if (a[i] != b[j++]) ++transpositions;
  }
  const double jaro = (matches / a.size() + matches / b.size() + (matches - transpositions / 2) / matches) / 3;
  size_t prefix = 0;
  while (prefix < 4 && prefix < a.size() && prefix < b.size() && a[prefix] == b[prefix]) ++prefix;
  return jaro + prefix * 0.1 * (1 - jaro);
}

TEST(TokenSimilarity, TheBitParallelMeasuresEqualTheTextbookTablesOnRandomSpellings) {
  // Few letters, so that transpositions, repeats and shared letters are common; lengths to 48 (the
  // compared length) and a few beyond it, where only the first 48 characters count.
  std::mt19937 random(20261205);
  auto spelling = [&random](size_t maxLength) {
    static constexpr std::string_view kLetters = "aabeinrs-9";
    std::string text(std::uniform_int_distribution<size_t>(0, maxLength)(random), 'a');
    for (char& c : text) c = kLetters[std::uniform_int_distribution<size_t>(0, kLetters.size() - 1)(random)];
    return text;
  };
  for (int n = 0; n < 20'000; ++n) {
    const size_t maxLength = n % 50 == 0 ? 60 : n % 5 == 0 ? 48 : 9;
    const std::string a = spelling(maxLength);
    std::string b = n % 3 == 0 ? a : spelling(maxLength);
    if (n % 3 == 0 && b.size() > 2) std::swap(b[n % (b.size() - 1)], b[n % (b.size() - 1) + 1]);
    const std::string_view aCompared = std::string_view(a).substr(0, 48);
    const std::string_view bCompared = std::string_view(b).substr(0, 48);
    ASSERT_EQ(damerauDistance(a, b), damerauByTable(aCompared, bCompared)) << a << " / " << b;
    ASSERT_DOUBLE_EQ(jaroWinkler(a, b), jaroWinklerByScan(aCompared, bCompared)) << a << " / " << b;
  }
  EXPECT_EQ(damerauDistance("ca", "abc"), 3u);  // optimal string alignment, not unrestricted (2)
  EXPECT_EQ(damerauDistance("shevchenko", "shevhcenko"), 1u);
  EXPECT_EQ(damerauDistance("", "abc"), 3u);
}

TEST(NameComparison, OrderOfTokensDoesNotMatter) {
  EXPECT_DOUBLE_EQ(nameScore("Taras Shevchenko", "Shevchenko Taras"), 1.0);
  EXPECT_DOUBLE_EQ(nameScore("Taras Hryhorovych Shevchenko", "Shevchenko, Taras Hryhorovych"), 1.0);
}

TEST(NameComparison, TheAlignmentIsOptimalNotGreedy) {
  // Greedy would pair "maria" with "marian" first and leave "mariana" facing "anna".
  const Name query{{token("marian"), token("anna")}, Script::latin, {}};
  const Name record{{token("maria"), token("mariana"), token("anna")}, Script::latin, {}};
  const auto comparison = compareNames(query, record);
  ASSERT_EQ(comparison.matches.size(), 2u);
  EXPECT_EQ(comparison.unmatchedQuery.size(), 0u);
  EXPECT_EQ(comparison.unmatchedRecord.size(), 1u);
}

TEST(NameComparison, AnInitialMatchesTheGivenName) {
  EXPECT_GE(nameScore("J Smith", "John Smith"), kMatchThreshold);
  EXPECT_LT(nameScore("J Smith", "John Smith"), 1.0);
  // Initials alone never make a match.
  EXPECT_LT(nameScore("J S", "John Smith"), kMatchThreshold);
}

TEST(NameComparison, TyposStillMatch) {
  EXPECT_GE(nameScore("Tharwat Salah Shihata", "Tharwat Salah Shihatta"), kMatchThreshold);
  EXPECT_GE(nameScore("Abdulhai Salek", "Salek Abdulhay"), kMatchThreshold);
}

TEST(NameComparison, AMissingMiddleNameCostsLessThanADifferentFamilyName) {
  const double missingMiddle = nameScore("John Smith", "John William Smith");
  const double differentFamily = nameScore("John Smith", "John Brown");
  EXPECT_GE(missingMiddle, kMatchThreshold);
  EXPECT_LT(differentFamily, kMatchThreshold);
  EXPECT_GT(missingMiddle, differentFamily);
}

TEST(NameComparison, OneSharedTokenOfALongerNameIsNoMatch) {
  EXPECT_LT(nameScore("Smith", "John Smith"), kMatchThreshold);
  EXPECT_LT(nameScore("Mohammed Ali", "Mohammed Hassan"), kMatchThreshold);
}

TEST(NameComparison, JoinedTokensMatchTheirParts) {
  const auto comparison = compareNames(normaliseName("Abdul Rahman Yasin"), normaliseName("Abdulrahman Yasin"));
  EXPECT_GE(comparison.score, kMatchThreshold);
  ASSERT_EQ(comparison.matches.size(), 2u);
  EXPECT_EQ(comparison.matches[0].kind, MatchKind::joined);
  EXPECT_EQ(comparison.matches[0].querySpan, 2);
  EXPECT_TRUE(comparison.unmatchedQuery.empty());
}

TEST(NameComparison, ParticlesAndHonorificsDoNotCountAgainstAName) {
  EXPECT_GE(nameScore("Osama bin Laden", "Osama Laden"), kMatchThreshold);
  EXPECT_GE(nameScore("Ludwig van Beethoven", "Ludwig Beethoven"), kMatchThreshold);
}

TEST(NameComparison, NamesInOtherScriptsMatchTheirLatinForms) {
  EXPECT_GE(nameScore("Тарас Шевченко", "Taras Shevchenko"), kMatchThreshold);
  EXPECT_GE(nameScore("محمد عبدالله", "Mohammed Abdullah"), kMatchThreshold);
  EXPECT_LT(nameScore("Тарас Шевченко", "Taras Petrenko"), kMatchThreshold);
}

// Foreign names written by ear in Chinese, Korean, Hebrew and Arabic script keep too little of the
// Latin spelling for any one romanisation (../shared/data/transliteration); judged alone, at the
// threshold for names, they match on the graded resemblance of their spellings and phonetic keys.
TEST(NameComparison, ForeignNamesWrittenByEarInOtherScriptsMatchTheirLatinForms) {
  const std::pair<std::string_view, std::string_view> pairs[] = {
      {"克伯", "Kerber"}, {"哈桑", "Hassan"}, {"포레스트", "Forest"}, {"שלג", "Schlag"}, {"شلاج", "Schlag"},
      // Characters the tables for foreign names use for sounds their Mandarin reading hides.
      {"基思", "Keith"}, {"希斯", "Heath"}, {"金柏莉", "Kimberly"}};
  for (const auto& [native, latin] : pairs) {
    EXPECT_GE(nameScore(native, latin), kNameMatchThreshold) << native << " ~ " << latin;
  }
  const Name query = normaliseName("克伯");
  const Name record = normaliseName("Kerber");
  const std::string text = explain(compareNames(query, record), query, record);
  EXPECT_NE(text.find("name 克伯 ~ KERBER (approximate, 0."), std::string::npos) << text;
}

TEST(NameComparison, DifferentNamesInOtherScriptsStillDoNotMatch) {
  // Cyrillic romanises reliably: a resemblance there must be close.
  const std::pair<std::string_view, std::string_view> pairs[] = {
      {"Шевченко", "Petrenko"}, {"Иванов", "Smirnov"}, {"休姆", "Raina"}};
  for (const auto& [native, latin] : pairs) {
    EXPECT_LT(nameScore(native, latin), kNameMatchThreshold) << native << " ~ " << latin;
  }
  // In a name of several tokens chance resemblances compound: each token may resemble any other.
  EXPECT_LT(nameScore("حسین موسوی", "Wilson Joseph"), kMatchThreshold);
  EXPECT_LT(nameScore("재호 김", "Kim Kyu"), kMatchThreshold);
}

TEST(NameComparison, EmptyNamesScoreZero) {
  EXPECT_EQ(nameScore("", "John Smith"), 0);
  EXPECT_EQ(nameScore("", ""), 0);
}

TEST(DateOfBirth, AYearAgainstAFullDateOfThatYearIsPartial) {
  EXPECT_EQ(compareDatesOfBirth(date("1970"), date("1970-05-12")), DateEvidence::partial);
  EXPECT_EQ(compareDatesOfBirth(date("1970-05"), date("1970-05-12")), DateEvidence::partial);
  EXPECT_EQ(compareDatesOfBirth(date("1970-05-12"), date("1970-05-12")), DateEvidence::exact);
}

TEST(DateOfBirth, SwappedDayAndMonthOneDigitOrOneYearOffAreNear) {
  EXPECT_EQ(compareDatesOfBirth(date("1970-05-12"), date("1970-12-05")), DateEvidence::near);
  EXPECT_EQ(compareDatesOfBirth(date("1970-05-12"), date("1970-05-13")), DateEvidence::near);
  EXPECT_EQ(compareDatesOfBirth(date("1970-05-12"), date("1971-05-12")), DateEvidence::near);
  EXPECT_EQ(compareDatesOfBirth(date("1970"), date("1971-02-03")), DateEvidence::near);
  EXPECT_EQ(compareDatesOfBirth(date("1966"), date("1961")), DateEvidence::near);
}

TEST(DateOfBirth, OtherDatesMismatchAndMissingOnesAreUnknown) {
  EXPECT_EQ(compareDatesOfBirth(date("1970-05-12"), date("1985-01-30")), DateEvidence::mismatch);
  EXPECT_EQ(compareDatesOfBirth(date("1970-05"), date("1970-11-12")), DateEvidence::mismatch);
  EXPECT_EQ(compareDatesOfBirth(date("1990"), date("1950-01-01")), DateEvidence::mismatch);
  EXPECT_EQ(compareDatesOfBirth(PartialDate{}, date("1970-05-12")), DateEvidence::unknown);
}

TEST(Nationality, ASharedCodeAgreesInAnyCase) {
  const std::vector<std::string> query{"UKR", "POL"};
  const std::vector<std::string> record{"pol"};
  const std::vector<std::string> other{"RUS"};
  EXPECT_EQ(compareNationalities(query, record), Agreement::agrees);
  EXPECT_EQ(compareNationalities(query, other), Agreement::disagrees);
  EXPECT_EQ(compareNationalities(query, {}), Agreement::unknown);
  EXPECT_EQ(compareSex(Sex::female, Sex::male), Agreement::disagrees);
  EXPECT_EQ(compareSex(Sex::female, Sex::unspecified), Agreement::unknown);
}

TEST(PersonScore, AgreeingEvidenceRaisesAndConflictingEvidenceLowersTheScore) {
  const auto record = person({"Taras Shevchenko"}, "1970-05-12", {"UKR"}, Sex::male);
  const double nameOnly = scorePerson(person({"Taras Shevchenko"}), record).score;
  const double agreeing = scorePerson(person({"Taras Shevchenko"}, "1970-05-12", {"UKR"}, Sex::male), record).score;
  const double conflicting =
      scorePerson(person({"Taras Shevchenko"}, "1988-01-30", {"RUS"}, Sex::female), record).score;
  EXPECT_GE(agreeing, nameOnly);
  EXPECT_LT(conflicting, nameOnly);
  EXPECT_LT(conflicting, kMatchThreshold);
  // Corroborating evidence lifts a borderline name over the threshold; it never makes a name.
  const auto typo = person({"Tars Shevchnko"}, "1970-05-12", {"UKR"});
  EXPECT_GT(scorePerson(typo, record).score, scorePerson(person({"Tars Shevchnko"}), record).score);
  EXPECT_EQ(scorePerson(person({"Ivan Petrenko"}, "1970-05-12", {"UKR"}, Sex::male), record).score, 0);
}

TEST(PersonScore, TheBestOfAllNamePairsCounts) {
  const auto record = person({"Ivan Petrenko", "Taras Shevchenko"});
  const auto score = scorePerson(person({"Nobody Else", "Shevchenko Taras"}), record);
  EXPECT_DOUBLE_EQ(score.nameScore, 1.0);
  EXPECT_EQ(score.queryName, 1u);
  EXPECT_EQ(score.recordName, 1u);
}

TEST(Explanation, SaysWhichTokensMatchedHowAndTheEvidence) {
  const auto query = person({"Taras Shevchemko"}, "1970", {"UKR"});
  const auto record = person({"Taras Shevchenko"}, "1970-05-12", {"ukr"});
  const auto score = scorePerson(query, record);
  const std::string text = explain(score, query, record);
  EXPECT_NE(text.find("family name SHEVCHEMKO ~ SHEVCHENKO (edit, 0."), std::string::npos) << text;
  EXPECT_NE(text.find("given name TARAS ~ TARAS (exact, 1.00)"), std::string::npos) << text;
  EXPECT_NE(text.find("date of birth partial (1970-05-12)"), std::string::npos) << text;
  EXPECT_NE(text.find("nationality UKR agrees"), std::string::npos) << text;
  EXPECT_LT(text.find("family name"), text.find("given name")) << text;

  const Explanation structured = explainPerson(score, query, record);
  ASSERT_EQ(structured.pairs.size(), 2u);
  EXPECT_EQ(structured.pairs[0].record, "SHEVCHENKO");
  EXPECT_EQ(structured.pairs[0].kind, MatchKind::edit);
  EXPECT_EQ(structured.dateOfBirth, DateEvidence::partial);
  EXPECT_EQ(structured.nationality, Agreement::agrees);
  EXPECT_EQ(structured.nationalityShown, "UKR");
}

TEST(Explanation, CallsAnExactMatchAcrossScriptsATransliteration) {
  const Name query = normaliseName("Taras Shevchenko");
  const Name record = normaliseName("Тарас Шевченко");
  const std::string text = explain(compareNames(query, record), query, record);
  EXPECT_NE(text.find("family name SHEVCHENKO ~ ШЕВЧЕНКО (transliteration, 1.00)"), std::string::npos) << text;
}

TEST(Explanation, NamesTheTokensLeftUnmatched) {
  const Name query = normaliseName("John Smith");
  const Name record = normaliseName("John Brown");
  const std::string text = explain(compareNames(query, record), query, record);
  EXPECT_NE(text.find("unmatched in query: SMITH"), std::string::npos) << text;
  EXPECT_NE(text.find("unmatched in record: BROWN"), std::string::npos) << text;
}

}  // namespace
}  // namespace liaison::screening
