// Measuring the quality of screening on labelled name sets (../shared/data/README.md): the sets read
// into persons and pairs, scored with screening/match.h, counted into precision-recall curves. Shared by
// the quality benchmark (bench/screening_quality.cc, every row) and the quality floors test
// (tests/screening_quality_test.cc, a fixed slice in tests/fixtures/screening/).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "screening/match.h"
#include "screening/name.h"

namespace liaison::bench::quality {

/// One person of a screening set (columns full_name,...,gender,date_of_birth,...,nationality).
struct LabelledPerson {
  std::string fullName;
  screening::PersonEvidence evidence;  ///< names: the normalised full name
};

/// Reads at most `limit` persons of a screening CSV. Nationalities written as English country names
/// (the negatives) become ISO 3166 alpha-2 codes as the UN rows have them, so evidence compares like
/// with like. Exits the program naming the file and line when it cannot be read.
std::vector<LabelledPerson> readPersons(const std::filesystem::path& file, size_t limit = SIZE_MAX);

/// One line of a transliteration set: latin<TAB>native letters separated by spaces<TAB>count.
struct TransliterationRow {
  std::string latin;
  std::string native;  ///< the letters joined without the spaces: the name as written
  uint32_t count = 0;  ///< how often Wikidata has the pair
};
std::vector<TransliterationRow> readTransliterations(const std::filesystem::path& file,
                                                     size_t limit = SIZE_MAX);

/// Scores counted in 1000 bins of 0.001: an alert at threshold t is a score in bin >= round(t * 1000).
inline constexpr size_t kBins = 1000;
size_t binOf(double score);

/// Precision, recall and F1 at one threshold.
struct Point {
  double threshold = 0;
  double precision = 0;
  double recall = 0;
  double f1 = 0;
  uint64_t truePositives = 0;
  uint64_t falsePositives = 0;
  uint64_t falseNegatives = 0;
};

/// Per query with a true match: the score of its own person (a true positive at t when >= t); and
/// every other alert-worthy pair: a wrong person or a negative query (a false positive at t).
struct Counts {
  std::array<uint64_t, kBins + 1> own{};    ///< bin of each positive query's own-person score
  std::array<uint64_t, kBins + 1> other{};  ///< bin of every other pair's score
  uint64_t positives = 0;                   ///< queries with a true match

  void addOwn(double score);
  void addOther(double score);
  void add(const Counts& more);
  Point at(double threshold) const;
  /// Points at thresholds 0.000, 0.001, ... 1.000.
  std::vector<Point> curve() const;
  /// The threshold point with the best F1.
  Point bestF1() const;
  /// The best recall at a threshold whose precision is at least `precision` (recall 0 if none).
  Point recallAtPrecision(double precision) const;
};

/// The screening set: each query scored against every watchlist person; query i of `positives` is
/// watchlist person i. `withEvidence`: the person score (date of birth, nationality) instead of the
/// name score. Runs on `threads` threads.
Counts scoreScreening(const std::vector<LabelledPerson>& positives,
                      const std::vector<LabelledPerson>& negatives,
                      const std::vector<LabelledPerson>& watchlist, bool withEvidence, unsigned threads);

/// A pair of names and whether they name the same person.
struct LabelledPair {
  std::string a;
  std::string b;
  bool same = false;
};

/// The transliteration pairs of one script: every row's native name against its latin form
/// (positives), and as many negatives: each native name against the latin form of another row
/// drawn at random (fixed seed, never the same latin text).
std::vector<LabelledPair> transliterationPairs(const std::vector<TransliterationRow>& rows, uint64_t seed);

/// Counts of labelled pairs by the engine's name score.
Counts scorePairs(const std::vector<LabelledPair>& pairs);

}  // namespace liaison::bench::quality
