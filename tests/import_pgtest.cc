#include <gtest/gtest.h>

#include <sstream>

#include "adapters/csv_import.h"
#include "adapters/store.h"
#include "tests/pg_fixture.h"

namespace liaison {
namespace {

constexpr const char* kHeader =
    "number,issuing_state,type,fraud_type,report_date,issue_date,expiry_date,review_date,national_reference\n";

class DocumentImport : public testing::PgTest {
 protected:
  importers::ImportOptions options() const {
    importers::ImportOptions o;
    o.owner = "XA-POLICE";
    o.visibleTo = {"XB-BORDER"};
    o.handling = HandlingCode::h1;
    o.retentionUntil = parseDate("2036-06-30").value();
    return o;
  }

  Result<importers::ImportReport> import(const std::string& csv) {
    std::istringstream in(csv);
    return importers::importCsv(target(), RecordKind::travelDocument, in, "sltd.csv", options());
  }

  uint64_t storedCount() {
    store::RecordStore store(target());
    return store.count("XA-POLICE", RecordKind::travelDocument).value();
  }
};

TEST_F(DocumentImport, AGoodFileLandsInFull) {
  auto report = import(std::string(kHeader) +
                       "L898902C3,UTO,passport,stolen-from-bearer,2024-01-05,2019-04-01,2029-03-31,,REF-1\n"
                       "\"ab 12-34<\",D<<,identity-card,lost,2024-02-06,,,2026-01-01,\"REF, two\"\r\n"
                       "X0000001,UTO,visa,stolen-blank,2024-03-07,,,,\n");
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(report->rowsRead, 3u);
  EXPECT_EQ(report->rowsInserted, 3u);
  EXPECT_EQ(storedCount(), 3u);

  store::RecordStore store(target());
  auto found = store.findTravelDocuments("XB-BORDER", DocumentNumber::parse("AB1234").value(), "D<<");
  ASSERT_TRUE(found.ok()) << found.error().message;
  ASSERT_EQ(found->size(), 1u);
  const TravelDocument& doc = found->front();
  EXPECT_EQ(doc.type, DocumentType::identityCard);
  EXPECT_EQ(doc.fraudType, FraudType::lost);
  EXPECT_EQ(formatDate(doc.reportDate), "2024-02-06");
  EXPECT_FALSE(doc.issueDate.has_value());
  EXPECT_EQ(formatDate(doc.reviewDate.value()), "2026-01-01");
  EXPECT_EQ(doc.nationalReference, "REF, two");
  EXPECT_EQ(doc.meta.owner, "XA-POLICE");
  EXPECT_EQ(doc.meta.handling, HandlingCode::h1);
  EXPECT_EQ(formatDate(doc.meta.retentionUntil), "2036-06-30");
}

TEST_F(DocumentImport, AFileWithOneBadRowLandsNothingAndNamesTheRow) {
  auto report = import(std::string(kHeader) +
                       "L898902C3,UTO,passport,lost,2024-01-05,,,,\n"
                       "L898902C4,UTO,passport,lost,2024-01-05,,,,\n"
                       "L898902C5,Utopia,passport,lost,2024-01-05,,,,\n"
                       "L898902C6,UTO,passport,lost,2024-01-05,,,,\n");
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.error().kind, ErrorKind::invalidInput);
  EXPECT_NE(report.error().message.find("sltd.csv: line 4, column issuing_state"), std::string::npos)
      << report.error().message;
  EXPECT_EQ(storedCount(), 0u);
}

TEST_F(DocumentImport, EachKindOfBadValueIsNamed) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"L1,UTO,passport,lost,2024-02-30,,,,\n", "line 2, column report_date"},
      {"L1,UTO,scroll,lost,2024-01-01,,,,\n", "line 2, column document_type: unknown value 'scroll'"},
      {"L1,UTO,passport,mislaid,2024-01-01,,,,\n", "line 2, column fraud_type"},
      {"L1/2,UTO,passport,lost,2024-01-01,,,,\n", "line 2, column number"},
      {"L1,UTO,passport,lost,2024-01-01,2020-01-01,2019-01-01,,\n", "line 2, column expiry_date"},
      {"L1,UTO,passport,lost\n", "line 2: expected 9 fields, found 4"},
      {"L1,UTO,passport,lost,2024-01-01,,,,\"unterminated\n", "quoted field is not closed"},
  };
  for (const auto& [row, expected] : cases) {
    auto report = import(std::string(kHeader) + row);
    ASSERT_FALSE(report.ok()) << row;
    EXPECT_NE(report.error().message.find(expected), std::string::npos) << report.error().message;
  }
  EXPECT_EQ(storedCount(), 0u);
}

TEST_F(DocumentImport, AHeaderWithoutARequiredColumnIsRefused) {
  auto report = import("number,issuing_state,type,report_date\nL1,UTO,passport,2024-01-01\n");
  ASSERT_FALSE(report.ok());
  EXPECT_NE(report.error().message.find("required column 'fraud_type' is missing"), std::string::npos)
      << report.error().message;
}

TEST_F(DocumentImport, ImportingTheSameFileAgainChangesNothing) {
  const std::string csv = std::string(kHeader) + "L898902C3,UTO,passport,lost,2024-01-05,,,,\n" +
                          "L898902C4,UTO,passport,lost,2024-01-05,,,,\n";
  ASSERT_TRUE(import(csv).ok());
  auto again = import(csv);
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(again->rowsRead, 2u);
  EXPECT_EQ(again->rowsInserted, 0u);
  EXPECT_EQ(storedCount(), 2u);
}

}  // namespace
}  // namespace liaison
