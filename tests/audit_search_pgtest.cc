// The auditor's search over the audit log against the real PostgreSQL: every filter alone and
// combined, keyset paging, leaf ranges, limits, exports of stored text, reconnecting, and rows
// whose columns were altered behind their canonical bytes.
#include <gtest/gtest.h>

#include <chrono>
#include <pqxx/pqxx>
#include <set>
#include <sstream>
#include <vector>

#include "adapters/audit_log.h"
#include "adapters/audit_search.h"
#include "adapters/csv.h"
#include "schema/codec.h"
#include "tests/pg_fixture.h"

namespace liaison {
namespace {

using namespace std::chrono_literals;
using store::AuditReader;
using store::AuditSearchFilter;

Timestamp at(std::string_view text) { return parseTimestamp(text).value(); }

AuditEntry makeEntry(std::string requester, std::string officer, std::optional<Role> role,
                     std::string purpose, std::string caseReference, std::optional<QueryKind> kind,
                     Decision decision, std::vector<std::string> refs, std::string_view recordedAt) {
  AuditEntry e;
  e.recordedAt = at(recordedAt);
  e.requester = std::move(requester);
  e.officerPseudonym = std::move(officer);
  e.role = role;
  e.purpose = std::move(purpose);
  e.caseReference = std::move(caseReference);
  e.queryKind = kind;
  e.queryDigest.fill(0xab);
  e.decision = decision;
  e.reason = "rule under test";
  e.recordRefs = std::move(refs);
  e.responseDigest.fill(0xcd);
  return e;
}

// Five entries that differ in every searchable field, appended as seqs 0..4.
std::vector<AuditEntry> fiveEntries() {
  return {
      makeEntry("XB-BORDER", "o-17", Role::border, "border-check", "CASE-1", QueryKind::checkDocument,
                Decision::permitted, {"doc:1", "doc:2"}, "2026-11-25T08:00:00Z"),
      makeEntry("XB-BORDER", "o-18", Role::immigration, "visa-check", "CASE-2", QueryKind::screenPerson,
                Decision::refused, {}, "2026-11-25T12:00:00Z"),
      makeEntry("XC-POLICE", "o-17", Role::enforcement, "investigation", "CASE-1", QueryKind::getRecord,
                Decision::permitted, {"doc:2"}, "2026-11-26T00:00:00Z"),
      makeEntry("XC-POLICE", "o-19", Role::enforcement, "investigation", "", QueryKind::healthRecord,
                Decision::refused, {}, "2026-11-26T09:30:00Z"),
      // An unauthenticated request: nothing but the time and the decision was established.
      makeEntry("", "", std::nullopt, "", "", std::nullopt, Decision::invalid, {}, "2026-11-27T00:00:00Z"),
  };
}

// Entry i of a long log: every third refused, one hour apart.
AuditEntry numberedEntry(int i) {
  return makeEntry("XB-BORDER", "o-" + std::to_string(i), Role::border, "border-check",
                   "CASE-" + std::to_string(i), QueryKind::checkDocument,
                   i % 3 == 0 ? Decision::refused : Decision::permitted, {"doc:" + std::to_string(i)},
                   formatTimestamp(at("2026-01-01T00:00:00Z") + i * 1h));
}

std::string repeated(std::string_view text, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out += text;
  return out;
}

std::vector<uint64_t> seqsOf(const std::vector<store::AuditRow>& rows) {
  std::vector<uint64_t> seqs;
  for (const auto& row : rows) seqs.push_back(row.seq);
  return seqs;
}

// Every page of a search, followed through nextAfterSeq as a client would.
struct Pages {
  std::vector<store::AuditRow> rows;
  std::vector<uint64_t> seqs;
  std::vector<size_t> sizes;
};

Pages allPages(AuditReader& reader, AuditSearchFilter filter) {
  Pages pages;
  for (int guard = 0; guard < 100; ++guard) {
    auto page = reader.search(filter);
    EXPECT_TRUE(page.ok()) << page.error().message;
    if (!page.ok()) break;
    pages.sizes.push_back(page->rows.size());
    for (auto& row : page->rows) {
      pages.seqs.push_back(row.seq);
      pages.rows.push_back(std::move(row));
    }
    if (!page->nextAfterSeq) break;
    EXPECT_EQ(*page->nextAfterSeq, pages.seqs.back());
    filter.afterSeq = page->nextAfterSeq;
  }
  return pages;
}

class AuditSearch : public testing::PgTest {
 protected:
  // Appends `entries` in order through the real writer; they become seqs 0, 1, ...
  void append(const std::vector<AuditEntry>& entries) {
    store::AuditLog log(target(), "XA-NODE-1");
    for (const auto& entry : entries) {
      auto receipt = log.append(entry);
      ASSERT_TRUE(receipt.ok()) << receipt.error().message;
    }
  }

  std::vector<uint64_t> matching(AuditReader& reader, const AuditSearchFilter& filter) {
    auto page = reader.search(filter);
    EXPECT_TRUE(page.ok()) << page.error().message;
    if (!page.ok()) return {};
    EXPECT_FALSE(page->nextAfterSeq);
    return seqsOf(page->rows);
  }
};

TEST_F(AuditSearch, EachFilterAloneMatchesExactlyItsEntries) {
  append(fiveEntries());
  AuditReader reader(target());
  using Seqs = std::vector<uint64_t>;
  auto with = [](auto setter) {
    AuditSearchFilter filter;
    setter(filter);
    return filter;
  };
  EXPECT_EQ(matching(reader, {}), (Seqs{0, 1, 2, 3, 4}));
  EXPECT_EQ(matching(reader, with([](auto& f) { f.requester = "XB-BORDER"; })), (Seqs{0, 1}));
  EXPECT_EQ(matching(reader, with([](auto& f) { f.requester = "XC-POLICE"; })), (Seqs{2, 3}));
  EXPECT_EQ(matching(reader, with([](auto& f) { f.requester = "XB"; })), Seqs{}) << "matches are exact";
  EXPECT_EQ(matching(reader, with([](auto& f) { f.officerPseudonym = "o-17"; })), (Seqs{0, 2}));
  EXPECT_EQ(matching(reader, with([](auto& f) { f.role = Role::enforcement; })), (Seqs{2, 3}));
  EXPECT_EQ(matching(reader, with([](auto& f) { f.role = Role::border; })), (Seqs{0}));
  EXPECT_EQ(matching(reader, with([](auto& f) { f.purpose = "investigation"; })), (Seqs{2, 3}));
  EXPECT_EQ(matching(reader, with([](auto& f) { f.caseReference = "CASE-1"; })), (Seqs{0, 2}));
  EXPECT_EQ(matching(reader, with([](auto& f) { f.queryKind = QueryKind::getRecord; })), (Seqs{2}));
  EXPECT_EQ(matching(reader, with([](auto& f) { f.recordRef = "doc:2"; })), (Seqs{0, 2}));
  EXPECT_EQ(matching(reader, with([](auto& f) { f.recordRef = "doc:1"; })), (Seqs{0}));
  EXPECT_EQ(matching(reader, with([](auto& f) { f.decision = Decision::refused; })), (Seqs{1, 3}));
  EXPECT_EQ(matching(reader, with([](auto& f) { f.decision = Decision::invalid; })), (Seqs{4}));
  // [from, to): the start is included, the end is not.
  EXPECT_EQ(matching(reader, with([](auto& f) { f.from = at("2026-11-25T12:00:00Z"); })), (Seqs{1, 2, 3, 4}));
  EXPECT_EQ(matching(reader, with([](auto& f) { f.to = at("2026-11-26T00:00:00Z"); })), (Seqs{0, 1}));
  EXPECT_EQ(matching(reader, with([](auto& f) { f.afterSeq = 2; })), (Seqs{3, 4}));
}

TEST_F(AuditSearch, TheSignerClaimsAndSourceAreStoredAndFoundBySignerAndSource) {
  std::vector<AuditEntry> entries = fiveEntries();
  entries[1].signer = "officer:o-18";
  entries[1].claimedOfficer = "o-99";
  entries[1].claimedRole = Role::health;
  entries[1].remoteAddress = "192.0.2.7";
  entries[3].signer = "member:XC-POLICE";
  entries[3].remoteAddress = "192.0.2.7";
  entries[3].peerPin = "sha256:pin";
  entries[4].remoteAddress = "198.51.100.1";
  entries[4].repeatCount = 17;
  entries[4].localUser = "operator";
  entries[4].command = "liaison records count health-record";
  append(entries);
  AuditReader reader(target());
  using Seqs = std::vector<uint64_t>;
  AuditSearchFilter bySigner;
  bySigner.signer = "officer:o-18";
  EXPECT_EQ(matching(reader, bySigner), (Seqs{1}));
  AuditSearchFilter bySource;
  bySource.remoteAddress = "192.0.2.7";
  EXPECT_EQ(matching(reader, bySource), (Seqs{1, 3}));
  // The columns agree with the bytes, so every field reads back as appended.
  auto rows = reader.entries(0, 5);
  ASSERT_TRUE(rows.ok()) << rows.error().message;
  ASSERT_EQ(rows->size(), 5u);
  for (size_t i = 0; i < 5; ++i) EXPECT_EQ((*rows)[i].entry, entries[i]) << i;
  auto query = store::parseAuditSearchQuery("signer=member%3AXC-POLICE&source=192.0.2.7");
  ASSERT_TRUE(query.ok()) << query.error().message;
  EXPECT_EQ(matching(reader, query->filter), (Seqs{3}));
}

TEST_F(AuditSearch, CombinedFiltersMustAllHold) {
  append(fiveEntries());
  AuditReader reader(target());
  using Seqs = std::vector<uint64_t>;

  AuditSearchFilter refusedPolice;
  refusedPolice.requester = "XC-POLICE";
  refusedPolice.decision = Decision::refused;
  EXPECT_EQ(matching(reader, refusedPolice), (Seqs{3}));

  AuditSearchFilter refusedBorder;
  refusedBorder.role = Role::border;
  refusedBorder.decision = Decision::refused;
  EXPECT_EQ(matching(reader, refusedBorder), Seqs{});

  AuditSearchFilter caseRecordAndTime;
  caseRecordAndTime.caseReference = "CASE-1";
  caseRecordAndTime.recordRef = "doc:2";
  caseRecordAndTime.from = at("2026-11-26T00:00:00Z");
  EXPECT_EQ(matching(reader, caseRecordAndTime), (Seqs{2}));

  AuditSearchFilter window;
  window.from = at("2026-11-25T12:00:00Z");
  window.to = at("2026-11-26T00:00:00Z");
  EXPECT_EQ(matching(reader, window), (Seqs{1}));

  AuditSearchFilter everything;
  everything.requester = "XB-BORDER";
  everything.officerPseudonym = "o-17";
  everything.role = Role::border;
  everything.purpose = "border-check";
  everything.caseReference = "CASE-1";
  everything.queryKind = QueryKind::checkDocument;
  everything.recordRef = "doc:1";
  everything.decision = Decision::permitted;
  everything.from = at("2026-11-25T08:00:00Z");
  everything.to = at("2026-11-25T08:00:01Z");
  EXPECT_EQ(matching(reader, everything), (Seqs{0}));
  everything.officerPseudonym = "o-18";
  EXPECT_EQ(matching(reader, everything), Seqs{});
}

TEST_F(AuditSearch, RowsCarryTheEntryAsAppendedAndItsCanonicalBytes) {
  const auto entries = fiveEntries();
  append(entries);
  AuditReader reader(target());
  auto page = reader.search({});
  ASSERT_TRUE(page.ok()) << page.error().message;
  ASSERT_EQ(page->rows.size(), entries.size());
  for (size_t i = 0; i < entries.size(); ++i) {
    EXPECT_EQ(page->rows[i].seq, i);
    EXPECT_EQ(page->rows[i].entry, entries[i]);
    EXPECT_EQ(page->rows[i].entryBytes, encodeAuditEntry(entries[i]));
  }
}

TEST_F(AuditSearch, PagingOver250EntriesMissesAndRepeatsNothing) {
  std::vector<AuditEntry> entries;
  for (int i = 0; i < 250; ++i) entries.push_back(numberedEntry(i));
  append(entries);
  AuditReader reader(target());

  AuditSearchFilter filter;
  filter.limit = 100;
  const Pages pages = allPages(reader, filter);
  EXPECT_EQ(pages.sizes, (std::vector<size_t>{100, 100, 50}));
  std::vector<uint64_t> all(250);
  for (uint64_t i = 0; i < all.size(); ++i) all[i] = i;
  EXPECT_EQ(pages.seqs, all);
  for (size_t i = 0; i < pages.rows.size(); ++i) EXPECT_EQ(pages.rows[i].entry, entries[i]);

  // A page that ends exactly at the last entry says no more follow.
  filter.afterSeq = 149;
  auto last = reader.search(filter);
  ASSERT_TRUE(last.ok()) << last.error().message;
  EXPECT_EQ(last->rows.size(), 100u);
  EXPECT_FALSE(last->nextAfterSeq);
}

TEST_F(AuditSearch, PagingAFilteredSearchVisitsEveryMatchOnce) {
  std::vector<AuditEntry> entries;
  for (int i = 0; i < 250; ++i) entries.push_back(numberedEntry(i));
  append(entries);
  AuditReader reader(target());

  AuditSearchFilter filter;
  filter.decision = Decision::refused;
  filter.limit = 30;
  const Pages pages = allPages(reader, filter);
  std::vector<uint64_t> expected;
  for (uint64_t i = 0; i < 250; i += 3) expected.push_back(i);
  EXPECT_EQ(pages.seqs, expected);
  EXPECT_EQ(pages.sizes, (std::vector<size_t>{30, 30, 24}));
}

TEST_F(AuditSearch, NewestFirstPagesBackwardsThroughEveryMatchOnce) {
  std::vector<AuditEntry> entries;
  for (int i = 0; i < 250; ++i) entries.push_back(numberedEntry(i));
  append(entries);
  AuditReader reader(target());

  AuditSearchFilter filter;
  filter.decision = Decision::refused;
  filter.newestFirst = true;
  filter.limit = 30;
  const Pages pages = allPages(reader, filter);
  std::vector<uint64_t> expected;
  for (int64_t i = 249; i >= 0; --i) {
    if (i % 3 == 0) expected.push_back(static_cast<uint64_t>(i));
  }
  EXPECT_EQ(pages.seqs, expected);
  EXPECT_EQ(pages.sizes, (std::vector<size_t>{30, 30, 24}));
  // The order is a parameter of the query string too; anything but oldest or newest is refused.
  auto parsed = store::parseAuditSearchQuery("order=newest&limit=5");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  auto newest = reader.search(parsed->filter);
  ASSERT_TRUE(newest.ok());
  ASSERT_EQ(newest->rows.size(), 5u);
  EXPECT_EQ(newest->rows.front().seq, 249u);
  EXPECT_EQ(newest->nextAfterSeq, std::optional<uint64_t>(245));
  auto refused = store::parseAuditSearchQuery("order=random");
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("'random' is not oldest or newest"), std::string::npos) << refused.error().message;
}

TEST_F(AuditSearch, EntriesReturnsTheHalfOpenRangeInOrder) {
  std::vector<AuditEntry> entries;
  for (int i = 0; i < 250; ++i) entries.push_back(numberedEntry(i));
  append(entries);
  AuditReader reader(target());

  auto middle = reader.entries(10, 20);
  ASSERT_TRUE(middle.ok()) << middle.error().message;
  EXPECT_EQ(seqsOf(*middle), (std::vector<uint64_t>{10, 11, 12, 13, 14, 15, 16, 17, 18, 19}));
  EXPECT_EQ(middle->front().entry, entries[10]);
  EXPECT_EQ(middle->front().entryBytes, encodeAuditEntry(entries[10]));

  auto pastTheEnd = reader.entries(245, 260);
  ASSERT_TRUE(pastTheEnd.ok()) << pastTheEnd.error().message;
  EXPECT_EQ(seqsOf(*pastTheEnd), (std::vector<uint64_t>{245, 246, 247, 248, 249}));

  auto empty = reader.entries(7, 7);
  ASSERT_TRUE(empty.ok()) << empty.error().message;
  EXPECT_TRUE(empty->empty());
  auto beyond = reader.entries(300, 310);
  ASSERT_TRUE(beyond.ok()) << beyond.error().message;
  EXPECT_TRUE(beyond->empty());
  auto huge = reader.entries(UINT64_MAX - 5, UINT64_MAX);
  ASSERT_TRUE(huge.ok()) << huge.error().message;
  EXPECT_TRUE(huge->empty());

  auto all = reader.entries(0, 10'000);
  ASSERT_TRUE(all.ok()) << all.error().message;
  EXPECT_EQ(all->size(), 250u);
}

TEST_F(AuditSearch, EntriesRefusesARangeOverTheLimitOrReversed) {
  AuditReader reader(target());
  auto tooMany = reader.entries(5, 10'006);
  ASSERT_FALSE(tooMany.ok());
  EXPECT_EQ(tooMany.error().kind, ErrorKind::invalidInput);
  EXPECT_NE(tooMany.error().message.find("[5, 10006)"), std::string::npos) << tooMany.error().message;
  EXPECT_NE(tooMany.error().message.find("10000"), std::string::npos) << tooMany.error().message;

  auto reversed = reader.entries(9, 3);
  ASSERT_FALSE(reversed.ok());
  EXPECT_EQ(reversed.error().kind, ErrorKind::invalidInput);
  EXPECT_NE(reversed.error().message.find("[9, 3)"), std::string::npos) << reversed.error().message;

  auto storedTooMany = reader.storedEntries(0, 10'001);
  ASSERT_FALSE(storedTooMany.ok());
  EXPECT_EQ(storedTooMany.error().kind, ErrorKind::invalidInput);
  EXPECT_NE(storedTooMany.error().message.find("[0, 10001)"), std::string::npos)
      << storedTooMany.error().message;
  EXPECT_TRUE(reader.storedEntries(0, 10'000).ok());
}

TEST_F(AuditSearch, LatestSeqAndCountFollowTheLog) {
  AuditReader reader(target());
  auto latest = reader.latestSeq();
  ASSERT_TRUE(latest.ok()) << latest.error().message;
  EXPECT_FALSE(*latest);
  auto count = reader.count();
  ASSERT_TRUE(count.ok()) << count.error().message;
  EXPECT_EQ(*count, 0u);

  append(fiveEntries());
  latest = reader.latestSeq();
  ASSERT_TRUE(latest.ok()) << latest.error().message;
  EXPECT_EQ(*latest, std::optional<uint64_t>(4));
  count = reader.count();
  ASSERT_TRUE(count.ok()) << count.error().message;
  EXPECT_EQ(*count, 5u);
}

TEST_F(AuditSearch, LimitsAndEmptyRangesAreRefused) {
  append(fiveEntries());
  AuditReader reader(target());
  auto refused = [&](const AuditSearchFilter& filter, std::string_view mentions) {
    auto page = reader.search(filter);
    ASSERT_FALSE(page.ok());
    EXPECT_EQ(page.error().kind, ErrorKind::invalidInput);
    EXPECT_NE(page.error().message.find(mentions), std::string::npos) << page.error().message;
  };
  AuditSearchFilter filter;
  filter.limit = 10'001;
  refused(filter, "limit 10001");
  filter.limit = 0;
  refused(filter, "limit 0");
  filter.limit = 10'000;
  auto most = reader.search(filter);
  ASSERT_TRUE(most.ok()) << most.error().message;
  EXPECT_EQ(most->rows.size(), 5u);

  AuditSearchFilter afterTooLarge;
  afterTooLarge.afterSeq = uint64_t{1} << 63;
  refused(afterTooLarge, "after");

  AuditSearchFilter emptyWindow;
  emptyWindow.from = at("2026-11-26T00:00:00Z");
  emptyWindow.to = emptyWindow.from;
  refused(emptyWindow, "time range");

  // libpq would cut the value at the NUL and match every entry of "XB-BORDER".
  AuditSearchFilter nul;
  nul.requester = std::string("XB-BORDER\0x", 11);
  refused(nul, "NUL");
}

TEST_F(AuditSearch, ParsedQueryStringSearchesTheLog) {
  append(fiveEntries());
  AuditReader reader(target());
  auto query = store::parseAuditSearchQuery(
      "member=XC-POLICE&role=enforcement&decision=refused&from=2026-11-26T00:00:00Z&to=2026-11-27T00:00:00Z"
      "&purpose=investigation&kind=health-record&officer=o-19&limit=5&format=csv");
  ASSERT_TRUE(query.ok()) << query.error().message;
  EXPECT_EQ(matching(reader, query->filter), (std::vector<uint64_t>{3}));

  auto byRecord = store::parseAuditSearchQuery("record=doc%3A2&case=CASE-1&after=0");
  ASSERT_TRUE(byRecord.ok()) << byRecord.error().message;
  EXPECT_EQ(matching(reader, byRecord->filter), (std::vector<uint64_t>{2}));

  auto badRole = store::parseAuditSearchQuery("role=pilot");
  ASSERT_FALSE(badRole.ok());
  EXPECT_EQ(badRole.error().kind, ErrorKind::invalidInput);
  EXPECT_NE(badRole.error().message.find("'role'"), std::string::npos) << badRole.error().message;
  EXPECT_NE(badRole.error().message.find("'pilot'"), std::string::npos) << badRole.error().message;
}

TEST_F(AuditSearch, CsvExportOfStoredTextQuotesAndDefusesFormulas) {
  AuditEntry hostile = fiveEntries()[0];
  hostile.officerPseudonym = "@SUM(A1:A9)";
  hostile.purpose = "+cmd|' /C calc'!A0";
  hostile.caseReference = "-2+3";
  hostile.reason = "=HYPERLINK(\"http://evil.example\",\"click\")";
  hostile.recordRefs = {"doc,1", "doc \"2\"", "line\nbreak"};
  append({hostile, fiveEntries()[1]});
  AuditReader reader(target());
  auto page = reader.search({});
  ASSERT_TRUE(page.ok()) << page.error().message;
  const std::string csv = store::auditRowsToCsv(*page);

  EXPECT_NE(csv.find(",\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"click\"\")\","), std::string::npos)
      << csv;

  std::istringstream in(csv);
  CsvReader parser(in);
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> fields;
  for (;;) {
    auto more = parser.next(fields);
    ASSERT_TRUE(more.ok()) << more.error().message;
    if (!*more) break;
    records.push_back(fields);
  }
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0],
            (std::vector<std::string>{"seq", "recorded_at", "requester", "officer_pseudonym", "role",
                                      "purpose", "case_reference", "query_kind", "query_digest", "decision",
                                      "reason", "record_refs", "response_digest", "signer", "claimed_requester",
                                      "claimed_officer", "claimed_role", "remote_address", "peer_pin",
                                      "local_user", "command", "repeat_count", "on_behalf_of", "partner",
                                      "manifest_digest", "travellers", "entry"}));
  const auto& row = records[1];
  ASSERT_EQ(row.size(), 27u);
  EXPECT_EQ(row[0], "0");
  EXPECT_EQ(row[1], "2026-11-25T08:00:00Z");
  EXPECT_EQ(row[2], "XB-BORDER");
  EXPECT_EQ(row[3], "'@SUM(A1:A9)");
  EXPECT_EQ(row[5], "'+cmd|' /C calc'!A0");
  EXPECT_EQ(row[6], "'-2+3");
  EXPECT_EQ(row[10], "'=HYPERLINK(\"http://evil.example\",\"click\")");
  EXPECT_EQ(row[11], "doc,1;doc \"2\";line\nbreak");
  EXPECT_EQ(row[8], repeated("ab", 32));
  EXPECT_EQ(row[12], repeated("cd", 32));
  EXPECT_EQ(records[2][0], "1");
  EXPECT_EQ(records[2][11], "");
}

TEST_F(AuditSearch, JsonExportNamesEveryFieldAndTheNextPage) {
  append(fiveEntries());
  AuditReader reader(target());
  AuditSearchFilter filter;
  filter.limit = 4;
  auto page = reader.search(filter);
  ASSERT_TRUE(page.ok()) << page.error().message;
  const std::string json = store::auditRowsToJson(*page);
  EXPECT_NE(json.find("\"next_after\":3"), std::string::npos) << json;
  EXPECT_NE(
      json.find("{\"seq\":0,\"recorded_at\":\"2026-11-25T08:00:00Z\",\"requester\":\"XB-BORDER\","
                "\"officer_pseudonym\":\"o-17\",\"role\":\"border\",\"purpose\":\"border-check\","
                "\"case_reference\":\"CASE-1\",\"query_kind\":\"check-document\",\"query_digest\":\"abab"),
      std::string::npos)
      << json;
  EXPECT_NE(
      json.find(
          "\"decision\":\"permitted\",\"reason\":\"rule under test\",\"record_refs\":[\"doc:1\",\"doc:2\"],"
          "\"response_digest\":\"cdcd"),
      std::string::npos)
      << json;

  filter.afterSeq = 3;
  auto last = reader.search(filter);
  ASSERT_TRUE(last.ok()) << last.error().message;
  const std::string lastJson = store::auditRowsToJson(*last);
  EXPECT_EQ(lastJson.find("next_after"), std::string::npos) << lastJson;
  EXPECT_NE(lastJson.find("\"requester\":\"\",\"officer_pseudonym\":\"\",\"role\":null"), std::string::npos)
      << lastJson;
  EXPECT_NE(lastJson.find("\"query_kind\":null"), std::string::npos) << lastJson;
}

TEST_F(AuditSearch, ReaderReconnectsOnceWhenItsConnectionWasCut) {
  append(fiveEntries());
  AuditReader reader(target());
  ASSERT_TRUE(reader.count().ok());  // opens the connection
  {
    auto admin = connectAs(store::DbRole::admin);
    pqxx::nontransaction tx(*admin);
    auto cut = tx.exec(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE datname = current_database() AND usename = 'liaison_auditor'");
    ASSERT_EQ(cut.size(), 1u) << "the reader should hold exactly one connection";
  }
  auto count = reader.count();
  ASSERT_TRUE(count.ok()) << count.error().message;
  EXPECT_EQ(*count, 5u);
}

TEST_F(AuditSearch, RowWhoseColumnsDisagreeWithItsBytesIsReportedNotShown) {
  append(fiveEntries());
  // Columns of one entry over the canonical bytes of another: what a rewrite of the searchable
  // columns would leave behind. The writer's own function still numbers it (seq 5).
  AuditEntry shown = fiveEntries()[0];
  AuditEntry committed = shown;
  committed.reason = "what the leaf hash commits to";
  const std::vector<uint8_t> bytes = encodeAuditEntry(committed);
  {
    auto writer = connectAs(store::DbRole::auditWriter);
    pqxx::work tx(*writer);
    tx.exec_params(
        "SELECT audit.append($1::timestamptz, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::text[], $12, $13)",
        formatTimestamp(shown.recordedAt), shown.requester, shown.officerPseudonym, "border", shown.purpose,
        shown.caseReference, "check-document",
        pqxx::binarystring(shown.queryDigest.data(), shown.queryDigest.size()), "permitted", shown.reason,
        "{\"doc:1\",\"doc:2\"}", pqxx::binarystring(shown.responseDigest.data(), shown.responseDigest.size()),
        pqxx::binarystring(bytes.data(), bytes.size()));
    tx.commit();
  }
  AuditReader reader(target());
  auto page = reader.search({});
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.error().kind, ErrorKind::conflict);
  EXPECT_NE(page.error().message.find("audit entry 5"), std::string::npos) << page.error().message;
  EXPECT_NE(page.error().message.find("reason"), std::string::npos) << page.error().message;

  // Entries before it are still readable by range, and the bytes of all are served as stored
  // for a client to check against the leaf hashes.
  auto before = reader.entries(0, 5);
  ASSERT_TRUE(before.ok()) << before.error().message;
  EXPECT_EQ(before->size(), 5u);
  auto stored = reader.storedEntries(4, 6);
  ASSERT_TRUE(stored.ok()) << stored.error().message;
  ASSERT_EQ(stored->size(), 2u);
  EXPECT_EQ(stored->at(0).seq, 4u);
  EXPECT_EQ(stored->at(0).bytes, encodeAuditEntry(fiveEntries()[4]));
  EXPECT_EQ(stored->at(1).seq, 5u);
  EXPECT_EQ(stored->at(1).bytes, bytes);
}

}  // namespace
}  // namespace liaison
