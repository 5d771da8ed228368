// The MRZ parser: the ICAO Doc 9303 specimens decode field by field, every kind of check digit failure
// names its field, columns and the digit expected, long document numbers continue in the optional
// data, two-digit years get a sensible century, and malformed input is refused with a clear error.
#include "adapters/mrz.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "node/cli/command_line.h"

namespace liaison::mrz {
namespace {

using namespace std::chrono_literals;

// Every test decodes against the same day, so centuries never depend on when the tests run.
constexpr Date kToday = 2026y / 11 / 25;

// The specimens of ICAO Doc 9303 (Parts 4 to 7), issued by the fictitious state Utopia (UTO).
const std::vector<std::string> kTd3 = {"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
                                       "L898902C36UTO7408122F1204159ZE184226B<<<<<10"};
const std::vector<std::string> kTd1 = {"I<UTOD231458907<<<<<<<<<<<<<<<", "7408122F1204159UTO<<<<<<<<<<<6",
                                       "ERIKSSON<<ANNA<MARIA<<<<<<<<<<"};
const std::vector<std::string> kTd2 = {"I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<",
                                       "D231458907UTO7408122F1204159<<<<<<<6"};
const std::vector<std::string> kMrvA = {"V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
                                        "L8988901C4XXX4009078F96121096ZE184226B<<<<<<"};
const std::vector<std::string> kMrvB = {"V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<",
                                        "L8988901C4XXX4009078F9612109<<<<<<<<"};

constexpr std::string_view kAdvice = "; re-scan the zone; if it still fails, suspect an altered document";

// The Doc 9303 check digit written out the obvious way, independent of the parser: each character's
// value (0-9, A=10 .. Z=35, < = 0) times 7, 3, 1, 7, 3, 1, ..., summed, modulo 10.
char naiveCheckDigit(std::string_view text) {
  const std::string_view values = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  const int weights[] = {7, 3, 1};
  int sum = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    int value = text[i] == '<' ? 0 : static_cast<int>(values.find(text[i]));
    sum += value * weights[i % 3];
  }
  return static_cast<char>('0' + sum % 10);
}

// Columns `first`..`last` (1-based, inclusive) of a line, as Doc 9303 numbers them.
std::string columns(const std::string& line, size_t first, size_t last) {
  return line.substr(first - 1, last - first + 1);
}

// The line with the character in `column` (1-based) replaced.
std::string replaced(std::string line, size_t column, char c) {
  line.at(column - 1) = c;
  return line;
}

// Line 2 of a TD3 passport for the specimen holder with the given YYMMDD dates, every check digit
// computed by naiveCheckDigit (the composite covers columns 1-10, 14-20 and 22-43).
std::string td3Line2(const std::string& birth, const std::string& expiry) {
  std::string line = "L898902C36UTO" + birth + naiveCheckDigit(birth) + "F" + expiry +
                     naiveCheckDigit(expiry) + "ZE184226B<<<<<1";
  return line + naiveCheckDigit(columns(line, 1, 10) + columns(line, 14, 20) + columns(line, 22, 43));
}

Result<MrzDocument> parseTd3(const std::string& birth, const std::string& expiry, Date today = kToday) {
  return parseMrz({kTd3[0], td3Line2(birth, expiry)}, today);
}

std::string errorOf(const std::vector<std::string>& lines, Date today = kToday) {
  auto parsed = parseMrz(lines, today);
  if (parsed) return "(parsed)";
  EXPECT_EQ(parsed.error().kind, ErrorKind::invalidInput);
  return parsed.error().message;
}

// ---------------------------------------------------------------------------------------------
// Specimens
// ---------------------------------------------------------------------------------------------

TEST(MrzSpecimen, CheckDigitsOfTheSpecimensHoldByHand) {
  const std::string& td3 = kTd3[1];
  EXPECT_EQ(naiveCheckDigit("L898902C3"), '6');
  EXPECT_EQ(td3[9], '6');
  EXPECT_EQ(naiveCheckDigit("740812"), '2');
  EXPECT_EQ(td3[19], '2');
  EXPECT_EQ(naiveCheckDigit("120415"), '9');
  EXPECT_EQ(td3[27], '9');
  EXPECT_EQ(naiveCheckDigit("ZE184226B<<<<<"), '1');
  EXPECT_EQ(td3[42], '1');
  EXPECT_EQ(naiveCheckDigit(columns(td3, 1, 10) + columns(td3, 14, 20) + columns(td3, 22, 43)), '0');
  EXPECT_EQ(td3[43], '0');

  EXPECT_EQ(naiveCheckDigit("D23145890"), '7');
  EXPECT_EQ(kTd1[0][14], '7');
  EXPECT_EQ(kTd1[1][6], '2');
  EXPECT_EQ(kTd1[1][14], '9');
  EXPECT_EQ(naiveCheckDigit(columns(kTd1[0], 6, 30) + columns(kTd1[1], 1, 7) + columns(kTd1[1], 9, 15) +
                            columns(kTd1[1], 19, 29)),
            '6');
  EXPECT_EQ(kTd1[1][29], '6');

  const std::string& td2 = kTd2[1];
  EXPECT_EQ(td2[9], '7');
  EXPECT_EQ(td2[19], '2');
  EXPECT_EQ(td2[27], '9');
  EXPECT_EQ(naiveCheckDigit(columns(td2, 1, 10) + columns(td2, 14, 20) + columns(td2, 22, 35)), '6');
  EXPECT_EQ(td2[35], '6');

  // The visas share line 2 up to column 28; they have no composite check digit.
  EXPECT_EQ(kMrvA[1].substr(0, 28), kMrvB[1].substr(0, 28));
  EXPECT_EQ(naiveCheckDigit("L8988901C"), '4');
  EXPECT_EQ(kMrvA[1][9], '4');
  EXPECT_EQ(naiveCheckDigit("400907"), '8');
  EXPECT_EQ(kMrvA[1][19], '8');
  EXPECT_EQ(naiveCheckDigit("961210"), '9');
  EXPECT_EQ(kMrvA[1][27], '9');
}

TEST(MrzSpecimen, Td3PassportDecodes) {
  auto parsed = parseMrz(kTd3, kToday);
  ASSERT_TRUE(parsed) << parsed.error().message;
  const MrzDocument& d = *parsed;
  EXPECT_EQ(d.format, MrzFormat::td3);
  EXPECT_EQ(d.documentCode, "P");
  EXPECT_EQ(d.issuingState, "UTO");
  EXPECT_EQ(d.primaryIdentifier, "ERIKSSON");
  EXPECT_EQ(d.secondaryIdentifier, "ANNA MARIA");
  EXPECT_EQ(d.number.str(), "L898902C3");
  EXPECT_EQ(d.nationality, "UTO");
  EXPECT_EQ(d.dateOfBirth, (PartialDate{1974, 8, 12}));
  EXPECT_EQ(d.sex, Sex::female);
  EXPECT_EQ(d.expiryDate, std::optional<Date>(2012y / 4 / 15));
  EXPECT_EQ(d.optionalData1, "ZE184226B");  // the personal number
  EXPECT_EQ(d.optionalData2, "");
}

TEST(MrzSpecimen, Td1IdentityCardDecodes) {
  auto parsed = parseMrz(kTd1, kToday);
  ASSERT_TRUE(parsed) << parsed.error().message;
  const MrzDocument& d = *parsed;
  EXPECT_EQ(d.format, MrzFormat::td1);
  EXPECT_EQ(d.documentCode, "I");
  EXPECT_EQ(d.issuingState, "UTO");
  EXPECT_EQ(d.primaryIdentifier, "ERIKSSON");
  EXPECT_EQ(d.secondaryIdentifier, "ANNA MARIA");
  EXPECT_EQ(d.number.str(), "D23145890");
  EXPECT_EQ(d.nationality, "UTO");
  EXPECT_EQ(d.dateOfBirth, (PartialDate{1974, 8, 12}));
  EXPECT_EQ(d.sex, Sex::female);
  EXPECT_EQ(d.expiryDate, std::optional<Date>(2012y / 4 / 15));
  EXPECT_EQ(d.optionalData1, "");
  EXPECT_EQ(d.optionalData2, "");
}

TEST(MrzSpecimen, Td2IdentityCardDecodes) {
  auto parsed = parseMrz(kTd2, kToday);
  ASSERT_TRUE(parsed) << parsed.error().message;
  const MrzDocument& d = *parsed;
  EXPECT_EQ(d.format, MrzFormat::td2);
  EXPECT_EQ(d.documentCode, "I");
  EXPECT_EQ(d.issuingState, "UTO");
  EXPECT_EQ(d.primaryIdentifier, "ERIKSSON");
  EXPECT_EQ(d.secondaryIdentifier, "ANNA MARIA");
  EXPECT_EQ(d.number.str(), "D23145890");
  EXPECT_EQ(d.nationality, "UTO");
  EXPECT_EQ(d.dateOfBirth, (PartialDate{1974, 8, 12}));
  EXPECT_EQ(d.sex, Sex::female);
  EXPECT_EQ(d.expiryDate, std::optional<Date>(2012y / 4 / 15));
  EXPECT_EQ(d.optionalData1, "");
}

TEST(MrzSpecimen, MrvAVisaDecodes) {
  auto parsed = parseMrz(kMrvA, kToday);
  ASSERT_TRUE(parsed) << parsed.error().message;
  const MrzDocument& d = *parsed;
  EXPECT_EQ(d.format, MrzFormat::mrvA);
  EXPECT_EQ(d.documentCode, "V");
  EXPECT_EQ(d.issuingState, "UTO");
  EXPECT_EQ(d.primaryIdentifier, "ERIKSSON");
  EXPECT_EQ(d.secondaryIdentifier, "ANNA MARIA");
  EXPECT_EQ(d.number.str(), "L8988901C");
  EXPECT_EQ(d.nationality, "XXX");  // Doc 9303 Part 3: unspecified nationality
  EXPECT_EQ(d.dateOfBirth, (PartialDate{1940, 9, 7}));
  EXPECT_EQ(d.sex, Sex::female);
  EXPECT_EQ(d.expiryDate, std::optional<Date>(1996y / 12 / 10));
  EXPECT_EQ(d.optionalData1, "6ZE184226B");
}

TEST(MrzSpecimen, MrvBVisaDecodes) {
  auto parsed = parseMrz(kMrvB, kToday);
  ASSERT_TRUE(parsed) << parsed.error().message;
  const MrzDocument& d = *parsed;
  EXPECT_EQ(d.format, MrzFormat::mrvB);
  EXPECT_EQ(d.documentCode, "V");
  EXPECT_EQ(d.primaryIdentifier, "ERIKSSON");
  EXPECT_EQ(d.secondaryIdentifier, "ANNA MARIA");
  EXPECT_EQ(d.number.str(), "L8988901C");
  EXPECT_EQ(d.nationality, "XXX");
  EXPECT_EQ(d.dateOfBirth, (PartialDate{1940, 9, 7}));
  EXPECT_EQ(d.expiryDate, std::optional<Date>(1996y / 12 / 10));
  EXPECT_EQ(d.optionalData1, "");
}

TEST(MrzSpecimen, FormatNamesFollowDoc9303) {
  EXPECT_EQ(name(MrzFormat::td1), "TD1");
  EXPECT_EQ(name(MrzFormat::td2), "TD2");
  EXPECT_EQ(name(MrzFormat::td3), "TD3");
  EXPECT_EQ(name(MrzFormat::mrvA), "MRV-A");
  EXPECT_EQ(name(MrzFormat::mrvB), "MRV-B");
}

// ---------------------------------------------------------------------------------------------
// Check digits: each failure names the field, its columns and the digit expected
// ---------------------------------------------------------------------------------------------

TEST(MrzCheckDigit, DocumentNumberFailureNamesColumnsAndExpectedDigit) {
  ASSERT_EQ(naiveCheckDigit("L898902C3"), '6');
  EXPECT_EQ(
      errorOf({kTd3[0], replaced(kTd3[1], 10, '3')}),
      "line 2, columns 1-9: document number check digit is 3, expected 6 (column 10)" + std::string(kAdvice));
}

TEST(MrzCheckDigit, MisreadDocumentNumberCharacterIsCaught) {
  // An O read for the 0 in column 6: the number's own check digit no longer matches.
  std::string misread = replaced(kTd3[1], 6, 'O');
  ASSERT_EQ(naiveCheckDigit(columns(misread, 1, 9)), '0');
  EXPECT_EQ(
      errorOf({kTd3[0], misread}),
      "line 2, columns 1-9: document number check digit is 6, expected 0 (column 10)" + std::string(kAdvice));
}

TEST(MrzCheckDigit, Td1DocumentNumberFailureIsOnLine1) {
  ASSERT_EQ(naiveCheckDigit("D23145890"), '7');
  EXPECT_EQ(errorOf({replaced(kTd1[0], 15, '1'), kTd1[1], kTd1[2]}),
            "line 1, columns 6-14: document number check digit is 1, expected 7 (column 15)" +
                std::string(kAdvice));
}

TEST(MrzCheckDigit, DateOfBirthFailure) {
  ASSERT_EQ(naiveCheckDigit("740812"), '2');
  EXPECT_EQ(
      errorOf({kTd3[0], replaced(kTd3[1], 20, '5')}),
      "line 2, columns 14-19: date of birth check digit is 5, expected 2 (column 20)" + std::string(kAdvice));
  EXPECT_EQ(
      errorOf({kTd1[0], replaced(kTd1[1], 7, '5'), kTd1[2]}),
      "line 2, columns 1-6: date of birth check digit is 5, expected 2 (column 7)" + std::string(kAdvice));
}

TEST(MrzCheckDigit, ExpiryDateFailure) {
  ASSERT_EQ(naiveCheckDigit("120415"), '9');
  EXPECT_EQ(
      errorOf({kTd3[0], replaced(kTd3[1], 28, '8')}),
      "line 2, columns 22-27: expiry date check digit is 8, expected 9 (column 28)" + std::string(kAdvice));
  EXPECT_EQ(
      errorOf({kTd2[0], replaced(kTd2[1], 28, '<')}),
      "line 2, columns 22-27: expiry date check digit is <, expected 9 (column 28)" + std::string(kAdvice));
  ASSERT_EQ(naiveCheckDigit("961210"), '9');
  EXPECT_EQ(
      errorOf({kMrvB[0], replaced(kMrvB[1], 28, '0')}),
      "line 2, columns 22-27: expiry date check digit is 0, expected 9 (column 28)" + std::string(kAdvice));
}

TEST(MrzCheckDigit, PersonalNumberFailure) {
  ASSERT_EQ(naiveCheckDigit("ZE184226B<<<<<"), '1');
  EXPECT_EQ(errorOf({kTd3[0], replaced(kTd3[1], 43, '4')}),
            "line 2, columns 29-42: personal number check digit is 4, expected 1 (column 43)" +
                std::string(kAdvice));
  // A filler stands in for the check digit only when there is no personal number.
  EXPECT_EQ(errorOf({kTd3[0], replaced(kTd3[1], 43, '<')}),
            "line 2, columns 29-42: personal number check digit is <, expected 1 (column 43)" +
                std::string(kAdvice));
}

TEST(MrzCheckDigit, Td3CompositeFailure) {
  EXPECT_EQ(
      errorOf({kTd3[0], replaced(kTd3[1], 44, '1')}),
      "line 2, column 44: composite check digit is 1, expected 0 (over line 2 columns 1-10, 14-20, 22-43)" +
          std::string(kAdvice));
}

TEST(MrzCheckDigit, Td1CompositeCoversTheOptionalData) {
  // Optional data has no check digit of its own in a TD1; only the composite sees a change there.
  const std::string line1 = "I<UTOD231458907<<<<B<<<<<<<<<<";
  ASSERT_EQ(naiveCheckDigit(columns(line1, 6, 30) + columns(kTd1[1], 1, 7) + columns(kTd1[1], 9, 15) +
                            columns(kTd1[1], 19, 29)),
            '7');
  EXPECT_EQ(errorOf({line1, kTd1[1], kTd1[2]}),
            "line 2, column 30: composite check digit is 6, expected 7 (over line 1 columns 6-30 and line 2 "
            "columns 1-7, 9-15, 19-29)" +
                std::string(kAdvice));
}

TEST(MrzCheckDigit, Td2CompositeFailure) {
  EXPECT_EQ(
      errorOf({kTd2[0], replaced(kTd2[1], 36, '0')}),
      "line 2, column 36: composite check digit is 0, expected 6 (over line 2 columns 1-10, 14-20, 22-35)" +
          std::string(kAdvice));
}

TEST(MrzCheckDigit, VisasHaveNoCompositeSoTheirOptionalDataIsUnchecked) {
  auto parsed = parseMrz({kMrvA[0], replaced(kMrvA[1], 44, 'Q')}, kToday);
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->optionalData1, "6ZE184226B<<<<<Q");
}

TEST(MrzCheckDigit, EmptyPersonalNumberMayCarryFillerOrZero) {
  for (char digit : {'<', '0'}) {
    std::string line = kTd3[1].substr(0, 28) + "<<<<<<<<<<<<<<" + digit;
    line += naiveCheckDigit(columns(line, 1, 10) + columns(line, 14, 20) + columns(line, 22, 43));
    auto parsed = parseMrz({kTd3[0], line}, kToday);
    ASSERT_TRUE(parsed) << parsed.error().message;
    EXPECT_EQ(parsed->optionalData1, "");
  }
}

TEST(MrzCheckDigit, TdThreeNumberCannotOverflow) {
  // Only TD1 and TD2 continue long numbers; in a passport a < check digit is simply wrong.
  EXPECT_EQ(
      errorOf({kTd3[0], replaced(kTd3[1], 10, '<')}),
      "line 2, columns 1-9: document number check digit is <, expected 6 (column 10)" + std::string(kAdvice));
}

// ---------------------------------------------------------------------------------------------
// Document numbers longer than 9 characters (Doc 9303 Part 5 and Part 6, note j)
// ---------------------------------------------------------------------------------------------

TEST(MrzLongNumber, Td1NumberContinuesInOptionalData) {
  // D23145890734: D23145890 in columns 6-14, < in 15, 734 in 16-18, the whole number's check digit in
  // 19, then a filler.
  const std::string line1 = "I<UTOD23145890<7349<<<<<<<<<<<";
  ASSERT_EQ(naiveCheckDigit("D23145890734"), '9');
  const std::string line2 = "7408122F1204159UTO<<<<<<<<<<<6";
  ASSERT_EQ(naiveCheckDigit(columns(line1, 6, 30) + columns(line2, 1, 7) + columns(line2, 9, 15) +
                            columns(line2, 19, 29)),
            '6');
  auto parsed = parseMrz({line1, line2, kTd1[2]}, kToday);
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->number.str(), "D23145890734");
  EXPECT_EQ(parsed->optionalData1, "");
}

TEST(MrzLongNumber, Td1OptionalDataFollowsTheOverflow) {
  const std::string line1 = "I<UTOD23145890<7349<ABC<<<<<<<";
  const std::string line2 = "7408122F1204159UTO<<<<<<<<<<<1";
  ASSERT_EQ(naiveCheckDigit(columns(line1, 6, 30) + columns(line2, 1, 7) + columns(line2, 9, 15) +
                            columns(line2, 19, 29)),
            '1');
  auto parsed = parseMrz({line1, line2, kTd1[2]}, kToday);
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->number.str(), "D23145890734");
  EXPECT_EQ(parsed->optionalData1, "ABC");
}

TEST(MrzLongNumber, Td2NumberContinuesInOptionalData) {
  const std::string line2 = "D23145890<UTO7408122F12041597349<<<2";
  ASSERT_EQ(naiveCheckDigit(columns(line2, 1, 10) + columns(line2, 14, 20) + columns(line2, 22, 35)), '2');
  auto parsed = parseMrz({kTd2[0], line2}, kToday);
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->number.str(), "D23145890734");
  EXPECT_EQ(parsed->optionalData1, "");
}

TEST(MrzLongNumber, WrongCheckDigitOfLongNumberNamesBothParts) {
  const std::string line1 = "I<UTOD23145890<7348<<<<<<<<<<<";
  EXPECT_EQ(errorOf({line1, kTd1[1], kTd1[2]}),
            "line 1, columns 6-14 and 16-18: document number check digit is 8, expected 9 (column 19)" +
                std::string(kAdvice));
}

TEST(MrzLongNumber, OverflowWithoutClosingFillerIsRefused) {
  EXPECT_EQ(
      errorOf({"I<UTOD23145890<734912345678901", kTd1[1], kTd1[2]}),
      "line 1, columns 16-30: document number continues here (column 15 is <), but the field does not start "
      "with the rest of the number, its check digit and a < filler");
  EXPECT_EQ(
      errorOf({"I<UTOD23145890<<<<<<<<<<<<<<<<", kTd1[1], kTd1[2]}),
      "line 1, columns 16-30: document number continues here (column 15 is <), but the field does not start "
      "with the rest of the number, its check digit and a < filler");
}

TEST(MrzLongNumber, ShortNumberWithoutCheckDigitIsRefused) {
  EXPECT_EQ(
      errorOf({"I<UTOD2314589<<7349<<<<<<<<<<<", kTd1[1], kTd1[2]}),
      "line 1, column 15: document number check digit is <, which marks a number longer than 9 characters, "
      "but columns 6-14 are not all used; a shorter number needs its check digit here");
}

TEST(MrzLongNumber, NumberOverTwentyCharactersIsRefused) {
  // 9 + 12 = 21 characters, one more than DocumentNumber holds; check digit and composite are right.
  const std::string number = "D23145890123456789012";
  std::string line1 = "I<UTO" + number.substr(0, 9) + "<" + number.substr(9) + naiveCheckDigit(number) + "<";
  ASSERT_EQ(line1.size(), 29u);
  line1 += "<";
  std::string line2 = kTd1[1].substr(0, 29);
  line2 += naiveCheckDigit(columns(line1, 6, 30) + columns(line2, 1, 7) + columns(line2, 9, 15) +
                           columns(line2, 19, 29));
  EXPECT_EQ(errorOf({line1, line2, kTd1[2]}),
            "line 1, columns 6-14 and 16-27: document number is longer than 20 characters");
}

// ---------------------------------------------------------------------------------------------
// Centuries of two-digit years, against today = 2026-11-25
// ---------------------------------------------------------------------------------------------

TEST(MrzCentury, BirthDateIsNeverAfterToday) {
  auto born1999 = parseTd3("991231", "301231");
  ASSERT_TRUE(born1999) << born1999.error().message;
  EXPECT_EQ(born1999->dateOfBirth, (PartialDate{1999, 12, 31}));

  auto bornToday = parseTd3("261125", "301231");
  ASSERT_TRUE(bornToday) << bornToday.error().message;
  EXPECT_EQ(bornToday->dateOfBirth, (PartialDate{2026, 11, 25}));

  auto bornTomorrowInAnyCentury = parseTd3("261126", "301231");
  ASSERT_TRUE(bornTomorrowInAnyCentury) << bornTomorrowInAnyCentury.error().message;
  EXPECT_EQ(bornTomorrowInAnyCentury->dateOfBirth, (PartialDate{1926, 11, 26}));

  auto born2000 = parseTd3("000101", "301231");
  ASSERT_TRUE(born2000) << born2000.error().message;
  EXPECT_EQ(born2000->dateOfBirth, (PartialDate{2000, 1, 1}));
}

TEST(MrzCentury, ExpiryDateIsWithinFiftyYearsOfToday) {
  auto future = parseTd3("740812", "301231");
  ASSERT_TRUE(future) << future.error().message;
  EXPECT_EQ(future->expiryDate, std::optional<Date>(2030y / 12 / 31));

  auto past = parseTd3("740812", "120415");
  ASSERT_TRUE(past) << past.error().message;
  EXPECT_EQ(past->expiryDate, std::optional<Date>(2012y / 4 / 15));

  // The window is [today - 50 years, today + 50 years): 1976-11-25 is its first day, 2076-11-24 its last.
  auto firstDay = parseTd3("740812", "761125");
  ASSERT_TRUE(firstDay) << firstDay.error().message;
  EXPECT_EQ(firstDay->expiryDate, std::optional<Date>(1976y / 11 / 25));
  auto lastDay = parseTd3("740812", "761124");
  ASSERT_TRUE(lastDay) << lastDay.error().message;
  EXPECT_EQ(lastDay->expiryDate, std::optional<Date>(2076y / 11 / 24));
}

TEST(MrzCentury, TodayMayBeALeapDay) {
  // 2078-02-29 - 50 years is 29 February 1978, which does not exist; the window still orders dates.
  constexpr Date kLeapDay = 2028y / 2 / 29;
  auto after = parseTd3("740812", "780301", kLeapDay);
  ASSERT_TRUE(after) << after.error().message;
  EXPECT_EQ(after->expiryDate, std::optional<Date>(1978y / 3 / 1));
  auto before = parseTd3("740812", "780228", kLeapDay);
  ASSERT_TRUE(before) << before.error().message;
  EXPECT_EQ(before->expiryDate, std::optional<Date>(2078y / 2 / 28));
  auto bornOnLeapDay = parseTd3("280229", "301231", kLeapDay);
  ASSERT_TRUE(bornOnLeapDay) << bornOnLeapDay.error().message;
  EXPECT_EQ(bornOnLeapDay->dateOfBirth, (PartialDate{2028, 2, 29}));
}

TEST(MrzCentury, LeapDayIsCheckedInTheInferredYear) {
  auto leap = parseTd3("000229", "301231");
  ASSERT_TRUE(leap) << leap.error().message;
  EXPECT_EQ(leap->dateOfBirth, (PartialDate{2000, 2, 29}));
  auto parsed = parseTd3("010229", "301231");
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().message,
            "line 2, columns 14-19: date of birth has day 29, which month 02 of 2001 does not have");
}

TEST(MrzCentury, InvalidMonthAndDayAreRefused) {
  EXPECT_EQ(parseTd3("741312", "301231").error().message,
            "line 2, columns 14-19: date of birth has month 13; dates are YYMMDD with a month from 01 to 12");
  EXPECT_EQ(parseTd3("740800", "301231").error().message,
            "line 2, columns 14-19: date of birth has day 00; dates are YYMMDD with a day from 01 to 31");
  EXPECT_EQ(parseTd3("740812", "300431").error().message,
            "line 2, columns 22-27: expiry date has day 31, which month 04 of 2030 does not have");
}

TEST(MrzCentury, DatesAreDigits) {
  // Check digits pass (computed over the letter), so the date itself is refused.
  EXPECT_EQ(parseTd3("74O812", "301231").error().message,
            "line 2, column 16: date of birth has the letter 'O'; dates are YYMMDD digits");
}

TEST(MrzCentury, BlankExpiryDateIsAbsent) {
  auto parsed = parseTd3("740812", "<<<<<<");
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->expiryDate, std::nullopt);
}

TEST(MrzCentury, UnknownPartsOfADateOfBirthAreKeptUnknown) {
  // Doc 9303 fills what is not known of a date of birth with <: all of it, the day and month, or
  // the day. The check digit covers the fillers as 0.
  auto unknown = parseTd3("<<<<<<", "301231");
  ASSERT_TRUE(unknown) << unknown.error().message;
  EXPECT_EQ(unknown->dateOfBirth, PartialDate{});
  auto yearOnly = parseTd3("74<<<<", "301231");
  ASSERT_TRUE(yearOnly) << yearOnly.error().message;
  EXPECT_EQ(yearOnly->dateOfBirth, (PartialDate{1974, 0, 0}));
  auto yearAndMonth = parseTd3("7408<<", "301231");
  ASSERT_TRUE(yearAndMonth) << yearAndMonth.error().message;
  EXPECT_EQ(yearAndMonth->dateOfBirth, (PartialDate{1974, 8, 0}));
  // The century is the latest that does not start the period after today (25 November 2026).
  EXPECT_EQ(parseTd3("26<<<<", "301231")->dateOfBirth, (PartialDate{2026, 0, 0}));
  EXPECT_EQ(parseTd3("2611<<", "301231")->dateOfBirth, (PartialDate{2026, 11, 0}));
  EXPECT_EQ(parseTd3("2612<<", "301231")->dateOfBirth, (PartialDate{1926, 12, 0}));
}

TEST(MrzCentury, OtherwiseBlankDatesOfBirthAreRefusedNamingThePattern) {
  const std::string patterns = "only the day (YYMM<<), the day and month (YY<<<<) or all of it (<<<<<<) may be unknown";
  EXPECT_EQ(parseTd3("<<0812", "301231").error().message,
            "line 2, columns 14-19: date of birth '<<0812' is partly blank in a way Doc 9303 does not use: " +
                patterns);
  EXPECT_EQ(parseTd3("74<<12", "301231").error().message,
            "line 2, columns 14-19: date of birth '74<<12' is partly blank in a way Doc 9303 does not use: " +
                patterns);
  EXPECT_EQ(parseTd3("7<<<<<", "301231").error().message,
            "line 2, columns 14-19: date of birth '7<<<<<' is partly blank in a way Doc 9303 does not use: " +
                patterns);
  EXPECT_EQ(parseTd3("7413<<", "301231").error().message,
            "line 2, columns 14-19: date of birth has month 13; dates are YYMMDD with a month from 01 to 12");
  EXPECT_EQ(parseTd3("7A08<<", "301231").error().message,
            "line 2, column 15: date of birth has the letter 'A'; dates are YYMMDD digits");
  EXPECT_EQ(
      parseTd3("740812", "30<<<<").error().message,
      "line 2, columns 22-27: expiry date is partly blank (<); it is YYMMDD, or all < when the document has "
      "none");
}

// ---------------------------------------------------------------------------------------------
// Other fields
// ---------------------------------------------------------------------------------------------

TEST(MrzFields, SexCodes) {
  // Column 21 is outside every check digit, so it can change alone.
  EXPECT_EQ(parseMrz({kTd3[0], replaced(kTd3[1], 21, 'M')}, kToday)->sex, Sex::male);
  EXPECT_EQ(parseMrz({kTd3[0], replaced(kTd3[1], 21, 'X')}, kToday)->sex, Sex::unspecified);
  EXPECT_EQ(parseMrz({kTd3[0], replaced(kTd3[1], 21, '<')}, kToday)->sex, Sex::unspecified);
  EXPECT_EQ(errorOf({kTd3[0], replaced(kTd3[1], 21, 'Q')}),
            "line 2, column 21: sex is 'Q'; Doc 9303 allows F, M, X or <");
}

TEST(MrzFields, StateCodesMustBeIcaoCodes) {
  auto germany = parseMrz({"P<D<<ERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", kTd3[1]}, kToday);
  ASSERT_TRUE(germany) << germany.error().message;
  EXPECT_EQ(germany->issuingState, "D<<");
  EXPECT_EQ(
      errorOf({"P<U1OERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", kTd3[1]}),
      "line 1, columns 3-5: issuing state 'U1O' is not an ICAO code; codes are three letters, shorter ones "
      "padded with < (D<<)");
  EXPECT_EQ(
      errorOf({"P<<UTERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", kTd3[1]}),
      "line 1, columns 3-5: issuing state '<UT' is not an ICAO code; codes are three letters, shorter ones "
      "padded with < (D<<)");
  // Nationality (columns 11-13) is outside every check digit.
  EXPECT_EQ(
      errorOf({kTd3[0], replaced(kTd3[1], 12, '<')}),
      "line 2, columns 11-13: nationality 'U<O' is not an ICAO code; codes are three letters, shorter ones "
      "padded with < (D<<)");
}

TEST(MrzFields, NamesSplitIntoPrimaryAndSecondaryIdentifiers) {
  auto single = parseMrz({"P<UTOERIKSSON<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<", kTd3[1]}, kToday);
  ASSERT_TRUE(single) << single.error().message;
  EXPECT_EQ(single->primaryIdentifier, "ERIKSSON");
  EXPECT_EQ(single->secondaryIdentifier, "");

  auto compound = parseMrz({"P<UTOVAN<DER<BERG<<ANNA<<MARIA<<<<<<<<<<<<<<", kTd3[1]}, kToday);
  ASSERT_TRUE(compound) << compound.error().message;
  EXPECT_EQ(compound->primaryIdentifier, "VAN DER BERG");
  EXPECT_EQ(compound->secondaryIdentifier, "ANNA MARIA");

  // A name that fills the field to the last column (truncated by the issuer) keeps every letter.
  auto full = parseMrz({"P<UTOERIKSSON<<ANNA<MARIA<BRITTA<CECILIA<DOR", kTd3[1]}, kToday);
  ASSERT_TRUE(full) << full.error().message;
  EXPECT_EQ(full->secondaryIdentifier, "ANNA MARIA BRITTA CECILIA DOR");
}

TEST(MrzFields, MalformedNamesAreRefused) {
  EXPECT_EQ(errorOf({"P<UTOERIKSS0N<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", kTd3[1]}),
            "line 1, column 12: name has the digit '0'; names hold only A-Z and < fillers");
  EXPECT_EQ(errorOf({"P<UTO<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<", kTd3[1]}),
            "line 1, columns 6-44: name is blank (all <); every document names its holder");
  EXPECT_EQ(errorOf({"P<UTO<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<<<<<<<<<", kTd3[1]}),
            "line 1, column 6: name starts with <; the primary identifier (family name) comes first");
  EXPECT_EQ(errorOf({kTd1[0], kTd1[1], "ERIKSSON<<ANNA<MAR1A<<<<<<<<<<"}),
            "line 3, column 19: name has the digit '1'; names hold only A-Z and < fillers");
}

// ---------------------------------------------------------------------------------------------
// Malformed input: a clear error, never a crash
// ---------------------------------------------------------------------------------------------

TEST(MrzInput, WrongLineCountsAreRefused) {
  const std::string expected = "an MRZ has 3 lines (TD1) or 2 lines (TD2, TD3, MRV-A, MRV-B), not ";
  const std::string advice = "; give every line of the zone, each as printed";
  EXPECT_EQ(errorOf({}), expected + "0" + advice);
  EXPECT_EQ(errorOf({kTd3[1]}), expected + "1" + advice);
  EXPECT_EQ(errorOf({kTd1[0], kTd1[1], kTd1[2], kTd1[2]}), expected + "4" + advice);
}

TEST(MrzInput, WrongLengthsAreRefused) {
  EXPECT_EQ(errorOf({kTd3[0].substr(0, 43), kTd3[1]}),
            "line 1 has 43 characters; a 2-line MRZ has 36 (TD2, MRV-B) or 44 (TD3, MRV-A) on every line");
  EXPECT_EQ(errorOf({kTd3[0], kTd3[1] + "<"}),
            "line 2 has 45 characters, but line 1 has 44; every line of an MRZ is equally long");
  EXPECT_EQ(errorOf({kTd1[0], kTd1[1], kTd1[2].substr(0, 29)}),
            "line 3 has 29 characters, but line 1 has 30; every line of an MRZ is equally long");
  EXPECT_EQ(errorOf({kTd2[0] + "<<<<<<<<", kTd2[1], kTd1[2]}),
            "line 1 has 44 characters; a 3-line MRZ (TD1) has 30 on every line");
}

TEST(MrzInput, TruncatedZoneIsRefused) {
  EXPECT_EQ(errorOf({kTd3[0], kTd3[1].substr(0, 30)}),
            "line 2 has 30 characters, but line 1 has 44; every line of an MRZ is equally long");
  EXPECT_EQ(errorOf({kTd1[0], kTd1[1]}),
            "line 1 has 30 characters; a 2-line MRZ has 36 (TD2, MRV-B) or 44 (TD3, MRV-A) on every line");
}

TEST(MrzInput, LowerCaseIsRefused) {
  std::vector<std::string> lower = kTd3;
  lower[1][0] = 'l';
  EXPECT_EQ(errorOf(lower), "line 2, column 1: 'l' is lower case; an MRZ holds only A-Z, 0-9 and <");
}

TEST(MrzInput, ForeignCharactersAreRefused) {
  EXPECT_EQ(errorOf({replaced(kTd3[0], 14, ' '), kTd3[1]}),
            "line 1, column 14: ' ' is not an MRZ character; an MRZ holds only A-Z, 0-9 and <");
  EXPECT_EQ(errorOf({kTd3[0], replaced(kTd3[1], 44, '\r')}),
            "line 2, column 44: byte 0x0D is not an MRZ character; an MRZ holds only A-Z, 0-9 and <");
  EXPECT_EQ(errorOf({std::string(36, '\0'), std::string(36, '\xff')}),
            "line 1, column 1: byte 0x00 is not an MRZ character; an MRZ holds only A-Z, 0-9 and <");
}

TEST(MrzInput, DocumentCodeMustFitTheLayout) {
  EXPECT_EQ(errorOf({replaced(kTd3[0], 1, 'I'), kTd3[1]}),
            "line 1, column 1: document code I needs 3 lines of 30 (TD1) or 2 lines of 36 (TD2), not 2 lines "
            "of 44");
  EXPECT_EQ(errorOf({replaced(kTd2[0], 1, 'P'), kTd2[1]}),
            "line 1, column 1: document code P (passport) needs the TD3 layout of 2 lines of 44, not 2 lines "
            "of 36");
  EXPECT_EQ(errorOf({replaced(kTd1[0], 1, 'V'), kTd1[1], kTd1[2]}),
            "line 1, column 1: document code V (visa) needs 2 lines of 44 (MRV-A) or 36 (MRV-B), not 3 lines "
            "of 30");
  EXPECT_EQ(
      errorOf({replaced(kTd3[0], 1, 'X'), kTd3[1]}),
      "line 1, column 1: document code starts with 'X'; Doc 9303 codes start with P (passport), V (visa), or "
      "A, C or I (other travel documents)");
  EXPECT_EQ(errorOf({replaced(kTd3[0], 2, '7'), kTd3[1]}),
            "line 1, column 2: document code has '7'; its second character is a letter or <");
  auto twoLetters = parseMrz({replaced(kTd1[0], 2, 'D'), kTd1[1], kTd1[2]}, kToday);
  ASSERT_TRUE(twoLetters) << twoLetters.error().message;
  EXPECT_EQ(twoLetters->documentCode, "ID");
}

TEST(MrzInput, GarbageOfEveryShapeIsRefused) {
  for (const std::vector<std::string>& garbage : std::vector<std::vector<std::string>>{
           {"hello", "world"},
           {std::string(44, '<'), std::string(44, '<')},
           {std::string(36, '<'), std::string(36, '<')},
           {std::string(30, '<'), std::string(30, '<'), std::string(30, '<')},
           {std::string(44, '9'), std::string(44, '9')},
           {std::string(30, 'I'), std::string(30, 'I'), std::string(30, 'I')},
           {"", ""},
           {"", "", ""},
       }) {
    auto parsed = parseMrz(garbage, kToday);
    ASSERT_FALSE(parsed);
    EXPECT_EQ(parsed.error().kind, ErrorKind::invalidInput);
    EXPECT_FALSE(parsed.error().message.empty());
  }
}

TEST(MrzInput, EverySingleCharacterChangeOfEverySpecimenIsHandled) {
  // Each position of each specimen replaced by every MRZ character and a few foreign bytes: the
  // parser must answer (either way) without crashing, and a refusal must say where.
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789< a\n\xff";
  for (const auto& specimen : {kTd1, kTd2, kTd3, kMrvA, kMrvB}) {
    for (size_t line = 0; line < specimen.size(); ++line) {
      for (size_t column = 1; column <= specimen[line].size(); ++column) {
        for (char c : alphabet) {
          std::vector<std::string> changed = specimen;
          changed[line] = replaced(changed[line], column, c);
          auto parsed = parseMrz(changed, kToday);
          if (!parsed) {
            EXPECT_EQ(parsed.error().message.rfind("line ", 0), 0u) << parsed.error().message;
          }
        }
      }
      for (size_t length = 0; length < specimen[line].size(); ++length) {
        std::vector<std::string> truncated = specimen;
        truncated[line].resize(length);
        EXPECT_FALSE(parseMrz(truncated, kToday));
      }
    }
  }
}

TEST(MrzInput, InvalidReferenceDateIsRefused) { EXPECT_FALSE(parseMrz(kTd3, 2026y / 2 / 30)); }

// ---------------------------------------------------------------------------------------------
// `liaison mrz parse`
// ---------------------------------------------------------------------------------------------

struct CommandRun {
  int status;
  std::string out;
  std::string err;
};

CommandRun runMrz(const std::vector<std::string>& args) {
  std::ostringstream out;
  std::ostringstream err;
  std::vector<std::string> words{"mrz"};
  words.insert(words.end(), args.begin(), args.end());
  int status = cli::runCommandLine(words, cli::CommandContext{.out = out, .err = err, .origin = {}});
  return {status, out.str(), err.str()};
}

// The century of the 2012 expiry depends on the real date here; it holds until 2062.
TEST(MrzCommand, PrintsTheFieldsOfAPassport) {
  CommandRun run = runMrz({"parse", "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
                           "L898902C36UTO7408122F1204159ZE184226B<<<<<10"});
  EXPECT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(run.out,
            "format: TD3\n"
            "document_code: P\n"
            "issuing_state: UTO\n"
            "primary_identifier: ERIKSSON\n"
            "secondary_identifier: ANNA MARIA\n"
            "document_number: L898902C3\n"
            "nationality: UTO\n"
            "date_of_birth: 1974-08-12\n"
            "sex: female\n"
            "expiry_date: 2012-04-15\n"
            "optional_data_1: ZE184226B\n"
            "optional_data_2: \n");
  EXPECT_EQ(run.err, "");
}

TEST(MrzCommand, PrintsJson) {
  CommandRun run = runMrz({"parse", "--json", "I<UTOD231458907<<<<<<<<<<<<<<<",
                           "7408122F1204159UTO<<<<<<<<<<<6", "ERIKSSON<<ANNA<MARIA<<<<<<<<<<"});
  ASSERT_EQ(run.status, 0) << run.err;
  auto json = nlohmann::json::parse(run.out);
  EXPECT_EQ(json["format"], "TD1");
  EXPECT_EQ(json["document_code"], "I");
  EXPECT_EQ(json["document_number"], "D23145890");
  EXPECT_EQ(json["primary_identifier"], "ERIKSSON");
  EXPECT_EQ(json["secondary_identifier"], "ANNA MARIA");
  EXPECT_EQ(json["date_of_birth"], "1974-08-12");
  EXPECT_EQ(json["expiry_date"], "2012-04-15");
  EXPECT_EQ(json["sex"], "female");
}

TEST(MrzCommand, BlankExpiryIsNoneInTextAndNullInJson) {
  const std::string line2 = "L898902C36UTO7408122F<<<<<<<ZE184226B<<<<<10";
  ASSERT_EQ(naiveCheckDigit(columns(line2, 1, 10) + columns(line2, 14, 20) + columns(line2, 22, 43)), '0');
  CommandRun text = runMrz({"parse", "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", line2});
  ASSERT_EQ(text.status, 0) << text.err;
  EXPECT_NE(text.out.find("expiry_date: none\n"), std::string::npos) << text.out;
  CommandRun json = runMrz({"parse", "--json", "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", line2});
  ASSERT_EQ(json.status, 0) << json.err;
  EXPECT_TRUE(nlohmann::json::parse(json.out)["expiry_date"].is_null());
}

TEST(MrzCommand, APartlyKnownDateOfBirthPrintsWhatIsKnownAndAnUnknownOneIsNone) {
  CommandRun yearMonth = runMrz({"parse", kTd3[0], td3Line2("7408<<", "301231")});
  ASSERT_EQ(yearMonth.status, 0) << yearMonth.err;
  EXPECT_NE(yearMonth.out.find("date_of_birth: 1974-08\n"), std::string::npos) << yearMonth.out;
  CommandRun year = runMrz({"parse", "--json", kTd3[0], td3Line2("74<<<<", "301231")});
  ASSERT_EQ(year.status, 0) << year.err;
  EXPECT_EQ(nlohmann::json::parse(year.out)["date_of_birth"], "1974");
  CommandRun unknownText = runMrz({"parse", kTd3[0], td3Line2("<<<<<<", "301231")});
  ASSERT_EQ(unknownText.status, 0) << unknownText.err;
  EXPECT_NE(unknownText.out.find("date_of_birth: none\n"), std::string::npos) << unknownText.out;
  CommandRun unknownJson = runMrz({"parse", "--json", kTd3[0], td3Line2("<<<<<<", "301231")});
  ASSERT_EQ(unknownJson.status, 0) << unknownJson.err;
  EXPECT_TRUE(nlohmann::json::parse(unknownJson.out)["date_of_birth"].is_null());
}

TEST(MrzCommand, InvalidZoneExitsOneWithTheError) {
  CommandRun run = runMrz({"parse", "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
                           "L898902C33UTO7408122F1204159ZE184226B<<<<<10"});
  EXPECT_EQ(run.status, 1);
  EXPECT_EQ(run.out, "");
  EXPECT_EQ(
      run.err,
      "liaison: invalid MRZ: line 2, columns 1-9: document number check digit is 3, expected 6 (column 10); "
      "re-scan the zone; if it still fails, suspect an altered document\n");
}

TEST(MrzCommand, UsageErrorsExitTwo) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {}, {"parse"}, {"parse", "--json"}, {"decode", "X"}, {"parse", "--colour", "red", "LINE"}}) {
    CommandRun run = runMrz(args);
    EXPECT_EQ(run.status, 2);
    EXPECT_NE(run.err.find("usage: liaison mrz parse"), std::string::npos) << run.err;
  }
  CommandRun help = runMrz({"help"});
  EXPECT_EQ(help.status, 0);
  EXPECT_NE(help.out.find("usage: liaison mrz parse"), std::string::npos);
}

}  // namespace
}  // namespace liaison::mrz
