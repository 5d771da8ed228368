// The auditor's search request as a URL query string, and the JSON and CSV exports of a page,
// without a database.
#include "adapters/audit_search.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <string>

#include "adapters/audit_overview.h"
#include "schema/codec.h"

namespace liaison {
namespace {

using store::AuditExportFormat;
using store::parseAuditSearchQuery;

// The error message of parsing `query`, which must fail with invalidInput.
std::string refusal(std::string_view query) {
  auto parsed = parseAuditSearchQuery(query);
  if (parsed.ok()) return "<accepted>";
  EXPECT_EQ(parsed.error().kind, ErrorKind::invalidInput) << parsed.error().message;
  return parsed.error().message;
}

bool mentions(const std::string& message, std::string_view text) {
  return message.find(text) != std::string::npos;
}

TEST(AuditSearchQuery, EveryParameterIsParsed) {
  auto query = parseAuditSearchQuery(
      "member=XB&role=border&decision=refused&from=2026-11-25T00:00:00Z&to=2026-11-26T00:00:00Z&case=CASE-1"
      "&record=doc:123&officer=o-17&purpose=border-check&kind=check-document&after=120&limit=50&format=csv");
  ASSERT_TRUE(query.ok()) << query.error().message;
  const auto& f = query->filter;
  EXPECT_EQ(f.requester, "XB");
  EXPECT_EQ(f.role, Role::border);
  EXPECT_EQ(f.decision, Decision::refused);
  EXPECT_EQ(f.from, parseTimestamp("2026-11-25T00:00:00Z").value());
  EXPECT_EQ(f.to, parseTimestamp("2026-11-26T00:00:00Z").value());
  EXPECT_EQ(f.caseReference, "CASE-1");
  EXPECT_EQ(f.recordRef, "doc:123");
  EXPECT_EQ(f.officerPseudonym, "o-17");
  EXPECT_EQ(f.purpose, "border-check");
  EXPECT_EQ(f.queryKind, QueryKind::checkDocument);
  EXPECT_EQ(f.afterSeq, std::optional<uint64_t>(120));
  EXPECT_EQ(f.limit, 50u);
  EXPECT_EQ(query->format, AuditExportFormat::csv);
}

TEST(AuditSearchQuery, NothingAskedMeansEverythingAsJsonHundredAtATime) {
  for (std::string_view text : {"", "&", "format=json"}) {
    auto query = parseAuditSearchQuery(text);
    ASSERT_TRUE(query.ok()) << query.error().message;
    EXPECT_EQ(query->format, AuditExportFormat::json);
    EXPECT_EQ(query->filter.limit, 100u);
    EXPECT_FALSE(query->filter.requester || query->filter.role || query->filter.decision ||
                 query->filter.from || query->filter.afterSeq);
  }
}

TEST(AuditSearchQuery, NamesAndValuesArePercentDecoded) {
  auto query =
      parseAuditSearchQuery("c%61se=CASE%2F7%20b&purpose=border+check&record=doc%3a123&member=X%2BY");
  ASSERT_TRUE(query.ok()) << query.error().message;
  EXPECT_EQ(query->filter.caseReference, "CASE/7 b");
  EXPECT_EQ(query->filter.purpose, "border check");
  EXPECT_EQ(query->filter.recordRef, "doc:123");
  EXPECT_EQ(query->filter.requester, "X+Y");
}

TEST(AuditSearchQuery, UnknownOrRepeatedParametersAreRefusedByName) {
  std::string message = refusal("role=border&colour=red");
  EXPECT_TRUE(mentions(message, "unknown parameter 'colour'")) << message;
  EXPECT_TRUE(mentions(message, "member, officer, role")) << message;

  message = refusal("role=border&decision=refused&role=border");
  EXPECT_TRUE(mentions(message, "'role' is given more than once")) << message;
}

TEST(AuditSearchQuery, BadNamesOfTheModelAreRefusedWithParameterAndValue) {
  std::string message = refusal("role=pilot");
  EXPECT_TRUE(mentions(message, "'role'") && mentions(message, "'pilot'")) << message;
  message = refusal("kind=check-passport");
  EXPECT_TRUE(mentions(message, "'kind'") && mentions(message, "'check-passport'")) << message;
  message = refusal("decision=allowed");
  EXPECT_TRUE(mentions(message, "'decision'") && mentions(message, "'allowed'")) << message;
  message = refusal("format=xml");
  EXPECT_TRUE(mentions(message, "'format'") && mentions(message, "'xml'")) << message;
}

TEST(AuditSearchQuery, BadTimesAndNumbersAreRefusedWithParameterAndValue) {
  std::string message = refusal("from=2026-11-25");
  EXPECT_TRUE(mentions(message, "'from'") && mentions(message, "'2026-11-25'")) << message;
  message = refusal("to=2026-02-30T00:00:00Z");
  EXPECT_TRUE(mentions(message, "'to'") && mentions(message, "'2026-02-30T00:00:00Z'")) << message;
  message = refusal("to=2026-11-25T00:00:00%2B01:00");
  EXPECT_TRUE(mentions(message, "'to'") && mentions(message, "+01:00")) << message;
  message = refusal("from=2026-11-26T00:00:00Z&to=2026-11-25T00:00:00Z");
  EXPECT_TRUE(mentions(message, "time range is empty")) << message;

  for (std::string_view limit : {"limit=0", "limit=10001", "limit=abc", "limit=-5", "limit=1e3"}) {
    message = refusal(limit);
    EXPECT_TRUE(mentions(message, "'limit'") && mentions(message, limit.substr(6))) << message;
  }
  EXPECT_TRUE(parseAuditSearchQuery("limit=10000").ok());
  for (std::string_view after : {"after=-1", "after=9223372036854775808", "after=x"}) {
    message = refusal(after);
    EXPECT_TRUE(mentions(message, "'after'") && mentions(message, after.substr(6))) << message;
  }
  EXPECT_TRUE(parseAuditSearchQuery("after=9223372036854775807").ok());
}

TEST(AuditSearchQuery, MalformedEmptyOrOversizedValuesAreRefused) {
  std::string message = refusal("case=%zz");
  EXPECT_TRUE(mentions(message, "'case'") && mentions(message, "percent")) << message;
  message = refusal("case=abc%4");
  EXPECT_TRUE(mentions(message, "'case'") && mentions(message, "percent")) << message;
  message = refusal("case=");
  EXPECT_TRUE(mentions(message, "'case' has no value")) << message;
  message = refusal("member");
  EXPECT_TRUE(mentions(message, "'member' has no value")) << message;
  message = refusal("member=XB%00");
  EXPECT_TRUE(mentions(message, "'member'") && mentions(message, "control character")) << message;

  EXPECT_TRUE(parseAuditSearchQuery("purpose=" + std::string(256, 'p')).ok());
  message = refusal("purpose=" + std::string(257, 'p'));
  EXPECT_TRUE(mentions(message, "'purpose' is 257 bytes, more than 256")) << message;
  // Limits apply to the decoded bytes: 86 escaped three-byte characters are 258 bytes.
  std::string escaped;
  for (int i = 0; i < 86; ++i) escaped += "%E2%82%AC";
  message = refusal("purpose=" + escaped);
  EXPECT_TRUE(mentions(message, "258 bytes")) << message;

  message = refusal("purpose=" + std::string(9000, 'p'));
  EXPECT_TRUE(mentions(message, "query string is 9008 bytes")) << message;
}

TEST(AuditSearchQuery, RefusedValuesAreQuotedPrintably) {
  const std::string message = refusal("role=p%C3%AFlot%27");
  EXPECT_TRUE(mentions(message, "'p%C3%AFlot''")) << message;
  EXPECT_EQ(message.find('\xC3'), std::string::npos) << "raw bytes are not echoed";
}

// --- exports ------------------------------------------------------------------------------------

store::AuditRow sampleRow(uint64_t seq) {
  store::AuditRow row;
  row.seq = seq;
  AuditEntry& e = row.entry;
  e.recordedAt = parseTimestamp("2026-11-25T08:15:00Z").value();
  e.requester = "XB-BORDER";
  e.officerPseudonym = "o-17";
  e.role = Role::border;
  e.purpose = "border-check";
  e.caseReference = "CASE-1";
  e.queryKind = QueryKind::checkDocument;
  e.queryDigest.fill(0x01);
  e.decision = Decision::permitted;
  e.reason = "rule partners-documents";
  e.recordRefs = {"doc:1", "doc:2"};
  e.responseDigest.fill(0xfe);
  e.signer = "member:XB-BORDER";
  e.claimedOfficer = "o-18";
  e.remoteAddress = "192.0.2.7";
  e.peerPin = "sha256:pin";
  e.repeatCount = 2;
  row.entryBytes = encodeAuditEntry(e);
  return row;
}

// The hex of a digest whose 32 bytes are all the byte written as `byteHex`.
std::string hexOfRepeated(std::string_view byteHex) {
  std::string hex;
  for (int i = 0; i < 32; ++i) hex += byteHex;
  return hex;
}

std::string base64(const std::vector<uint8_t>& bytes) {
  std::string text(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(text.data(), text.size(), bytes.data(), bytes.size(), sodium_base64_VARIANT_ORIGINAL);
  text.pop_back();
  return text;
}

TEST(AuditExport, JsonCarriesEveryFieldByNameAndTheNextPage) {
  store::AuditPage page;
  page.rows.push_back(sampleRow(41));
  page.nextAfterSeq = 41;
  EXPECT_EQ(store::auditRowsToJson(page),
            "{\"entries\":[{\"seq\":41,\"recorded_at\":\"2026-11-25T08:15:00Z\",\"requester\":\"XB-BORDER\","
            "\"officer_pseudonym\":\"o-17\",\"role\":\"border\",\"purpose\":\"border-check\","
            "\"case_reference\":\"CASE-1\",\"query_kind\":\"check-document\",\"query_digest\":\"" +
                hexOfRepeated("01") +
                "\",\"decision\":\"permitted\",\"reason\":\"rule partners-documents\","
                "\"record_refs\":[\"doc:1\",\"doc:2\"],\"response_digest\":\"" +
                hexOfRepeated("fe") + "\","
                "\"signer\":\"member:XB-BORDER\",\"claimed_requester\":\"\",\"claimed_officer\":\"o-18\","
                "\"claimed_role\":null,\"remote_address\":\"192.0.2.7\",\"peer_pin\":\"sha256:pin\","
                "\"local_user\":\"\",\"command\":\"\",\"repeat_count\":2,\"on_behalf_of\":null,\"partner\":\"\","
                "\"manifest_digest\":null,\"travellers\":0,"
                "\"entry\":\"" + base64(page.rows[0].entryBytes) +
                "\"}],\"next_after\":41}");
}

TEST(AuditExport, JsonOfALastPageHasNoNextAndEscapesText) {
  store::AuditPage page;
  page.rows.push_back(sampleRow(0));
  page.rows[0].entry.reason = "quote \" backslash \\ newline \n";
  page.rows[0].entry.role.reset();
  const std::string json = store::auditRowsToJson(page);
  EXPECT_EQ(json.find("next_after"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("reason":"quote \" backslash \\ newline \n")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("role":null)"), std::string::npos) << json;
  EXPECT_EQ(store::auditRowsToJson({}), R"({"entries":[]})");
}

TEST(AuditExport, EntryBytesDecodeToTheirFieldsAsJson) {
  const store::AuditRow row = sampleRow(3);
  auto json = store::auditEntryToJson(row.entryBytes);
  ASSERT_TRUE(json.ok()) << json.error().message;
  EXPECT_EQ(
      *json,
      "{\"recorded_at\":\"2026-11-25T08:15:00Z\",\"requester\":\"XB-BORDER\",\"officer_pseudonym\":\"o-17\","
      "\"role\":\"border\",\"purpose\":\"border-check\",\"case_reference\":\"CASE-1\","
      "\"query_kind\":\"check-document\",\"query_digest\":\"" +
          hexOfRepeated("01") +
          "\",\"decision\":\"permitted\",\"reason\":\"rule partners-documents\","
          "\"record_refs\":[\"doc:1\",\"doc:2\"],\"response_digest\":\"" +
          hexOfRepeated("fe") + "\","
          "\"signer\":\"member:XB-BORDER\",\"claimed_requester\":\"\",\"claimed_officer\":\"o-18\","
          "\"claimed_role\":null,\"remote_address\":\"192.0.2.7\",\"peer_pin\":\"sha256:pin\","
          "\"local_user\":\"\",\"command\":\"\",\"repeat_count\":2,\"on_behalf_of\":null,\"partner\":\"\","
          "\"manifest_digest\":null,\"travellers\":0}");

  const std::vector<uint8_t> garbage = {1, 2, 3};
  auto refused = store::auditEntryToJson(garbage);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().kind, ErrorKind::invalidInput);
}

TEST(AuditExport, CsvHasAHeaderAndOneRowPerEntry) {
  store::AuditPage page;
  page.rows.push_back(sampleRow(7));
  EXPECT_EQ(store::auditRowsToCsv(page),
            "seq,recorded_at,requester,officer_pseudonym,role,purpose,case_reference,query_kind,query_digest,"
            "decision,reason,record_refs,response_digest,signer,claimed_requester,claimed_officer,claimed_role,"
            "remote_address,peer_pin,local_user,command,repeat_count,on_behalf_of,partner,manifest_digest,travellers,"
            "entry\r\n"
            "7,2026-11-25T08:15:00Z,XB-BORDER,o-17,border,border-check,CASE-1,check-document," +
                hexOfRepeated("01") + ",permitted,rule partners-documents,\"doc:1;doc:2\"," +
                hexOfRepeated("fe") + ",member:XB-BORDER,,o-18,,192.0.2.7,sha256:pin,,,2,,,,0," +
                base64(page.rows[0].entryBytes) + "\r\n");
}

TEST(AuditExport, CsvQuotesPerRfc4180AndDefusesFormulas) {
  store::AuditPage page;
  page.rows.push_back(sampleRow(1));
  AuditEntry& e = page.rows[0].entry;
  e.requester = "plain";
  e.officerPseudonym = "=1+1";
  e.purpose = "+SUM(A1)";
  e.caseReference = "-3";
  e.reason = "@cmd, \"quoted\"\r\nnext";
  e.recordRefs = {"=a", "b"};
  e.role.reset();
  const std::string csv = store::auditRowsToCsv(page);
  const std::string row = csv.substr(csv.find("\r\n") + 2);
  EXPECT_EQ(row.rfind("1,2026-11-25T08:15:00Z,plain,'=1+1,,'+SUM(A1),'-3,check-document,", 0), 0u) << row;
  EXPECT_NE(row.find(",permitted,\"'@cmd, \"\"quoted\"\"\r\nnext\",\"'=a;b\","), std::string::npos) << row;
}

TEST(AuditExport, CsvQuotesSemicolonsAndDefusesTabs) {
  store::AuditPage page;
  page.rows.push_back(sampleRow(1));
  page.rows[0].entry.purpose = "a;=b";
  page.rows[0].entry.caseReference = "\tx";
  const std::string csv = store::auditRowsToCsv(page);
  EXPECT_NE(csv.find(",\"a;=b\",'\tx,"), std::string::npos) << csv;
}

TEST(AuditOverviewQuery, ARangeAndThresholdsAreParsedAndEveryBadOneIsNamed) {
  auto parsed = store::parseAuditOverviewQuery(
      "from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z&window=600&refusals=5&screenings=3");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(formatTimestamp(parsed->from), "2026-11-01T00:00:00Z");
  EXPECT_EQ(formatTimestamp(parsed->to), "2026-12-01T00:00:00Z");
  EXPECT_EQ(parsed->window, std::chrono::seconds(600));
  EXPECT_EQ(parsed->refusals, 5u);
  EXPECT_EQ(parsed->screenings, 3u);
  auto defaults = store::parseAuditOverviewQuery("from=2026-11-01T00:00:00Z&to=2026-11-02T00:00:00Z");
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults->window, std::chrono::seconds(3600));

  const std::pair<const char*, const char*> bad[] = {
      {"", "'from' and 'to' are required"},
      {"from=2026-11-01T00:00:00Z", "'from' and 'to' are required"},
      {"from=2026-12-01T00:00:00Z&to=2026-11-01T00:00:00Z", "'to' must be after 'from'"},
      {"from=2026-11-01T00:00:00Z&to=2026-11-01T00:00:00Z", "'to' must be after 'from'"},
      {"from=2024-01-01T00:00:00Z&to=2026-01-01T00:00:00Z", "longer than 400 days"},
      {"from=yesterday&to=2026-11-01T00:00:00Z", "parameter 'from': 'yesterday' is not a UTC time"},
      {"from=2026-11-01T00:00:00Z&to=2026-11-02T00:00:00Z&window=59", "parameter 'window': '59'"},
      {"from=2026-11-01T00:00:00Z&to=2026-11-02T00:00:00Z&window=604801", "parameter 'window'"},
      {"from=2026-11-01T00:00:00Z&to=2026-11-02T00:00:00Z&refusals=0", "parameter 'refusals': '0'"},
      {"from=2026-11-01T00:00:00Z&to=2026-11-02T00:00:00Z&screenings=1", "parameter 'screenings': '1'"},
      {"from=2026-11-01T00:00:00Z&to=2026-11-02T00:00:00Z&refusals=-3", "parameter 'refusals'"},
      {"from=2026-11-01T00:00:00Z&to=2026-11-02T00:00:00Z&refusals=99999999999999999999", "parameter 'refusals'"},
      {"from=2026-11-01T00:00:00Z&to=2026-11-02T00:00:00Z&member=XB", "unknown parameter 'member'"},
      {"from=2026-11-01T00:00:00Z&from=2026-11-01T00:00:00Z&to=2026-11-02T00:00:00Z", "more than once"},
      {"from=2026-11-01T00:00:00Z&to=2026-11-02T00:00:00Z&window=%00", "control character"},
  };
  for (const auto& [query, expected] : bad) {
    auto refused = store::parseAuditOverviewQuery(query);
    ASSERT_FALSE(refused.ok()) << query;
    EXPECT_EQ(refused.error().kind, ErrorKind::invalidInput);
    EXPECT_NE(refused.error().message.find(expected), std::string::npos) << query << ": " << refused.error().message;
    EXPECT_EQ(refused.error().message.rfind("audit overview: ", 0), 0u) << refused.error().message;
  }
}

}  // namespace
}  // namespace liaison
