#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include "adapters/interpol_notices.h"
#include "adapters/store.h"
#include "node/cli/command_line.h"
#include "tests/pg_fixture.h"

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

// Who the tests say runs the import command.
const store::CommandLineOrigin kOrigin{"tester", "liaison import notices"};

constexpr const char* kOwner = "FR-POLICE";

// A red list page of three synthetic persons.
constexpr const char* kRedList = R"({
  "total": 3,
  "_embedded": {"notices": [
    {"forename": "EXAMPLE JOHN", "date_of_birth": "1980/05/17", "entity_id": "2099/1", "nationalities": ["FR", "DE"],
     "name": "SPECIMEN", "_links": {"self": {"href": "https://ws-public.interpol.int/notices/v1/red/2099-1"}}},
    {"forename": "TESTA", "date_of_birth": "1975/11", "entity_id": "2099-2", "nationalities": ["NL"],
     "name": "FICTIEF", "_links": {"self": {"href": "https://ws-public.interpol.int/notices/v1/red/2099-2"}}},
    {"forename": null, "date_of_birth": "1969", "entity_id": "2099/3", "nationalities": null,
     "name": "PLACEHOLDER", "_links": {"self": {"href": "https://ws-public.interpol.int/notices/v1/red/2099-3"}}}
  ]}
})";

// A UN detail with every field the model carries.
constexpr const char* kUnDetail = R"({
  "entity_id": "2099/201", "name": "OBRAZETS", "forename": "IVAN PRIMER", "date_of_birth": "1970", "sex_id": "M",
  "name_in_original_script": "ОБРАЗЕЦ Иван Пример", "nationalities": ["UA", "MD"],
  "aliases": [{"forename": "IOANN", "name": "OBRAZETZ"}, {"forename": null, "name": "THE \"SPECIMEN\", {A}"}],
  "arrest_warrants": [{"issuing_country_id": "UA", "charge": "Invented offence; test data"}],
  "_embedded": {"links": []},
  "_links": {"self": {"href": "https://ws-public.interpol.int/notices/v1/un/persons/2099-201"}}
})";

bool byNoticeId(const Notice& a, const Notice& b) { return a.noticeId < b.noticeId; }

class NoticeImport : public testing::PgTest {
 protected:
  static importers::ImportOptions options() {
    importers::ImportOptions o;
    o.owner = kOwner;
    o.visibleTo = {"DE-BKA"};
    o.handling = HandlingCode::h1;
    o.retentionUntil = parseDate("2036-06-30").value();
    return o;
  }

  static std::vector<Notice> parsed(const std::string& json) {
    auto notices = importers::parseInterpolNotices(json, "test.json", std::nullopt, options());
    EXPECT_TRUE(notices.ok()) << notices.error().message;
    return notices.ok() ? notices.value() : std::vector<Notice>{};
  }

  // The notices `member` may see, without their refs, in notice id order.
  std::vector<Notice> stored(const std::string& member) {
    store::RecordStore store(target());
    auto records = store.list(member, RecordKind::notice, 100);
    EXPECT_TRUE(records.ok()) << records.error().message;
    std::vector<Notice> notices;
    if (!records.ok()) return notices;
    for (const Record& record : *records) {
      Notice notice = std::get<Notice>(record);
      EXPECT_FALSE(notice.meta.ref.empty());
      notice.meta.ref.clear();
      notices.push_back(std::move(notice));
    }
    std::sort(notices.begin(), notices.end(), byNoticeId);
    return notices;
  }

  std::vector<std::string> storedRefs() {
    store::RecordStore store(target());
    auto records = store.list(kOwner, RecordKind::notice, 100);
    EXPECT_TRUE(records.ok()) << records.error().message;
    std::vector<std::string> refs;
    if (!records.ok()) return refs;
    for (const Record& record : *records) refs.push_back(metaOf(record).ref);
    return refs;
  }

  // A file in a directory of this test's own, removed with the fixture.
  std::string writeFile(const std::string& name, const std::string& content) {
    if (directory_.empty()) {
      directory_ = std::filesystem::temp_directory_path() /
                   ("liaison-notices-" + std::to_string(getpid()) + "-" +
                    ::testing::UnitTest::GetInstance()->current_test_info()->name());
      std::filesystem::create_directories(directory_);
    }
    std::filesystem::path path = directory_ / name;
    std::ofstream(path, std::ios::binary) << content;
    return path.string();
  }

  void TearDown() override {
    if (!directory_.empty()) std::filesystem::remove_all(directory_);
    PgTest::TearDown();
  }

  std::map<std::string, std::string> commandOptions() const {
    return {{"owner", kOwner}, {"visible-to", "DE-BKA"}, {"handling", "h1"}, {"db", target().conninfo}};
  }

  // `liaison import notices FILES... --KEY VALUE...` run in-process as the operator kOrigin.
  static int importNotices(const std::vector<std::string>& files, const std::map<std::string, std::string>& options,
                           std::ostream& out, std::ostream& err) {
    std::vector<std::string> words{"import", "notices"};
    words.insert(words.end(), files.begin(), files.end());
    for (const auto& [key, value] : options) {
      words.push_back("--" + key);
      words.push_back(value);
    }
    return cli::runCommandLine(words, cli::CommandContext{.out = out, .err = err, .origin = kOrigin});
  }

 private:
  std::filesystem::path directory_;
};

TEST_F(NoticeImport, EveryNoticeLandsAsParsedWithTheOwnerAndVisibilityOfTheOptions) {
  std::vector<Notice> notices = parsed(kRedList);
  std::vector<Notice> un = parsed(kUnDetail);
  notices.insert(notices.end(), un.begin(), un.end());
  ASSERT_EQ(notices.size(), 4u);

  auto report = importers::importNotices(target(), notices, options());
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(report->rowsRead, 4u);
  EXPECT_EQ(report->rowsInserted, 4u);
  std::sort(notices.begin(), notices.end(), byNoticeId);

  // Read back through the store exactly as parsed: colour, names, partial dates, ICAO codes, arrays
  // with quotes and commas, original script, and the meta the options gave.
  EXPECT_EQ(stored(kOwner), notices);
  EXPECT_EQ(stored("DE-BKA"), notices);
  EXPECT_TRUE(stored("NL-KMAR").empty());
  const Notice unNotice = stored(kOwner)[2];
  ASSERT_EQ(unNotice.noticeId, "2099/201");
  EXPECT_EQ(unNotice.colour, NoticeColour::unSpecial);
  EXPECT_EQ(unNotice.aliases, (std::vector<std::string>{"IOANN OBRAZETZ", "THE \"SPECIMEN\", {A}"}));
  EXPECT_EQ(unNotice.otherNationalities, (std::vector<std::string>{"MDA"}));
  EXPECT_EQ(unNotice.meta.visibleTo, (std::vector<std::string>{"DE-BKA"}));
  EXPECT_EQ(unNotice.meta.handling, HandlingCode::h1);
  EXPECT_EQ(formatDate(unNotice.meta.retentionUntil), "2036-06-30");
}

TEST_F(NoticeImport, ImportingTheSameNoticesAgainChangesNothing) {
  const std::vector<Notice> notices = parsed(kRedList);
  ASSERT_TRUE(importers::importNotices(target(), notices, options()).ok());
  const std::vector<std::string> refsBefore = storedRefs();

  auto again = importers::importNotices(target(), notices, options());
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(again->rowsRead, 3u);
  EXPECT_EQ(again->rowsInserted, 0u);
  EXPECT_EQ(storedRefs(), refsBefore);
  EXPECT_EQ(stored(kOwner), notices);
}

TEST_F(NoticeImport, ANoticeAlreadyPresentKeepsWhatWasFirstImported) {
  // The list says less than the detail; the detail of an imported notice is "already present".
  ASSERT_TRUE(importers::importNotices(target(), parsed(kRedList), options()).ok());
  std::string detail =
      R"({"entity_id": "2099/1", "name": "SPECIMEN", "sex_id": "M", "arrest_warrants": [)"
      R"({"issuing_country_id": "FR", "charge": "Invented"}], "_links": {"self": {"href": "/red/2099-1"}}})";
  auto report = importers::importNotices(target(), parsed(detail), options());
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(report->rowsInserted, 0u);
  EXPECT_EQ(stored(kOwner).front().person.sex, Sex::unspecified);
}

TEST_F(NoticeImport, ABatchWithOneBadNoticeWritesNothing) {
  std::vector<Notice> notices = parsed(kRedList);
  notices[1].warrantIssuingStates = {"FRA", "France"};
  auto report = importers::importNotices(target(), notices, options());
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.error().kind, ErrorKind::invalidInput);
  EXPECT_EQ(report.error().message, "notice 2099/2: 'France' is not a three-letter ICAO state code");
  EXPECT_TRUE(stored(kOwner).empty());

  // What only the table's constraints catch fails the whole batch as well: a five-digit year
  // breaks the partial_date domain of the last row.
  notices = parsed(kRedList);
  notices[2].person.dateOfBirth = PartialDate{10000, 0, 0};
  report = importers::importNotices(target(), notices, options());
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.error().kind, ErrorKind::invalidInput) << report.error().message;
  EXPECT_TRUE(stored(kOwner).empty());
}

TEST_F(NoticeImport, NoticesOfAnotherOwnerAreRefusedBeforeAnythingIsWritten) {
  std::vector<Notice> notices = parsed(kRedList);
  notices[2].meta.owner = "DE-BKA";
  auto report = importers::importNotices(target(), notices, options());
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.error().message,
            "notice 2099/3: owned by 'DE-BKA', but the import runs as member 'FR-POLICE'");
  EXPECT_TRUE(stored(kOwner).empty());
  EXPECT_TRUE(stored("DE-BKA").empty());
}

TEST_F(NoticeImport, TheCommandImportsEachFileAndReportsItsCounts) {
  const std::string red = writeFile("red.json", kRedList);
  const std::string un = writeFile("un.json", kUnDetail);
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(importNotices({red, un}, commandOptions(), out, err), 0) << err.str();
  EXPECT_EQ(out.str(), red + ": 3 notices read, 3 new, 0 already present\n" + un +
                           ": 1 notices read, 1 new, 0 already present\n");
  EXPECT_EQ(stored("DE-BKA").size(), 4u);

  std::ostringstream again;
  EXPECT_EQ(importNotices({red}, commandOptions(), again, err), 0) << err.str();
  EXPECT_EQ(again.str(), red + ": 3 notices read, 0 new, 3 already present\n");
}

TEST_F(NoticeImport, TheCommandImportsNothingWhenOneFileHasOneBadNotice) {
  std::string bad = kRedList;
  bad.replace(bad.find("\"1969\""), 6, "\"1969-01-01\"");
  const std::string good = writeFile("good.json", kUnDetail);
  const std::string broken = writeFile("broken.json", bad);
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(importNotices({good, broken}, commandOptions(), out, err), 1);
  EXPECT_EQ(out.str(), "");
  EXPECT_NE(
      err.str().find(broken + ": _embedded.notices[2].date_of_birth: expected YYYY/MM/DD, YYYY/MM or YYYY, "
                              "got \"1969-01-01\""),
      std::string::npos)
      << err.str();
  EXPECT_NE(err.str().find("nothing was imported"), std::string::npos) << err.str();
  EXPECT_TRUE(stored(kOwner).empty());
}

TEST_F(NoticeImport, TheCommandRefusesUsageMistakes) {
  const std::string red = writeFile("red.json", kRedList);
  auto run = [&](const std::vector<std::string>& files, std::map<std::string, std::string> options) {
    std::ostringstream out;
    std::ostringstream err;
    return importNotices(files, options, out, err);
  };
  auto with = [&](const std::string& key, const std::string& value) {
    auto options = commandOptions();
    options[key] = value;
    return options;
  };
  EXPECT_EQ(run({}, commandOptions()), 2);
  EXPECT_EQ(run({red}, {{"db", target().conninfo}}), 2);
  EXPECT_EQ(run({red}, with("colour", "blue")), 2);
  EXPECT_EQ(run({red}, with("handling", "h9")), 2);
  EXPECT_EQ(run({red}, with("retention-years", "101")), 2);
  EXPECT_EQ(run({red}, with("retention-years", "-1")), 2);
  EXPECT_EQ(run({red}, with("colr", "red")), 2);
  EXPECT_EQ(run({red}, with("colour", "yellow")), 1);  // the links say red
  EXPECT_EQ(run({red + ".missing"}, commandOptions()), 1);
  EXPECT_EQ(run({red}, with("owner", "not a member id")), 1);
  EXPECT_TRUE(stored(kOwner).empty());
  EXPECT_EQ(run({red}, with("colour", "red")), 0);
  EXPECT_EQ(stored(kOwner).size(), 3u);
}

}  // namespace
}  // namespace liaison
