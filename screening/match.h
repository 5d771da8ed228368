// Scoring a screened person against a recorded one, and explaining the score: token similarity,
// order-independent token alignment of two names, and the evidence of date of birth, sex and
// nationality. Pure: no I/O, no global state; every function is total and never throws.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "schema/model.h"
#include "screening/name.h"

namespace liaison::screening {

/// How two name tokens matched.
enum class MatchKind : uint8_t {
  exact,     ///< the same romanised text (across scripts: a transliteration)
  phonetic,  ///< different text, a shared phonetic key or consonant skeleton
  edit,      ///< similar text (typo, variant spelling): Jaro-Winkler or Damerau-Levenshtein
  initial,   ///< an initial against a full token starting with that letter
  joined,    ///< adjacent tokens of one side written as one token on the other ("abdul rahman" ~ "abdulrahman")
  /// tokens in different scripts whose spellings or phonetic keys only resemble each other (graded,
  /// crossScriptSimilarity): weaker evidence, multiplied into a name's score
  approximate,
};
/// Lower-case name of a match kind: "exact", "phonetic", "edit", "initial", "joined", "approximate".
std::string_view matchKindName(MatchKind kind);

/// Two tokens in one script below this similarity are not a match at all (they stay unmatched).
inline constexpr double kMinTokenSimilarity = 0.82;

/// Tokens in different scripts also match approximately, on a graded scale down to kApproximateFloor
/// (see crossScriptSimilarity). An approximate match multiplies a name's score instead of averaging
/// with the other matches: at the floor it costs what a conflicting token costs (kConflictFactor),
/// less as it rises. In a name of several tokens it counts squared and only from the script's cut up
/// (crossScriptCut), as every token there may resemble any token on the other side by chance.
inline constexpr double kApproximateFloor = 0.60;
/// Below its script's cut by this much, the edit similarity of tokens in different scripts is no
/// match at all.
inline constexpr double kCrossScriptFade = 0.15;

/// The edit similarity (of the texts, or of any pair of phonetic keys) at which a token pair across
/// scripts alone reaches kNameMatchThreshold, by the script of the side that is not Latin (the higher
/// cut when neither is): higher where romanisation is reliable (Cyrillic 0.68), lower where it is a
/// guess (Arabic 0.65, Hebrew 0.60, Han and Hangul 0.58; other scripts 0.65). Chosen on the
/// transliteration sets: README.md, Benchmark, "Screening quality".
double crossScriptCut(Script a, Script b);

/// The best way two single tokens match, or similarity 0 when they do not.
struct TokenSimilarity {
  MatchKind kind = MatchKind::edit;
  double similarity = 0;  ///< 0..1; 0 when not a match
};
/// Exact, initial, a shared key (phonetic, at least 0.85) or an edit similarity of at least
/// kMinTokenSimilarity; failing those, across scripts, approximate: crossScriptSimilarity of the best
/// edit similarity of the texts, or of one side's phonetic key (its first key) and a key of the other.
TokenSimilarity compareTokens(const Token& query, const Token& record);
/// compareTokens without the approximate match across scripts: the spelling alone (exact, initial,
/// shared key, edit). compareNames adds the approximate step itself, knowing the whole names.
TokenSimilarity compareSpellings(const Token& query, const Token& record);

/// Letter counts that bound edit similarities (SpellingSignature): a bucket per letter, except that q
/// counts as k, w as v, x as z and y as i (pooling letters only loosens the bound), and one for digits.
inline constexpr size_t kLetterBuckets = 23;

/// What comparePair needs of a token to rule out most pairs without reading the token itself (one
/// cache line, which an index keeps densely, so that an unrelated pair costs no cache miss): for the
/// spelling, which letters the compared part of the text holds, a bit per key, the length, the first
/// letter; for the approximate match across scripts, the letter counts of the text and of the keys.
struct alignas(64) SpellingSignature {
  uint64_t keys = 0;     ///< one bit per key, chosen by a hash of the key
  uint32_t letters = 0;  ///< bit c for each letter 'a' + c of the compared text; bit 26 for any digit
  uint8_t length = 0;    ///< of the text, 255 for 255 characters or more
  char first = 0;        ///< the text's first character; 0 when the text is empty
  bool initial = false;  ///< compared as an initial (an initial token, or one letter)
  Script script = Script::latin;
  std::array<uint8_t, kLetterBuckets> textCounts{};  ///< letter counts of the compared text
  std::array<uint8_t, kLetterBuckets> keyCounts{};   ///< per bucket, the most any (non-empty) key holds
  uint8_t shortestKey = 0;                           ///< compared length of the shortest key, 0 without keys
  uint8_t longestKey = 0;                            ///< and of the longest
};
SpellingSignature spellingSignature(const Token& token);
/// False only where compareSpellings of the two tokens certainly finds no match (similarity 0): not
/// the same text, no initial agreeing, no key shared and the texts too different in letters or length
/// for the edit similarity to reach kMinTokenSimilarity. True does not promise a match.
bool maySpellAlike(const SpellingSignature& query, const SpellingSignature& record);
/// False only where no edit similarity of the two texts, nor of a key of one and a key of the other,
/// reaches `minimum`: the approximate match across scripts (from crossScriptCut - kCrossScriptFade, or
/// in names of several tokens from the cut) is then certainly 0. True does not promise a match.
bool mayResemble(const SpellingSignature& query, const SpellingSignature& record, double minimum);

/// The token similarity across scripts for an edit similarity `spelling` (0..1) and a script pair's
/// `cut` (crossScriptCut): 0 below cut - kCrossScriptFade; from kApproximateFloor there rising linearly
/// to kNameMatchThreshold at the cut, then linearly to 1 at 1. Monotone.
double crossScriptSimilarity(double spelling, double cut);

/// What compareNames needs of one query token against one record token, computed once per pair:
/// an index search meets the same record token in the names of many candidates.
struct PairSimilarity {
  TokenSimilarity spelling;       ///< compareSpellings
  double approximateInName = 0;   ///< across scripts, failing a spelling match: the approximate
                                  ///< similarity within names of several tokens (0 below the cut;
                                  ///< names of one token each compare their tokens themselves)
  double joinedWithNext = 0;      ///< the query token and the next one of its name written together,
                                  ///< against the record token (0 when not similar, or no next token)
  uint8_t recordLength = 0;       ///< SpellingSignature::length of the record token
  bool recordInitial = false;     ///< the record token is compared as an initial
};
/// `next`: the query token after `query` in its name, or null. The signatures are those of `query`
/// and `record` (spellingSignature); they spare reading `record` for most unrelated pairs.
PairSimilarity comparePair(const Token& query, const Token* next, const Token& record,
                           const SpellingSignature& querySignature, const SpellingSignature& recordSignature);

/// Jaro-Winkler similarity of two ASCII strings (0..1), prefix scale 0.1, prefix up to 4, on their
/// first 48 characters.
double jaroWinkler(std::string_view a, std::string_view b);
/// Damerau-Levenshtein distance (optimal string alignment: adjacent transpositions, no substring edited
/// twice) of two ASCII strings, on their first 48 characters.
size_t damerauDistance(std::string_view a, std::string_view b);

/// One aligned pair: query tokens [query, query + querySpan) against record tokens
/// [record, record + recordSpan). Spans are 1 except for a joined match, where one side is 2.
struct TokenMatch {
  size_t query = 0;
  size_t record = 0;
  MatchKind kind = MatchKind::exact;
  double similarity = 0;
  uint8_t querySpan = 1;
  uint8_t recordSpan = 1;
};

/// Two names compared token by token in any order.
struct NameComparison {
  double score = 0;                     ///< 0..1
  std::vector<TokenMatch> matches;      ///< in query token order
  std::vector<size_t> unmatchedQuery;   ///< query token indexes left unmatched
  std::vector<size_t> unmatchedRecord;  ///< record token indexes left unmatched
};

/// A name as a sequence of tokens held elsewhere (a Name's tokens, or an index's dictionary).
using TokenSequence = std::span<const Token* const>;

/// Compares two names: the alignment maximising the summed similarity (an exact assignment for names
/// of up to 10 tokens, greedy beyond). Unmatched tokens lower the score: a token with no counterpart
/// on the other side (a missing middle name) a little, a token facing a different one (a different
/// family name) a lot. Empty names score 0.
NameComparison compareNames(TokenSequence query, TokenSequence record);
NameComparison compareNames(const Name& query, const Name& record);
/// The same, with comparePair(*query[i], query[i + 1] (null for the last), *record[j], ...) given as
/// pairs[i * record.size() + j] (which must hold exactly that): an index search computes each
/// distinct token pair once per query.
NameComparison compareNames(TokenSequence query, TokenSequence record, std::span<const PairSimilarity> pairs);
/// The same into `comparison`, reusing its storage: a search compares thousands of names.
void compareNames(TokenSequence query, TokenSequence record, std::span<const PairSimilarity> pairs,
                  NameComparison& comparison);

/// Evidence of the date of birth.
enum class DateEvidence : uint8_t {
  unknown,   ///< either side unknown
  exact,     ///< both full dates, equal
  partial,   ///< equal where both are known, at least one side partial (1970 vs 1970-05-12)
  near,      ///< off by one digit, day and month swapped, or one year apart
  mismatch,  ///< otherwise
};
std::string_view dateEvidenceName(DateEvidence evidence);
DateEvidence compareDatesOfBirth(const PartialDate& query, const PartialDate& record);

/// Agreement of sex or nationality.
enum class Agreement : uint8_t { unknown, agrees, disagrees };
std::string_view agreementName(Agreement agreement);
/// Unknown when either is unspecified.
Agreement compareSex(Sex query, Sex record);
/// Agrees when the lists share a code (case-insensitive), unknown when either is empty.
Agreement compareNationalities(std::span<const std::string> query, std::span<const std::string> record);

/// What is known of a person, on either side: names (name, aliases, original-script name), date of
/// birth, sex, nationalities (ICAO codes).
struct PersonEvidence {
  std::vector<Name> names;
  PartialDate dateOfBirth;
  Sex sex = Sex::unspecified;
  std::vector<std::string> nationalities;
};
using PersonQuery = PersonEvidence;
using PersonRecord = PersonEvidence;

/// A screened person's score against one recorded person.
struct PersonScore {
  double score = 0;       ///< 0..1, compare with kMatchThreshold
  double nameScore = 0;   ///< the best name pair's score
  size_t queryName = 0;   ///< which query name gave it
  size_t recordName = 0;  ///< which record name gave it
  NameComparison name;    ///< that pair's alignment
  DateEvidence dateOfBirth = DateEvidence::unknown;
  Agreement sex = Agreement::unknown;
  Agreement nationality = Agreement::unknown;
};

/// The person score from the best name comparison and the other evidence: agreeing evidence raises
/// the name score a little, conflicting strong evidence (a different date of birth, sex) lowers it.
PersonScore combineEvidence(NameComparison name, size_t queryName, size_t recordName, DateEvidence dateOfBirth,
                            Agreement sex, Agreement nationality);
/// Best name pair of all query names against all record names, with the other evidence.
PersonScore scorePerson(const PersonQuery& query, const PersonRecord& record);

/// At or above this score a pair of persons (or names) is a match. Chosen with the evidence weights on
/// the shared positive and negative sets: README.md, Benchmark, "Screening scale".
inline constexpr double kMatchThreshold = 0.80;
/// The threshold for names alone, with no date of birth or nationality to weigh (`liaison screen
/// compare`, and a screening that gives neither). On the shared screening set by name only 0.87 gives
/// recall 0.994 at precision 0.916 (0.86 gave 0.889 once names across scripts matched approximately);
/// a one-token name across scripts reaches it at its script's crossScriptCut (README, *Screening
/// quality*).
inline constexpr double kNameMatchThreshold = 0.87;

/// One aligned token pair for the wire: the tokens as written, joined with a space for a span of two.
struct ExplainedPair {
  std::string query;
  std::string record;
  std::string role;  ///< "given name", "middle name", "family name" or "name": the record token's position
  MatchKind kind = MatchKind::exact;
  bool transliterated = false;  ///< the two sides are in different scripts
  double similarity = 0;
};

/// The structured explanation of a score, for the node to put on the wire.
struct Explanation {
  double score = 0;
  std::vector<ExplainedPair> pairs;
  std::vector<std::string> unmatchedQuery;
  std::vector<std::string> unmatchedRecord;
  DateEvidence dateOfBirth = DateEvidence::unknown;
  std::string dateOfBirthShown;  ///< the record's date where evidence is exact/partial/near ("1970")
  Agreement sex = Agreement::unknown;
  Agreement nationality = Agreement::unknown;
  std::string nationalityShown;  ///< the shared code when agreeing, the record's codes when disagreeing
  std::string text;              ///< the human form, as explain() returns it
};

/// The structured explanation of a name comparison (no date, sex or nationality evidence).
Explanation explainNames(const NameComparison& comparison, TokenSequence query, TokenSequence record);
/// The structured explanation of a person score; `record` must be the record it was scored against.
Explanation explainPerson(const PersonScore& score, const PersonQuery& query, const PersonRecord& record);
/// Like explainPerson, with the record's evidence as held elsewhere (the index): the record name
/// that scored, and the record's date of birth and nationalities.
Explanation explainPerson(const PersonScore& score, TokenSequence queryName, TokenSequence recordName,
                          const PartialDate& recordDateOfBirth, std::span<const std::string> queryNationalities,
                          std::span<const std::string> recordNationalities);

/// The human explanation: "family name SHEVCHENKO ~ ШЕВЧЕНКО (transliteration, 1.00); given name
/// TARAS ~ TARAS (exact, 1.00); date of birth partial (1970); nationality UKR agrees".
std::string explain(const NameComparison& comparison, const Name& query, const Name& record);
std::string explain(const PersonScore& score, const PersonQuery& query, const PersonRecord& record);

}  // namespace liaison::screening
