#include "adapters/interpol_notices.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace liaison {

// Readable failures: gtest would print a Notice as bytes. Static, so each test file has its own.
[[maybe_unused]] static void PrintTo(const Notice& n, std::ostream* os) {
  auto list = [](const std::vector<std::string>& items) {
    std::string text;
    for (const auto& item : items) text += (text.empty() ? "" : "|") + item;
    return "[" + text + "]";
  };
  *os << "{" << n.noticeId << " " << name(n.colour) << " " << n.person.familyName << ", "
      << n.person.givenNames << " dob=" << formatPartialDate(n.person.dateOfBirth)
      << " sex=" << name(n.person.sex) << " nat=" << n.person.nationality
      << " other=" << list(n.otherNationalities) << " aliases=" << list(n.aliases)
      << " script=" << n.nameInOriginalScript << " warrants=" << list(n.warrantIssuingStates)
      << " charges=" << n.charges << " owner=" << n.meta.owner << " visible=" << list(n.meta.visibleTo)
      << " handling=" << name(n.meta.handling) << " until=" << formatDate(n.meta.retentionUntil)
      << " ref=" << n.meta.ref << "}";
}

namespace {

using importers::ImportOptions;
using importers::parseInterpolNotices;

ImportOptions importOptions() {
  ImportOptions o;
  o.owner = "FR-POLICE";
  o.visibleTo = {"DE-BKA", "schengen"};
  o.handling = HandlingCode::h1;
  o.retentionUntil = parseDate("2036-06-30").value();
  return o;
}

std::string readSource(const std::string& relative) {
  std::ifstream in(std::string(LIAISON_SOURCE_DIR) + "/" + relative, std::ios::binary);
  EXPECT_TRUE(in.good()) << relative;
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::string fixture(const std::string& name) { return readSource("tests/fixtures/interpol/" + name); }

Result<std::vector<Notice>> parse(const std::string& json,
                                  std::optional<NoticeColour> colour = std::nullopt) {
  return parseInterpolNotices(json, "red.json", colour, importOptions());
}

Notice parseOne(const std::string& json, std::optional<NoticeColour> colour = std::nullopt) {
  auto notices = parse(json, colour);
  EXPECT_TRUE(notices.ok()) << notices.error().message;
  if (!notices.ok()) return {};
  EXPECT_EQ(notices->size(), 1u);
  return notices->empty() ? Notice{} : notices->front();
}

// The error message of a parse that must fail.
std::string errorOf(const std::string& json, std::optional<NoticeColour> colour = std::nullopt) {
  auto notices = parse(json, colour);
  EXPECT_FALSE(notices.ok()) << json.substr(0, 200);
  if (notices.ok()) return {};
  EXPECT_EQ(notices.error().kind, ErrorKind::invalidInput);
  return notices.error().message;
}

PartialDate partial(uint16_t year, uint8_t month = 0, uint8_t day = 0) {
  return PartialDate{year, month, day};
}

// A minimal detail response with `extra` members spliced in.
std::string detail(const std::string& extra) {
  return R"({"entity_id": "2099/9", "name": "SPECIMEN", )" + extra +
         R"(, "_links": {"self": {"href": "https://ws-public.interpol.int/notices/v1/red/2099-9"}}})";
}

TEST(InterpolNotices, AListResponseMapsEveryFieldOfEveryNotice) {
  auto notices = parse(fixture("red-list.json"));
  ASSERT_TRUE(notices.ok()) << notices.error().message;
  ASSERT_EQ(notices->size(), 4u);

  Notice first;
  first.meta.owner = "FR-POLICE";
  first.meta.visibleTo = {"DE-BKA", "schengen"};
  first.meta.handling = HandlingCode::h1;
  first.meta.retentionUntil = parseDate("2036-06-30").value();
  first.colour = NoticeColour::red;
  first.noticeId = "2099/1";
  first.person = PersonIdentity{"SPECIMEN", "EXAMPLE JOHN", partial(1980, 5, 17), Sex::unspecified, "FRA"};
  first.otherNationalities = {"D<<"};
  EXPECT_EQ((*notices)[0], first);

  const Notice& second = (*notices)[1];
  EXPECT_EQ(second.noticeId, "2099/2");
  EXPECT_EQ(second.person.familyName, "FICTIEF");
  EXPECT_EQ(second.person.givenNames, "TESTA");
  EXPECT_EQ(second.person.dateOfBirth, partial(1975, 11));
  EXPECT_EQ(second.person.nationality, "NLD");
  EXPECT_TRUE(second.otherNationalities.empty());

  const Notice& third = (*notices)[2];
  EXPECT_EQ(third.noticeId, "2099/3");
  EXPECT_EQ(third.person.givenNames, "");
  EXPECT_EQ(third.person.dateOfBirth, partial(1969));
  EXPECT_EQ(third.person.nationality, "");

  const Notice& fourth = (*notices)[3];
  EXPECT_EQ(fourth.person.dateOfBirth, PartialDate{});
  EXPECT_EQ(fourth.person.nationality, "RKS");
  EXPECT_EQ(fourth.otherNationalities, (std::vector<std::string>{"GBR", "ESP"}));
  for (const Notice& notice : *notices) {
    EXPECT_EQ(notice.colour, NoticeColour::red);
    EXPECT_EQ(notice.meta, first.meta);
    EXPECT_TRUE(notice.warrantIssuingStates.empty());
    EXPECT_EQ(notice.charges, "");
  }
}

TEST(InterpolNotices, ARedDetailMapsItsArrestWarrants) {
  Notice notice = parseOne(fixture("red-detail.json"));
  EXPECT_EQ(notice.colour, NoticeColour::red);
  EXPECT_EQ(notice.noticeId, "2099/1");
  EXPECT_EQ(notice.person,
            (PersonIdentity{"SPECIMEN", "EXAMPLE JOHN", partial(1980, 5, 17), Sex::male, "FRA"}));
  EXPECT_EQ(notice.otherNationalities, (std::vector<std::string>{"D<<"}));
  // Two warrants from France and one from Germany: each state once, every charge in order.
  EXPECT_EQ(notice.warrantIssuingStates, (std::vector<std::string>{"FRA", "D<<"}));
  EXPECT_EQ(
      notice.charges,
      "Fraude fictive (test data, not a real case); Invented smuggling offence; Second invented charge");
  EXPECT_TRUE(notice.aliases.empty());
  EXPECT_EQ(notice.nameInOriginalScript, "");
  EXPECT_EQ(notice.meta.owner, "FR-POLICE");
  EXPECT_TRUE(notice.meta.ref.empty());
}

TEST(InterpolNotices, AYellowDetailMapsThePersonAndIgnoresTheEvent) {
  Notice notice = parseOne(fixture("yellow-detail.json"));
  EXPECT_EQ(notice.colour, NoticeColour::yellow);
  EXPECT_EQ(notice.noticeId, "2099/101");
  EXPECT_EQ(notice.person, (PersonIdentity{"ESEMPIO", "MARIA PROVA", partial(2085, 3), Sex::female, "ITA"}));
  EXPECT_TRUE(notice.warrantIssuingStates.empty());
  EXPECT_EQ(notice.charges, "");
}

TEST(InterpolNotices, AUnDetailMapsAliasesAndTheNameInOriginalScript) {
  Notice notice = parseOne(fixture("un-detail.json"));
  EXPECT_EQ(notice.colour, NoticeColour::unSpecial);
  EXPECT_EQ(notice.noticeId, "2099/201");
  EXPECT_EQ(notice.person, (PersonIdentity{"OBRAZETS", "IVAN PRIMER", partial(1970), Sex::male, "UKR"}));
  EXPECT_EQ(notice.aliases, (std::vector<std::string>{"IOANN OBRAZETZ", "THE SPECIMEN"}));
  EXPECT_EQ(notice.nameInOriginalScript, "ОБРАЗЕЦ Иван Пример");
}

TEST(InterpolNotices, AnEntityIdWrittenAsInTheUrlIsWrittenWithASlash) {
  EXPECT_EQ(parseOne(R"({"entity_id": "2099-17", "name": "SPECIMEN"})", NoticeColour::red).noticeId,
            "2099/17");
  EXPECT_EQ(parseOne(R"({"entity_id": "2099/17", "name": "SPECIMEN"})", NoticeColour::red).noticeId,
            "2099/17");
  for (const char* bad :
       {"", "2099", "2099/", "99/17", "2099_17", "2099/17a", "2099/1/2", "2099-12345678901"}) {
    std::string json = std::string(R"({"entity_id": ")") + bad + R"(", "name": "SPECIMEN"})";
    EXPECT_NE(errorOf(json, NoticeColour::red).find("red.json: entity_id: "), std::string::npos) << bad;
  }
}

TEST(InterpolNotices, DatesOfBirthKeepWhatIsKnown) {
  const std::vector<std::pair<std::string, PartialDate>> cases = {
      {"1980/05/17", partial(1980, 5, 17)},
      {"1980/05", partial(1980, 5)},
      {"1980", partial(1980)},
      {"", PartialDate{}},
      {"2000/02/29", partial(2000, 2, 29)},
  };
  for (const auto& [text, expected] : cases) {
    Notice notice = parseOne(detail(R"("date_of_birth": ")" + text + "\""));
    EXPECT_EQ(notice.person.dateOfBirth, expected) << text;
  }
}

TEST(InterpolNotices, AMalformedDateOfBirthIsNamedWithItsPath) {
  std::string list = fixture("red-list.json");
  list.replace(list.find("\"1969\""), 6, "\"1980-05-17\"");
  EXPECT_EQ(
      errorOf(list),
      R"(red.json: _embedded.notices[2].date_of_birth: expected YYYY/MM/DD, YYYY/MM or YYYY, got "1980-05-17")");
  for (const char* bad :
       {"1980/5/17", "1980/13", "1980/02/30", "0000", "19800517", "17/05/1980", "1980//05"}) {
    EXPECT_NE(errorOf(detail(std::string(R"("date_of_birth": ")") + bad + "\""))
                  .find("red.json: date_of_birth: expected"),
              std::string::npos)
        << bad;
  }
}

TEST(InterpolNotices, NullsEverywhereAreUnknownValues) {
  Notice notice = parseOne(fixture("red-nulls.json"));
  EXPECT_EQ(notice.noticeId, "2099/5");
  EXPECT_EQ(notice.person, (PersonIdentity{"UNKNOWN-EXAMPLE", "", PartialDate{}, Sex::unspecified, ""}));
  EXPECT_TRUE(notice.otherNationalities.empty());
  EXPECT_TRUE(notice.aliases.empty());
  EXPECT_TRUE(notice.warrantIssuingStates.empty());
  EXPECT_EQ(notice.charges, "");
  EXPECT_EQ(notice.nameInOriginalScript, "");

  // A null link, and a list page whose notices are null.
  EXPECT_EQ(parseOne(R"({"entity_id": "2099/6", "name": "X", "_links": null})", NoticeColour::yellow).colour,
            NoticeColour::yellow);
  auto empty = parse(R"({"total": 0, "_embedded": {"notices": null}})");
  ASSERT_TRUE(empty.ok()) << empty.error().message;
  EXPECT_TRUE(empty->empty());
}

TEST(InterpolNotices, UnknownFieldsAndFieldsTheModelDoesNotCarryAreIgnored) {
  Notice plain = parseOne(detail(R"("forename": "JOHN")"));
  Notice extra = parseOne(detail(
      R"("forename": "JOHN", "new_field": {"deep": [1, {"x": null}]}, "height": "tall", "weight": [80],)"
      R"( "eyes_colors_id": 7, "identity_documents": "none", "un_reference": 12)"));
  EXPECT_EQ(extra, plain);
}

TEST(InterpolNotices, TheColourComesFromTheLinkOrFromTheCaller) {
  EXPECT_EQ(parseOne(fixture("red-detail.json"), NoticeColour::red).colour, NoticeColour::red);
  const std::string unlinked = R"({"entity_id": "2099/7", "name": "SPECIMEN"})";
  EXPECT_EQ(parseOne(unlinked, NoticeColour::unSpecial).colour, NoticeColour::unSpecial);
  EXPECT_NE(errorOf(unlinked).find("red.json: _links.self.href: no /red/, /yellow/ or /un/"),
            std::string::npos);
  EXPECT_EQ(errorOf(fixture("yellow-detail.json"), NoticeColour::red),
            "red.json: _links.self.href: the link is to a yellow notice, but red notices are being read");
  // "red" only counts as a whole path segment, never in the host or the query.
  EXPECT_NE(
      errorOf(R"({"entity_id": "2099/7", "name": "S", "_links": {"self": {"href": "https://red/x?c=red"}}})")
          .find("no /red/, /yellow/ or /un/"),
      std::string::npos);
}

TEST(InterpolNotices, KnownFieldsOfTheWrongTypeAreErrorsNamingThePath) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"("forename": 12)", "red.json: forename: expected a string or null, got a number"},
      {R"("date_of_birth": 1980)", "red.json: date_of_birth: expected a string or null, got a number"},
      {R"("sex_id": true)", "red.json: sex_id: expected a string or null, got a boolean"},
      {R"("sex_id": "X")", R"(red.json: sex_id: expected "M", "F" or "U", got "X")"},
      {R"("nationalities": "FR")", "red.json: nationalities: expected an array or null, got a string"},
      {R"("nationalities": ["FR", 7])",
       "red.json: nationalities[1]: expected a country code string, got a number"},
      {R"("arrest_warrants": {})", "red.json: arrest_warrants: expected an array or null, got an object"},
      {R"("arrest_warrants": ["FR"])",
       "red.json: arrest_warrants[0]: expected an arrest warrant object, got a string"},
      {R"("arrest_warrants": [{"issuing_country_id": ["FR"]}])",
       "red.json: arrest_warrants[0].issuing_country_id: expected a string or null, got an array"},
      {R"("arrest_warrants": [{"charge": 5}])",
       "red.json: arrest_warrants[0].charge: expected a string or null, got a number"},
      {R"("aliases": [{"forename": "A", "name": {}}])",
       "red.json: aliases[0].name: expected a string or null, got an object"},
      {R"("aliases": [null])", "red.json: aliases[0]: expected an alias object, got a null"},
      {R"("name_in_original_script": [])",
       "red.json: name_in_original_script: expected a string or null, got an array"},
  };
  for (const auto& [member, expected] : cases) EXPECT_EQ(errorOf(detail(member)), expected) << member;

  EXPECT_EQ(errorOf(R"({"entity_id": 2099, "name": "S"})"),
            "red.json: entity_id: expected a string or null, got a number");
  EXPECT_EQ(errorOf(R"({"entity_id": "2099/1", "name": null})", NoticeColour::red),
            "red.json: name: missing; every notice needs a name");
  EXPECT_EQ(errorOf(R"({"entity_id": null, "name": "S"})"),
            "red.json: entity_id: missing; every notice needs its entity id");
  EXPECT_EQ(errorOf(R"({"entity_id": "2099/1", "name": "S", "_links": []})"),
            "red.json: _links: expected an object or null, got an array");
  EXPECT_EQ(errorOf(R"({"entity_id": "2099/1", "name": "S", "_links": {"self": {"href": 1}}})"),
            "red.json: _links.self.href: expected a string or null, got a number");
  EXPECT_EQ(errorOf(R"({"_embedded": {"notices": {}}})"),
            "red.json: _embedded.notices: expected an array or null, got an object");
  EXPECT_EQ(errorOf(R"({"_embedded": []})"), "red.json: _embedded: expected an object or null, got an array");
  EXPECT_EQ(
      errorOf(R"({"_embedded": {"notices": [{"entity_id": "2099/1", "name": "S"}, 3]}})", NoticeColour::red),
      "red.json: _embedded.notices[1]: expected a notice object, got a number");
}

TEST(InterpolNotices, AnUnknownCountryCodeIsAnErrorNamingThePath) {
  std::string list = fixture("red-list.json");
  list.replace(list.find(R"(["XK", "GB", "ES"])"), 18, R"(["XK", "ZZ", "ES"])");
  EXPECT_EQ(errorOf(list), R"(red.json: _embedded.notices[3].nationalities[1]: unknown country code "ZZ"; )"
                           R"(expected ISO 3166-1 alpha-2 such as "FR")");
  EXPECT_NE(
      errorOf(detail(R"("nationalities": ["fr"])")).find(R"(nationalities[0]: unknown country code "fr")"),
      std::string::npos);
  EXPECT_NE(errorOf(detail(R"("nationalities": ["FRA"])")).find(R"(unknown country code "FRA")"),
            std::string::npos);
  EXPECT_NE(errorOf(detail(R"("arrest_warrants": [{"issuing_country_id": "XA", "charge": "c"}])"))
                .find(R"(red.json: arrest_warrants[0].issuing_country_id: unknown country code "XA")"),
            std::string::npos);
}

TEST(InterpolNotices, TruncatedJsonNamesTheByteOffset) {
  const std::string whole = fixture("red-detail.json");
  const std::string truncated = whole.substr(0, 200);
  EXPECT_EQ(errorOf(truncated),
            "red.json: not valid JSON at byte 201 (line 4, column 31): syntax error while parsing "
            "value - invalid string: missing closing quote");
  for (size_t length : {size_t{0}, size_t{1}, size_t{57}, whole.size() / 2, whole.size() - 2}) {
    EXPECT_NE(errorOf(whole.substr(0, length)).find("red.json: not valid JSON at byte "), std::string::npos)
        << length;
  }
}

TEST(InterpolNotices, ParseErrorsDoNotQuoteTheInput) {
  // nlohmann's "last read" could quote part of a name; the message leaves it out.
  std::string message = errorOf(R"({"entity_id": "2099/1", "name": "SECRETNAME)");
  EXPECT_EQ(message.find("SECRETNAME"), std::string::npos) << message;
  EXPECT_NE(message.find("not valid JSON at byte"), std::string::npos) << message;
}

TEST(InterpolNotices, GarbageIsRefusedWithoutACrash) {
  const std::vector<std::string> garbage = {
      "",
      " ",
      "null",
      "[]",
      "42",
      "\"notices\"",
      "{}",
      "{\"total\": 3}",
      "\x89PNG\r\n\x1a\n",
      std::string("{\"entity_id\": \"2099/1\", \"name\": \"A\xff\"}"),
      "{\"a\": nan}",
      "{\"a\":1,}",
      "<html></html>",
      std::string("{\"entity_id\"\0: 1}", 17),
  };
  for (const auto& bytes : garbage) {
    auto notices = parse(bytes, NoticeColour::red);
    ASSERT_FALSE(notices.ok()) << bytes;
    EXPECT_EQ(notices.error().kind, ErrorKind::invalidInput);
    EXPECT_EQ(notices.error().message.rfind("red.json: ", 0), 0u) << notices.error().message;
  }
  EXPECT_EQ(errorOf("[]"), "red.json: expected a notices list or a notice object, got an array");
  EXPECT_EQ(errorOf("{}"), "red.json: neither a notices list (_embedded.notices) nor a notice (entity_id)");
}

TEST(InterpolNotices, NestingDeeperThanTheLimitIsRefused) {
  auto nested = [](int depth) { return std::string(depth, '[') + std::string(depth, ']'); };
  const std::string tooDeep = "arrays and objects nested more than 32 deep";
  EXPECT_NE(errorOf(nested(importers::kMaxNoticesJsonNesting + 1)).find(tooDeep), std::string::npos);
  EXPECT_NE(errorOf(nested(100000)).find(tooDeep), std::string::npos);
  EXPECT_NE(errorOf(std::string(100000, '[')).find(tooDeep), std::string::npos);
  // At the limit the JSON is read, and then refused for what it is.
  EXPECT_EQ(errorOf(nested(importers::kMaxNoticesJsonNesting)),
            "red.json: expected a notices list or a notice object, got an array");
  // Deep values hidden in an unknown field count too: the limit holds before any field is read.
  std::string deepExtra = detail(R"("extra": )" + nested(40));
  EXPECT_NE(errorOf(deepExtra).find(tooDeep), std::string::npos);
}

TEST(InterpolNotices, InputBeyondTheSizeLimitIsRefusedUnread) {
  std::string huge(importers::kMaxNoticesResponseBytes + 1, ' ');
  EXPECT_EQ(errorOf(huge), "red.json: 67108865 bytes; a notices response may have at most 64 MiB");
}

TEST(InterpolNotices, TheExampleDataParses) {
  const std::vector<std::pair<std::string, NoticeColour>> files = {
      {"examples/data/notices-red.json", NoticeColour::red},
      {"examples/data/notices-yellow.json", NoticeColour::yellow},
      {"examples/data/notices-un.json", NoticeColour::unSpecial},
  };
  for (const auto& [file, colour] : files) {
    auto notices = parseInterpolNotices(readSource(file), file, std::nullopt, importOptions());
    ASSERT_TRUE(notices.ok()) << notices.error().message;
    EXPECT_GE(notices->size(), 5u) << file;
    for (const Notice& notice : *notices) EXPECT_EQ(notice.colour, colour) << file << " " << notice.noticeId;
  }
}

}  // namespace
}  // namespace liaison
