#include <gtest/gtest.h>

#include <sstream>

#include "adapters/csv.h"

namespace liaison {
namespace {

std::vector<std::vector<std::string>> readAll(const std::string& text, CsvLimits limits = {}) {
  std::istringstream in(text);
  CsvReader reader(in, limits);
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> fields;
  for (;;) {
    auto more = reader.next(fields);
    if (!more) throw std::runtime_error(more.error().message);
    if (!*more) break;
    records.push_back(fields);
  }
  return records;
}

std::string errorOf(const std::string& text, CsvLimits limits = {}) {
  try {
    readAll(text, limits);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

TEST(Csv, QuotedFieldsMaySpanLinesAndHoldQuotesAndCommas) {
  auto records = readAll("a,\"b, \"\"c\"\"\",\"d\ne\"\r\nf,,\n");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0], (std::vector<std::string>{"a", "b, \"c\"", "d\ne"}));
  EXPECT_EQ(records[1], (std::vector<std::string>{"f", "", ""}));
}

TEST(Csv, AByteOrderMarkIsSkippedAndAMissingFinalNewlineIsFine) {
  auto records = readAll("\xEF\xBB\xBFx,y\n1,2");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0][0], "x");
  EXPECT_EQ(records[1][1], "2");
}

TEST(Csv, MalformedQuotingIsReportedWithItsLine) {
  EXPECT_NE(errorOf("a,b\nc,\"d\n").find("quoted field is not closed"), std::string::npos);
  EXPECT_NE(errorOf("a,b\nc,d\"e\n").find("line 2: quote inside an unquoted field (field 2)"), std::string::npos);
  EXPECT_NE(errorOf("\"a\"b\n").find("text after the closing quote of field 1"), std::string::npos);
}

TEST(Csv, LimitsStopOversizedFieldsAndRecords) {
  EXPECT_NE(errorOf(std::string(100, 'x') + "\n", CsvLimits{10, 64}).find("longer than 10 bytes"), std::string::npos);
  EXPECT_NE(errorOf("a,b,c,d\n", CsvLimits{4096, 3}).find("more than 3 fields"), std::string::npos);
}

}  // namespace
}  // namespace liaison
