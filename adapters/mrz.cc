#include "adapters/mrz.h"

#include <array>
#include <cstdio>
#include <utility>

namespace liaison::mrz {
namespace {

// A run of columns on one line, 1-based and inclusive as Doc 9303 numbers them. `first` may be
// `last + 1` for an empty run (optional data used up by a long document number).
struct Span {
  size_t line = 0;
  size_t first = 0;
  size_t last = 0;
};

// Where the fields of one format sit (Doc 9303 Parts 5, 6, 4 and 7). Every check digit is in the
// column right after the field it covers; `sex` follows the birth date's check digit.
struct Layout {
  MrzFormat format;
  Span name;
  Span number;
  Span nationality;
  Span birth;
  Span sex;
  Span expiry;
  Span optional1;
  bool optional1Checked;              // the TD3 personal number has its own check digit
  Span optional2;                     // line 0 when the format has none
  Span composite;                     // line 0 for visas, which have no composite check digit
  std::array<Span, 4> compositeOver;  // unused entries have line 0
  bool longNumbers;                   // TD1 and TD2 continue numbers over 9 characters in optional1
};

constexpr Layout kTd1{.format = MrzFormat::td1,
                      .name = {3, 1, 30},
                      .number = {1, 6, 14},
                      .nationality = {2, 16, 18},
                      .birth = {2, 1, 6},
                      .sex = {2, 8, 8},
                      .expiry = {2, 9, 14},
                      .optional1 = {1, 16, 30},
                      .optional1Checked = false,
                      .optional2 = {2, 19, 29},
                      .composite = {2, 30, 30},
                      .compositeOver = {{{1, 6, 30}, {2, 1, 7}, {2, 9, 15}, {2, 19, 29}}},
                      .longNumbers = true};

constexpr Layout kTd2{.format = MrzFormat::td2,
                      .name = {1, 6, 36},
                      .number = {2, 1, 9},
                      .nationality = {2, 11, 13},
                      .birth = {2, 14, 19},
                      .sex = {2, 21, 21},
                      .expiry = {2, 22, 27},
                      .optional1 = {2, 29, 35},
                      .optional1Checked = false,
                      .optional2 = {},
                      .composite = {2, 36, 36},
                      .compositeOver = {{{2, 1, 10}, {2, 14, 20}, {2, 22, 35}, {}}},
                      .longNumbers = true};

constexpr Layout kTd3{.format = MrzFormat::td3,
                      .name = {1, 6, 44},
                      .number = {2, 1, 9},
                      .nationality = {2, 11, 13},
                      .birth = {2, 14, 19},
                      .sex = {2, 21, 21},
                      .expiry = {2, 22, 27},
                      .optional1 = {2, 29, 42},
                      .optional1Checked = true,
                      .optional2 = {},
                      .composite = {2, 44, 44},
                      .compositeOver = {{{2, 1, 10}, {2, 14, 20}, {2, 22, 43}, {}}},
                      .longNumbers = false};

constexpr Layout kMrvA{.format = MrzFormat::mrvA,
                       .name = {1, 6, 44},
                       .number = {2, 1, 9},
                       .nationality = {2, 11, 13},
                       .birth = {2, 14, 19},
                       .sex = {2, 21, 21},
                       .expiry = {2, 22, 27},
                       .optional1 = {2, 29, 44},
                       .optional1Checked = false,
                       .optional2 = {},
                       .composite = {},
                       .compositeOver = {},
                       .longNumbers = false};

constexpr Layout kMrvB{.format = MrzFormat::mrvB,
                       .name = {1, 6, 36},
                       .number = {2, 1, 9},
                       .nationality = {2, 11, 13},
                       .birth = {2, 14, 19},
                       .sex = {2, 21, 21},
                       .expiry = {2, 22, 27},
                       .optional1 = {2, 29, 36},
                       .optional1Checked = false,
                       .optional2 = {},
                       .composite = {},
                       .compositeOver = {},
                       .longNumbers = false};

constexpr Span kDocumentCode{1, 1, 2};
constexpr Span kIssuingState{1, 3, 5};
constexpr const char* kCheckDigitAdvice = "re-scan the zone; if it still fails, suspect an altered document";

std::string range(Span span) {
  if (span.first == span.last) return std::to_string(span.first);
  return std::to_string(span.first) + "-" + std::to_string(span.last);
}

std::string columns(Span span) { return (span.first == span.last ? "column " : "columns ") + range(span); }

std::string where(Span span) { return "line " + std::to_string(span.line) + ", " + columns(span); }

Error errorAt(const std::string& location, const std::string& what) {
  return fail(ErrorKind::invalidInput, location + ": " + what);
}
Error errorAt(Span span, const std::string& what) { return errorAt(where(span), what); }

Span columnOf(size_t line, size_t column) { return {line, column, column}; }
Span checkDigitOf(Span field) { return columnOf(field.line, field.last + 1); }

bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isLetter(char c) { return c >= 'A' && c <= 'Z'; }
bool isMrzCharacter(char c) { return isDigit(c) || isLetter(c) || c == '<'; }
bool allFillers(std::string_view text) { return text.find_first_not_of('<') == std::string_view::npos; }

// Shows an offending character without passing control bytes through to a terminal.
std::string shown(char c) {
  auto byte = static_cast<unsigned char>(c);
  if (byte >= 0x20 && byte < 0x7f) return std::string("'") + c + "'";
  std::array<char, 8> hex{};
  std::snprintf(hex.data(), hex.size(), "0x%02X", static_cast<unsigned>(byte));
  return std::string("byte ") + hex.data();
}

std::string withoutTrailingFillers(std::string_view text) {
  size_t end = text.find_last_not_of('<');
  return std::string(end == std::string_view::npos ? std::string_view() : text.substr(0, end + 1));
}

// Doc 9303 Part 3 §4.9: digits count their value, A-Z 10-35 and `<` 0; the weights 7, 3, 1 repeat and
// the digit is the sum modulo 10. Only called on text already restricted to A-Z, 0-9 and `<`.
char checkDigit(std::string_view text) {
  constexpr std::array<int, 3> kWeights{7, 3, 1};
  int sum = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    int value = isDigit(c) ? c - '0' : isLetter(c) ? c - 'A' + 10 : 0;
    sum = (sum + value * kWeights[i % kWeights.size()]) % 10;
  }
  return static_cast<char>('0' + sum);
}

// A field that is all fillers may carry `<` instead of the 0 its check digit would be, at the issuing
// state's choice (Doc 9303 Part 4 for the personal number; the same for a blank expiry date).
enum class BlankCheckDigit { forbidden, allowed };

Status verifyCheckDigit(std::string_view covered, char actual, std::string_view field,
                        const std::string& location, const std::string& detail,
                        BlankCheckDigit blank = BlankCheckDigit::forbidden) {
  char expected = checkDigit(covered);
  if (actual == expected) return {};
  if (blank == BlankCheckDigit::allowed && actual == '<' && allFillers(covered)) return {};
  return errorAt(location, std::string(field) + " check digit is " + actual + ", expected " + expected +
                               " (" + detail + "); " + kCheckDigitAdvice);
}

// A YYMMDD date as printed, before its century is chosen.
struct PrintedDate {
  int yy = 0;
  unsigned month = 0;
  unsigned day = 0;
};

Date withYear(int year, PrintedDate printed) {
  return Date{std::chrono::year{year}, std::chrono::month{printed.month}, std::chrono::day{printed.day}};
}

// The first year of the century `year` lies in, also for years before 0.
int centuryStart(int year) { return year - ((year % 100) + 100) % 100; }

// A birth date is in the past: the latest century that does not put it after today.
int birthYear(PrintedDate printed, Date today) {
  int year = centuryStart(static_cast<int>(today.year())) + printed.yy;
  if (withYear(year, printed) > today) year -= 100;
  return year;
}

// An expiry date may lie ahead: the one century that puts it in [today - 50 years, today + 50 years).
// Comparing year_month_day is field by field, so a 29 February bound in a common year still orders.
int expiryYear(PrintedDate printed, Date today) {
  int earliestYear = static_cast<int>(today.year()) - 50;
  Date earliest{std::chrono::year{earliestYear}, today.month(), today.day()};
  int year = centuryStart(earliestYear) + printed.yy;
  if (withYear(year, printed) < earliest) year += 100;
  return year;
}

enum class Century { birth, expiry };

// Reads the characters of an MRZ in the order Doc 9303 lays them out, stopping at the first problem.
class ZoneReader {
 public:
  ZoneReader(const std::vector<std::string>& lines, const Layout& layout, Date today)
      : lines_(lines), layout_(layout), today_(today) {}

  Result<MrzDocument> read() {
    MrzDocument document;
    document.format = layout_.format;
    document.documentCode = withoutTrailingFillers(text(kDocumentCode));
    auto issuingState = stateCode(kIssuingState, "issuing state");
    if (!issuingState) return issuingState.error();
    document.issuingState = std::move(issuingState).value();
    if (Status named = readName(document); !named) return named.error();
    Span optional1 = layout_.optional1;
    if (Status numbered = readNumber(document, optional1); !numbered) return numbered.error();
    auto nationality = stateCode(layout_.nationality, "nationality");
    if (!nationality) return nationality.error();
    document.nationality = std::move(nationality).value();
    auto birth = readBirthDate();
    if (!birth) return birth.error();
    document.dateOfBirth = *birth;
    auto sex = readSex();
    if (!sex) return sex.error();
    document.sex = *sex;
    auto expiry = readDate(layout_.expiry, "expiry date", Century::expiry);
    if (!expiry) return expiry.error();
    document.expiryDate = *expiry;
    if (layout_.optional1Checked) {
      Status checked =
          verifyCheckDigit(text(optional1), at(checkDigitOf(optional1)), "personal number", where(optional1),
                           columns(checkDigitOf(optional1)), BlankCheckDigit::allowed);
      if (!checked) return checked.error();
    }
    document.optionalData1 = withoutTrailingFillers(text(optional1));
    if (layout_.optional2.line != 0) document.optionalData2 = withoutTrailingFillers(text(layout_.optional2));
    if (Status composite = verifyComposite(); !composite) return composite.error();
    return document;
  }

 private:
  std::string_view text(Span span) const {
    return std::string_view(lines_[span.line - 1]).substr(span.first - 1, span.last + 1 - span.first);
  }
  char at(Span span) const { return lines_[span.line - 1][span.first - 1]; }

  Result<std::string> stateCode(Span span, std::string_view field) const {
    std::string code(text(span));
    if (!isIcaoStateCode(code)) {
      return errorAt(span,
                     std::string(field) + " '" + code +
                         "' is not an ICAO code; codes are three letters, shorter ones padded with < (D<<)");
    }
    return code;
  }

  // Doc 9303 Part 3 §4.6: primary identifier, `<<`, secondary identifier; a single `<` separates the
  // components of each, and trailing fillers pad the field.
  Status readName(MrzDocument& document) const {
    const Span span = layout_.name;
    std::string_view name = text(span);
    for (size_t i = 0; i < name.size(); ++i) {
      if (isDigit(name[i])) {
        return errorAt(columnOf(span.line, span.first + i),
                       "name has the digit " + shown(name[i]) + "; names hold only A-Z and < fillers");
      }
    }
    if (allFillers(name)) return errorAt(span, "name is blank (all <); every document names its holder");
    if (name.front() == '<') {
      return errorAt(columnOf(span.line, span.first),
                     "name starts with <; the primary identifier (family name) comes first");
    }
    size_t separator = name.find("<<");
    document.primaryIdentifier = spaced(name.substr(0, separator));
    document.secondaryIdentifier =
        separator == std::string_view::npos ? std::string() : spaced(name.substr(separator + 2));
    return {};
  }

  // Each run of fillers becomes one space; fillers at either end go.
  static std::string spaced(std::string_view part) {
    std::string words;
    bool pendingSpace = false;
    for (char c : part) {
      if (c == '<') {
        pendingSpace = !words.empty();
        continue;
      }
      if (pendingSpace) words.push_back(' ');
      pendingSpace = false;
      words.push_back(c);
    }
    return words;
  }

  // A `<` in place of the check digit marks a number longer than 9 characters (Doc 9303 Part 5 note j,
  // Part 6 note j, TD1 and TD2 only): its first 9 characters fill the number field, the rest opens the
  // optional data, followed by the check digit over the whole number and one filler. `optional1` is
  // narrowed to what follows that filler.
  Status readNumber(MrzDocument& document, Span& optional1) const {
    const Span field = layout_.number;
    const Span digit = checkDigitOf(field);
    std::string_view printed = text(field);
    if (layout_.longNumbers && at(digit) == '<') {
      if (printed.find('<') != std::string_view::npos) {
        return errorAt(
            digit, "document number check digit is <, which marks a number longer than 9 characters, but " +
                       columns(field) + " are not all used; a shorter number needs its check digit here");
      }
      std::string_view optional = text(optional1);
      size_t filler = optional.find('<');
      if (filler == std::string_view::npos || filler < 2) {
        return errorAt(optional1, "document number continues here (" + columns(digit) +
                                      " is <), but the field does not start with the rest of the number, its "
                                      "check digit and a < filler");
      }
      const Span rest{optional1.line, optional1.first, optional1.first + filler - 2};
      const Span restDigit = checkDigitOf(rest);
      std::string whole = std::string(printed) + std::string(text(rest));
      std::string location = where(field) + " and " + range(rest);
      Status checked =
          verifyCheckDigit(whole, at(restDigit), "document number", location, columns(restDigit));
      if (!checked) return checked;
      auto number = DocumentNumber::parse(whole);
      if (!number) return errorAt(location, number.error().message);
      document.number = std::move(number).value();
      optional1.first = restDigit.first + 2;  // past the check digit and its filler
      return {};
    }
    Status checked = verifyCheckDigit(printed, at(digit), "document number", where(field), columns(digit));
    if (!checked) return checked;
    auto number = DocumentNumber::parse(printed);
    if (!number) return errorAt(field, number.error().message);
    document.number = std::move(number).value();
    return {};
  }

  // Verifies the check digit, then reads YYMMDD. Nullopt for an expiry date left blank; a blank
  // birth date is also nullopt here and refused by the caller.
  // Doc 9303 fills an unknown part of a date of birth with <: the day (YYMM<<), the day and the
  // month (YY<<<<), or all of it. The check digit covers the printed characters, fillers as 0.
  Result<PartialDate> readBirthDate() const {
    const Span span = layout_.birth;
    const std::string_view printed = text(span);
    const size_t known = printed.find('<');
    if (known == std::string_view::npos) {
      auto full = readDate(span, "date of birth", Century::birth);
      if (!full) return full.error();
      return partialDateOf(**full);  // all digits: never blank
    }
    const Span digit = checkDigitOf(span);
    Status checked = verifyCheckDigit(printed, at(digit), "date of birth", where(span), columns(digit),
                                      BlankCheckDigit::allowed);
    if (!checked) return checked.error();
    if ((known != 0 && known != 2 && known != 4) || !allFillers(printed.substr(known))) {
      return errorAt(span,
                     "date of birth '" + std::string(printed) +
                         "' is partly blank in a way Doc 9303 does not use: only the day (YYMM<<), the "
                         "day and month (YY<<<<) or all of it (<<<<<<) may be unknown");
    }
    for (size_t i = 0; i < known; ++i) {
      if (!isDigit(printed[i])) {
        return errorAt(columnOf(span.line, span.first + i),
                       "date of birth has the letter " + shown(printed[i]) + "; dates are YYMMDD digits");
      }
    }
    if (known == 0) return PartialDate{};
    PrintedDate earliest{(printed[0] - '0') * 10 + (printed[1] - '0'), 1, 1};
    if (known == 4) {
      earliest.month = static_cast<unsigned>((printed[2] - '0') * 10 + (printed[3] - '0'));
      if (earliest.month < 1 || earliest.month > 12) {
        return errorAt(span, "date of birth has month " + std::string(printed.substr(2, 2)) +
                                 "; dates are YYMMDD with a month from 01 to 12");
      }
    }
    // The century that does not put the first day the date can mean after today.
    return PartialDate{static_cast<uint16_t>(birthYear(earliest, today_)),
                       static_cast<uint8_t>(known == 4 ? earliest.month : 0), 0};
  }

  Result<std::optional<Date>> readDate(Span span, std::string_view field, Century century) const {
    std::string_view printed = text(span);
    const Span digit = checkDigitOf(span);
    Status checked =
        verifyCheckDigit(printed, at(digit), field, where(span), columns(digit), BlankCheckDigit::allowed);
    if (!checked) return checked.error();
    if (allFillers(printed)) return std::optional<Date>();
    if (printed.find('<') != std::string_view::npos) {
      return errorAt(span, std::string(field) + " is partly blank (<); it is YYMMDD, or all < when the "
                                                "document has none");
    }
    for (size_t i = 0; i < printed.size(); ++i) {
      if (!isDigit(printed[i])) {
        return errorAt(
            columnOf(span.line, span.first + i),
            std::string(field) + " has the letter " + shown(printed[i]) + "; dates are YYMMDD digits");
      }
    }
    auto twoDigits = [&](size_t offset) {
      return (printed[offset] - '0') * 10 + (printed[offset + 1] - '0');
    };
    PrintedDate date{twoDigits(0), static_cast<unsigned>(twoDigits(2)), static_cast<unsigned>(twoDigits(4))};
    if (date.month < 1 || date.month > 12) {
      return errorAt(span, std::string(field) + " has month " + std::string(printed.substr(2, 2)) +
                               "; dates are YYMMDD with a month from 01 to 12");
    }
    if (date.day < 1 || date.day > 31) {
      return errorAt(span, std::string(field) + " has day " + std::string(printed.substr(4, 2)) +
                               "; dates are YYMMDD with a day from 01 to 31");
    }
    int year = century == Century::birth ? birthYear(date, today_) : expiryYear(date, today_);
    Date result = withYear(year, date);
    if (!result.ok()) {
      return errorAt(span, std::string(field) + " has day " + std::string(printed.substr(4, 2)) +
                               ", which month " + std::string(printed.substr(2, 2)) + " of " +
                               std::to_string(year) + " does not have");
    }
    return std::optional<Date>(result);
  }

  Result<Sex> readSex() const {
    char printed = at(layout_.sex);
    switch (printed) {
      case 'F':
        return Sex::female;
      case 'M':
        return Sex::male;
      case 'X':
      case '<':
        return Sex::unspecified;
      default:
        return errorAt(layout_.sex, "sex is " + shown(printed) + "; Doc 9303 allows F, M, X or <");
    }
  }

  Status verifyComposite() const {
    if (layout_.composite.line == 0) return {};
    std::string covered;
    std::string detail = "over";
    size_t previousLine = 0;
    for (const Span& span : layout_.compositeOver) {
      if (span.line == 0) continue;
      covered += text(span);
      if (span.line != previousLine) {
        detail += (previousLine == 0 ? " line " : " and line ") + std::to_string(span.line) + " columns ";
      } else {
        detail += ", ";
      }
      detail += range(span);
      previousLine = span.line;
    }
    return verifyCheckDigit(covered, at(layout_.composite), "composite", where(layout_.composite), detail);
  }

  const std::vector<std::string>& lines_;
  const Layout& layout_;
  Date today_;
};

std::string shape(size_t lines, size_t width) {
  return std::to_string(lines) + " lines of " + std::to_string(width);
}

// Picks the layout from the line count, the line length and the document code, after checking that
// every line has that length and only MRZ characters.
Result<const Layout*> detectLayout(const std::vector<std::string>& lines) {
  const size_t count = lines.size();
  if (count != 2 && count != 3) {
    return fail(ErrorKind::invalidInput,
                "an MRZ has 3 lines (TD1) or 2 lines (TD2, TD3, MRV-A, MRV-B), not " + std::to_string(count) +
                    "; give every line of the zone, each as printed");
  }
  const size_t width = lines[0].size();
  if (count == 3 && width != 30) {
    return fail(ErrorKind::invalidInput, "line 1 has " + std::to_string(width) +
                                             " characters; a 3-line MRZ (TD1) has 30 on every line");
  }
  if (count == 2 && width != 36 && width != 44) {
    return fail(ErrorKind::invalidInput,
                "line 1 has " + std::to_string(width) +
                    " characters; a 2-line MRZ has 36 (TD2, MRV-B) or 44 (TD3, MRV-A) on "
                    "every line");
  }
  for (size_t i = 1; i < count; ++i) {
    if (lines[i].size() != width) {
      return fail(ErrorKind::invalidInput, "line " + std::to_string(i + 1) + " has " +
                                               std::to_string(lines[i].size()) +
                                               " characters, but line 1 has " + std::to_string(width) +
                                               "; every line of an MRZ is equally long");
    }
  }
  for (size_t i = 0; i < count; ++i) {
    for (size_t column = 0; column < width; ++column) {
      char c = lines[i][column];
      if (isMrzCharacter(c)) continue;
      std::string problem =
          c >= 'a' && c <= 'z' ? shown(c) + " is lower case" : shown(c) + " is not an MRZ character";
      return errorAt(columnOf(i + 1, column + 1), problem + "; an MRZ holds only A-Z, 0-9 and <");
    }
  }

  const char kind = lines[0][0];
  const char variant = lines[0][1];
  if (!isLetter(variant) && variant != '<') {
    return errorAt(columnOf(1, 2),
                   "document code has " + shown(variant) + "; its second character is a letter or <");
  }
  switch (kind) {
    case 'P':
      if (width == 44) return &kTd3;
      return errorAt(
          columnOf(1, 1),
          "document code P (passport) needs the TD3 layout of 2 lines of 44, not " + shape(count, width));
    case 'V':
      if (count == 2) return width == 44 ? &kMrvA : &kMrvB;
      return errorAt(
          columnOf(1, 1),
          "document code V (visa) needs 2 lines of 44 (MRV-A) or 36 (MRV-B), not " + shape(count, width));
    case 'A':
    case 'C':
    case 'I':
      if (count == 3) return &kTd1;
      if (width == 36) return &kTd2;
      return errorAt(columnOf(1, 1), std::string("document code ") + kind +
                                         " needs 3 lines of 30 (TD1) or 2 lines of 36 (TD2), not " +
                                         shape(count, width));
    default:
      return errorAt(columnOf(1, 1),
                     "document code starts with " + shown(kind) +
                         "; Doc 9303 codes start with P (passport), V (visa), or A, C or I (other "
                         "travel documents)");
  }
}

}  // namespace

std::string_view name(MrzFormat format) {
  switch (format) {
    case MrzFormat::td1:
      return "TD1";
    case MrzFormat::td2:
      return "TD2";
    case MrzFormat::td3:
      return "TD3";
    case MrzFormat::mrvA:
      return "MRV-A";
    case MrzFormat::mrvB:
      return "MRV-B";
  }
  return "invalid";
}

Result<MrzDocument> parseMrz(const std::vector<std::string>& lines, Date today) {
  if (!today.ok()) {
    return fail(ErrorKind::invalidInput,
                "parseMrz: the reference date for the century of two-digit years is not a "
                "calendar date; pass the current date");
  }
  auto layout = detectLayout(lines);
  if (!layout) return layout.error();
  return ZoneReader(lines, **layout, today).read();
}

}  // namespace liaison::mrz
