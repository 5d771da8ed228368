#include "screening/name.h"

#include <unicode/normalizer2.h>
#include <unicode/translit.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/uscript.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <memory>
#include <utility>

namespace liaison::screening {
namespace {

// ---------------------------------------------------------------------------------------------------
// Input: UTF-8 to code points.

// Decodes at most kMaxNameInputBytes bytes; invalid, overlong, surrogate and truncated sequences are
// skipped byte by byte, so the result never depends on anything past the cut.
std::u32string decodeUtf8(std::string_view bytes) {
  bytes = bytes.substr(0, std::min(bytes.size(), kMaxNameInputBytes));
  std::u32string out;
  out.reserve(bytes.size());
  size_t i = 0;
  while (i < bytes.size()) {
    const auto lead = static_cast<unsigned char>(bytes[i]);
    size_t length = 0;
    char32_t cp = 0;
    char32_t minimum = 0;
    if (lead < 0x80) {
      out.push_back(lead);
      ++i;
      continue;
    } else if ((lead & 0xE0) == 0xC0) {
      length = 2, cp = lead & 0x1F, minimum = 0x80;
    } else if ((lead & 0xF0) == 0xE0) {
      length = 3, cp = lead & 0x0F, minimum = 0x800;
    } else if ((lead & 0xF8) == 0xF0) {
      length = 4, cp = lead & 0x07, minimum = 0x10000;
    } else {
      ++i;
      continue;
    }
    if (i + length > bytes.size()) break;  // cut inside a character: the rest is not read
    bool valid = true;
    for (size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(bytes[i + k]);
      if ((next & 0xC0) != 0x80) {
        valid = false;
        break;
      }
      cp = (cp << 6) | (next & 0x3F);
    }
    if (!valid || cp < minimum || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      ++i;
      continue;
    }
    out.push_back(cp);
    i += length;
  }
  return out;
}

void appendUtf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

icu::UnicodeString toUnicode(const std::u32string& text) {
  icu::UnicodeString out;
  for (char32_t cp : text) out.append(static_cast<UChar32>(cp));
  return out;
}

std::u32string fromUnicode(const icu::UnicodeString& text) {
  std::u32string out;
  for (int32_t i = 0; i < text.length();) {
    const UChar32 cp = text.char32At(i);
    out.push_back(static_cast<char32_t>(cp));
    i += U16_LENGTH(cp);
  }
  return out;
}

// NFKC then case folding; Normalizer2 instances are immutable and shared between threads by ICU.
std::u32string foldAndCompose(const std::u32string& text) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfkc = icu::Normalizer2::getNFKCInstance(status);
  icu::UnicodeString unicode = toUnicode(text);
  unicode.foldCase();
  if (U_SUCCESS(status) && nfkc != nullptr) {
    icu::UnicodeString composed = nfkc->normalize(unicode, status);
    if (U_SUCCESS(status)) unicode = composed;
  }
  return fromUnicode(unicode);
}

// ---------------------------------------------------------------------------------------------------
// Scripts.

Script scriptOf(char32_t cp) {
  UErrorCode status = U_ZERO_ERROR;
  const UScriptCode code = uscript_getScript(static_cast<UChar32>(cp), &status);
  if (U_FAILURE(status)) return Script::other;
  switch (code) {
    case USCRIPT_LATIN:
      return Script::latin;
    case USCRIPT_CYRILLIC:
      return Script::cyrillic;
    case USCRIPT_GREEK:
      return Script::greek;
    case USCRIPT_ARABIC:
      return Script::arabic;
    case USCRIPT_HEBREW:
      return Script::hebrew;
    case USCRIPT_HAN:
      return Script::han;
    case USCRIPT_HANGUL:
      return Script::hangul;
    case USCRIPT_HIRAGANA:
    case USCRIPT_KATAKANA:
      return Script::kana;
    case USCRIPT_DEVANAGARI:
      return Script::devanagari;
    default:
      return Script::other;
  }
}

// Common and inherited characters (digits, combining marks) take the script of the letters around.
bool hasOwnScript(char32_t cp) {
  UErrorCode status = U_ZERO_ERROR;
  const UScriptCode code = uscript_getScript(static_cast<UChar32>(cp), &status);
  return U_SUCCESS(status) && code != USCRIPT_COMMON && code != USCRIPT_INHERITED;
}

// ---------------------------------------------------------------------------------------------------
// ICU transliteration, one instance per thread and rule set (instances are not thread-safe; creating
// one parses rule tables, far too slow to do per call).

enum class Rules : uint8_t { anyToAscii, latinToAscii, count };

icu::Transliterator* transliterator(Rules rules) {
  thread_local std::array<std::unique_ptr<icu::Transliterator>, static_cast<size_t>(Rules::count)> cache;
  thread_local std::array<bool, static_cast<size_t>(Rules::count)> failed{};
  const auto index = static_cast<size_t>(rules);
  if (!cache[index] && !failed[index]) {
    UErrorCode status = U_ZERO_ERROR;
    const char* id = rules == Rules::anyToAscii ? "Any-Latin; Latin-ASCII" : "Latin-ASCII";
    cache[index].reset(icu::Transliterator::createInstance(icu::UnicodeString(id), UTRANS_FORWARD, status));
    if (U_FAILURE(status)) {
      cache[index].reset();
      failed[index] = true;
    }
  }
  return cache[index].get();
}

// Appends the ASCII letters and digits of `text` after ICU transliteration, lower-cased; everything
// else (spaces ICU puts between Han syllables, modifier letters such as ʿ) is dropped.
void appendTransliterated(std::string& out, const std::u32string& text, Rules rules) {
  icu::UnicodeString unicode = toUnicode(text);
  if (icu::Transliterator* t = transliterator(rules)) t->transliterate(unicode);
  for (int32_t i = 0; i < unicode.length(); ++i) {
    const char16_t c = unicode.charAt(i);
    if (c >= 'A' && c <= 'Z')
      out.push_back(static_cast<char>(c - 'A' + 'a'));
    else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
      out.push_back(static_cast<char>(c));
  }
}

// ---------------------------------------------------------------------------------------------------
// Per-script romanisation where ICU's output differs from the spellings people use.

bool isCyrillicUkrainianOnly(char32_t c) { return c == U'і' || c == U'ї' || c == U'є' || c == U'ґ'; }

void romaniseCyrillic(std::string& out, const std::u32string& run) {
  const bool ukrainian = std::any_of(run.begin(), run.end(), isCyrillicUkrainianOnly);
  for (size_t i = 0; i < run.size(); ++i) {
    const char32_t c = run[i];
    const bool last2 = i + 2 == run.size();
    // Final -ий / -ый: "Достоевский" -> "dostoevsky", "Юрий" -> "yury".
    if ((c == U'и' || c == U'ы') && last2 && run[i + 1] == U'й') {
      out += "y";
      return;
    }
    switch (c) {
      case U'а':
        out += "a";
        break;
      case U'б':
        out += "b";
        break;
      case U'в':
        out += "v";
        break;
      case U'г':
        out += ukrainian ? "h" : "g";
        break;
      case U'ґ':
        out += "g";
        break;
      case U'д':
        out += "d";
        break;
      case U'е':
      case U'ё':
      case U'э':
        out += "e";
        break;
      case U'є':
        out += "ye";
        break;
      case U'ж':
        out += "zh";
        break;
      case U'з':
        out += "z";
        break;
      case U'и':
        out += ukrainian ? "y" : "i";
        break;
      case U'і':
        out += "i";
        break;
      case U'ї':
        out += "yi";
        break;
      case U'й':
        out += "y";
        break;
      case U'к':
        out += "k";
        break;
      case U'л':
        out += "l";
        break;
      case U'м':
        out += "m";
        break;
      case U'н':
        out += "n";
        break;
      case U'о':
        out += "o";
        break;
      case U'п':
        out += "p";
        break;
      case U'р':
        out += "r";
        break;
      case U'с':
        out += "s";
        break;
      case U'т':
        out += "t";
        break;
      case U'у':
      case U'ў':
        out += "u";
        break;
      case U'ф':
        out += "f";
        break;
      case U'х':
        out += "kh";
        break;
      case U'ц':
        out += "ts";
        break;
      case U'ч':
        out += "ch";
        break;
      case U'ш':
        out += "sh";
        break;
      case U'щ':
        out += "shch";
        break;
      case U'ъ':
      case U'ь':
        break;
      case U'ы':
        out += "y";
        break;
      case U'ю':
        out += "yu";
        break;
      case U'я':
        out += "ya";
        break;
      default:
        appendTransliterated(out, std::u32string(1, c), Rules::anyToAscii);
        break;
    }
  }
}

bool isArabicVowelLetter(char32_t c) { return c == U'ا' || c == U'و' || c == U'ي' || c == U'ى' || c == U'ی'; }

void romaniseArabic(std::string& out, const std::u32string& run) {
  for (size_t i = 0; i < run.size(); ++i) {
    const char32_t c = run[i];
    const bool first = out.empty();
    const bool beforeVowel = i + 1 < run.size() && isArabicVowelLetter(run[i + 1]);
    switch (c) {
      case U'ا':
      case U'أ':
      case U'آ':
      case U'ٱ':
      case U'ى':
      case U'ة':
      case U'ٰ':
        out += "a";
        break;
      case U'إ':
        out += "i";
        break;
      case U'ء':
      case U'ؤ':
      case U'ئ':
        break;
      case U'ب':
        out += "b";
        break;
      case U'پ':
        out += "p";
        break;
      case U'ت':
      case U'ط':
      case U'ٹ':
        out += "t";
        break;
      case U'ث':
        out += "th";
        break;
      case U'ج':
        out += "j";
        break;
      case U'چ':
        out += "ch";
        break;
      case U'ح':
      case U'ه':
      case U'ھ':
      case U'ۀ':
        out += "h";
        break;
      case U'خ':
        out += "kh";
        break;
      case U'د':
      case U'ض':
      case U'ڈ':
        out += "d";
        break;
      case U'ذ':
        out += "dh";
        break;
      case U'ر':
      case U'ڑ':
        out += "r";
        break;
      case U'ز':
      case U'ظ':
        out += "z";
        break;
      case U'ژ':
        out += "zh";
        break;
      case U'س':
      case U'ص':
        out += "s";
        break;
      case U'ش':
        out += "sh";
        break;
      case U'ع':
        if (first) out += "a";
        break;
      case U'غ':
        out += "gh";
        break;
      case U'ف':
        out += "f";
        break;
      case U'ق':
        out += "q";
        break;
      case U'ك':
      case U'ک':
        out += "k";
        break;
      case U'گ':
        out += "g";
        break;
      case U'ل':
        out += "l";
        break;
      case U'م':
        out += "m";
        break;
      case U'ن':
      case U'ں':
        out += "n";
        break;
      case U'و':
        out += (first || beforeVowel) ? "w" : "u";
        break;
      case U'ي':
      case U'ی':
        out += (first || beforeVowel) ? "y" : "i";
        break;
      case U'ے':
        out += "e";
        break;
      case U'َ':
        out += "a";
        break;  // fatha
      case U'ُ':
        out += "u";
        break;  // damma
      case U'ِ':
        out += "i";
        break;  // kasra
      case U'ـ':
        break;  // tatweel
      default:
        if (u_charType(static_cast<UChar32>(c)) == U_NON_SPACING_MARK) break;  // sukun, shadda, tanwin
        appendTransliterated(out, std::u32string(1, c), Rules::anyToAscii);
        break;
    }
  }
}

bool isHebrewVowelLetter(char32_t c) { return c == U'א' || c == U'י' || c == U'ו' || c == U'ע'; }

void romaniseHebrew(std::string& out, const std::u32string& run) {
  for (size_t i = 0; i < run.size(); ++i) {
    const char32_t c = run[i];
    const bool first = out.empty();
    const bool last = i + 1 == run.size();
    const char32_t next = last ? 0 : run[i + 1];
    switch (c) {
      case U'א':
      case U'ע':
        if (first) out += "a";
        break;
      case U'ב':
        out += first ? "b" : "v";
        break;
      case U'ג':
        out += "g";
        break;
      case U'ד':
        out += "d";
        break;
      case U'ה':
        out += "h";
        break;
      case U'ו':
        if (next == U'ו') {
          out += "v";
          ++i;
        } else {
          out += (first || last || isHebrewVowelLetter(next)) ? "v" : "o";
        }
        break;
      case U'ז':
        out += "z";
        break;
      case U'ח':
        out += "kh";
        break;
      case U'ט':
      case U'ת':
        out += "t";
        break;
      case U'י':
        out += (first || next == U'י') ? "y" : "i";
        if (next == U'י') ++i;
        break;
      case U'כ':
        out += first ? "k" : "kh";
        break;
      case U'ך':
        out += "kh";
        break;
      case U'ל':
        out += "l";
        break;
      case U'מ':
      case U'ם':
        out += "m";
        break;
      case U'נ':
      case U'ן':
        out += "n";
        break;
      case U'ס':
        out += "s";
        break;
      case U'פ':
        out += first ? "p" : "f";
        break;
      case U'ף':
        out += "f";
        break;
      case U'צ':
      case U'ץ':
        out += "ts";
        break;
      case U'ק':
        out += "k";
        break;
      case U'ר':
        out += "r";
        break;
      case U'ש':
        out += "sh";
        break;
      default:
        if (u_charType(static_cast<UChar32>(c)) == U_NON_SPACING_MARK) break;  // niqqud
        appendTransliterated(out, std::u32string(1, c), Rules::anyToAscii);
        break;
    }
  }
}

// Korean: Revised Romanization from the syllable's jamo indices (Unicode 3.12, conjoining jamo).
constexpr char32_t kHangulFirst = 0xAC00;
constexpr char32_t kHangulLast = 0xD7A3;
constexpr std::string_view kHangulLeads[19] = {"g",  "kk", "n", "d",  "tt", "r", "m", "b", "pp", "s",
                                               "ss", "",   "j", "jj", "ch", "k", "t", "p", "h"};
constexpr size_t kHangulVowelEu = 18;
constexpr std::string_view kHangulVowels[21] = {"a",  "ae", "ya", "yae", "eo", "e",  "yeo",
                                                "ye", "o",  "wa", "wae", "oe", "yo", "u",
                                                "wo", "we", "wi", "yu",  "eu", "ui", "i"};
constexpr std::string_view kHangulTails[28] = {"",  "k",  "k", "k", "n", "n", "n", "t", "l", "k",
                                               "m", "l",  "l", "l", "p", "l", "m", "p", "p", "t",
                                               "t", "ng", "t", "t", "k", "t", "p", "t"};
// A final consonant before a syllable that starts with a vowel is pronounced (and romanised) as the
// next syllable's initial: 한국어 hangugeo.
constexpr std::string_view kHangulTailsBeforeVowel[28] = {
    "",   "g", "kk", "ks", "n",  "nj", "n",  "d",  "r", "lg", "lm", "lb", "ls", "lt",
    "lp", "r", "m",  "b",  "bs", "s",  "ss", "ng", "j", "ch", "k",  "t",  "p",  "h"};

struct Surname {
  char32_t syllable;
  std::string_view spelling;
};
// The passport spellings of common Korean family names, where they differ from Revised Romanization.
constexpr Surname kKoreanSurnames[] = {
    {U'김', "kim"},  {U'이', "lee"},  {U'박', "park"}, {U'최', "choi"}, {U'정', "jung"},  {U'강', "kang"},
    {U'조', "cho"},  {U'윤', "yoon"}, {U'임', "lim"},  {U'오', "oh"},   {U'신', "shin"},  {U'권', "kwon"},
    {U'안', "ahn"},  {U'류', "ryu"},  {U'유', "yoo"},  {U'고', "ko"},   {U'문', "moon"},  {U'노', "noh"},
    {U'곽', "kwak"}, {U'성', "sung"}, {U'주', "joo"},  {U'우', "woo"},  {U'구', "koo"},   {U'심', "shim"},
    {U'변', "byun"}, {U'천', "chun"}, {U'공', "kong"}, {U'현', "hyun"}, {U'추', "choo"},  {U'기', "ki"},
    {U'금', "keum"}, {U'육', "yook"}, {U'국', "kook"}, {U'전', "jeon"}, {U'황', "hwang"}, {U'장', "jang"}};

void romaniseHangul(std::string& out, const std::u32string& run, bool familyName) {
  if (familyName && run.size() == 1) {
    for (const Surname& surname : kKoreanSurnames) {
      if (surname.syllable == run[0]) {
        out += surname.spelling;
        return;
      }
    }
  }
  for (size_t i = 0; i < run.size(); ++i) {
    const char32_t c = run[i];
    if (c < kHangulFirst || c > kHangulLast) {
      appendTransliterated(out, std::u32string(1, c), Rules::anyToAscii);
      continue;
    }
    const char32_t s = c - kHangulFirst;
    const size_t lead = s / 588;
    const size_t vowel = (s % 588) / 28;
    const size_t tail = s % 28;
    out += kHangulLeads[lead];
    // Korean writes a foreign word's consonant cluster or final consonant with the vowel ㅡ "eu"
    // (스미스 for Smith): not pronounced as a vowel by the name's owner, so not romanised.
    const bool nextIsVowel = i + 1 < run.size() && run[i + 1] >= kHangulFirst && run[i + 1] <= kHangulLast &&
                             (run[i + 1] - kHangulFirst) / 588 == 11;
    const bool epenthetic =
        vowel == kHangulVowelEu && tail == 0 && run.size() > 1 && lead != 11 && !nextIsVowel;
    if (!epenthetic) out += kHangulVowels[vowel];
    out += nextIsVowel ? kHangulTailsBeforeVowel[tail] : kHangulTails[tail];
  }
}

bool isDevanagariConsonant(char32_t c) {
  return (c >= 0x0915 && c <= 0x0939) || (c >= 0x0958 && c <= 0x095F);
}

void romaniseRun(std::string& out, const std::u32string& run, Script script, bool familyName) {
  switch (script) {
    case Script::cyrillic:
      romaniseCyrillic(out, run);
      return;
    case Script::arabic:
      romaniseArabic(out, run);
      return;
    case Script::hebrew:
      romaniseHebrew(out, run);
      return;
    case Script::hangul:
      romaniseHangul(out, run, familyName);
      return;
    case Script::latin: {
      const bool ascii = std::all_of(run.begin(), run.end(), [](char32_t c) { return c < 0x80; });
      if (ascii) {
        for (char32_t c : run) {
          if (c >= 'a' && c <= 'z')
            out.push_back(static_cast<char>(c));
          else if (c >= 'A' && c <= 'Z')
            out.push_back(static_cast<char>(c - 'A' + 'a'));
          else if (c >= '0' && c <= '9')
            out.push_back(static_cast<char>(c));
        }
        return;
      }
      appendTransliterated(out, run, Rules::latinToAscii);
      return;
    }
    case Script::devanagari: {
      const size_t before = out.size();
      appendTransliterated(out, run, Rules::anyToAscii);
      // Hindi drops a word-final inherent vowel: रजनीकांत is "rajanikant", not "rajanikanta".
      if (!run.empty() && isDevanagariConsonant(run.back()) && out.size() > before + 1 && out.back() == 'a') {
        out.pop_back();
      }
      return;
    }
    default:
      appendTransliterated(out, run, Rules::anyToAscii);
      return;
  }
}

// ---------------------------------------------------------------------------------------------------
// Tokens.

bool isApostrophe(char32_t c) {
  return c == U'\'' || c == U'’' || c == U'‘' || c == U'`' || c == U'´' || c == U'ʼ' || c == U'ʻ' ||
         c == U'ʿ' || c == U'ʾ' || c == U'׳' || c == U'״' || c == U'′';
}

// A token as written, before romanisation.
struct RawToken {
  std::u32string chars;
  bool hyphenAfter = false;
};

// Splits folded text into raw tokens: letters, digits and marks stay, apostrophes and invisible
// format characters are skipped, everything else separates.
std::vector<RawToken> splitTokens(const std::u32string& text) {
  std::vector<RawToken> tokens;
  RawToken current;
  auto finish = [&](bool hyphen) {
    if (!current.chars.empty()) {
      tokens.push_back(std::move(current));
      current = RawToken{};
    }
    if (hyphen && !tokens.empty()) tokens.back().hyphenAfter = true;
  };
  for (char32_t c : text) {
    const auto cp = static_cast<UChar32>(c);
    const int8_t type = u_charType(cp);
    if (isApostrophe(c) || type == U_FORMAT_CHAR || c == U'ـ') continue;
    const uint32_t mask = U_MASK(type);
    if ((mask & (U_GC_L_MASK | U_GC_N_MASK | U_GC_M_MASK)) != 0) {
      current.chars.push_back(c);
    } else {
      const bool hyphen = type == U_DASH_PUNCTUATION;
      // "Abdul - Rahman" is not a joined name; "Abdul-Rahman" is.
      const bool attached = hyphen && !current.chars.empty();
      finish(attached);
    }
  }
  finish(false);
  return tokens;
}

// The dominant script of a raw token: the most frequent among its letters; kana wins over han
// (Japanese writes kanji with kana).
Script dominantScript(const std::u32string& chars) {
  std::array<size_t, 10> counts{};
  for (char32_t c : chars) {
    if (hasOwnScript(c)) ++counts[static_cast<size_t>(scriptOf(c))];
  }
  if (counts[static_cast<size_t>(Script::kana)] > 0) return Script::kana;
  const auto best = std::max_element(counts.begin(), counts.end());
  if (*best == 0) return Script::latin;
  return static_cast<Script>(best - counts.begin());
}

// Romanises a raw token run by run of one script, so a mixed token ("abcШев") is handled per part.
std::string romaniseToken(const std::u32string& chars, bool familyName) {
  std::string out;
  std::u32string run;
  Script runScript = Script::latin;
  bool haveRun = false;
  for (char32_t c : chars) {
    // Digits, like marks, belong to the run they stand in.
    const Script script = hasOwnScript(c) ? scriptOf(c) : (haveRun ? runScript : Script::latin);
    if (u_isdigit(static_cast<UChar32>(c))) {
      if (haveRun) romaniseRun(out, run, runScript, familyName);
      run.clear();
      haveRun = false;
      const int32_t value = u_charDigitValue(static_cast<UChar32>(c));
      if (value >= 0 && value <= 9) out.push_back(static_cast<char>('0' + value));
      continue;
    }
    if (haveRun && script != runScript) {
      romaniseRun(out, run, runScript, familyName);
      run.clear();
    }
    run.push_back(c);
    runScript = script;
    haveRun = true;
  }
  if (haveRun) romaniseRun(out, run, runScript, familyName);
  return out;
}

std::string toUtf8(const std::u32string& chars) {
  std::string out;
  for (char32_t c : chars) appendUtf8(out, c);
  return out;
}

bool contains(const auto& list, std::string_view word) {
  return std::find(std::begin(list), std::end(list), word) != std::end(list);
}

bool isHonorific(std::string_view text) { return contains(kHonorifics, text); }
bool isParticle(std::string_view text) { return contains(kParticles, text); }

void addKey(Token& token, std::string key) {
  if (key.empty() || token.keys.size() >= kMaxTokenKeys) return;
  if (std::find(token.keys.begin(), token.keys.end(), key) != token.keys.end()) return;
  token.keys.push_back(std::move(key));
}

// "alrashid" -> "rashid", "abdulrahman" -> "rahman": the part after an attached article, for an
// extra key; empty when there is none or the rest is too short to be a name.
std::string afterAttachedArticle(std::string_view text) {
  constexpr std::string_view kPrefixes[] = {"abdul", "abdel", "abdal", "abdol", "al", "el"};
  for (std::string_view prefix : kPrefixes) {
    if (text.starts_with(prefix) && text.size() >= prefix.size() + 4)
      return std::string(text.substr(prefix.size()));
  }
  return {};
}

// Romanised tokens before honorifics and particles are dropped (also what romanise() shows).
struct Romanised {
  std::vector<Token> tokens;
  std::vector<std::string> dropped;  // articles removed from Arabic-script tokens
};

constexpr size_t kMaxRawTokens = 4 * kMaxNameTokens;  // bounds work on hostile input

Romanised romaniseAll(std::string_view utf8) {
  Romanised result;
  const std::u32string folded = foldAndCompose(decodeUtf8(utf8));
  std::vector<RawToken> raw = splitTokens(folded);
  if (raw.size() > kMaxRawTokens) raw.resize(kMaxRawTokens);
  for (const RawToken& rawToken : raw) {
    const Script script = dominantScript(rawToken.chars);
    std::u32string chars = rawToken.chars;
    // The Arabic article is written attached: الرشيد is al-Rashid.
    if (script == Script::arabic && chars.size() >= 5 && chars[0] == U'ا' && chars[1] == U'ل') {
      chars.erase(0, 2);
      result.dropped.emplace_back("al");
    }
    Token token;
    // A Hangul token of one syllable is a family name written apart ("김 정은"): its passport spelling.
    token.text = romaniseToken(chars, chars.size() == 1);
    if (token.text.empty()) continue;
    token.original = toUtf8(chars);
    token.script = script;
    token.initial = script == Script::latin && token.text.size() == 1 && chars.size() <= 2;
    token.joinedToNext = rawToken.hyphenAfter;
    result.tokens.push_back(std::move(token));
  }
  // A hyphen before a token that romanised to nothing joins nothing.
  if (!result.tokens.empty()) result.tokens.back().joinedToNext = false;
  return result;
}

// Characters that the standard tables for writing foreign names in Chinese (Xinhua's) use for a
// sound their Mandarin reading does not suggest: 希 for he/hi (Heath 希斯), 喬 and 乔 for jo/geo
// (George 喬治), 治 for a final ge, 金 for kim, 基 for ki/ke (Keith 基思), 吉 and 季 for gi, 傑 and
// 杰 for je, 科 for co/ko, 埃, 艾 and 愛/爱 for an initial e, 歐/欧 and 奧/奥 for o, 華/华 for wa(rd),
// 史 for s(t), 彼 for pe.
struct ForeignReading {
  char32_t character;
  std::string_view sounds;
};
constexpr ForeignReading kForeignReadings[] = {
    {U'希', "hi"}, {U'喬', "jo"}, {U'乔', "jo"}, {U'治', "j"},  {U'金', "kim"}, {U'基', "ki"}, {U'吉', "gi"},
    {U'季', "gi"}, {U'傑', "je"}, {U'杰', "je"}, {U'科', "ko"}, {U'埃', "e"},   {U'艾', "e"},  {U'愛', "e"},
    {U'爱', "e"},  {U'歐', "o"},  {U'欧', "o"},  {U'奧', "o"},  {U'奥', "o"},   {U'華', "wa"}, {U'华', "wa"},
    {U'史', "s"},  {U'彼', "pe"},
};

// Pinyin read for the sounds it stands for when Chinese writes a foreign name: syllables written
// with y or w for a vowel start with the vowel (yi i, wu u, ya ia), x is s, q is ch, c is ts, er is r;
// the characters above as the tables use them.
std::string pinyinSounds(const std::string& original) {
  std::string out;
  for (char32_t c : decodeUtf8(original)) {
    const auto* reading = std::find_if(std::begin(kForeignReadings), std::end(kForeignReadings),
                                       [c](const ForeignReading& r) { return r.character == c; });
    if (reading != std::end(kForeignReadings)) {
      out += reading->sounds;
      continue;
    }
    std::string syllable;
    appendTransliterated(syllable, std::u32string(1, c), Rules::anyToAscii);
    if (syllable.starts_with("yi") || syllable.starts_with("wu")) {
      syllable.erase(0, 1);
    } else if (syllable.starts_with("y")) {
      syllable[0] = 'i';
    } else if (syllable.starts_with("w")) {
      syllable[0] = 'u';
    }
    if (syllable == "er") syllable = "r";
    for (char letter : syllable) {
      if (letter == 'x')
        out += 's';
      else if (letter == 'q')
        out += "ch";
      else if (letter == 'c')
        out += "ts";
      else
        out += letter;
    }
  }
  return out;
}

void fillKeys(std::vector<Token>& tokens) {
  for (size_t i = 0; i < tokens.size(); ++i) {
    Token& token = tokens[i];
    const bool han = token.script == Script::han;
    const bool cjk = han || token.script == Script::hangul || token.script == Script::kana;
    addKey(token, phoneticKey(token.text));
    // Two consonants say little ("mr": Omar, Amir, Mire), except in scripts that write no vowels.
    const std::string skeleton = consonantSkeleton(token.text);
    if (!cjk && (skeleton.size() >= 3 || token.script == Script::arabic || token.script == Script::hebrew)) {
      addKey(token, skeleton);
    }
    if (const std::string rest = afterAttachedArticle(token.text); !rest.empty())
      addKey(token, phoneticKey(rest));
    if (token.joinedToNext && i + 1 < tokens.size())
      addKey(token, phoneticKey(token.text + tokens[i + 1].text));
    // Han or Hangul family name and two-syllable given name written together: the given name
    // alone. (Not for two characters: a one-syllable key finds every Korean name with that syllable.)
    if (han || token.script == Script::hangul) {
      const std::u32string chars = decodeUtf8(token.original);
      if (chars.size() == 3) addKey(token, phoneticKey(romaniseToken(chars.substr(1), false)));
    }
    // Chinese, Korean and Japanese have one liquid for both r and l (London is 倫敦 "lundun",
    // Rodrigues 罗德里格斯 "luodeligesi"): such tokens also carry the keys with every liquid as r and
    // as l, Han ones of the pinyin read as a foreign name's sounds.
    if (cjk) {
      const std::string sounds = han ? pinyinSounds(token.original) : token.text;
      std::string asR = sounds;
      std::string asL = sounds;
      std::replace(asR.begin(), asR.end(), 'l', 'r');
      std::replace(asL.begin(), asL.end(), 'r', 'l');
      addKey(token, phoneticKey(asR));
      addKey(token, phoneticKey(asL));
    }
  }
}

Script nameScript(const std::vector<Token>& tokens) {
  std::array<size_t, 10> letters{};
  for (const Token& token : tokens) letters[static_cast<size_t>(token.script)] += token.text.size();
  const auto best = std::max_element(letters.begin(), letters.end());
  return *best == 0 ? Script::latin : static_cast<Script>(best - letters.begin());
}

}  // namespace

std::string_view scriptName(Script script) {
  switch (script) {
    case Script::latin:
      return "latin";
    case Script::cyrillic:
      return "cyrillic";
    case Script::greek:
      return "greek";
    case Script::arabic:
      return "arabic";
    case Script::hebrew:
      return "hebrew";
    case Script::han:
      return "han";
    case Script::hangul:
      return "hangul";
    case Script::kana:
      return "kana";
    case Script::devanagari:
      return "devanagari";
    case Script::other:
      return "other";
  }
  return "other";
}

namespace {

// Spellings of one sound in the romanisations of many languages, tried longest first at each
// position: the phonetic key sees one class letter for each.
struct Spelling {
  std::string_view from;
  std::string_view to;
};
constexpr Spelling kSpellings[] = {{"ght", "t"}, {"dzh", "j"}, {"sch", "s"}, {"tch", "c"}, {"tsh", "c"},
                                   {"sh", "s"},  {"zh", "j"},  {"kh", "h"},  {"ch", "c"},  {"ts", "c"},
                                   {"tz", "c"},  {"ph", "b"},  {"gh", "g"},  {"th", "t"},  {"dh", "d"},
                                   {"ck", "k"},  {"dj", "j"},  {"dz", "s"},  {"q", "k"},   {"z", "s"},
                                   {"w", "b"},   {"v", "b"},   {"p", "b"},   {"x", "ks"}};

bool isVowelLetter(char c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u'; }

// The text with each spelling replaced by its class: c before e, i, y is the affricate class "c"
// (Slavic c, Italian ci), any other c is k; an initial j is y (Jusuf, Yusuf).
std::string soundClasses(std::string_view text) {
  std::string mapped;
  mapped.reserve(text.size() + 4);
  for (size_t i = 0; i < text.size();) {
    bool replaced = false;
    for (const Spelling& spelling : kSpellings) {
      if (text.substr(i).starts_with(spelling.from)) {
        mapped += spelling.to;
        i += spelling.from.size();
        replaced = true;
        break;
      }
    }
    // An initial j-sound in any spelling is y: Johnstone, Yohnston, Dzhonston (Джонстон).
    if (replaced) {
      if (mapped == "j") mapped = "y";
      continue;
    }
    const char c = text[i];
    const char next = i + 1 < text.size() ? text[i + 1] : '\0';
    if (c == 'c') {
      mapped += (next == 'e' || next == 'i' || next == 'y') ? 'c' : 'k';
    } else if (c == 'f') {
      mapped += 'b';
    } else if (c == 'j' && i == 0) {
      mapped += 'y';
    } else {
      mapped += c;
    }
    ++i;
  }
  return mapped;
}

// For names with fewer than two consonants the vowels carry the identity ("mun" is not "min"):
// vowels in three classes (a; e i y; o u), h dropped, doubles once.
std::string vowelKey(std::string_view mapped) {
  std::string key;
  for (size_t i = 0; i < mapped.size(); ++i) {
    char c = mapped[i];
    if (c == 'h' && i > 0) continue;
    if (c == 'e' || c == 'y') c = 'i';
    if (c == 'o') c = 'u';
    if (!key.empty() && key.back() == c) continue;
    key += c;
  }
  return key;
}

}  // namespace

std::string phoneticKey(std::string_view text) {
  const std::string mapped = soundClasses(text);
  // The first letter (a vowel as "a"), then consonants only; a doubled letter counts once, the same
  // consonant twice around a vowel twice ("mhmd", "mohammed": "mmd").
  std::string key;
  for (size_t i = 0; i < mapped.size(); ++i) {
    const char c = mapped[i];
    if (i == 0) {
      key += isVowelLetter(c) ? 'a' : c;
      continue;
    }
    if (c == mapped[i - 1] || isVowelLetter(c) || c == 'y' || c == 'h') continue;
    key += c;
  }
  if (key.size() >= 3) return key;
  key = vowelKey(mapped);
  if (key.size() < 2) return std::string(text);
  return key;
}

// The coarse class of a letter of soundClasses' output for crossScriptKey: labials P; t d T; k g K
// (g before e, i, y is soft: S); sibilants, affricates and j S; liquids R (Chinese, Korean and Japanese
// have one liquid); m M; n N; digits themselves; nothing for vowels, y and h (also kh, which Hebrew and
// Arabic write for a Latin h or ch), which transliterations add and drop at will.
char coarseClass(char c, char next) {
  switch (c) {
    case 'b':
      return 'P';
    case 't':
    case 'd':
      return 'T';
    case 'k':
      return 'K';
    case 'g':
      return (next == 'e' || next == 'i' || next == 'y') ? 'S' : 'K';
    case 'c':
    case 's':
    case 'j':
      return 'S';
    case 'l':
    case 'r':
      return 'R';
    case 'm':
      return 'M';
    case 'n':
      return 'N';
    default:
      return (c >= '0' && c <= '9') ? c : '\0';
  }
}

std::string consonantSkeleton(std::string_view text) {
  std::string key;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (i > 0 && c == text[i - 1]) continue;
    if (isVowelLetter(c) || c == 'y' || c == 'w' || c == 'h') continue;
    key += c;
  }
  if (key.size() < 2) return std::string(text);
  return key;
}

std::string crossScriptKey(const Token& token) {
  if (token.initial || token.text.size() < 2) return {};
  // Pinyin "ng" ends a syllable with a nasal a foreign name writes n (埃隆 "ailong" for Elon).
  std::string sounds;
  const std::string& text = token.text;
  for (size_t i = 0; i < text.size(); ++i) {
    const bool syllableNg = text[i] == 'g' && i > 0 && text[i - 1] == 'n' &&
                            (i + 1 == text.size() || !isVowelLetter(text[i + 1]));
    if (!(syllableNg && token.script == Script::han)) sounds += text[i];
  }
  std::string mapped = soundClasses(sounds);
  // soundClasses reads an initial j as y (Jusuf, Yusuf); across scripts it is as often a soft g
  // (Gina, 지나 "jina"), so it stays a consonant here.
  if (mapped[0] == 'y' && sounds[0] != 'y') mapped[0] = 'j';
  std::string key;
  if (isVowelLetter(mapped[0]) || mapped[0] == 'y') key += 'V';
  const size_t start = key.size();
  for (size_t i = 0; i < mapped.size() && key.size() - start < kCrossScriptKeyClasses; ++i) {
    const char coarse = coarseClass(mapped[i], i + 1 < mapped.size() ? mapped[i + 1] : '\0');
    if (coarse != '\0' && (key.size() == start || key.back() != coarse)) key += coarse;
  }
  if (key.size() == start) return {};
  return key;
}

Name normaliseName(std::string_view utf8) {
  Name name;
  Romanised romanised = romaniseAll(utf8);
  name.dropped = std::move(romanised.dropped);
  std::vector<Token>& all = romanised.tokens;
  const auto isNameWord = [](const Token& token) {
    return !isHonorific(token.text) && !isParticle(token.text);
  };
  const bool anyNameWord = std::any_of(all.begin(), all.end(), isNameWord);
  const bool anyNonHonorific =
      std::any_of(all.begin(), all.end(), [](const Token& t) { return !isHonorific(t.text); });
  for (size_t i = 0; i < all.size(); ++i) {
    Token& token = all[i];
    const bool honorific = isHonorific(token.text) && anyNonHonorific;
    const bool particle =
        isParticle(token.text) && anyNameWord && !(i == 0 && contains(kGivenNameParticles, token.text));
    if (honorific || particle) {
      name.dropped.push_back(token.text);
      // "al-Rashid": the article was joined to the name; nothing before it is joined to it now.
      if (i > 0 && !name.tokens.empty() && all[i - 1].joinedToNext && !token.joinedToNext) {
        name.tokens.back().joinedToNext = false;
      }
      continue;
    }
    if (name.tokens.size() >= kMaxNameTokens) break;
    name.tokens.push_back(std::move(token));
  }
  if (!name.tokens.empty()) name.tokens.back().joinedToNext = false;
  fillKeys(name.tokens);
  name.script = nameScript(name.tokens);
  return name;
}

std::string romanise(std::string_view utf8) {
  std::string out;
  for (const Token& token : romaniseAll(utf8).tokens) {
    if (!out.empty()) out += ' ';
    out += token.text;
  }
  return out;
}

}  // namespace liaison::screening
