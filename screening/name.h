// Name normalisation for screening: a name in any script becomes ASCII tokens with index keys, so
// Шевченко, Shevchenko and Sevcenko, or محمد, Mohammed and Muhammad, can be compared and looked up.
// Pure: no I/O; thread-safe (each thread lazily creates its own ICU transliterator, reused across calls).
//
// The rules, in the order they apply:
// - Input: at most kMaxNameInputBytes bytes are read (cut at a character boundary); invalid UTF-8 is
//   skipped; then Unicode NFKC (full-width letters, ligatures), case folding.
// - Tokens: split on white space, commas, hyphens and dashes, dots, other punctuation and symbols
//   (emoji); apostrophes are removed inside a token ("O'Brien" -> "obrien"); invisible format
//   characters (zero-width joiners, direction marks) are ignored; digits are kept.
// - Hyphenated and joined names: "Abdul-Rahman" gives two tokens "abdul", "rahman", the first with
//   `joinedToNext` set, so a matcher can compare the joined form "abdulrahman" too; the first token
//   of such a group also carries the joined form's phonetic key, so an index finds "Abdulrahman".
//   A Han (Chinese) or Hangul (Korean) token stays one token ("毛泽东" -> "maozedong", matched against
//   "Mao Zedong" as a joined form); one of three characters, a family name and a given name written
//   together, also carries the key of the given name alone. (Splitting such tokens halved the
//   recall on foreign names written in Han or Hangul, ../shared/data/transliteration.)
// - Romanisation per script (Token::text):
//   latin: ICU Latin-ASCII ("Müller" -> "muller", "ß" -> "ss").
//   cyrillic: the common English-style romanisation, not ICU's scholarly one: ж zh, х kh, ц ts, ч ch,
//     ш sh, щ shch, ю yu, я ya, й y, ы y, ё e, е e (also word-initially: "Евгений" -> "evgeny"; the
//     "Yevgeny" spelling shares its consonant skeleton key), ь ъ dropped, final -ий/-ый -> y
//     ("Достоевский" -> "dostoevsky"); Ukrainian і i, ї yi, є ye, ґ g, and in a token with a
//     Ukrainian-only letter и y and г h ("Григорій" -> "hryhoriy").
//   arabic (with Persian and Urdu letters): one Latin spelling per letter (ش sh, خ kh, ث th, ذ dh,
//     غ gh, ج j, ع dropped except word-initially "a", و w initially else u, ي y initially else i,
//     ة a); vowels are mostly unwritten, so matching relies on the consonant skeleton key. A leading
//     article ال is removed into `dropped` as "al" when at least three letters remain.
//   hebrew: one spelling per letter (ש sh, ח kh, צ ts, ב b initially else v, פ p initially else f,
//     ו v initially, doubled or before a vowel letter, else o; י y initially else i; א ע dropped
//     except word-initially "a").
//   korean: Revised Romanization computed from the syllables (a final consonant carried over to a
//     following vowel); the vowel ㅡ of a syllable without final consonant is not written where Korean
//     uses it for a foreign consonant cluster (스미스 "smis" for Smith, 베니에르 "benier"); a family
//     name written apart (one syllable) takes its common passport spelling (김 kim, 이 lee, 박 park).
//   han: ICU Han-Latin pinyin without tones (Mandarin readings; Japanese kanji get Chinese readings).
//   greek, devanagari, kana and every other script: ICU Any-Latin then Latin-ASCII; Devanagari loses a
//     word-final inherent "a" ("रजनीकांत" -> "rajanikant").
// - Honorifics (kHonorifics) are dropped anywhere when another token remains; particles (kParticles)
//   are dropped when a token that is neither remains; "ben" and "abu"-like given-name particles only when not
//   the first token. Both go to `dropped`. "al-Rashid" and "Al Rashid" give "rashid" (al dropped); the joined
//   "Alrashid" keeps its text and gets the key of "rashid" as well.
// - Keys (Token::keys): phonetic key, consonant skeleton key, and extra keys for joined forms (see
//   phoneticKey and consonantSkeleton).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace liaison::screening {

/// The writing system of a token (or, for a Name, of most of its letters).
enum class Script : uint8_t { latin, cyrillic, greek, arabic, hebrew, han, hangul, kana, devanagari, other };

/// "latin", "cyrillic", ...: for explanations and benchmark output.
std::string_view scriptName(Script);

/// One name token.
struct Token {
  std::string text;      ///< ASCII lower-case romanisation, letters a-z and digits only, e.g. "shevchenko"
  std::string original;  ///< the token as written, case-folded UTF-8
  Script script = Script::latin;
  bool initial = false;  ///< a Latin token of one letter (with or without a dot): "J." -> text "j"
  /// Candidate keys for an index (1..4 short ASCII strings, no duplicates): the phonetic key of
  /// `text`; its consonant skeleton when that has three letters or more, or the token is in Arabic or
  /// Hebrew script (which write no short vowels), not for Han, Hangul and kana; the key of a joined
  /// or article-prefixed form; for a Han or Hangul token of 3 characters the given name's key; for
  /// Han, Hangul and kana tokens the keys with every liquid read as r and as l (one liquid there),
  /// for Han of the pinyin read as a foreign name's sounds (yi i, wu u, x s, q ch, c ts, er r; some
  /// characters as the tables for foreign names use them: 希 hi, 喬 jo, 金 kim, 基 ki, 埃 e, ...).
  std::vector<std::string> keys;
  /// Written joined to the next token ("Abdul-Rahman", or a Han/Hangul family name followed by the
  /// given name): text + next.text is the joined form.
  bool joinedToNext = false;
};

/// A normalised name.
struct Name {
  std::vector<Token> tokens;         ///< in written order, particles and honorifics removed
  Script script = Script::latin;     ///< the dominant script of the input
  std::vector<std::string> dropped;  ///< honorifics/particles removed, as ASCII, for explanations
};

/// Longer input: only the first kMaxNameInputBytes bytes are read, cut at a character boundary.
inline constexpr size_t kMaxNameInputBytes = 2048;
/// More tokens: the rest are ignored.
inline constexpr size_t kMaxNameTokens = 12;
/// The most keys one token carries.
inline constexpr size_t kMaxTokenKeys = 4;

/// Titles dropped wherever they stand (when a token that is not a title remains). Titles that are
/// also common names ("Sayed", "Syed", "Imam") are not listed: a name is never lost to a title.
inline constexpr std::string_view kHonorifics[] = {
    "mr",     "mrs",     "ms",   "miss",   "mx",     "dr",     "prof",   "sir",     "dame",
    "lord",   "lady",    "rev",  "sheikh", "shaikh", "sheik",  "shaykh", "cheikh",  "haji",
    "hajji",  "hadji",   "hajj", "alhaji", "sayyid", "mullah", "mulla",  "maulana", "mawlana",
    "maulvi", "mawlawi", "qari", "hafiz",  "jr",     "sr",     "gen",    "col",     "capt",
    "maj",    "lt",      "sgt",  "hon",    "eng"};

/// Particles dropped when a token that is neither a particle nor an honorific remains. Those in
/// kGivenNameParticles are also given names ("Ben Smith") and are dropped only after the first token.
inline constexpr std::string_view kParticles[] = {
    "al",  "el",    "bin", "ben", "ibn", "bint", "binti", "ould", "van", "von", "der", "den", "de",
    "del", "della", "di",  "da",  "das", "dos",  "du",    "la",   "le",  "ter", "ten", "zu"};
inline constexpr std::string_view kGivenNameParticles[] = {"ben"};

/// Pure and total: never throws, for any bytes. Invalid UTF-8 sequences are skipped.
Name normaliseName(std::string_view utf8);

/// The ASCII romanisation of a whole string (tokens joined by spaces, nothing dropped), for display
/// and tools.
std::string romanise(std::string_view utf8);

/// The phonetic key of an ASCII token (a-z0-9): the first letter (a vowel becomes "a"), then the
/// consonants in classes of the spellings that transliterations confuse (labials p b f v w ph: b;
/// affricates ch tch tsh ts tz and c before e i y: c; other c, ck, q: k; sh sch s z: s; zh dzh dj j: j;
/// kh h; th t; dh d; gh g; ght t; x ks; an initial j-sound in any spelling is y: Yusuf, Jusuf,
/// Dzhonston), without vowels, y and h after the first letter;
/// a doubled letter counts once. "shevchenko" and "sevcenko" give "sbcnk"; "mohammed", "muhammad",
/// "mohamad" give "mmd". A key of fewer than three letters says too little ("mr": Omar? Amir? Mire?):
/// it keeps the vowels in three classes instead (a; e i y; o u), or is the text itself.
std::string phoneticKey(std::string_view ascii);

/// The consonant skeleton of an ASCII token: its letters without a e i o u y w h, a doubled letter
/// once ("mohammed" and Arabic "mhmd" give "mmd"); the text itself when less than two letters are left.
std::string consonantSkeleton(std::string_view ascii);

/// Consonant classes in a crossScriptKey at most.
inline constexpr size_t kCrossScriptKeyClasses = 3;

/// The coarse key of a token for finding candidates across scripts, where a romanisation shares no
/// key with the Latin spelling ("reginald" / 레지널드 "rejineold", "schwimmer" / 슈위머 "syuwimeo"):
/// the first kCrossScriptKeyClasses consonant classes of the text's sounds (the spellings of
/// phoneticKey, a Han syllable's final "ng" read n), in seven coarse classes where voiced and
/// voiceless, and r and l, are one: labials P; t d T; k, and g not before e i y, K; sibilants,
/// affricates, j and g before e i y S; r l R; m M; n N. Vowels, y and h (kh) are dropped, a class
/// repeated once; "V" first when the token starts with a vowel or y. "reginald" and "rejineold" give
/// "RSN", "schwimmer" and "syuwimeo" "SPM". Empty for an initial or when no consonant is left. Never
/// one of Token::keys: the matcher does not see it.
std::string crossScriptKey(const Token& token);

}  // namespace liaison::screening
