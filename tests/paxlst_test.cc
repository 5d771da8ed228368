#include "adapters/paxlst.h"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "node/cli/command_line.h"

namespace liaison::paxlst {
namespace {

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

std::string fixturePath(const std::string& name) {
  return LIAISON_SOURCE_DIR "/tests/fixtures/paxlst/" + name;
}

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << "cannot open " << path;
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::string fixture(const std::string& name) { return readFile(fixturePath(name)); }

// `text` with its one occurrence of `from` replaced; fails the test if `from` is not there once.
std::string replaced(std::string text, std::string_view from, std::string_view to) {
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << "'" << from << "' is not in the text";
  if (at == std::string::npos) return text;
  EXPECT_EQ(text.find(from, at + 1), std::string::npos) << "'" << from << "' is in the text more than once";
  return text.replace(at, from.size(), to);
}

// Passes when parsing `text` fails with a message that starts with `where` and contains `what`.
testing::AssertionResult failsWith(std::string_view text, std::string_view where, std::string_view what) {
  auto parsed = parsePaxlst(text);
  if (parsed) return testing::AssertionFailure() << "parsed, but should have failed";
  const std::string& message = parsed.error().message;
  if (parsed.error().kind != ErrorKind::invalidInput)
    return testing::AssertionFailure() << "wrong kind: " << message;
  if (message.rfind(where, 0) != 0 || message.find(what) == std::string::npos) {
    return testing::AssertionFailure() << "message: " << message;
  }
  return testing::AssertionSuccess();
}

std::vector<Segment> segmentsOf(std::string_view text) {
  std::vector<Segment> segments;
  auto reader = EdifactReader::open(text);
  EXPECT_TRUE(reader.ok()) << reader.error().message;
  if (!reader) return segments;
  Segment segment;
  while (true) {
    auto more = reader->next(segment);
    EXPECT_TRUE(more.ok()) << more.error().message;
    if (!more || !*more) break;
    segments.push_back(segment);
  }
  return segments;
}

// The tokenizer's error for `text`, or "" if it read every segment.
std::string tokenizerError(std::string_view text) {
  auto reader = EdifactReader::open(text);
  if (!reader) return reader.error().message;
  Segment segment;
  while (true) {
    auto more = reader->next(segment);
    if (!more) return more.error().message;
    if (!*more) return "";
  }
}

Date dateOf(int year, unsigned month, unsigned day) {
  return std::chrono::year{year} / std::chrono::month{month} / std::chrono::day{day};
}

Timestamp timeOf(std::string_view text) { return parseTimestamp(text).value(); }

Interchange parsedFixture(const std::string& name) {
  auto parsed = parsePaxlst(fixture(name));
  EXPECT_TRUE(parsed.ok()) << parsed.error().message;
  return parsed.ok() ? parsed.value() : Interchange{};
}

// ---------------------------------------------------------------------------------------------
// Tokenizer
// ---------------------------------------------------------------------------------------------

TEST(EdifactReader, SplitsSegmentsIntoElementsAndComponents) {
  auto segments = segmentsOf("UNB+UNOA:4+SENDER+RECIPIENT'NAD+FL+++DOE:JOHN:PAUL+1 MAIN ST'CNT+42:1'");
  ASSERT_EQ(segments.size(), 3u);
  EXPECT_EQ(segments[0].number, 1u);
  EXPECT_EQ(segments[0].tag, "UNB");
  EXPECT_EQ(segments[0].elements,
            (std::vector<std::vector<std::string>>{{"UNOA", "4"}, {"SENDER"}, {"RECIPIENT"}}));
  const Segment& nad = segments[1];
  EXPECT_EQ(nad.number, 2u);
  EXPECT_EQ(nad.value(1), "FL");
  EXPECT_EQ(nad.value(2), "");
  EXPECT_EQ(nad.value(4, 1), "DOE");
  EXPECT_EQ(nad.value(4, 3), "PAUL");
  EXPECT_EQ(nad.value(5), "1 MAIN ST");
  EXPECT_EQ(nad.value(4, 4), "") << "past the last component";
  EXPECT_EQ(nad.value(9), "") << "past the last element";
  EXPECT_EQ(nad.value(0), "") << "elements count from 1";
  EXPECT_EQ(segments[2].value(1, 2), "1");
}

TEST(EdifactReader, ReleaseCharacterTurnsDelimitersIntoData) {
  auto segments = segmentsOf("NAD+FL+++O?'BRIEN?:KELLY?+SMITH??:ANN'");
  ASSERT_EQ(segments.size(), 1u);
  EXPECT_EQ(segments[0].value(4, 1), "O'BRIEN:KELLY+SMITH?");
  EXPECT_EQ(segments[0].value(4, 2), "ANN");
}

TEST(EdifactReader, UnaChangesEveryDelimiterAndTheReleaseCharacter) {
  auto reader = EdifactReader::open("UNA|*,! ~NAD*FL***O'BRIEN!~SMITH|ANN!|MARIE!*JO!!+:?~");
  ASSERT_TRUE(reader.ok()) << reader.error().message;
  EXPECT_EQ(reader->characters(), (ServiceCharacters{'|', '*', ',', '!', '~'}));
  Segment nad;
  ASSERT_TRUE(reader->next(nad).value());
  EXPECT_EQ(nad.number, 1u) << "UNA is not a segment";
  EXPECT_EQ(nad.value(4, 1), "O'BRIEN~SMITH");
  EXPECT_EQ(nad.value(4, 2), "ANN|MARIE*JO!+:?") << "the default delimiters are plain data now";
  EXPECT_FALSE(reader->next(nad).value());
}

TEST(EdifactReader, DefaultsApplyWithoutUna) {
  auto reader = EdifactReader::open("UNB+UNOA:4'");
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ(reader->characters(), ServiceCharacters{});
}

TEST(EdifactReader, SkipsLineBreaksBetweenSegments) {
  auto segments = segmentsOf("UNA:+.? '\r\nABC+1'\r\n\r\nDEF+2'\n");
  ASSERT_EQ(segments.size(), 2u);
  EXPECT_EQ(segments[1].number, 2u);
  EXPECT_EQ(segments[1].tag, "DEF");
}

TEST(EdifactReader, EmptyInputHasNoSegments) {
  EXPECT_TRUE(segmentsOf("").empty());
  EXPECT_TRUE(segmentsOf("UNA:+.? '").empty());
  EXPECT_TRUE(segmentsOf("\r\n").empty());
}

TEST(EdifactReader, ReleaseCharacterAtEndOfInputIsAnError) {
  EXPECT_EQ(tokenizerError("ABC+1'NAD+FL+++O?"),
            "segment 2 (NAD), element 4: the input ends with the release character '?', which has nothing to "
            "release; the file looks truncated");
}

TEST(EdifactReader, MissingSegmentTerminatorIsAnError) {
  EXPECT_EQ(tokenizerError("ABC+1'DEF+2:3"),
            "segment 2 (DEF), element 1: the input ends before the segment terminator '''; the file looks "
            "truncated");
  EXPECT_EQ(tokenizerError("ABC+1'DE"),
            "segment 2: the input ends before the segment terminator '''; the file looks truncated");
}

TEST(EdifactReader, RejectsControlBytes) {
  using namespace std::string_literals;
  EXPECT_EQ(tokenizerError("ABC+1'DEF+2+\0\x01'"s)
                .rfind("segment 2 (DEF), element 2: control byte 0x00 in the data", 0),
            0u);
  EXPECT_EQ(tokenizerError("ABC+1?\x7F'").rfind("segment 1 (ABC), element 1: control byte 0x7F", 0), 0u)
      << "a released control byte is still a control byte";
  EXPECT_EQ(tokenizerError("ABC+1\n2'").rfind("segment 1 (ABC), element 1: control byte 0x0A", 0), 0u)
      << "line breaks are skipped between segments only";
}

TEST(EdifactReader, RejectsWhatIsNotASegmentTag) {
  EXPECT_EQ(tokenizerError("hello world'")
                .rfind("segment 1: 'hell' is not a segment tag (three capital letters)", 0),
            0u);
  EXPECT_EQ(tokenizerError("UNB'nad+FL'").rfind("segment 2: 'nad' is not a segment tag", 0), 0u);
  EXPECT_EQ(tokenizerError("UNB'NA'").rfind("segment 2: 'NA' is not a segment tag", 0), 0u);
  EXPECT_EQ(
      tokenizerError("UN:B+1'").rfind("segment 1: a component separator inside the segment tag 'UN'", 0), 0u);
  EXPECT_EQ(tokenizerError("\x89PNG\r\n").rfind("segment 1: '\\x89PNG' is not a segment tag", 0), 0u);
}

TEST(EdifactReader, RejectsMalformedUna) {
  EXPECT_EQ(
      tokenizerError("UNA:+"),
      "UNA (service string advice): it needs six characters after UNA, found 2; the file looks truncated");
  EXPECT_EQ(
      tokenizerError("UNA::.? 'UNB'"),
      "UNA (service string advice): the component separator and the element separator are both ':'; each "
      "delimiter must be different");
  EXPECT_EQ(tokenizerError("UNA:+.:  'UNB'")
                .rfind("UNA (service string advice): the component separator and the "
                       "release character are both ':'",
                       0),
            0u);
  EXPECT_EQ(
      tokenizerError("UNAX+.? 'UNB'"),
      "UNA (service string advice): the component separator 'X' must be a printable character other than a "
      "letter, digit or space");
  EXPECT_EQ(tokenizerError("UNA:+;? 'UNB'"),
            "UNA (service string advice): the decimal mark ';' must be '.' or ','");
  EXPECT_EQ(tokenizerError("UNA:+.? \nUNB'")
                .rfind("UNA (service string advice): the segment terminator '\\x0A'", 0),
            0u);
}

TEST(EdifactReader, LimitsInputSize) {
  std::string huge(kMaxInputBytes + 1, 'A');
  EXPECT_EQ(tokenizerError(huge),
            "the input is 16777217 bytes; a PAXLST interchange may have at most 16777216 bytes (16 MiB)");
}

TEST(EdifactReader, LimitsSegmentCount) {
  std::string text;
  for (size_t i = 0; i <= kMaxSegments; ++i) text += "ABC'";
  EXPECT_EQ(
      tokenizerError(text),
      "segment 100001: the interchange has more than 100000 segments; split it into several interchanges");
}

TEST(EdifactReader, LimitsElementsAndComponents) {
  EXPECT_EQ(tokenizerError("ABC" + std::string(kMaxElements + 1, '+') + "'"),
            "segment 1 (ABC), element 100: more than 99 elements in one segment");
  EXPECT_EQ(tokenizerError("ABC+" + std::string(kMaxComponents, ':') + "'"),
            "segment 1 (ABC), element 1: more than 99 components in one element");
}

// ---------------------------------------------------------------------------------------------
// PAXLST: what parses
// ---------------------------------------------------------------------------------------------

TEST(Paxlst, ParsesPassengerListWithEveryField) {
  Interchange interchange = parsedFixture("passenger-list.edi");
  EXPECT_EQ(interchange.characters, ServiceCharacters{});
  EXPECT_EQ(interchange.sender, "ZZAIRLINE");
  EXPECT_EQ(interchange.recipient, "UTOBORDER");
  EXPECT_EQ(interchange.controlReference, "000000042");
  EXPECT_EQ(interchange.preparedAt, timeOf("2026-11-25T08:00:00Z"));
  ASSERT_EQ(interchange.messages.size(), 1u);

  const PaxlstMessage& message = interchange.messages[0];
  EXPECT_EQ(message.reference, "PAX001");
  EXPECT_EQ(message.documentName, "745");
  EXPECT_FALSE(message.crewList);
  EXPECT_EQ(message.reportingParty, "ZZ AIRLINE API DESK");
  EXPECT_EQ(message.flight.carrier, "ZZ");
  EXPECT_EQ(message.flight.flightNumber, "ZZ1234");
  EXPECT_EQ(message.flight.departurePort, "AMS");
  EXPECT_EQ(message.flight.departure, timeOf("2026-11-25T10:30:00Z"));
  EXPECT_EQ(message.flight.arrivalPort, "JFK");
  EXPECT_EQ(message.flight.arrival, timeOf("2026-11-25T14:30:00Z"));
  ASSERT_EQ(message.travellers.size(), 3u);

  const Traveller& anna = message.travellers[0];
  EXPECT_FALSE(anna.crew);
  EXPECT_EQ(anna.person,
            (PersonIdentity{"SPECIMEN", "ANNA MARIA", PartialDate{1974, 8, 12}, Sex::female, "UTO"}));
  EXPECT_EQ(anna.documentType, "P");
  ASSERT_TRUE(anna.documentNumber);
  EXPECT_EQ(anna.documentNumber->str(), "L898902C3");
  EXPECT_EQ(anna.documentIssuingState, "UTO");
  EXPECT_EQ(anna.documentExpiry, dateOf(2031, 4, 15));
  EXPECT_EQ(anna.embarkation, "AMS");
  EXPECT_EQ(anna.debarkation, "JFK");
  EXPECT_EQ(anna.countryOfResidence, "UTO");
  EXPECT_EQ(anna.references, (std::vector<std::string>{"AVF:ABC123", "SEA:14C"}));

  const Traveller& sean = message.travellers[1];
  EXPECT_EQ(sean.person, (PersonIdentity{"O'SPECIMEN", "SEAN", PartialDate{2015, 3, 2}, Sex::male, "UTO"}))
      << "a released apostrophe is part of the name; a child born in 2015 is not born in 1915";
  EXPECT_EQ(sean.documentNumber->str(), "X1234567");
  EXPECT_EQ(sean.documentExpiry, dateOf(2029, 1, 1));
  EXPECT_EQ(sean.countryOfResidence, "");

  const Traveller& erika = message.travellers[2];
  EXPECT_EQ(erika.person,
            (PersonIdentity{"MUSTERMANN", "ERIKA", PartialDate{1964, 8, 12}, Sex::unspecified, "DEU"}))
      << "DTM format 102 carries the century";
  EXPECT_EQ(erika.documentType, "I");
  EXPECT_EQ(erika.documentNumber->str(), "T22000129");
  EXPECT_EQ(erika.documentExpiry, dateOf(2020, 7, 31)) << "an expired document stays in the past";
  EXPECT_EQ(erika.documentIssuingState, "DEU") << "the visa after the identity card is not kept";
  EXPECT_EQ(erika.references, (std::vector<std::string>{"AVF:XYZ789"}));
}

TEST(Paxlst, ParsesCrewList) {
  Interchange interchange = parsedFixture("crew-list.edi");
  ASSERT_EQ(interchange.messages.size(), 1u);
  const PaxlstMessage& message = interchange.messages[0];
  EXPECT_EQ(message.reference, "CRW001");
  EXPECT_EQ(message.documentName, "250");
  EXPECT_TRUE(message.crewList);
  EXPECT_EQ(message.reportingParty, "ZZOPS01") << "NAD+MS with an identification instead of a name";
  EXPECT_EQ(message.flight.flightNumber, "ZZ1234");
  ASSERT_EQ(message.travellers.size(), 2u);

  const Traveller& captain = message.travellers[0];
  EXPECT_TRUE(captain.crew);
  EXPECT_EQ(captain.person,
            (PersonIdentity{"EXAMPLE", "CAPTAIN JANE", PartialDate{1978, 3, 1}, Sex::female, "UTO"}));
  EXPECT_EQ(captain.documentType, "P");
  EXPECT_EQ(captain.documentNumber->str(), "L898902C3");
  EXPECT_EQ(captain.documentIssuingState, "UTO");
  EXPECT_EQ(captain.documentExpiry, dateOf(2030, 6, 30));
  EXPECT_EQ(captain.embarkation, "AMS");
  EXPECT_EQ(captain.debarkation, "JFK");

  const Traveller& officer = message.travellers[1];
  EXPECT_TRUE(officer.crew);
  EXPECT_EQ(officer.person,
            (PersonIdentity{"SAMPLE", "FIRST OFFICER JOHN", PartialDate{1990, 1, 15}, Sex::male, "NLD"}));
  EXPECT_EQ(officer.documentType, "AC") << "crew member certificate";
  EXPECT_EQ(officer.documentNumber->str(), "ZZC00042");
}

TEST(Paxlst, ParsesSeveralMessagesInOneInterchange) {
  Interchange interchange = parsedFixture("several-messages.edi");
  EXPECT_EQ(interchange.controlReference, "SEV1");
  ASSERT_EQ(interchange.messages.size(), 3u);
  EXPECT_EQ(interchange.messages[0].reference, "M1");
  EXPECT_EQ(interchange.messages[0].travellers.size(), 1u);
  const PaxlstMessage& second = interchange.messages[1];
  EXPECT_EQ(second.reference, "M2");
  EXPECT_EQ(second.flight.flightNumber, "ZZ77");
  EXPECT_EQ(second.flight.departurePort, "LHR");
  EXPECT_EQ(second.flight.arrivalPort, "AMS");
  EXPECT_FALSE(second.flight.departure) << "a flight without DTM has no times";
  ASSERT_EQ(second.travellers.size(), 2u);
  EXPECT_EQ(second.travellers[1].person.familyName, "THREE");
  EXPECT_TRUE(interchange.messages[2].crewList);
  EXPECT_TRUE(interchange.messages[2].travellers[0].crew);
}

TEST(Paxlst, ParsesFunctionalGroups) {
  Interchange interchange = parsedFixture("groups.edi");
  EXPECT_EQ(interchange.preparedAt, timeOf("2026-11-25T08:00:00Z")) << "syntax 4 CCYYMMDD date in UNB";
  ASSERT_EQ(interchange.messages.size(), 3u);
  EXPECT_EQ(interchange.messages[0].reference, "G1M1");
  EXPECT_EQ(interchange.messages[1].reference, "G2M1");
  EXPECT_TRUE(interchange.messages[1].travellers.empty()) << "an empty passenger list with CNT+42:0";
  EXPECT_EQ(interchange.messages[2].reference, "G2M2");
  EXPECT_TRUE(interchange.messages[2].crewList);
}

TEST(Paxlst, UnaChangesEveryDelimiterAndTheReleaseCharacter) {
  Interchange interchange = parsedFixture("una-delimiters.edi");
  EXPECT_EQ(interchange.characters, (ServiceCharacters{'|', '*', ',', '!', '~'}));
  ASSERT_EQ(interchange.messages.size(), 1u);
  ASSERT_EQ(interchange.messages[0].travellers.size(), 1u);
  const Traveller& traveller = interchange.messages[0].travellers[0];
  EXPECT_EQ(traveller.person.familyName, "O'BRIEN~SMITH") << "the released segment terminator is data";
  EXPECT_EQ(traveller.person.givenNames, "ANNE|MARIE*JO!")
      << "released component and element separators and release";
  EXPECT_EQ(traveller.person.nationality, "IRL");
  EXPECT_EQ(traveller.references, (std::vector<std::string>{"AVF:A+B:C?D"}))
      << "the default delimiters are plain data";
}

TEST(Paxlst, BirthDatesAreNeverAfterThePreparationDate) {
  std::string text = fixture("passenger-list.edi");  // prepared 2026-11-25
  auto born = [&](std::string_view value) {
    auto parsed = parsePaxlst(replaced(text, "DTM+329:740812", value));
    EXPECT_TRUE(parsed.ok()) << parsed.error().message;
    return parsed.ok() ? parsed->messages[0].travellers[0].person.dateOfBirth : PartialDate{};
  };
  EXPECT_EQ(born("DTM+329:261125"), (PartialDate{2026, 11, 25})) << "born on the day the list was prepared";
  EXPECT_EQ(born("DTM+329:261126"), (PartialDate{1926, 11, 26})) << "a day later would be in the future";
  EXPECT_EQ(born("DTM+329:000229"), (PartialDate{2000, 2, 29}));
  EXPECT_TRUE(failsWith(replaced(text, "DTM+329:740812", "DTM+329:19260229:102"),
                        "segment 15 (DTM), element 1: ", "the date of birth is not a calendar date"))
      << "1926 was no leap year";
  EXPECT_TRUE(failsWith(
      replaced(text, "DTM+329:740812", "DTM+329:20261126:102"),
      "segment 15 (DTM), element 1: ", "the date of birth lies after the interchange was prepared (UNB)"));
}

TEST(Paxlst, ExpiryDatesLieWithinFiftyYearsOfThePreparationDate) {
  std::string text = fixture("passenger-list.edi");
  auto expiry = [&](std::string_view value) {
    auto parsed = parsePaxlst(replaced(text, "DTM+36:310415", value));
    EXPECT_TRUE(parsed.ok()) << parsed.error().message;
    return parsed.ok() ? parsed->messages[0].travellers[0].documentExpiry : std::nullopt;
  };
  EXPECT_EQ(expiry("DTM+36:360101"), dateOf(2036, 1, 1)) << "ten years ahead";
  EXPECT_EQ(expiry("DTM+36:750101"), dateOf(2075, 1, 1));
  EXPECT_EQ(expiry("DTM+36:760101"), dateOf(1976, 1, 1));
  EXPECT_EQ(expiry("DTM+36:20991231:102"), dateOf(2099, 12, 31));
}

TEST(Paxlst, ProgressiveFlightRunsFromFirstDepartureToLastArrival) {
  std::string text =
      replaced(fixture("several-messages.edi"), "TDT+20+ZZ77+++ZZ'LOC+125+LHR'LOC+87+AMS'",
               "TDT+20+ZZ77+++ZZ'LOC+92+LHR'DTM+189:2611250700:201'LOC+92+AMS'DTM+232:2611250920:201'"
               "TDT+20+ZZ77+++ZZ'LOC+92+AMS'DTM+189:2611251030:201'LOC+92+ARN'DTM+232:2611251300:201'");
  text = replaced(text, "UNT+10+M2'", "UNT+17+M2'");
  auto parsed = parsePaxlst(text);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  const Flight& flight = parsed->messages[1].flight;
  EXPECT_EQ(flight.departurePort, "LHR");
  EXPECT_EQ(flight.departure, timeOf("2026-11-25T07:00:00Z"));
  EXPECT_EQ(flight.arrivalPort, "ARN");
  EXPECT_EQ(flight.arrival, timeOf("2026-11-25T13:00:00Z"));

  EXPECT_TRUE(
      failsWith(replaced(text, "TDT+20+ZZ77+++ZZ'LOC+92+AMS'", "TDT+20+ZZ78+++ZZ'LOC+92+AMS'"),
                "segment 21 (TDT), element 2: ", "a second flight 'ZZ78' in a message for flight 'ZZ77'"));
}

TEST(Paxlst, DecodesIso8859ToUtf8) {
  Interchange interchange = parsedFixture("latin1.edi");
  const PersonIdentity& person = interchange.messages[0].travellers[0].person;
  EXPECT_EQ(person.familyName, "M\xC3\x9CLLER");
  EXPECT_EQ(person.givenNames, "J\xC3\x96RG");
}

TEST(Paxlst, KeepsUtf8UnderUnow) {
  std::string text = replaced(fixture("crew-list.edi"), "UNOA:4", "UNOW:4");
  text = replaced(text, "NAD+FM+++EXAMPLE:CAPTAIN JANE", "NAD+FM+++\xCE\xA0\xCE\x91\xCE\xA0\xCE\x91:JANE");
  auto parsed = parsePaxlst(text);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->messages[0].travellers[0].person.familyName, "\xCE\xA0\xCE\x91\xCE\xA0\xCE\x91");
  EXPECT_TRUE(
      failsWith(replaced(text, "\xCE\xA0\xCE\x91\xCE\xA0\xCE\x91", "\xCE\xA0\xCE"),
                "segment 10 (NAD), element 4: ", "the text is not valid UTF-8, which UNOW (UTF-8) requires"));
  EXPECT_TRUE(failsWith(replaced(text, "\xCE\xA0\xCE\x91\xCE\xA0\xCE\x91", "\xC2\x9B"),
                        "segment 10 (NAD), element 4: ", "or has a control character"))
      << "U+009B, which terminals may take as CSI";
}

// ---------------------------------------------------------------------------------------------
// PAXLST: what fails, and how the error says so
// ---------------------------------------------------------------------------------------------

TEST(Paxlst, UntSegmentCountMustMatch) {
  std::string text = fixture("passenger-list.edi");
  EXPECT_TRUE(
      failsWith(replaced(text, "UNT+48+PAX001", "UNT+47+PAX001"), "segment 50 (UNT), element 1: ",
                "the segment count is 47 but message 'PAX001' has 48 segments from UNH (segment 3) to UNT"));
  EXPECT_TRUE(failsWith(replaced(text, "ATT+2++M'\n", ""), "segment 49 (UNT), element 1: ",
                        "the segment count is 48 but message 'PAX001' has 47 segments"))
      << "a lost segment";
  EXPECT_TRUE(failsWith(replaced(text, "UNT+48+PAX001", "UNT+4B+PAX001"),
                        "segment 50 (UNT), element 1: ", "the segment count '4B' is not a number"));
}

TEST(Paxlst, UntReferenceMustMatchUnh) {
  EXPECT_TRUE(failsWith(replaced(fixture("passenger-list.edi"), "UNT+48+PAX001", "UNT+48+PAX002"),
                        "segment 50 (UNT), element 2: ",
                        "message reference 'PAX002' does not match 'PAX001' in UNH (segment 3)"));
}

TEST(Paxlst, UneCountAndReferenceMustMatch) {
  std::string text = fixture("passenger-list.edi");
  EXPECT_TRUE(failsWith(replaced(text, "UNE+1+42", "UNE+1+43"), "segment 51 (UNE), element 2: ",
                        "group reference '43' does not match '42' in UNG (segment 2)"));
  EXPECT_TRUE(failsWith(replaced(text, "UNE+1+42", "UNE+2+42"), "segment 51 (UNE), element 1: ",
                        "the count is 2 but the functional group opened at segment 2 holds 1 message"));
}

TEST(Paxlst, UnzCountAndReferenceMustMatch) {
  std::string several = fixture("several-messages.edi");
  EXPECT_TRUE(failsWith(replaced(several, "UNZ+3+SEV1", "UNZ+3+SEV2"), "segment 34 (UNZ), element 2: ",
                        "interchange control reference 'SEV2' does not match 'SEV1' in UNB (segment 1)"));
  EXPECT_TRUE(failsWith(replaced(several, "UNZ+3+SEV1", "UNZ+2+SEV1"), "segment 34 (UNZ), element 1: ",
                        "the count is 2 but the interchange holds 3 messages"));
  EXPECT_TRUE(failsWith(
      replaced(fixture("groups.edi"), "UNZ+2+GRP1", "UNZ+3+GRP1"),
      "segment 38 (UNZ), element 1: ", "the count is 3 but the interchange holds 2 functional groups"))
      << "with groups, UNZ counts groups";
}

TEST(Paxlst, ControlTotalMustMatchTheTravellers) {
  std::string text = fixture("passenger-list.edi");
  EXPECT_TRUE(failsWith(replaced(text, "CNT+42:3", "CNT+42:4"), "segment 49 (CNT), element 1: ",
                        "the control total says 4 passengers but the message lists 3"));
  EXPECT_TRUE(failsWith(replaced(text, "CNT+42:3", "CNT+41:3"), "segment 49 (CNT), element 1: ",
                        "control total qualifier '41' does not fit a passenger list"));
  EXPECT_TRUE(failsWith(
      replaced(fixture("crew-list.edi"), "CNT+41:2", "CNT+41:1"),
      "segment 28 (CNT), element 1: ", "the control total says 1 crew member but the message lists 2"));
}

TEST(Paxlst, MissingUnzIsAnError) {
  EXPECT_EQ(parsePaxlst(replaced(fixture("passenger-list.edi"), "UNZ+1+000000042'\n", "")).error().message,
            "the input ends after segment 51 (UNE) but UNZ (interchange trailer) is missing; the file looks "
            "truncated");
}

TEST(Paxlst, TruncatedInputIsAnError) {
  std::string text = fixture("passenger-list.edi");
  EXPECT_TRUE(failsWith(text.substr(0, text.find("DOC+P+X") + 5),
                        "segment 32 (DOC), element 1: ", "the input ends before the segment terminator"));
  EXPECT_EQ(
      parsePaxlst(text.substr(0, text.find("NAD+FL+++O?"))).error().message,
      "the input ends after segment 24 (LOC) but UNT (end of message 'PAX001') is missing; the file looks "
      "truncated");
  EXPECT_TRUE(failsWith(text.substr(0, text.find("NAD+FL+++O?") + 11), "segment 25 (NAD), element 4: ",
                        "the input ends with the release character '?', which has nothing to release"));
}

TEST(Paxlst, EveryTruncationFailsCleanly) {
  std::string text = fixture("passenger-list.edi");
  size_t end = text.find("UNZ+1+000000042'") + 16;
  for (size_t length = 0; length < end; ++length) {
    auto parsed = parsePaxlst(std::string_view(text).substr(0, length));
    ASSERT_FALSE(parsed.ok()) << "a prefix of " << length << " bytes parsed";
  }
  EXPECT_TRUE(parsePaxlst(std::string_view(text).substr(0, end)).ok());
}

TEST(Paxlst, EmptyInputIsAnError) {
  EXPECT_EQ(parsePaxlst("").error().message,
            "the input is empty; a PAXLST interchange starts with UNA or UNB");
  EXPECT_EQ(parsePaxlst("UNA:+.? '\n").error().message,
            "the input is empty; a PAXLST interchange starts with UNA or UNB");
}

TEST(Paxlst, GarbageIsAnError) {
  EXPECT_TRUE(
      failsWith("Dear border agency, please find attached", "segment 1: ", "'Dear' is not a segment tag"));
  EXPECT_TRUE(failsWith("ABC+DEF'", "segment 1 (ABC): ", "an interchange starts with UNB"));
  EXPECT_TRUE(failsWith("UNB+UNOA:4+S+R+261125:0800+1'FOO'",
                        "segment 2 (FOO): ", "expected UNH, UNG or UNZ, found FOO"));
}

TEST(Paxlst, BinaryBytesAreAnError) {
  using namespace std::string_literals;
  EXPECT_TRUE(
      failsWith("\x7F"
                "ELF\x02\x01\x01\0\0\0"s,
                "segment 1: ", "control byte 0x7F"));
  EXPECT_TRUE(
      failsWith("\xFF\xD8\xFF\xE0\0\x10JFIF"s, "segment 1: ", "'\\xFF\\xD8\\xFF\\xE0' is not a segment tag"));
  EXPECT_TRUE(failsWith(replaced(fixture("passenger-list.edi"), "SPECIMEN:ANNA", "SPEC\xC3\x8FMEN:ANNA"),
                        "segment 13 (NAD), element 4: ", "byte 0xC3 is not a character of UNOA (ASCII)"));
  EXPECT_TRUE(failsWith(
      replaced(fixture("latin1.edi"), "NAT+2+DEU", "NAT+2+D\x85U"),
      "segment 11 (NAT), element 2: ", "byte 0x85 is a control code, not a character of UNOC (ISO 8859-1)"));
}

TEST(Paxlst, EverySingleByteCorruptionFailsOrParsesWithoutCrashing) {
  std::string text = fixture("passenger-list.edi");
  for (char corrupt : {'\'', '+', ':', '?', '\0', '\xFF', 'A'}) {
    for (size_t i = 0; i < text.size(); ++i) {
      std::string copy = text;
      copy[i] = corrupt;
      auto parsed = parsePaxlst(copy);
      if (!parsed) {
        EXPECT_FALSE(parsed.error().message.empty());
      }
    }
  }
}

TEST(Paxlst, MandatorySegmentsAndOrderAreChecked) {
  std::string text = fixture("passenger-list.edi");
  EXPECT_TRUE(failsWith(replaced(text, "BGM+745'\n", ""),
                        "segment 4 (RFF): ", "BGM must follow UNH (segment 3), not RFF"));
  EXPECT_TRUE(failsWith(replaced(text, "BGM+745", "BGM+266"), "segment 4 (BGM), element 1: ",
                        "document name code '266' is neither 745 (passenger list) nor 250 (crew list)"));
  EXPECT_TRUE(
      failsWith(replaced(text, "UNB+UNOA:4+ZZAIRLINE:ZZ+UTOBORDER:ZZ+261125:0800+000000042++APIS'\n", ""),
                "segment 1 (UNG): ", "an interchange starts with UNB"));
  EXPECT_TRUE(failsWith(replaced(text, "UNH+PAX001+PAXLST", "UNH+PAX001+CUSCAR"),
                        "segment 3 (UNH), element 2: ", "message type 'CUSCAR' is not PAXLST"));
  EXPECT_TRUE(failsWith(replaced(text, "TDT+20+ZZ1234+++ZZ'\n", ""),
                        "segment 12 (NAD): ", "a traveller before the flight"));
  EXPECT_TRUE(failsWith(replaced(text, "CNT+42:3'\n", "CNT+42:3'\nCOM+1:TE'\n"),
                        "segment 50 (COM): ", "only UNT may follow CNT"));
  std::string several = fixture("several-messages.edi");
  EXPECT_TRUE(failsWith(replaced(several, "UNT+11+M1'", ""), "segment 12 (UNH): ",
                        "UNH inside message 'M1' (UNH at segment 2); its UNT is missing"));
  EXPECT_TRUE(failsWith(replaced(several, "UNH+M2", "UNG+PAXLST+A+B+261125:0800+X+UN+D:05B'UNH+M2"),
                        "segment 13 (UNG): ", "messages inside and outside functional groups"));
  EXPECT_TRUE(failsWith(several + "UNB+UNOA:4+S+R+261125:0800+2'", "segment 35 (UNB): ", "data after UNZ"));
}

TEST(Paxlst, TravellerFieldsAreChecked) {
  std::string text = fixture("passenger-list.edi");
  EXPECT_TRUE(failsWith(replaced(text, "DOC+P+X1234567", "DOC+P+X12/34567"), "segment 32 (DOC), element 2: ",
                        "document number has a character that is not a letter or digit at position 4"));
  EXPECT_TRUE(failsWith(replaced(text, "DTM+329:150302", "DTM+329:150230"),
                        "segment 27 (DTM), element 1: ", "the date of birth is not a calendar date"));
  EXPECT_TRUE(failsWith(replaced(text, "DTM+329:150302", "DTM+329:15032"),
                        "segment 27 (DTM), element 1: ", "the date of birth is not YYMMDD (format 101)"));
  EXPECT_TRUE(failsWith(replaced(text, "ATT+2++M", "ATT+2++Q"), "segment 26 (ATT), element 3: ",
                        "sex 'Q' is not M, F, U (unknown) or X (unspecified)"));
  EXPECT_TRUE(failsWith(replaced(text, "NAT+2+DEU", "NAT+2+DE"),
                        "segment 41 (NAT), element 2: ", "nationality 'DE' is not a three-letter ICAO code"));
  EXPECT_TRUE(
      failsWith(replaced(text, "NAD+FL+++MUSTERMANN", "NAD+FM+++MUSTERMANN"),
                "segment 35 (NAD), element 1: ", "a crew member (NAD+FM) in a passenger list (BGM 745)"));
  EXPECT_TRUE(failsWith(replaced(text, "NAD+FL+++MUSTERMANN", "NAD+ZZ+++MUSTERMANN"),
                        "segment 35 (NAD), element 1: ", "party qualifier 'ZZ' is not MS (reporting party)"));
  EXPECT_TRUE(
      failsWith(replaced(text, "NAD+FL+++MUSTERMANN:ERIKA", "NAD+FL+++:ERIKA"),
                "segment 35 (NAD), element 4: ", "the traveller's family name (first component) is empty"));
  EXPECT_TRUE(failsWith(replaced(text, "ATT+2++X", "ATT+2++X'ATT+2++F"), "segment 37 (ATT), element 1: ",
                        "a second ATT+2 for this traveller (the first is segment 36)"));
  EXPECT_TRUE(failsWith(
      replaced(
          text,
          "LOC+174+UTO'\nNAT+2+UTO'\nRFF+AVF:ABC123'\nRFF+SEA:14C'\nDOC+P:110:111+L898902C3'\nDTM+36:310415'",
          "LOC+174+UTO'\nNAT+2+UTO'\nRFF+AVF:ABC123'\nRFF+SEA:14C'\nDTM+36:310415'\nDOC+P:110:111+"
          "L898902C3'"),
      "segment 22 (DTM), element 1: ", "the document's expiry date comes before any DOC"));
  EXPECT_TRUE(failsWith(
      replaced(text, "DTM+189:2611251030:201", "DTM+189:2611251060:201"),
      "segment 10 (DTM), element 1: ", "the departure time '2611251060' is not a valid date and time"));
}

// ---------------------------------------------------------------------------------------------
// PAXLST: lenient reading of real airline files (issue 12), each quirk class against strict
// ---------------------------------------------------------------------------------------------

struct LenientRead {
  Interchange interchange;
  std::vector<Warning> warnings;
};

// Parses leniently, failing the test if that fails.
LenientRead lenient(std::string_view text) {
  LenientRead read;
  auto parsed = parsePaxlst(text, ParseOptions{}, &read.warnings);
  EXPECT_TRUE(parsed.ok()) << parsed.error().message;
  if (parsed) read.interchange = std::move(parsed).value();
  return read;
}

// Every warning's text, one per line, for failure messages and substring checks.
std::string warningText(const std::vector<Warning>& warnings) {
  std::string text;
  for (const Warning& warning : warnings) text += warning.message + "\n";
  return text;
}

std::vector<std::string> familyNames(const Interchange& interchange) {
  std::vector<std::string> names;
  for (const PaxlstMessage& message : interchange.messages) {
    for (const Traveller& traveller : message.travellers) names.push_back(traveller.person.familyName);
  }
  return names;
}

const std::vector<std::string> kFixtureNames{"SPECIMEN", "O'SPECIMEN", "MUSTERMANN"};

TEST(PaxlstLenient, SpacesBetweenSegmentsAreSkippedWithOneWarning) {
  std::string text = replaced(fixture("passenger-list.edi"), "ATT+2++M'\n", "  ATT+2++M' \t\n");
  EXPECT_TRUE(failsWith(text, "segment 26: ", "is not a segment tag")) << "strict refuses";
  LenientRead read = lenient(text);
  EXPECT_EQ(familyNames(read.interchange), kFixtureNames);
  EXPECT_EQ(read.interchange.messages[0].travellers[1].person.sex, Sex::male);
  ASSERT_EQ(read.warnings.size(), 1u) << warningText(read.warnings) << "one warning for the kind, not each";
  EXPECT_EQ(read.warnings[0].segment, 26u);
  EXPECT_EQ(read.warnings[0].message.rfind("segment 26: spaces or tabs before the segment, at byte ", 0), 0u)
      << read.warnings[0].message;
}

TEST(PaxlstLenient, LineBreaksInsideSegmentsAreSkipped) {
  // A file wrapped at a fixed width: the break falls in the middle of a name and after a release.
  std::string text = replaced(fixture("passenger-list.edi"), "NAD+FL+++O?'SPECIMEN:SEAN'",
                              "NAD+FL+++O?\r\n'SPECI\r\nMEN:SEAN'");
  EXPECT_TRUE(failsWith(text, "segment 25 (NAD), element 4: ", "control byte 0x0D"));
  LenientRead read = lenient(text);
  EXPECT_EQ(familyNames(read.interchange), kFixtureNames);
  ASSERT_EQ(read.warnings.size(), 1u) << warningText(read.warnings);
  EXPECT_EQ(read.warnings[0].message.rfind("segment 25 (NAD): a line break inside the segment, at byte ", 0), 0u)
      << read.warnings[0].message;
}

TEST(PaxlstLenient, SpaceAfterTagAndLowerCaseTagsAreRead) {
  std::string text = replaced(fixture("passenger-list.edi"), "NAT+2+UTO'\nRFF+AVF:ABC123'\nRFF+SEA:14C'",
                              "NAT +2+UTO'\nRFF+AVF:ABC123'\nrff+SEA:14C'");
  EXPECT_TRUE(failsWith(text, "segment 19: ", "'NAT ' is not a segment tag"));
  EXPECT_TRUE(failsWith(replaced(fixture("passenger-list.edi"), "RFF+SEA:14C", "rff+SEA:14C"),
                        "segment 21: ", "'rff' is not a segment tag"));
  LenientRead read = lenient(text);
  const Traveller& anna = read.interchange.messages[0].travellers[0];
  EXPECT_EQ(anna.person.nationality, "UTO");
  EXPECT_EQ(anna.references, (std::vector<std::string>{"AVF:ABC123", "SEA:14C"}));
  EXPECT_EQ(warningText(read.warnings),
            "segment 19 (NAT): spaces after the segment tag; skipped (further ones are not reported)\n"
            "segment 21 (RFF): the tag is written in lower case; read in capitals (further ones are not "
            "reported)\n");
}

TEST(PaxlstLenient, Latin1InAnAsciiFileIsReadAsIso88591WithoutQuotingTheName) {
  std::string text = replaced(fixture("passenger-list.edi"), "MUSTERMANN:ERIKA", "M\xDC" "LLER:REN\xC9");
  EXPECT_TRUE(failsWith(text, "segment 35 (NAD), element 4: ", "byte 0xDC is not a character of UNOA (ASCII)"));
  LenientRead read = lenient(text);
  const Traveller& renee = read.interchange.messages[0].travellers[2];
  EXPECT_EQ(renee.person.familyName, "M\u00DCLLER");
  EXPECT_EQ(renee.person.givenNames, "REN\u00C9");
  EXPECT_EQ(warningText(read.warnings),
            "segment 35 (NAD), element 4: text outside UNOA (ASCII); read as ISO 8859-1\n");
  EXPECT_EQ(read.warnings[0], (Warning{35, "NAD", read.warnings[0].message}));
}

TEST(PaxlstLenient, Utf8InAnAsciiOrLatin1FileIsReadAsUtf8) {
  std::string ascii = replaced(fixture("passenger-list.edi"), "MUSTERMANN", "\u017DUPAN");
  EXPECT_TRUE(failsWith(ascii, "segment 35 (NAD), element 4: ", "byte 0xC5 is not a character of UNOA"));
  EXPECT_EQ(lenient(ascii).interchange.messages[0].travellers[2].person.familyName, "\u017DUPAN");

  // UTF-8 labelled UNOC: read as Latin-1, É (C3 89) would be Ã and a control code.
  std::string latin1 = replaced(fixture("latin1.edi"), "NAT+2+DEU", "NAT+2+DEU'FTX+AAH+++REN\u00C9");
  std::string labelled = replaced(fixture("passenger-list.edi"), "UNOA:4", "UNOC:4");
  labelled = replaced(labelled, "SPECIMEN:ANNA", "SP\u00C9CIMEN:ANNA");
  EXPECT_TRUE(failsWith(labelled, "segment 13 (NAD), element 4: ", "byte 0x89 is a control code"));
  LenientRead read = lenient(labelled);
  EXPECT_EQ(read.interchange.messages[0].travellers[0].person.familyName, "SP\u00C9CIMEN");
  EXPECT_EQ(warningText(read.warnings), "segment 13 (NAD), element 4: text outside UNOC (ISO 8859-1); read as UTF-8\n");
}

TEST(PaxlstLenient, InvalidUtf8InAUtf8FileIsReadAsLatin1) {
  std::string text = replaced(fixture("passenger-list.edi"), "UNOA:4", "UNOW:4");
  text = replaced(text, "SPECIMEN:ANNA", "SP\xC9" "CIMEN:ANNA");
  EXPECT_TRUE(failsWith(text, "segment 13 (NAD), element 4: ", "not valid UTF-8"));
  LenientRead read = lenient(text);
  EXPECT_EQ(read.interchange.messages[0].travellers[0].person.familyName, "SP\u00C9CIMEN");
  EXPECT_NE(warningText(read.warnings).find("read as ISO 8859-1"), std::string::npos);
}

TEST(PaxlstLenient, ControlTotalInASecondElementIsRead) {
  std::string text = replaced(fixture("passenger-list.edi"), "CNT+42:3", "CNT+42+3");
  EXPECT_TRUE(failsWith(text, "segment 49 (CNT), element 2: ", "the control total is in element 2"));
  LenientRead read = lenient(text);
  EXPECT_EQ(familyNames(read.interchange), kFixtureNames);
  EXPECT_EQ(warningText(read.warnings),
            "segment 49 (CNT), element 2: the control total is in element 2 (CNT+42+N); it belongs in element 1 "
            "after a colon (CNT+42:N); read from element 2\n");
  // The count so read is still checked.
  LenientRead wrong = lenient(replaced(fixture("passenger-list.edi"), "CNT+42:3", "CNT+42+4"));
  EXPECT_NE(warningText(wrong.warnings).find("the control total says 4 passengers but the message lists 3"),
            std::string::npos)
      << warningText(wrong.warnings);
}

TEST(PaxlstLenient, CountsAndReferencesThatDoNotMatchAreWarnings) {
  std::string text = replaced(fixture("passenger-list.edi"), "UNT+48+PAX001", "UNT+52+PAX01");
  text = replaced(text, "UNE+1+42", "UNE+2+42");
  text = replaced(text, "UNZ+1+000000042", "UNZ+1+42");
  text = replaced(text, "CNT+42:3", "CNT+42:7");
  EXPECT_TRUE(failsWith(text, "segment 49 (CNT), element 1: ", "the control total says 7"));
  LenientRead read = lenient(text);
  EXPECT_EQ(familyNames(read.interchange), kFixtureNames);
  EXPECT_EQ(warningText(read.warnings),
            "segment 49 (CNT), element 1: the control total says 7 passengers but the message lists 3; travellers "
            "are missing or the total is wrong; the travellers listed are read\n"
            "segment 50 (UNT), element 1: the segment count is 52 but message 'PAX001' has 48 segments from UNH "
            "(segment 3) to UNT; a segment was lost or added, or the count is wrong; the message is read as it is\n"
            "segment 50 (UNT), element 2: message reference 'PAX01' does not match 'PAX001' in UNH (segment 3); "
            "read as the end of that message\n"
            "segment 51 (UNE), element 1: the count is 2 but the functional group opened at segment 2 holds 1 "
            "message; what it holds is read\n"
            "segment 52 (UNZ), element 2: interchange control reference '42' does not match '000000042' in UNB "
            "(segment 1); read as its end\n");
}

TEST(PaxlstLenient, SeveralFlightLegsInOneMessageAreKept) {
  std::string text = replaced(fixture("passenger-list.edi"), "LOC+87+JFK'\nDTM+232:2611251430:201'\n",
                              "LOC+87+LHR'\nDTM+232:2611251130:201'\nTDT+20+ZZ99+++ZZ'\nLOC+125+LHR'\n"
                              "DTM+189:2611251300:201'\nLOC+87+JFK'\nDTM+232:2611251430:201'\n");
  text = replaced(text, "UNT+48", "UNT+53");
  EXPECT_TRUE(failsWith(text, "segment 13 (TDT), element 2: ", "a second flight 'ZZ99' in a message for flight 'ZZ1234'"));
  LenientRead read = lenient(text);
  const PaxlstMessage& message = read.interchange.messages[0];
  EXPECT_EQ(message.flight.flightNumber, "ZZ1234");
  EXPECT_EQ(message.flight.departurePort, "AMS");
  EXPECT_EQ(message.flight.arrivalPort, "LHR");
  ASSERT_EQ(message.otherLegs.size(), 1u);
  EXPECT_EQ(message.otherLegs[0].flightNumber, "ZZ99");
  EXPECT_EQ(message.otherLegs[0].departurePort, "LHR");
  EXPECT_EQ(message.otherLegs[0].departure, timeOf("2026-11-25T13:00:00Z"));
  EXPECT_EQ(message.otherLegs[0].arrivalPort, "JFK");
  EXPECT_EQ(familyNames(read.interchange), kFixtureNames);
  ASSERT_EQ(read.warnings.size(), 1u) << warningText(read.warnings);
  EXPECT_EQ(read.warnings[0].segment, 13u);
}

TEST(PaxlstLenient, CrewMemberInAPassengerListIsReadAsCrew) {
  std::string text = replaced(fixture("passenger-list.edi"), "NAD+FL+++MUSTERMANN", "NAD+FM+++MUSTERMANN");
  LenientRead read = lenient(text);
  ASSERT_EQ(read.interchange.messages[0].travellers.size(), 3u);
  EXPECT_TRUE(read.interchange.messages[0].travellers[2].crew);
  EXPECT_NE(warningText(read.warnings).find("segment 35 (NAD), element 1: a crew member (NAD+FM) in a passenger "
                                            "list (BGM 745); crew are reported in a crew list (BGM 250); read as a "
                                            "crew member"),
            std::string::npos)
      << warningText(read.warnings);
}

TEST(PaxlstLenient, DataAfterUnzIsIgnoredAndAMissingUnzAfterCompleteMessagesIsAWarning) {
  std::string text = fixture("passenger-list.edi");
  std::string trailing = text + "\x1A\x1A";
  EXPECT_TRUE(failsWith(text + "UNB+UNOA:4+S+R+261125:0800+2'", "segment 53 (UNB): ", "data after UNZ"));
  LenientRead read = lenient(trailing);
  EXPECT_EQ(familyNames(read.interchange), kFixtureNames);
  EXPECT_EQ(warningText(read.warnings), "segment 52 (UNZ): 2 bytes after UNZ, which ends the interchange, from byte " +
                                            std::to_string(text.size()) + "; ignored\n");
  EXPECT_EQ(lenient(text + "\r\n\r\n").warnings, std::vector<Warning>{}) << "line breaks at the end are layout";

  std::string noUnz = replaced(text, "UNZ+1+000000042'\n", "");
  EXPECT_FALSE(parsePaxlst(noUnz).ok());
  LenientRead unterminated = lenient(noUnz);
  EXPECT_EQ(familyNames(unterminated.interchange), kFixtureNames);
  EXPECT_EQ(warningText(unterminated.warnings),
            "the input ends after segment 51 (UNE) but UNZ (interchange trailer) is missing; the complete messages "
            "before it are read\n");
}

TEST(PaxlstLenient, ByteOrderMarkIsSkipped) {
  std::string text = "\xEF\xBB\xBF" + fixture("passenger-list.edi");
  EXPECT_FALSE(parsePaxlst(text).ok());
  LenientRead read = lenient(text);
  EXPECT_EQ(familyNames(read.interchange), kFixtureNames);
  EXPECT_EQ(read.interchange.characters, ServiceCharacters{}) << "the UNA after the mark is read";
  EXPECT_EQ(warningText(read.warnings),
            "the file starts with a UTF-8 byte order mark, which EDIFACT does not use; skipped\n");
}

TEST(PaxlstLenient, OtherSeparatorsWithoutUnaCannotBeReadInEitherMode) {
  // The sender used '*' and '~' but left out the UNA that would say so.
  std::string text = "UNB*UNOA|4*ZZAIRLINE*UTOBORDER*261125|0800*1~UNH*1*PAXLST|D|05B|UN|IATA~";
  const char* expected =
      "segment 1 (UNB): UNB is followed by '*' where the element separator '+' belongs; a file with other "
      "service characters must announce them in a UNA segment at the start, which this file lacks, so it "
      "cannot be read; ask the sender to add the UNA";
  EXPECT_EQ(parsePaxlst(text).error().message, expected);
  EXPECT_EQ(parsePaxlst(text, ParseOptions{}).error().message, expected);
}

TEST(PaxlstLenient, UnreadableTravellersAreKeptWithTheReasonAndTheRestRead) {
  std::string text = fixture("passenger-list.edi");
  struct Case {
    std::string_view from, to, where, what;
  };
  for (const Case& c : {
           Case{"NAD+FL+++O?'SPECIMEN:SEAN", "NAD+FL+++:SEAN", "segment 25 (NAD), element 4: ",
                "the traveller's family name (first component) is empty"},
           Case{"DOC+P+X1234567", "DOC+P+X12/34567", "segment 32 (DOC), element 2: ",
                "document number has a character that is not a letter or digit at position 4"},
           Case{"DTM+329:150302", "DTM+329:150230", "segment 27 (DTM), element 1: ",
                "the date of birth is not a calendar date"},
           Case{"ATT+2++M", "ATT+2++M'ATT+2++F", "segment 27 (ATT), element 1: ", "a second ATT+2"},
           Case{"NAD+FL+++O?'SPECIMEN:SEAN", "NAD+XX+++O?'SPECIMEN:SEAN", "segment 25 (NAD), element 1: ",
                "party qualifier 'XX' is not MS"},
       }) {
    std::string broken = replaced(text, c.from, c.to);
    if (c.to.find("'ATT") != std::string_view::npos) broken = replaced(broken, "UNT+48", "UNT+49");
    EXPECT_TRUE(failsWith(broken, c.where, c.what)) << c.to;
    LenientRead read = lenient(broken);
    const PaxlstMessage& message = read.interchange.messages[0];
    EXPECT_EQ(familyNames(read.interchange), (std::vector<std::string>{"SPECIMEN", "MUSTERMANN"})) << c.to;
    ASSERT_EQ(message.unreadable.size(), 1u) << c.to;
    EXPECT_EQ(message.unreadable[0].segment, 25u) << "the traveller's NAD";
    EXPECT_EQ(message.unreadable[0].reason.rfind(std::string(c.where) + std::string(c.what), 0), 0u)
        << message.unreadable[0].reason;
    EXPECT_EQ(message.travellers[1].person.nationality, "DEU") << "the next traveller is read in full";
    EXPECT_EQ(read.warnings, std::vector<Warning>{}) << "CNT counts the unreadable traveller: "
                                                      << warningText(read.warnings);
  }
}

TEST(PaxlstLenient, UndecodableTravellerTextMakesOnlyThatTravellerUnreadable) {
  std::string text = replaced(fixture("latin1.edi"), "NAT+2+DEU", "NAT+2+D\x85U");
  LenientRead read = lenient(text);
  ASSERT_EQ(read.interchange.messages[0].unreadable.size(), 1u);
  EXPECT_NE(read.interchange.messages[0].unreadable[0].reason.find("byte 0x85 is a control code"), std::string::npos);
}

TEST(PaxlstLenient, WhatNoReaderCanTrustIsStillRefused) {
  std::string text = fixture("passenger-list.edi");
  for (const auto& [broken, what] : std::vector<std::pair<std::string, std::string>>{
           {text.substr(0, text.find("DOC+P+X") + 5), "the input ends before the segment terminator"},
           {replaced(text, "BGM+745'\n", ""), "BGM must follow UNH"},
           {replaced(text, "UNOA:4", "UNOZ:4"), "character set 'UNOZ' is not supported"},
           {replaced(text, "TDT+20+ZZ1234+++ZZ'\n", ""), "a traveller before the flight"},
       }) {
    auto parsed = parsePaxlst(broken, ParseOptions{});
    ASSERT_FALSE(parsed.ok()) << what;
    EXPECT_NE(parsed.error().message.find(what), std::string::npos) << parsed.error().message;
  }
}

TEST(PaxlstLenient, EveryTruncationFailsOrKeepsEveryTraveller) {
  std::string text = fixture("passenger-list.edi");
  const size_t complete = text.find("UNZ+1+000000042'") + 16;
  for (size_t length = 0; length < complete; ++length) {
    std::vector<Warning> warnings;
    auto parsed = parsePaxlst(std::string_view(text).substr(0, length), ParseOptions{}, &warnings);
    if (!parsed) continue;
    EXPECT_EQ(familyNames(*parsed), kFixtureNames) << "a prefix of " << length << " bytes";
    EXPECT_NE(warningText(warnings).find("UNZ (interchange trailer) is missing"), std::string::npos)
        << "a prefix of " << length << " bytes";
  }
}

TEST(PaxlstLenient, NoSingleByteCorruptionDropsATravellerSilently) {
  std::string text = fixture("passenger-list.edi");
  for (char corrupt : {'\'', '+', ':', '?', '\0', '\xFF', 'A', ' ', '\n'}) {
    for (size_t i = 0; i < text.size(); ++i) {
      std::string copy = text;
      copy[i] = corrupt;
      std::vector<Warning> warnings;
      auto parsed = parsePaxlst(copy, ParseOptions{}, &warnings);
      if (!parsed) {
        EXPECT_FALSE(parsed.error().message.empty());
        continue;
      }
      size_t entries = 0;
      for (const PaxlstMessage& message : parsed->messages) entries += message.travellers.size() + message.unreadable.size();
      if (entries != 3) {
        EXPECT_NE(warningText(warnings).find("control total"), std::string::npos)
            << "byte " << i << " as " << int(corrupt) << ": " << entries << " entries, warnings:\n"
            << warningText(warnings);
      }
    }
  }
}

TEST(PaxlstLenient, WarningsStopAtTheLimitWithACountOfTheRest) {
  std::string text = "UNB+UNOA:4+S+R+261125:0800+1'UNH+1+PAXLST:D:05B:UN:IATA'BGM+745'TDT+20+ZZ1'";
  const size_t travellers = kMaxWarnings + 5;
  for (size_t i = 0; i < travellers; ++i) text += "NAD+FL+++M\xDCLLER'";
  text += "UNT+" + std::to_string(travellers + 4) + "+1'UNZ+1+1'";
  LenientRead read = lenient(text);
  EXPECT_EQ(read.interchange.messages[0].travellers.size(), travellers);
  ASSERT_EQ(read.warnings.size(), kMaxWarnings + 1);
  EXPECT_EQ(read.warnings.back().message, "5 more warnings are left out");
}

// ---------------------------------------------------------------------------------------------
// `liaison paxlst`
// ---------------------------------------------------------------------------------------------

struct CommandRun {
  int exit = -1;
  std::string out;
  std::string err;
};

CommandRun runCommand(const std::vector<std::string>& args) {
  std::ostringstream out, err;
  CommandRun run;
  std::vector<std::string> words{"paxlst"};
  words.insert(words.end(), args.begin(), args.end());
  run.exit = cli::runCommandLine(words, cli::CommandContext{.out = out, .err = err, .origin = {}});
  run.out = out.str();
  run.err = err.str();
  return run;
}

std::string examplePath(const std::string& name) { return LIAISON_SOURCE_DIR "/examples/data/" + name; }

TEST(PaxlstCommand, ParsePrintsTheFlightAndOneLinePerTraveller) {
  CommandRun run = runCommand({"parse", examplePath("paxlst-passengers.edi")});
  EXPECT_EQ(run.exit, 0) << run.err;
  EXPECT_EQ(run.err, "");
  EXPECT_EQ(
      run.out,
      "flight ZZ1234 AMS 2026-11-25 10:30 -> JFK 2026-11-25 14:30 (local times), passenger list, 3 "
      "passengers "
      "(message PAX001)\n"
      "  passenger SPECIMEN, ANNA MARIA; sex female; born 1974-08-12; nationality UTO; document P L898902C3 "
      "issued by UTO expires 2031-04-15; AMS -> JFK\n"
      "  passenger O'SPECIMEN, SEAN; sex male; born 2015-03-02; nationality UTO; document P X1234567 issued "
      "by "
      "UTO expires 2029-01-01; AMS -> JFK\n"
      "  passenger MUSTERMANN, ERIKA; sex unspecified; born 1964-08-12; nationality DEU; document I "
      "T22000129 "
      "issued by DEU expires 2020-07-31; AMS -> JFK\n");
}

TEST(PaxlstCommand, ParsesTheCrewListExample) {
  CommandRun run = runCommand({"parse", examplePath("paxlst-crew.edi")});
  EXPECT_EQ(run.exit, 0) << run.err;
  EXPECT_EQ(
      run.out.substr(0, run.out.find('\n')),
      "flight ZZ1234 AMS 2026-11-25 10:30 -> JFK 2026-11-25 14:30 (local times), crew list, 2 crew members "
      "(message CRW001)");
  EXPECT_NE(run.out.find("\n  crew EXAMPLE, CAPTAIN JANE; sex female;"), std::string::npos) << run.out;
}

TEST(PaxlstCommand, JsonCarriesEveryField) {
  CommandRun run = runCommand({"parse", "--json", examplePath("paxlst-passengers.edi")});
  EXPECT_EQ(run.exit, 0) << run.err;
  for (const char* expected :
       {"\"control_reference\": \"000000042\"", "\"prepared_at\": \"2026-11-25T08:00\"",
        "\"list\": \"passengers\"", "\"reporting_party\": \"ZZ AIRLINE API DESK\"",
        "\"departure_local\": \"2026-11-25T10:30\"", "\"family_name\": \"O'SPECIMEN\"",
        "\"document_number\": \"L898902C3\"", "\"document_expiry\": \"2031-04-15\"",
        "\"country_of_residence\": null",
        "\"references\": [\n            \"AVF:ABC123\",\n            \"SEA:14C\"\n"}) {
    EXPECT_NE(run.out.find(expected), std::string::npos) << expected << " not in\n" << run.out;
  }
}

TEST(PaxlstCommand, BadFileExitsOneAndNamesTheProblem) {
  CommandRun missing = runCommand({"parse", "/nonexistent/paxlst.edi"});
  EXPECT_EQ(missing.exit, 1);
  EXPECT_EQ(missing.err.rfind("liaison: /nonexistent/paxlst.edi: cannot read the file", 0), 0u)
      << missing.err;

  CommandRun invalid = runCommand({"parse", fixturePath("latin1.edi") + "/"});
  EXPECT_EQ(invalid.exit, 1) << "a path that is not a file";

  std::string path = testing::TempDir() + "paxlst-broken.edi";
  std::ofstream(path) << replaced(fixture("passenger-list.edi"), "UNB+UNOA", "UNB+UNOZ");
  CommandRun broken = runCommand({"parse", path});
  EXPECT_EQ(broken.exit, 1);
  EXPECT_EQ(broken.out, "");
  EXPECT_EQ(broken.err, "liaison: " + path +
                            ": segment 1 (UNB), element 1: character set 'UNOZ' is not supported; use UNOA, UNOB, "
                            "UNOC or UNOW\n");
}

TEST(PaxlstCommand, StrictRefusesTheFirstQuirkThatLenientReadsWithAWarning) {
  std::string path = testing::TempDir() + "paxlst-miscounted.edi";
  std::ofstream(path) << replaced(fixture("passenger-list.edi"), "CNT+42:3", "CNT+42:2");
  CommandRun lenientRun = runCommand({"parse", path});
  EXPECT_EQ(lenientRun.exit, 0) << lenientRun.err;
  EXPECT_NE(lenientRun.out.find("3 passengers"), std::string::npos) << lenientRun.out;
  EXPECT_EQ(lenientRun.err,
            "liaison: " + path +
                ": warning: segment 49 (CNT), element 1: the control total says 2 passengers but the message lists "
                "3; travellers are missing or the total is wrong; the travellers listed are read\n");

  CommandRun broken = runCommand({"parse", "--strict", path});
  EXPECT_EQ(broken.exit, 1);
  EXPECT_EQ(broken.out, "");
  EXPECT_EQ(broken.err,
            "liaison: " + path +
                ": segment 49 (CNT), element 1: the control total says 2 passengers but the message lists "
                "3; travellers are missing or the total is wrong\n");
}

TEST(PaxlstCommand, MessyExampleIsReadWithAWarningPerQuirkAndItsUnreadableTravellerListed) {
  std::string path = LIAISON_SOURCE_DIR "/examples/manifests/messy-paxlst.edi";
  CommandRun run = runCommand({"parse", path});
  EXPECT_EQ(run.exit, 0) << run.err;
  EXPECT_EQ(run.out.substr(0, run.out.find('\n')),
            "flight ZZ100 AMS 2026-11-25 10:30 -> LHR 2026-11-25 11:30, then ZZ200 LHR 2026-11-25 13:00 -> JFK "
            "2026-11-25 16:00 (local times), passenger list, 4 passengers and 1 unreadable (message PAX077)");
  EXPECT_NE(run.out.find("\n  passenger \u00C5NGSTR\u00D6MER, REN\u00C9; sex male;"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("\n  unreadable traveller (NAD at segment 27): segment 29 (DOC), element 2: document number "
                         "has a character that is not a letter or digit at position 5\n"),
            std::string::npos)
      << run.out;
  for (const char* quirk : {"segment 10 (TDT), element 2: a second flight", "segment 15 (NAD): spaces after the segment tag",
                            "segment 15 (NAD), element 4: text outside UNOA (ASCII); read as ISO 8859-1",
                            "segment 21 (NAD): the tag is written in lower case",
                            "segment 21 (NAD), element 4: text outside UNOA (ASCII); read as UTF-8",
                            "segment 31: spaces or tabs before the segment", "segment 39 (CNT), element 2:",
                            "segment 40 (UNT), element 1: the segment count is 41", "segment 41 (UNZ): 1 byte after UNZ"}) {
    EXPECT_NE(run.err.find(std::string("liaison: ") + path + ": warning: " + quirk), std::string::npos)
        << quirk << " not in\n" << run.err;
  }
  EXPECT_EQ(run.err.find("\xC5"), std::string::npos) << "no name in a warning";

  CommandRun json = runCommand({"parse", "--json", path});
  EXPECT_NE(json.out.find("\"unreadable_travellers\": [\n        {\n          \"segment\": 27,"), std::string::npos)
      << json.out;
  EXPECT_NE(json.out.find("\"flight_number\": \"ZZ200\""), std::string::npos);

  CommandRun strict = runCommand({"parse", "--strict", path});
  EXPECT_EQ(strict.exit, 1);
  EXPECT_EQ(strict.err, "liaison: " + path +
                            ": segment 10 (TDT), element 2: a second flight 'ZZ200' in a message for flight 'ZZ100'; "
                            "send each flight in its own message\n");
}

TEST(PaxlstCommand, UsageErrorsExitTwo) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {}, {"parse"}, {"parse", "a.edi", "b.edi"}, {"check", "a.edi"}, {"parse", "--xml", "a.edi"}}) {
    CommandRun run = runCommand(args);
    EXPECT_EQ(run.exit, 2) << testing::PrintToString(args);
    EXPECT_NE(run.err.find("usage: liaison paxlst parse [--json] [--strict] FILE"), std::string::npos) << run.err;
  }
  CommandRun help = runCommand({"help"});
  EXPECT_EQ(help.exit, 0);
  EXPECT_EQ(help.out.rfind("usage: liaison paxlst parse", 0), 0u);
}

}  // namespace
}  // namespace liaison::paxlst
