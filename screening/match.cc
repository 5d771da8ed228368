#include "screening/match.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>

#include <unicode/locid.h>
#include <unicode/unistr.h>

namespace liaison::screening {
namespace {

// Tokens longer than this are compared on their first kMaxCompared characters: names have no such
// tokens, and the bound keeps every comparison O(1).
constexpr size_t kMaxCompared = 48;

// Similarity of an initial against a full token starting with that letter; its weight in a name's
// average is half a token's, so "J SMITH" ~ "JOHN SMITH" is strong but not exact.
constexpr double kInitialSimilarity = 0.90;
constexpr double kInitialWeight = 0.5;
// A shared phonetic key or consonant skeleton: at least this, more when the texts are also close.
constexpr double kPhoneticFloor = 0.85;
// Joined tokens must be this close to the single token on the other side.
constexpr double kJoinedMinSimilarity = 0.90;
// Per token facing a different token on the other side (a different family name), and per token
// without any counterpart (a missing middle name): multiplied into the name score.
constexpr double kConflictFactor = 0.60;
constexpr double kMissingFactor = 0.90;
// A missing token weighs more when only one token matched: "SMITH" is not "JOHN SMITH".
constexpr double kMissingFactorSingleMatch = 0.70;
// A name matched only through initials is never a match on its own.
constexpr double kInitialsOnlyCap = 0.50;
// The exact assignment explores record-token subsets; above this many record tokens it is greedy.
constexpr size_t kMaxExactRecordTokens = 8;

bool isInitial(const Token& token) { return token.initial || token.text.size() == 1; }

// Where each character of a text of at most 64 characters stands, as bit masks (bit i: text[i] is
// that character), for the bit-parallel measures below. Only the entries of the characters of the
// text and of `other` (the text it is compared with) are set: nothing else is read, so 2 KiB need no
// clearing per comparison.
class PositionMasks {
 public:
  PositionMasks(std::string_view text, std::string_view other) {
    for (char c : other) masks_[index(c)] = 0;
    for (char c : text) masks_[index(c)] = 0;
    for (size_t i = 0; i < text.size(); ++i) masks_[index(text[i])] |= uint64_t{1} << i;
  }
  uint64_t of(char c) const { return masks_[index(c)]; }

 private:
  static size_t index(char c) { return static_cast<uint8_t>(c); }
  std::array<uint64_t, 256> masks_;  // uninitialised but for the characters of the two texts
};
static_assert(kMaxCompared <= 64, "the bit-parallel measures hold a compared text in one word");

}  // namespace

// Hyyrö's bit-parallel algorithm (2003) for the optimal string alignment distance: one column of the
// dynamic programme per character of b as vertical deltas in words (positive VP, negative VN), the
// transposition term TR from the previous column's diagonal zeros.
size_t damerauDistance(std::string_view a, std::string_view b) {
  a = a.substr(0, kMaxCompared);
  b = b.substr(0, kMaxCompared);
  if (a.empty()) return b.size();
  if (b.empty()) return a.size();
  const PositionMasks positions(a, b);
  const uint64_t last = uint64_t{1} << (a.size() - 1);
  uint64_t vp = ~uint64_t{0};
  uint64_t vn = 0;
  uint64_t d0 = 0;
  uint64_t previous = 0;
  size_t distance = a.size();
  for (char c : b) {
    const uint64_t pm = positions.of(c);
    const uint64_t tr = (((~d0) & pm) << 1) & previous;
    d0 = (((pm & vp) + vp) ^ vp) | pm | vn | tr;
    uint64_t hp = vn | ~(d0 | vp);
    uint64_t hn = d0 & vp;
    if ((hp & last) != 0) ++distance;
    if ((hn & last) != 0) --distance;
    hp = (hp << 1) | 1;
    hn <<= 1;
    vp = hn | ~(d0 | hp);
    vn = hp & d0;
    previous = pm;
  }
  return distance;
}

namespace {

// Edit similarity of two texts: the mean of Jaro-Winkler (generous on shared prefixes) and the
// normalised Damerau-Levenshtein similarity (strict on length differences), so "ivan" is not "ivanov".
double editSimilarity(std::string_view a, std::string_view b) {
  if (a.empty() || b.empty()) return 0;
  const double longest = static_cast<double>(std::min(std::max(a.size(), b.size()), kMaxCompared));
  const double damerau = 1.0 - static_cast<double>(damerauDistance(a, b)) / longest;
  return (jaroWinkler(a, b) + damerau) / 2;
}

// False when the edit similarity of `a` and `b` is certainly below kMinTokenSimilarity: it is the mean
// of Jaro-Winkler (at most 1) and 1 - distance / longer length, and the distance is at least the
// length difference and at least half the letters the two do not have in common. Most token pairs
// an index search compares are unrelated; this keeps them cheap.
bool mayBeSimilar(std::string_view a, std::string_view b) {
  a = a.substr(0, kMaxCompared);
  b = b.substr(0, kMaxCompared);
  const double longest = static_cast<double>(std::max(a.size(), b.size()));
  const double maxDistance = (2 * (1 - kMinTokenSimilarity)) * longest;
  if (static_cast<double>(a.size() > b.size() ? a.size() - b.size() : b.size() - a.size()) > maxDistance) return false;
  std::array<int8_t, 37> counts{};
  auto bucket = [](char c) {
    if (c >= 'a' && c <= 'z') return c - 'a';
    if (c >= '0' && c <= '9') return 26 + (c - '0');
    return 36;
  };
  for (char c : a) ++counts[static_cast<size_t>(bucket(c))];
  for (char c : b) --counts[static_cast<size_t>(bucket(c))];
  int differing = 0;
  for (int8_t count : counts) differing += count < 0 ? -count : count;
  return static_cast<double>(differing) / 2 <= maxDistance;
}

// An upper bound of editSimilarity(a, b) from the letters the two have in common (c): Jaro-Winkler
// matches at most c letters, and the distance is at least the longer length minus c.
double editSimilarityBound(std::string_view a, std::string_view b) {
  a = a.substr(0, kMaxCompared);
  b = b.substr(0, kMaxCompared);
  std::array<uint8_t, 37> counts{};
  auto bucket = [](char c) -> size_t {
    if (c >= 'a' && c <= 'z') return static_cast<size_t>(c - 'a');
    if (c >= '0' && c <= '9') return static_cast<size_t>(26 + (c - '0'));
    return 36;
  };
  for (char c : a) ++counts[bucket(c)];
  size_t common = 0;
  for (char c : b) {
    uint8_t& count = counts[bucket(c)];
    if (count > 0) --count, ++common;
  }
  const double c = static_cast<double>(common);
  const double longest = static_cast<double>(std::max(a.size(), b.size()));
  const double jaro = (c / static_cast<double>(a.size()) + c / static_cast<double>(b.size()) + 1) / 3;
  return (jaro + 0.4 * (1 - jaro) + c / longest) / 2;
}

// The best edit similarity of two tokens' texts or of any of their keys, when at least `minimum`
// (else 0).
double bestSpellingSimilarity(const Token& a, const Token& b, double minimum) {
  double best = 0;
  auto consider = [&](std::string_view x, std::string_view y) {
    if (x.empty() || y.empty() || editSimilarityBound(x, y) < std::max(minimum, best)) return;
    const double similarity = editSimilarity(x, y);
    if (similarity >= minimum && similarity > best) best = similarity;
  };
  consider(a.text, b.text);
  // The first key is the phonetic key of the text; the others (skeletons, joined and liquid forms)
  // against it only, which keeps this at most 2 * kMaxTokenKeys - 1 comparisons.
  if (a.keys.empty() || b.keys.empty()) return best;
  for (const auto& y : b.keys) consider(a.keys.front(), y);
  for (size_t k = 1; k < a.keys.size(); ++k) consider(a.keys[k], b.keys.front());
  return best;
}

// A token pair across scripts: the romanisation of one side is a guess (pinyin of a foreign name,
// Hangul's added vowels, Arabic and Hebrew without vowels), so the best edit similarity of the texts
// or of the phonetic keys is graded on a wider scale (crossScriptSimilarity in match.h).
// In a name of several tokens only resemblances from the cut up count (below it an approximate match,
// squared there, could not lift a name to the names threshold), which also keeps index searches fast.
TokenSimilarity approximateSimilarity(const Token& query, const Token& record, bool severalTokens = false) {
  const double cut = crossScriptCut(query.script, record.script);
  const double spelling = bestSpellingSimilarity(query, record, severalTokens ? cut : cut - kCrossScriptFade);
  return {MatchKind::approximate, crossScriptSimilarity(spelling, cut)};
}

// The cut of one script against Latin (crossScriptCut in match.h).
double scriptCut(Script script) {
  switch (script) {
    case Script::latin: return 0;
    case Script::cyrillic: return 0.68;
    case Script::hebrew: return 0.60;
    case Script::han:
    case Script::hangul: return 0.58;
    case Script::arabic:
    case Script::greek:
    case Script::kana:
    case Script::devanagari:
    case Script::other: return 0.65;
  }
  return 0.65;
}

bool shareKey(const Token& a, const Token& b) {
  for (const auto& key : a.keys) {
    if (key.empty()) continue;
    for (const auto& other : b.keys) {
      if (key == other) return true;
    }
  }
  return false;
}

// Two tokens joined can be compared with one token only when the lengths are at most 2 apart.
bool joinLengthsFit(size_t joinedSize, size_t singleSize) {
  return joinedSize + 2 >= singleSize && singleSize + 2 >= joinedSize;
}

// False when joinedSimilarity of two tokens `joinedSize` long together against the token of `single`
// is certainly 0 (an initial, or lengths that do not fit): read from its signature, whose length is
// exact below 255.
bool mayJoin(size_t joinedSize, const SpellingSignature& single) {
  return !single.initial && (single.length == 255 || joinLengthsFit(joinedSize, single.length));
}

// The similarity of two texts joined ("abdul" + "rahman") against one ("abdulrahman").
double joinedSimilarity(const Token& first, const Token& second, const Token& single) {
  if (isInitial(first) || isInitial(second) || isInitial(single)) return 0;
  const size_t joinedSize = first.text.size() + second.text.size();
  if (!joinLengthsFit(joinedSize, single.text.size())) return 0;
  const std::string& text = single.text;
  if (text.size() == joinedSize && text.compare(0, first.text.size(), first.text) == 0 &&
      text.compare(first.text.size(), std::string::npos, second.text) == 0) {
    return 1.0;
  }
  // The joined form on the stack: edit similarity reads the first kMaxCompared characters only.
  std::array<char, kMaxCompared> buffer;
  const size_t firstPart = std::min(first.text.size(), kMaxCompared);
  const size_t secondPart = std::min(second.text.size(), kMaxCompared - firstPart);
  std::copy_n(first.text.data(), firstPart, buffer.data());
  std::copy_n(second.text.data(), secondPart, buffer.data() + firstPart);
  const std::string_view joined(buffer.data(), firstPart + secondPart);
  // mayBeSimilar's bound is for kMinTokenSimilarity, at most kJoinedMinSimilarity.
  static_assert(kJoinedMinSimilarity >= kMinTokenSimilarity);
  if (!mayBeSimilar(joined, text)) return 0;
  const double similarity = editSimilarity(joined, text);
  return similarity >= kJoinedMinSimilarity ? similarity : 0;
}

// One way of covering tokens of both names, and its value in the assignment.
struct Option {
  TokenMatch match;
  double weight = 1;
  double value() const { return match.similarity * weight; }
};

double weightOf(const TokenSimilarity& similarity) {
  return similarity.kind == MatchKind::initial ? kInitialWeight : 1.0;
}

// Every candidate pairing of two names (single pairs and joined spans) in one flat array, grouped by
// first query token: an index search compares thousands of names, so no allocation per token.
struct Options {
  std::vector<Option> all;
  std::array<uint16_t, kMaxNameTokens + 1> begin{};  // options of query token i: [begin[i], begin[i + 1])
  size_t queryCount = 0;

  std::span<const Option> of(size_t i) const { return std::span<const Option>(all).subspan(begin[i], begin[i + 1] - begin[i]); }
};

// `pairs`: comparePair of every pair, row-major with `stride` record tokens. Fills `options`, whose
// storage the caller reuses (no allocation per comparison). Reads a record token only for a joined
// pair of record tokens whose lengths fit.
void optionsOf(Options& options, TokenSequence query, TokenSequence record, std::span<const PairSimilarity> pairs,
               size_t stride) {
  options.all.clear();
  options.begin = {};
  options.queryCount = query.size();
  options.all.reserve(query.size() * record.size() + 4);
  const bool singleTokens = query.size() == 1 && record.size() == 1;
  for (size_t i = 0; i < query.size(); ++i) {
    options.begin[i] = static_cast<uint16_t>(options.all.size());
    for (size_t j = 0; j < record.size(); ++j) {
      const PairSimilarity& pair = pairs[i * stride + j];
      TokenSimilarity similarity = pair.spelling;
      // Across scripts, failing a spelling match, an approximate one. A name of one token against one
      // of one token: that resemblance is all there is, and the graded one may say more than a weak
      // spelling similarity (which then keeps its kind in the explanation, with the graded value).
      // (approximateInName is 0 within one script and for a pair matching by spelling.)
      if (singleTokens && query[i]->script != record[j]->script && similarity.kind != MatchKind::exact) {
        const double approximate = approximateSimilarity(*query[i], *record[j], false).similarity;
        if (approximate > similarity.similarity) {
          similarity = {similarity.similarity > 0 ? similarity.kind : MatchKind::approximate, approximate};
        }
      } else if (similarity.similarity == 0 && pair.approximateInName > 0) {
        similarity = {MatchKind::approximate, pair.approximateInName};
      }
      if (similarity.similarity > 0) {
        options.all.push_back({TokenMatch{i, j, similarity.kind, similarity.similarity, 1, 1}, weightOf(similarity)});
      }
      if (i + 1 < query.size() && pair.joinedWithNext > 0) {
        options.all.push_back({TokenMatch{i, j, MatchKind::joined, pair.joinedWithNext, 2, 1}, 2});
      }
      // Two record tokens joined against this query token: skipped unread where their lengths (exact
      // below 255) cannot fit.
      const PairSimilarity* nextPair = j + 1 < record.size() ? &pairs[i * stride + j + 1] : nullptr;
      if (nextPair != nullptr && !pair.recordInitial && !nextPair->recordInitial && !isInitial(*query[i]) &&
          (pair.recordLength == 255 || nextPair->recordLength == 255 ||
           joinLengthsFit(size_t{pair.recordLength} + nextPair->recordLength, query[i]->text.size()))) {
        const double joined = joinedSimilarity(*record[j], *record[j + 1], *query[i]);
        if (joined > 0) options.all.push_back({TokenMatch{i, j, MatchKind::joined, joined, 1, 2}, 2});
      }
    }
  }
  options.begin[query.size()] = static_cast<uint16_t>(options.all.size());
}

uint32_t recordMaskOf(const TokenMatch& match) { return ((1u << match.recordSpan) - 1) << match.record; }

// The exact best assignment: query tokens in order, each skipped or taking an option whose record
// tokens are still free; memoised on (query position, used record tokens), on the stack.
class ExactAssignment {
 public:
  ExactAssignment(const Options& options, size_t recordSize) : options_(options), masks_(size_t{1} << recordSize) {
    std::fill_n(best_.begin(), (options.queryCount + 1) * masks_, -1.0);
  }

  void solve(std::vector<TokenMatch>& matches) {
    size_t i = 0;
    uint32_t mask = 0;
    bestFrom(0, 0);
    while (i < options_.queryCount) {
      const int chosen = choice_[i * masks_ + mask];
      if (chosen < 0) {
        ++i;
        continue;
      }
      const TokenMatch& match = options_.of(i)[static_cast<size_t>(chosen)].match;
      matches.push_back(match);
      mask |= recordMaskOf(match);
      i += match.querySpan;
    }
  }

 private:
  double bestFrom(size_t i, uint32_t mask) {
    if (i >= options_.queryCount) return 0;
    double& best = best_[i * masks_ + mask];
    if (best >= 0) return best;
    best = bestFrom(i + 1, mask);
    int chosen = -1;
    const auto options = options_.of(i);
    for (size_t k = 0; k < options.size(); ++k) {
      const Option& option = options[k];
      const uint32_t used = recordMaskOf(option.match);
      if ((mask & used) != 0) continue;
      const double value = option.value() + bestFrom(i + option.match.querySpan, mask | used);
      if (value > best) {
        best = value;
        chosen = static_cast<int>(k);
      }
    }
    choice_[i * masks_ + mask] = static_cast<int16_t>(chosen);
    return best;
  }

  static constexpr size_t kStates = (kMaxNameTokens + 1) << kMaxExactRecordTokens;
  const Options& options_;
  size_t masks_;
  std::array<double, kStates> best_;
  std::array<int16_t, kStates> choice_;
};

// Greedy assignment for long names: the best remaining option first.
void greedyAssignment(const Options& options, std::vector<TokenMatch>& matches) {
  std::vector<const Option*> all;
  for (const auto& option : options.all) all.push_back(&option);
  std::stable_sort(all.begin(), all.end(), [](const Option* a, const Option* b) { return a->value() > b->value(); });
  uint32_t queryUsed = 0;
  uint32_t recordUsed = 0;
  for (const Option* option : all) {
    const uint32_t queryMask = ((1u << option->match.querySpan) - 1) << option->match.query;
    const uint32_t recordMask = recordMaskOf(option->match);
    if ((queryUsed & queryMask) != 0 || (recordUsed & recordMask) != 0) continue;
    queryUsed |= queryMask;
    recordUsed |= recordMask;
    matches.push_back(option->match);
  }
  std::sort(matches.begin(), matches.end(), [](const TokenMatch& a, const TokenMatch& b) { return a.query < b.query; });
}

std::string asciiUpper(std::string_view text) {
  std::string upper(text);
  for (char& c : upper) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return upper;
}

// The tokens [first, first + span) as written (upper case, as names are printed on documents and
// lists), joined with a space.
std::string originalOf(TokenSequence tokens, size_t first, size_t span) {
  std::string text;
  for (size_t k = first; k < first + span && k < tokens.size(); ++k) {
    if (!text.empty()) text += ' ';
    const std::string& written = tokens[k]->original.empty() ? tokens[k]->text : tokens[k]->original;
    icu::UnicodeString::fromUTF8(written).toUpper(icu::Locale::getRoot()).toUTF8String(text);
  }
  return text;
}

// The role of record token `index` by its position in a name recorded as "given ... family".
std::string roleOf(size_t index, size_t span, size_t size) {
  if (size <= 1 || span >= size) return "name";
  if (index + span >= size) return "family name";
  if (index == 0) return "given name";
  return "middle name";
}

int roleRank(const std::string& role) {
  if (role == "family name") return 0;
  if (role == "given name") return 1;
  return 2;
}

std::string formatSimilarity(double similarity) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%.2f", similarity);
  return buffer;
}

std::vector<const Token*> pointersOf(const Name& name) {
  std::vector<const Token*> pointers;
  pointers.reserve(name.tokens.size());
  for (const auto& token : name.tokens) pointers.push_back(&token);
  return pointers;
}

// The human text of a structured explanation.
std::string textOf(const Explanation& explanation, bool withEvidence) {
  std::string text;
  auto append = [&text](const std::string& part) {
    if (!text.empty()) text += "; ";
    text += part;
  };
  for (const auto& pair : explanation.pairs) {
    const std::string kind =
        pair.kind == MatchKind::exact && pair.transliterated ? "transliteration" : std::string(matchKindName(pair.kind));
    append(pair.role + " " + pair.query + " ~ " + pair.record + " (" + kind + ", " + formatSimilarity(pair.similarity) +
           ")");
  }
  if (explanation.pairs.empty()) append("no name token matched");
  for (const auto& token : explanation.unmatchedQuery) append("unmatched in query: " + token);
  for (const auto& token : explanation.unmatchedRecord) append("unmatched in record: " + token);
  if (!withEvidence) return text;
  std::string date = "date of birth " + std::string(dateEvidenceName(explanation.dateOfBirth));
  if (!explanation.dateOfBirthShown.empty()) date += " (" + explanation.dateOfBirthShown + ")";
  append(date);
  if (explanation.sex != Agreement::unknown) append("sex " + std::string(agreementName(explanation.sex)));
  if (explanation.nationality == Agreement::agrees) append("nationality " + explanation.nationalityShown + " agrees");
  if (explanation.nationality == Agreement::disagrees) {
    append("nationality disagrees (" + explanation.nationalityShown + ")");
  }
  return text;
}

// Digits of the known parts of a date, for the "one digit off" test.
// "%04u%02u%02u" of year % 10000, month % 100, day % 100, without snprintf: an index search compares
// a date for every candidate.
std::string digitsOf(const PartialDate& date) {
  std::string digits(8, '0');
  auto put = [&digits](unsigned value, size_t end, size_t width) {
    for (size_t k = 0; k < width; ++k, value /= 10) digits[end - 1 - k] = static_cast<char>('0' + value % 10);
  };
  put(static_cast<unsigned>(date.year % 10000), 4, 4);
  put(static_cast<unsigned>(date.month % 100), 6, 2);
  put(static_cast<unsigned>(date.day % 100), 8, 2);
  return digits;
}

}  // namespace

std::string_view matchKindName(MatchKind kind) {
  switch (kind) {
    case MatchKind::exact: return "exact";
    case MatchKind::phonetic: return "phonetic";
    case MatchKind::edit: return "edit";
    case MatchKind::initial: return "initial";
    case MatchKind::joined: return "joined";
    case MatchKind::approximate: return "approximate";
  }
  return "unknown";
}

std::string_view dateEvidenceName(DateEvidence evidence) {
  switch (evidence) {
    case DateEvidence::unknown: return "unknown";
    case DateEvidence::exact: return "exact";
    case DateEvidence::partial: return "partial";
    case DateEvidence::near: return "near";
    case DateEvidence::mismatch: return "mismatch";
  }
  return "unknown";
}

std::string_view agreementName(Agreement agreement) {
  switch (agreement) {
    case Agreement::unknown: return "unknown";
    case Agreement::agrees: return "agrees";
    case Agreement::disagrees: return "disagrees";
  }
  return "unknown";
}

double jaroWinkler(std::string_view a, std::string_view b) {
  a = a.substr(0, kMaxCompared);
  b = b.substr(0, kMaxCompared);
  if (a.empty() || b.empty()) return 0;
  if (a == b) return 1;
  // Each character of a takes the first character of b still free, equal to it and within the
  // window: the lowest bit of b's positions of that character, in the window, not yet taken.
  const size_t window = std::max(a.size(), b.size()) / 2 == 0 ? 0 : std::max(a.size(), b.size()) / 2 - 1;
  const PositionMasks positions(b, a);
  auto below = [](size_t n) { return n >= 64 ? ~uint64_t{0} : (uint64_t{1} << n) - 1; };
  uint64_t aMatched = 0;
  uint64_t bMatched = 0;
  size_t matches = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    const size_t from = i > window ? i - window : 0;
    const size_t to = std::min(b.size(), i + window + 1);
    const uint64_t free = positions.of(a[i]) & ~bMatched & below(to) & ~below(from);
    if (free == 0) continue;
    bMatched |= free & (~free + 1);
    aMatched |= uint64_t{1} << i;
    ++matches;
  }
  if (matches == 0) return 0;
  // Matched characters taken in order on both sides; a transposition where they differ.
  size_t transpositions = 0;
  while (aMatched != 0) {
    if (a[static_cast<size_t>(__builtin_ctzll(aMatched))] != b[static_cast<size_t>(__builtin_ctzll(bMatched))]) {
      ++transpositions;
    }
    aMatched &= aMatched - 1;
    bMatched &= bMatched - 1;
  }
  const double m = static_cast<double>(matches);
  const double jaro = (m / static_cast<double>(a.size()) + m / static_cast<double>(b.size()) +
                       (m - static_cast<double>(transpositions) / 2) / m) /
                      3;
  size_t prefix = 0;
  while (prefix < 4 && prefix < a.size() && prefix < b.size() && a[prefix] == b[prefix]) ++prefix;
  return jaro + static_cast<double>(prefix) * 0.1 * (1 - jaro);
}

TokenSimilarity compareTokens(const Token& query, const Token& record) {
  const TokenSimilarity similarity = compareSpellings(query, record);
  if (similarity.similarity == 0 && query.script != record.script) return approximateSimilarity(query, record);
  return similarity;
}

namespace {

// compareSpellings; `mayShareKey` false when the two tokens' signatures show they share no key (a key
// sets the same bit on both sides), which spares reading the keys.
TokenSimilarity compareSpellings(const Token& query, const Token& record, bool mayShareKey) {
  if (query.text.empty() || record.text.empty()) return {};
  if (query.text == record.text) return {MatchKind::exact, 1.0};
  if (isInitial(query) || isInitial(record)) {
    if (query.text[0] == record.text[0]) return {MatchKind::initial, kInitialSimilarity};
    return {};
  }
  TokenSimilarity similarity;
  const bool sharedKey = mayShareKey && shareKey(query, record);
  if (sharedKey || mayBeSimilar(query.text, record.text)) {
    const double edit = editSimilarity(query.text, record.text);
    if (sharedKey) {
      similarity = {MatchKind::phonetic, std::max(edit, kPhoneticFloor + (1 - kPhoneticFloor) * edit * 0.66)};
    } else if (edit >= kMinTokenSimilarity) {
      similarity = {MatchKind::edit, edit};
    }
  }
  return similarity;
}

}  // namespace

TokenSimilarity compareSpellings(const Token& query, const Token& record) { return compareSpellings(query, record, true); }

namespace {

// The bucket of SpellingSignature's letter counts for a character.
constexpr std::array<uint8_t, 256> kBucketOf = [] {
  std::array<uint8_t, 256> buckets{};
  buckets.fill(kLetterBuckets - 1);
  uint8_t next = 0;
  for (char c = 'a'; c <= 'z'; ++c) {
    if (c == 'q' || c == 'w' || c == 'x' || c == 'y') continue;
    buckets[static_cast<uint8_t>(c)] = next++;
  }
  buckets['q'] = buckets['k'];
  buckets['w'] = buckets['v'];
  buckets['x'] = buckets['z'];
  buckets['y'] = buckets['i'];
  return buckets;
}();
static_assert(sizeof(SpellingSignature) == 64, "a signature is one cache line");

void countLetters(std::string_view text, std::array<uint8_t, kLetterBuckets>& counts) {
  for (char c : text.substr(0, kMaxCompared)) ++counts[kBucketOf[static_cast<uint8_t>(c)]];
}

// editSimilarityBound over every pair of a text of `a` (letter counts `countsA`, compared lengths
// from shortestA to longestA) and one of `b`: the letters in common are at most those the counts
// share (each count the most any one text holds) and at most the longer texts' lengths, and the bound
// falls with the lengths, so the shortest ones give the most.
double editSimilarityBoundOver(const std::array<uint8_t, kLetterBuckets>& countsA, size_t shortestA, size_t longestA,
                               const std::array<uint8_t, kLetterBuckets>& countsB, size_t shortestB, size_t longestB) {
  if (shortestA == 0 || shortestB == 0) return 0;
  size_t common = 0;
  for (size_t k = 0; k < kLetterBuckets; ++k) common += std::min(countsA[k], countsB[k]);
  const double c = static_cast<double>(std::min({common, longestA, longestB}));
  const double jaro = (c / static_cast<double>(shortestA) + c / static_cast<double>(shortestB) + 1) / 3;
  return (jaro + 0.4 * (1 - jaro) + c / static_cast<double>(std::max(shortestA, shortestB))) / 2;
}

// std::popcount compiles to a library call on the baseline x86-64 target; this to a few instructions.
int bitCount(uint32_t bits) {
  bits = bits - ((bits >> 1) & 0x55555555u);
  bits = (bits & 0x33333333u) + ((bits >> 2) & 0x33333333u);
  return static_cast<int>((((bits + (bits >> 4)) & 0x0f0f0f0fu) * 0x01010101u) >> 24);
}

}  // namespace

SpellingSignature spellingSignature(const Token& token) {
  SpellingSignature signature;
  if (token.text.empty()) return signature;
  const std::string_view compared = std::string_view(token.text).substr(0, kMaxCompared);
  for (char c : compared) {
    if (c >= 'a' && c <= 'z') signature.letters |= 1u << (c - 'a');
    if (c >= '0' && c <= '9') signature.letters |= 1u << 26;
  }
  countLetters(compared, signature.textCounts);
  for (const auto& key : token.keys) {
    if (key.empty()) continue;
    signature.keys |= uint64_t{1} << (std::hash<std::string_view>{}(key) % 64);
    std::array<uint8_t, kLetterBuckets> counts{};
    countLetters(key, counts);
    for (size_t k = 0; k < kLetterBuckets; ++k) signature.keyCounts[k] = std::max(signature.keyCounts[k], counts[k]);
    const auto length = static_cast<uint8_t>(std::min(key.size(), kMaxCompared));
    signature.shortestKey = signature.shortestKey == 0 ? length : std::min(signature.shortestKey, length);
    signature.longestKey = std::max(signature.longestKey, length);
  }
  signature.length = static_cast<uint8_t>(std::min<size_t>(token.text.size(), 255));
  signature.first = token.text[0];
  signature.initial = isInitial(token);
  signature.script = token.script;
  return signature;
}

// Each step mirrors one of compareSpellings, and errs only towards true: equal texts have equal
// signatures; a shared key sets the same bit on both sides; and mayBeSimilar's count of differing
// letters is at least the number of letters (bits) only one side holds.
bool maySpellAlike(const SpellingSignature& query, const SpellingSignature& record) {
  if (query.first == 0 || record.first == 0) return false;
  if (query.letters == record.letters && query.length == record.length && query.first == record.first) return true;
  if (query.initial || record.initial) return query.first == record.first;
  if ((query.keys & record.keys) != 0) return true;
  const size_t queryLength = std::min<size_t>(query.length, kMaxCompared);
  const size_t recordLength = std::min<size_t>(record.length, kMaxCompared);
  const double maxDistance = (2 * (1 - kMinTokenSimilarity)) * static_cast<double>(std::max(queryLength, recordLength));
  const double lengthDifference = static_cast<double>(std::max(queryLength, recordLength) - std::min(queryLength, recordLength));
  if (lengthDifference > maxDistance) return false;
  return static_cast<double>(bitCount(query.letters ^ record.letters)) / 2 <= maxDistance;
}

// bestSpellingSimilarity compares the texts, and keys with keys; editSimilarityBound rules a pair out,
// and editSimilarityBoundOver is at least that for every pair. The margin keeps rounding from ever
// ruling out a pair at the minimum.
bool mayResemble(const SpellingSignature& query, const SpellingSignature& record, double minimum) {
  const double reach = minimum - 1e-9;
  const size_t queryText = std::min<size_t>(query.length, kMaxCompared);
  const size_t recordText = std::min<size_t>(record.length, kMaxCompared);
  return editSimilarityBoundOver(query.textCounts, queryText, queryText, record.textCounts, recordText, recordText) >=
             reach ||
         editSimilarityBoundOver(query.keyCounts, query.shortestKey, query.longestKey, record.keyCounts,
                                 record.shortestKey, record.longestKey) >= reach;
}

PairSimilarity comparePair(const Token& query, const Token* next, const Token& record,
                           const SpellingSignature& querySignature, const SpellingSignature& recordSignature) {
  PairSimilarity pair;
  pair.recordLength = recordSignature.length;
  pair.recordInitial = recordSignature.initial;
  if (maySpellAlike(querySignature, recordSignature)) {
    pair.spelling = compareSpellings(query, record, (querySignature.keys & recordSignature.keys) != 0);
  }
  if (querySignature.script != recordSignature.script && pair.spelling.similarity == 0 &&
      mayResemble(querySignature, recordSignature, crossScriptCut(querySignature.script, recordSignature.script))) {
    pair.approximateInName = approximateSimilarity(query, record, true).similarity;
  }
  if (next != nullptr && mayJoin(query.text.size() + next->text.size(), recordSignature)) {
    pair.joinedWithNext = joinedSimilarity(query, *next, record);
  }
  return pair;
}

double crossScriptCut(Script a, Script b) { return std::max(scriptCut(a), scriptCut(b)); }

double crossScriptSimilarity(double spelling, double cut) {
  const double floor = cut - kCrossScriptFade;
  if (spelling < floor || spelling <= 0) return 0;
  if (spelling >= cut) return kNameMatchThreshold + (1 - kNameMatchThreshold) * (spelling - cut) / (1 - cut);
  return kApproximateFloor + (kNameMatchThreshold - kApproximateFloor) * (spelling - floor) / kCrossScriptFade;
}

NameComparison compareNames(TokenSequence query, TokenSequence record) {
  // The pairs as an index search computes them, so that both score exactly alike.
  const size_t queryCount = std::min(query.size(), kMaxNameTokens);
  const size_t recordCount = std::min(record.size(), kMaxNameTokens);
  thread_local std::vector<PairSimilarity> pairs;
  thread_local std::vector<SpellingSignature> recordSignatures;
  pairs.clear();
  recordSignatures.clear();
  for (size_t j = 0; j < recordCount; ++j) recordSignatures.push_back(spellingSignature(*record[j]));
  for (size_t i = 0; i < queryCount; ++i) {
    const SpellingSignature signature = spellingSignature(*query[i]);
    const Token* next = i + 1 < queryCount ? query[i + 1] : nullptr;
    for (size_t j = 0; j < recordCount; ++j) {
      pairs.push_back(comparePair(*query[i], next, *record[j], signature, recordSignatures[j]));
    }
  }
  return compareNames(query.first(queryCount), record.first(recordCount), pairs);
}

NameComparison compareNames(TokenSequence query, TokenSequence record, std::span<const PairSimilarity> pairs) {
  NameComparison comparison;
  compareNames(query, record, pairs, comparison);
  return comparison;
}

void compareNames(TokenSequence query, TokenSequence record, std::span<const PairSimilarity> pairs,
                  NameComparison& comparison) {
  comparison.score = 0;
  comparison.matches.clear();
  comparison.unmatchedQuery.clear();
  comparison.unmatchedRecord.clear();
  const size_t stride = record.size();
  const size_t queryCount = std::min(query.size(), kMaxNameTokens);
  const size_t recordCount = std::min(record.size(), kMaxNameTokens);
  query = query.first(queryCount);
  record = record.first(recordCount);
  thread_local Options options;
  optionsOf(options, query, record, pairs, stride);
  if (recordCount <= kMaxExactRecordTokens) {
    ExactAssignment(options, recordCount).solve(comparison.matches);
  } else {
    greedyAssignment(options, comparison.matches);
  }

  std::array<bool, kMaxNameTokens> queryMatched{};
  std::array<bool, kMaxNameTokens> recordMatched{};
  double weighted = 0;
  double weights = 0;
  double weakFactor = 1;
  const bool singleTokens = queryCount == 1 && recordCount == 1;
  bool onlyInitials = true;
  for (const auto& match : comparison.matches) {
    for (size_t k = 0; k < match.querySpan; ++k) queryMatched[match.query + k] = true;
    for (size_t k = 0; k < match.recordSpan; ++k) recordMatched[match.record + k] = true;
    if (match.kind != MatchKind::initial) onlyInitials = false;
    // An approximate match (only across scripts) multiplies the score (kApproximateFloor in match.h);
    // in a name of several tokens squared, as every token there may resemble any on the other side.
    if (match.kind == MatchKind::approximate) {
      weakFactor *= singleTokens ? match.similarity : match.similarity * match.similarity;
      continue;
    }
    const double weight = match.kind == MatchKind::initial ? kInitialWeight
                          : match.kind == MatchKind::joined ? 2.0
                                                            : 1.0;
    weighted += weight * match.similarity;
    weights += weight;
  }
  for (size_t i = 0; i < queryCount; ++i) {
    if (!queryMatched[i]) comparison.unmatchedQuery.push_back(i);
  }
  for (size_t j = 0; j < recordCount; ++j) {
    if (!recordMatched[j]) comparison.unmatchedRecord.push_back(j);
  }
  if (comparison.matches.empty()) return;

  const size_t conflicts = std::min(comparison.unmatchedQuery.size(), comparison.unmatchedRecord.size());
  const size_t missing = std::max(comparison.unmatchedQuery.size(), comparison.unmatchedRecord.size()) - conflicts;
  const double missingFactor = comparison.matches.size() >= 2 ? kMissingFactor : kMissingFactorSingleMatch;
  double score = (weights > 0 ? weighted / weights : 1.0) * weakFactor;
  // (Most names compared have neither: pow is not called for nothing.)
  if (conflicts > 0) score *= std::pow(kConflictFactor, static_cast<double>(conflicts));
  if (missing > 0) score *= std::pow(missingFactor, static_cast<double>(missing));
  if (onlyInitials) score = std::min(score, kInitialsOnlyCap);
  comparison.score = std::clamp(score, 0.0, 1.0);
}

NameComparison compareNames(const Name& query, const Name& record) {
  const auto queryTokens = pointersOf(query);
  const auto recordTokens = pointersOf(record);
  return compareNames(TokenSequence(queryTokens), TokenSequence(recordTokens));
}

DateEvidence compareDatesOfBirth(const PartialDate& query, const PartialDate& record) {
  if (!query.known() || !record.known()) return DateEvidence::unknown;
  const bool monthsKnown = query.month != 0 && record.month != 0;
  const bool daysKnown = monthsKnown && query.day != 0 && record.day != 0;
  const bool yearAgrees = query.year == record.year;
  const bool monthAgrees = !monthsKnown || query.month == record.month;
  const bool dayAgrees = !daysKnown || query.day == record.day;
  if (yearAgrees && monthAgrees && dayAgrees) {
    const bool bothFull = query.day != 0 && record.day != 0 && query.month != 0 && record.month != 0;
    return bothFull ? DateEvidence::exact : DateEvidence::partial;
  }
  if (daysKnown && yearAgrees && query.day == record.month && query.month == record.day) return DateEvidence::near;
  const bool yearApart = query.year + 1 == record.year || record.year + 1 == query.year;
  if (yearApart && monthAgrees && dayAgrees) return DateEvidence::near;
  // One digit off (a typing error) between two full dates, or in the last digit of the year when a
  // side has only the year (1966 and 1961); 1950 and 1990 also differ in one digit, but by decades.
  const std::string a = digitsOf(query);
  const std::string b = digitsOf(record);
  size_t differing = 0;
  for (size_t k = 0; k < a.size(); ++k) differing += a[k] != b[k] ? 1 : 0;
  if (daysKnown) return differing == 1 ? DateEvidence::near : DateEvidence::mismatch;
  const bool sameDecade = query.year / 10 == record.year / 10;
  return sameDecade && monthAgrees && dayAgrees ? DateEvidence::near : DateEvidence::mismatch;
}

Agreement compareSex(Sex query, Sex record) {
  if (query == Sex::unspecified || record == Sex::unspecified) return Agreement::unknown;
  return query == record ? Agreement::agrees : Agreement::disagrees;
}

namespace {

bool sameCode(std::string_view a, std::string_view b) { return asciiUpper(a) == asciiUpper(b); }

// The first code both lists hold, or empty.
std::string sharedNationality(std::span<const std::string> query, std::span<const std::string> record) {
  for (const auto& a : query) {
    if (a.empty()) continue;
    for (const auto& b : record) {
      if (sameCode(a, b)) return asciiUpper(b);
    }
  }
  return {};
}

bool anyNonEmpty(std::span<const std::string> codes) {
  return std::any_of(codes.begin(), codes.end(), [](const std::string& code) { return !code.empty(); });
}

// Additive evidence on the name score (0..1 scale). A date of birth that differs is strong evidence
// against; agreeing evidence corroborates a name, it never makes one.
double dateWeight(DateEvidence evidence) {
  switch (evidence) {
    case DateEvidence::exact: return 0.06;
    case DateEvidence::partial: return 0.03;
    case DateEvidence::near: return -0.02;
    case DateEvidence::mismatch: return -0.20;
    case DateEvidence::unknown: return 0;
  }
  return 0;
}
double sexWeight(Agreement agreement) {
  return agreement == Agreement::agrees ? 0.01 : agreement == Agreement::disagrees ? -0.15 : 0;
}
// Nationalities change and people hold several: weak evidence either way.
double nationalityWeight(Agreement agreement) {
  return agreement == Agreement::agrees ? 0.03 : agreement == Agreement::disagrees ? -0.05 : 0;
}

}  // namespace

Agreement compareNationalities(std::span<const std::string> query, std::span<const std::string> record) {
  if (!anyNonEmpty(query) || !anyNonEmpty(record)) return Agreement::unknown;
  return sharedNationality(query, record).empty() ? Agreement::disagrees : Agreement::agrees;
}

PersonScore combineEvidence(NameComparison name, size_t queryName, size_t recordName, DateEvidence dateOfBirth,
                            Agreement sex, Agreement nationality) {
  PersonScore score;
  score.nameScore = name.score;
  score.queryName = queryName;
  score.recordName = recordName;
  score.name = std::move(name);
  score.dateOfBirth = dateOfBirth;
  score.sex = sex;
  score.nationality = nationality;
  if (score.nameScore <= 0) return score;
  const double evidence = dateWeight(dateOfBirth) + sexWeight(sex) + nationalityWeight(nationality);
  score.score = std::clamp(score.nameScore + evidence, 0.0, 1.0);
  return score;
}

PersonScore scorePerson(const PersonQuery& query, const PersonRecord& record) {
  NameComparison best;
  size_t bestQuery = 0;
  size_t bestRecord = 0;
  for (size_t i = 0; i < query.names.size(); ++i) {
    for (size_t j = 0; j < record.names.size(); ++j) {
      NameComparison comparison = compareNames(query.names[i], record.names[j]);
      if (comparison.score > best.score) {
        best = std::move(comparison);
        bestQuery = i;
        bestRecord = j;
      }
    }
  }
  return combineEvidence(std::move(best), bestQuery, bestRecord,
                         compareDatesOfBirth(query.dateOfBirth, record.dateOfBirth), compareSex(query.sex, record.sex),
                         compareNationalities(query.nationalities, record.nationalities));
}

Explanation explainNames(const NameComparison& comparison, TokenSequence query, TokenSequence record) {
  Explanation explanation;
  explanation.score = comparison.score;
  for (const auto& match : comparison.matches) {
    if (match.query >= query.size() || match.record >= record.size()) continue;
    ExplainedPair pair;
    pair.query = originalOf(query, match.query, match.querySpan);
    pair.record = originalOf(record, match.record, match.recordSpan);
    pair.role = roleOf(match.record, match.recordSpan, record.size());
    pair.kind = match.kind;
    pair.transliterated = query[match.query]->script != record[match.record]->script;
    pair.similarity = match.similarity;
    explanation.pairs.push_back(std::move(pair));
  }
  std::stable_sort(explanation.pairs.begin(), explanation.pairs.end(),
                   [](const ExplainedPair& a, const ExplainedPair& b) { return roleRank(a.role) < roleRank(b.role); });
  for (size_t i : comparison.unmatchedQuery) {
    if (i < query.size()) explanation.unmatchedQuery.push_back(originalOf(query, i, 1));
  }
  for (size_t j : comparison.unmatchedRecord) {
    if (j < record.size()) explanation.unmatchedRecord.push_back(originalOf(record, j, 1));
  }
  explanation.text = textOf(explanation, false);
  return explanation;
}

Explanation explainPerson(const PersonScore& score, TokenSequence queryName, TokenSequence recordName,
                          const PartialDate& recordDateOfBirth, std::span<const std::string> queryNationalities,
                          std::span<const std::string> recordNationalities) {
  Explanation explanation = explainNames(score.name, queryName, recordName);
  explanation.score = score.score;
  explanation.dateOfBirth = score.dateOfBirth;
  if (score.dateOfBirth != DateEvidence::unknown) explanation.dateOfBirthShown = formatPartialDate(recordDateOfBirth);
  explanation.sex = score.sex;
  explanation.nationality = score.nationality;
  if (score.nationality == Agreement::agrees) {
    explanation.nationalityShown = sharedNationality(queryNationalities, recordNationalities);
  } else if (score.nationality == Agreement::disagrees) {
    for (const auto& code : recordNationalities) {
      if (code.empty()) continue;
      if (!explanation.nationalityShown.empty()) explanation.nationalityShown += ", ";
      explanation.nationalityShown += asciiUpper(code);
    }
  }
  explanation.text = textOf(explanation, true);
  return explanation;
}

Explanation explainPerson(const PersonScore& score, const PersonQuery& query, const PersonRecord& record) {
  static const Name kNoName;
  const Name& queryName = score.queryName < query.names.size() ? query.names[score.queryName] : kNoName;
  const Name& recordName = score.recordName < record.names.size() ? record.names[score.recordName] : kNoName;
  const auto queryTokens = pointersOf(queryName);
  const auto recordTokens = pointersOf(recordName);
  return explainPerson(score, queryTokens, recordTokens, record.dateOfBirth, query.nationalities,
                       record.nationalities);
}

std::string explain(const NameComparison& comparison, const Name& query, const Name& record) {
  const auto queryTokens = pointersOf(query);
  const auto recordTokens = pointersOf(record);
  return explainNames(comparison, queryTokens, recordTokens).text;
}

std::string explain(const PersonScore& score, const PersonQuery& query, const PersonRecord& record) {
  return explainPerson(score, query, record).text;
}

}  // namespace liaison::screening
