// Limits on untrusted text, end to end against a real node over real TLS: a request with a huge
// field is refused at decode time and audited with a bounded entry, the auditor API pages by bytes
// so that a log an older node filled with huge entries stays readable and verifiable, `audit
// verify` falls back to smaller pages, and a client holds a node's answers to the same limits.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "adapters/audit_log.h"
#include "adapters/audit_search.h"
#include "adapters/csv_import.h"
#include "adapters/purge.h"
#include "adapters/record_rows.h"
#include "adapters/store.h"
#include "crypto/digest.h"
#include "crypto/merkle.h"
#include "node/audit_api.h"
#include "node/client/audit_verify.h"
#include "schema/codec.h"
#include "schema/limits.h"
#include "tests/node_harness.h"
#include "tests/sample_records.h"

namespace liaison::testing {
namespace {

using Json = nlohmann::json;

constexpr size_t kHugeCaseReference = 1'000'000;

class Limits : public NodeTest {
 protected:
  static constexpr std::chrono::milliseconds kSlowExchange{120'000};

  // The auditor's client, keeping its heads in a folder of this test.
  std::unique_ptr<client::QueryClient> auditor(
      size_t maxResponseBytes = client::QueryClient::kDefaultMaxResponseBytes) const {
    client::ClientConfig config = clientConfig(kAuditorOfficer);
    config.stateDir = dir_ / "auditor-state";
    // Pages of several MiB of entries: under a sanitizer on a loaded machine one takes seconds.
    config.timeout = kSlowExchange;
    auto client = client::QueryClient::create(config, url(), maxResponseBytes);
    if (!client) throw std::runtime_error(client.error().message);
    return std::move(client).value();
  }

  static Query passportCheck() {
    return CheckDocumentQuery{DocumentNumber::parse("L898902C3").value(), "UTO", DocumentType::passport};
  }

  // What a node from before the limits wrote for a partner's request with a huge case reference:
  // the entry, stored whole through the audit writer's own append function.
  void appendAsAnOlderNodeDid(int count) {
    auto conn = connectAs(store::DbRole::auditWriter);
    for (int i = 0; i < count; ++i) {
      AuditEntry entry;
      entry.recordedAt = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
      entry.requester = "XB-BORDER";
      entry.officerPseudonym = "partner-xb";
      entry.role = Role::border;
      entry.purpose = "border-check";
      entry.caseReference = std::string(kHugeCaseReference, static_cast<char>('A' + i % 26));
      entry.queryKind = QueryKind::checkDocument;
      entry.decision = Decision::permitted;
      entry.reason = "documents: permitted by rule partner-hit-no-hit";
      const std::vector<uint8_t> bytes = encodeAuditEntry(entry);
      pqxx::work tx(*conn);
      tx.exec_params(
          "SELECT audit.append($1::timestamptz, $2, $3, $4, $5, $6, $7, $8::bytea, $9, $10, '{}'::text[], "
          "$11::bytea, $12::bytea)",
          formatTimestamp(entry.recordedAt), entry.requester, entry.officerPseudonym, "border", entry.purpose,
          entry.caseReference, "check-document", store::byteaHex(entry.queryDigest), "permitted",
          entry.reason, store::byteaHex(entry.responseDigest), store::byteaHex(bytes));
      tx.commit();
    }
  }

  // Pages through /v1/audit/entries (JSON or binary) from 0 to `size` as RFC 6962 get-entries
  // allows: ask for everything left, continue after the last entry served. Returns the indices
  // served, in order, and checks every page against the byte budget.
  std::vector<uint64_t> readAllEntries(client::QueryClient& client, uint64_t size, bool binary, size_t& pages) {
    std::vector<uint64_t> served;
    uint64_t next = 0;
    pages = 0;
    while (next < size && pages < 1000) {
      ++pages;
      auto reply = client.getSigned("/v1/audit/entries?start=" + std::to_string(next) +
                                    "&end=" + std::to_string(size - 1) + (binary ? "&format=binary" : ""));
      if (!reply) throw std::runtime_error(reply.error().message);
      EXPECT_EQ(reply->status, 200u);
      std::vector<uint64_t> page;
      size_t firstEntryBytes = 0;
      if (binary) {
        auto framed = client::parseFramedEntries(reply->body).value();
        for (const auto& e : framed) page.push_back(e.index);
        if (!framed.empty()) firstEntryBytes = client::kFrameOverheadBytes + framed.front().entry.size();
      } else {
        const Json json = Json::parse(std::string(reply->body.begin(), reply->body.end()));
        for (const auto& item : json["entries"]) page.push_back(item["leaf_index"].get<uint64_t>());
        if (!json["entries"].empty()) firstEntryBytes = json["entries"][0].dump().size();
      }
      // Within the budget, unless its first entry alone is larger.
      EXPECT_LE(reply->body.size(), std::max(node::kMaxAuditPageBytes, firstEntryBytes) + 64)
          << "page from " << next << " holds " << page.size() << " entries";
      if (page.empty()) break;
      served.insert(served.end(), page.begin(), page.end());
      next = page.back() + 1;
    }
    return served;
  }

  std::vector<uint64_t> zeroTo(uint64_t size) {
    std::vector<uint64_t> all(size);
    for (uint64_t i = 0; i < size; ++i) all[i] = i;
    return all;
  }
};

TEST_F(Limits, AMillionCharacterCaseReferenceIsRefusedAsInvalidAndAuditedWithABoundedEntry) {
  auto partner = client(kPartnerBorder);
  client::QueryOptions options;
  options.caseReference = std::string(kHugeCaseReference, 'X');
  const std::string refusal = "request: officer case reference is 1000000 bytes, more than the 128 allowed";
  for (int i = 0; i < 20; ++i) {
    auto answer = partner->send(passportCheck(), options);
    ASSERT_TRUE(answer.ok()) << answer.error().message;
    EXPECT_EQ(answer->httpStatus, 400u);
    EXPECT_EQ(answer->response.status, ResponseStatus::invalid);
    EXPECT_EQ(answer->response.reason, refusal);
    EXPECT_TRUE(answer->response.hits.empty());

    const AuditEntry entry = lastAuditEntry();
    EXPECT_EQ(entry.decision, Decision::invalid);
    EXPECT_EQ(entry.reason, refusal);
    EXPECT_EQ(entry.signer, "member:XB-BORDER");
    EXPECT_TRUE(entry.caseReference.empty());
    EXPECT_LT(encodeAuditEntry(entry).size(), 1024u);
  }
  // The same request with a case reference of ordinary length is answered.
  options.caseReference = "CASE-2026-000123";
  auto answered = partner->send(passportCheck(), options);
  ASSERT_TRUE(answered.ok()) << answered.error().message;
  EXPECT_EQ(answered->httpStatus, 200u);

  stopNode();  // signs a head over every entry
  startNode();
  auto auditorClient = auditor();
  auto report = client::verifyAuditLog(*auditorClient, {});
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_TRUE(report->verified) << (report->problems.empty() ? "" : report->problems.front());
  EXPECT_EQ(report->entriesOverLimits, 0u);
  // The JSON page of the whole log is small: it used to be 44 MiB for these 20 requests.
  auto page =
      auditorClient->getSigned("/v1/audit/entries?start=0&end=" + std::to_string(report->head.treeSize - 1));
  ASSERT_TRUE(page.ok()) << page.error().message;
  EXPECT_EQ(page->status, 200u);
  EXPECT_LT(page->body.size(), size_t{64} << 10);
}

TEST_F(Limits, AnOfficersOwnRequestWithAnOverlongLegalBasisIsRefusedToo) {
  client::ClientConfig config = clientConfig(kBorderOfficer);
  config.legalBasis = std::string(limits::kLegalBasisBytes + 1, 'L');
  auto officer = client::QueryClient::create(config, url()).value();
  auto answer = officer->send(passportCheck(), {});
  ASSERT_TRUE(answer.ok()) << answer.error().message;
  EXPECT_EQ(answer->httpStatus, 400u);
  EXPECT_EQ(answer->response.reason, "request: officer legal basis is 513 bytes, more than the 512 allowed");
  EXPECT_EQ(lastAuditEntry().signer, "officer:border-1");
}

TEST_F(Limits, TheAuditWriterCutsTextTheNodeBuildsSoEveryEntryStaysWithinTheLimits) {
  store::AuditLog log(target(), "XA-POLICE");
  AuditEntry entry;
  entry.recordedAt = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  entry.decision = Decision::refused;
  entry.reason = "request names officer '" + std::string(kHugeCaseReference, 'o') + "'";
  entry.command = "liaison records list " + std::string(100'000, 'c');
  auto receipt = log.append(entry);
  ASSERT_TRUE(receipt.ok()) << receipt.error().message;
  log.flushAndStop();

  store::AuditReader reader(target());
  auto rows = reader.entries(receipt->leafIndex, receipt->leafIndex + 1);
  ASSERT_TRUE(rows.ok()) << rows.error().message;
  ASSERT_EQ(rows->size(), 1u);
  const store::AuditRow& row = rows->front();
  EXPECT_TRUE(decodeAuditEntry(row.entryBytes).ok()) << "the stored entry is within the limits";
  EXPECT_LE(row.entry.reason.size(), limits::kAuditReasonBytes);
  EXPECT_EQ(row.entry.reason.rfind("request names officer 'ooo", 0), 0u);
  EXPECT_NE(row.entry.reason.find("bytes cut]"), std::string::npos);
  EXPECT_LE(row.entry.command.size(), limits::kAuditCommandBytes);
  EXPECT_EQ(crypto::leafHash(row.entryBytes), receipt->leafHash);
}

TEST_F(Limits, ALogAnOlderNodeFilledWithHugeEntriesStaysReadableAndVerifiable) {
  stopNode();
  config_.requestDeadline = kSlowExchange;
  appendAsAnOlderNodeDid(12);
  startNode();  // rebuilds the tree over them and signs a head
  ASSERT_TRUE(client(kBorderOfficer)->send(passportCheck(), {}).ok());
  stopNode();
  startNode();

  auto auditorClient = auditor();
  auto report = client::verifyAuditLog(*auditorClient, {});
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_TRUE(report->verified) << (report->problems.empty() ? "" : report->problems.front());
  EXPECT_EQ(report->entries, report->head.treeSize);
  EXPECT_EQ(report->entriesOverLimits, 12u);
  // And again: a second run compares with what the first verified.
  auto again = client::verifyAuditLog(*auditorClient, {});
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_TRUE(again->verified);

  // Both forms of the entries endpoint page by bytes; following them serves every entry once.
  const uint64_t size = report->head.treeSize;
  size_t pages = 0;
  EXPECT_EQ(readAllEntries(*auditorClient, size, /*binary=*/false, pages), zeroTo(size));
  EXPECT_GE(pages, 4u) << "12 entries of 1.3 MB of JSON each need several pages of 4 MiB";
  EXPECT_EQ(readAllEntries(*auditorClient, size, /*binary=*/true, pages), zeroTo(size));
  EXPECT_GE(pages, 3u);

  // A search over them pages by bytes too, and next_after leads through all of them.
  std::vector<uint64_t> found;
  std::string after;
  for (int page = 0; page < 100; ++page) {
    auto reply = auditorClient->getSigned("/v1/audit/search?member=XB-BORDER&limit=100" + after);
    ASSERT_TRUE(reply.ok()) << reply.error().message;
    ASSERT_EQ(reply->status, 200u) << std::string(reply->body.begin(), reply->body.end());
    EXPECT_LE(reply->body.size(), node::kMaxAuditPageBytes + (size_t{3} << 20));
    const Json json = Json::parse(std::string(reply->body.begin(), reply->body.end()));
    for (const auto& row : json["entries"]) found.push_back(row["seq"].get<uint64_t>());
    if (!json.contains("next_after")) break;
    after = "&after=" + std::to_string(json["next_after"].get<uint64_t>());
  }
  EXPECT_EQ(found.size(), 12u);
}

TEST_F(Limits, AuditVerifyFallsBackToSmallerPagesWhenAPageIsTooLargeForTheClient) {
  stopNode();
  config_.requestDeadline = kSlowExchange;
  appendAsAnOlderNodeDid(6);
  startNode();
  stopNode();
  startNode();
  // The node's pages of up to 4 MiB are more than this client takes; one such entry is not.
  auto smallClient = auditor(size_t{3} << 19);
  auto report = client::verifyAuditLog(*smallClient, {});
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_TRUE(report->verified) << (report->problems.empty() ? "" : report->problems.front());
  EXPECT_EQ(report->entries, report->head.treeSize);
  EXPECT_EQ(report->entriesOverLimits, 6u);
}

TEST_F(Limits, AClientRefusesAnAnswerWithAFieldBeyondTheLimits) {
  // A record stored behind the importers' back, with a summary longer than any answer may carry.
  auto health = std::get<HealthRecord>(sampleRecord(RecordKind::healthRecord, "XA-POLICE"));
  health.summary = std::string(20'000, 's');
  const std::string ref = store::RecordStore(target()).insert("XA-POLICE", health).value();
  auto worker = client(kHealthWorker);
  auto answer = worker->send(HealthRecordQuery{ref}, {});
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.error().kind, ErrorKind::invalidInput);
  EXPECT_EQ(answer.error().message,
            "response: hits[0] details health record summary is 20000 bytes, more than the 16384 allowed");
}

TEST_F(Limits, APurgeOfMoreRecordsThanOneEntryMayNameWritesSeveralEntries) {
  std::string csv = "number,issuing_state,document_type,fraud_type,report_date,retention_until\n";
  const size_t count = limits::kMaxAuditRecordRefs + 5;
  for (size_t i = 0; i < count; ++i)
    csv += "P" + std::to_string(100000 + i) + ",UTO,passport,lost,2020-01-01,2021-01-01\n";
  importers::ImportOptions options;
  options.owner = "XA-POLICE";
  options.retentionUntil = parseDate("2040-01-01").value();
  std::istringstream in(csv);
  ASSERT_TRUE(importers::importCsv(target(), RecordKind::travelDocument, in, "old.csv", options).ok());
  const uint64_t before = auditCount();

  auto report = store::purgeExpired(target(), "XA-POLICE", parseDate("2026-11-25").value());
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(report->total(), count);
  EXPECT_EQ(report->auditEntries, 2u);
  store::AuditReader reader(target());
  auto rows = reader.entries(before, before + 2);
  ASSERT_TRUE(rows.ok()) << rows.error().message;
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].entry.recordRefs.size(), limits::kMaxAuditRecordRefs);
  EXPECT_EQ((*rows)[1].entry.recordRefs.size(), 5u);
  EXPECT_NE((*rows)[1].entry.reason.find("(part 2 of 2)"), std::string::npos);
}

}  // namespace
}  // namespace liaison::testing
