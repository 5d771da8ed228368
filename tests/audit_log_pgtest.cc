// The audit log against the real PostgreSQL: what a receipt promises, gap-free leaf indices under
// concurrency and rollback, group commit, and failing closed.
#include <gtest/gtest.h>
#include <sodium.h>

#include <chrono>
#include <iostream>
#include <map>
#include <set>
#include <thread>
#include <vector>

#include "adapters/audit_log.h"
#include "crypto/merkle.h"
#include "schema/codec.h"
#include "tests/pg_fixture.h"
#include "tests/pg_sessions.h"
#include "tests/wait.h"

namespace liaison {
namespace {

using namespace std::chrono_literals;
using store::DbRole;
using testing::waitUntil;

std::string toHex(std::span<const uint8_t> bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (uint8_t b : bytes) {
    hex += kHex[b >> 4];
    hex += kHex[b & 0x0f];
  }
  return hex;
}

// RFC 6962 leaf hash computed independently of the code under test: one-shot over 0x00 || bytes.
Digest expectedLeafHash(const std::vector<uint8_t>& entryBytes) {
  std::vector<uint8_t> leaf = {0x00};
  leaf.insert(leaf.end(), entryBytes.begin(), entryBytes.end());
  Digest digest{};
  crypto_hash_sha256(digest.data(), leaf.data(), leaf.size());
  return digest;
}

AuditEntry sampleEntry(std::string reason = "rule partners-documents permits documents to border") {
  AuditEntry entry;
  entry.recordedAt = std::chrono::sys_days{std::chrono::year{2031} / 3 / 14} + 9h + 26min + 53s;
  entry.requester = "XB-BORDER";
  entry.officerPseudonym = "officer-7f3a";
  entry.role = Role::border;
  entry.purpose = "border-check";
  entry.caseReference = "CASE-2031-0042";
  entry.queryKind = QueryKind::checkDocument;
  entry.queryDigest.fill(0x11);
  entry.decision = Decision::permitted;
  entry.reason = std::move(reason);
  // Array-literal syntax in the text must survive the trip through audit.append_batch.
  entry.recordRefs = {"6f1c2a4e-0000-4000-8000-000000000001", "odd \"ref\", with {braces}, NULL and \\"};
  entry.responseDigest.fill(0x22);
  return entry;
}

class AuditLog : public testing::PgTest {
 protected:
  // The SQLSTATE of running `sql` as `role` in the main database, or "" if it succeeded (and was
  // committed); "42501" for a role that may not even connect there.
  std::string sqlstateOf(DbRole role, const std::string& sql) { return sqlstateAs(role, Database::main, sql, ""); }

  // Every seq in the log, in order, as the auditor reads it.
  std::vector<uint64_t> seqs() {
    auto conn = connectAs(DbRole::auditor);
    pqxx::read_transaction tx(*conn);
    std::vector<uint64_t> all;
    for (const auto& row : tx.exec("SELECT seq FROM audit.entries ORDER BY seq"))
      all.push_back(row[0].as<uint64_t>());
    return all;
  }
};

// Calls audit.append directly with a minimal refused entry; `entryHex` is the stored bytes.
std::string appendSql(const std::string& entryHex) {
  return "SELECT audit.append(now(), '', '', '', '', '', '', decode(repeat('00', 32), 'hex'), 'refused', '', "
         "'{}', decode(repeat('00', 32), 'hex'), decode('" +
         entryHex + "', 'hex'))";
}

TEST_F(AuditLog, AppendedEntryIsStoredExactlyAndItsReceiptNamesIt) {
  const AuditEntry entry = sampleEntry();
  const std::vector<uint8_t> bytes = encodeAuditEntry(entry);
  store::AuditLog log(target(), "XA-NODE-1");
  auto receipt = log.append(entry);
  ASSERT_TRUE(receipt.ok()) << receipt.error().message;
  EXPECT_EQ(receipt->logId, "XA-NODE-1");
  EXPECT_EQ(receipt->leafIndex, 0u);
  EXPECT_EQ(receipt->leafHash, expectedLeafHash(bytes));
  EXPECT_EQ(crypto::leafHash(bytes), expectedLeafHash(bytes));

  auto conn = connectAs(DbRole::auditor);
  pqxx::read_transaction tx(*conn);
  auto row = tx.exec1(
      "SELECT seq, extract(epoch FROM recorded_at)::bigint, requester, officer_pseudonym, role, purpose, "
      "case_reference, query_kind, encode(query_digest, 'hex'), decision, reason, "
      "encode(response_digest, 'hex'), encode(entry, 'hex') FROM audit.entries");
  EXPECT_EQ(row[0].as<uint64_t>(), receipt->leafIndex);
  EXPECT_EQ(row[1].as<int64_t>(), entry.recordedAt.time_since_epoch().count());
  EXPECT_EQ(row[2].as<std::string>(), entry.requester);
  EXPECT_EQ(row[3].as<std::string>(), entry.officerPseudonym);
  EXPECT_EQ(row[4].as<std::string>(), "border");
  EXPECT_EQ(row[5].as<std::string>(), entry.purpose);
  EXPECT_EQ(row[6].as<std::string>(), entry.caseReference);
  EXPECT_EQ(row[7].as<std::string>(), "check-document");
  EXPECT_EQ(row[8].as<std::string>(), toHex(entry.queryDigest));
  EXPECT_EQ(row[9].as<std::string>(), "permitted");
  EXPECT_EQ(row[10].as<std::string>(), entry.reason);
  EXPECT_EQ(row[11].as<std::string>(), toHex(entry.responseDigest));
  EXPECT_EQ(row[12].as<std::string>(), toHex(bytes));
  std::vector<std::string> refs;
  for (const auto& ref :
       tx.exec("SELECT r FROM audit.entries, unnest(record_refs) WITH ORDINALITY AS u(r, n) "
               "ORDER BY n")) {
    refs.push_back(ref[0].as<std::string>());
  }
  EXPECT_EQ(refs, entry.recordRefs);
}

TEST_F(AuditLog, EntryWithoutRoleOrQueryKindStoresEmptyNames) {
  AuditEntry entry = sampleEntry();
  entry.role.reset();
  entry.queryKind.reset();
  entry.decision = Decision::invalid;
  entry.recordRefs.clear();
  store::AuditLog log(target(), "XA-NODE-1");
  ASSERT_TRUE(log.append(entry).ok());
  auto conn = connectAs(DbRole::auditor);
  pqxx::read_transaction tx(*conn);
  auto row = tx.exec1("SELECT role, query_kind, decision, cardinality(record_refs) FROM audit.entries");
  EXPECT_EQ(row[0].as<std::string>(), "");
  EXPECT_EQ(row[1].as<std::string>(), "");
  EXPECT_EQ(row[2].as<std::string>(), "invalid");
  EXPECT_EQ(row[3].as<int>(), 0);
}

TEST_F(AuditLog, ConcurrentAppendsGetGapFreeUniqueIndicesInFewTransactions) {
  constexpr int kThreads = 16;
  constexpr int kPerThread = 200;
  constexpr int kEntries = kThreads * kPerThread;
  store::AuditLog log(target(), "XA-NODE-1");
  std::vector<std::vector<Result<AuditReceipt>>> receipts(kThreads);
  const auto start = std::chrono::steady_clock::now();
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kPerThread; ++i) {
          receipts[t].push_back(log.append(sampleEntry("t" + std::to_string(t) + "-" + std::to_string(i))));
        }
      });
    }
  }
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;

  // The log as the auditor sees it: reason -> (seq, stored entry bytes).
  std::map<std::string, std::pair<uint64_t, std::vector<uint8_t>>> rows;
  {
    auto conn = connectAs(DbRole::auditor);
    pqxx::read_transaction tx(*conn);
    uint64_t expectedSeq = 0;
    for (const auto& row : tx.exec("SELECT seq, reason, entry FROM audit.entries ORDER BY seq")) {
      EXPECT_EQ(row[0].as<uint64_t>(), expectedSeq++) << "the log has a gap or a duplicate";
      pqxx::binarystring entry(row[2]);
      rows[row[1].as<std::string>()] = {row[0].as<uint64_t>(),
                                        std::vector<uint8_t>(entry.begin(), entry.end())};
    }
    EXPECT_EQ(expectedSeq, static_cast<uint64_t>(kEntries));
  }
  ASSERT_EQ(rows.size(), static_cast<size_t>(kEntries));

  std::set<uint64_t> indices;
  for (int t = 0; t < kThreads; ++t) {
    ASSERT_EQ(receipts[t].size(), static_cast<size_t>(kPerThread));
    for (int i = 0; i < kPerThread; ++i) {
      const auto& receipt = receipts[t][i];
      ASSERT_TRUE(receipt.ok()) << receipt.error().message;
      const auto& [seq, bytes] = rows.at("t" + std::to_string(t) + "-" + std::to_string(i));
      EXPECT_EQ(receipt->leafIndex, seq);
      EXPECT_EQ(receipt->leafHash, expectedLeafHash(bytes));
      indices.insert(receipt->leafIndex);
    }
  }
  EXPECT_EQ(indices.size(), static_cast<size_t>(kEntries));
  EXPECT_EQ(log.appended(), static_cast<uint64_t>(kEntries));
  EXPECT_LT(log.batches(), static_cast<uint64_t>(kEntries / 4));
  RecordProperty("entriesPerSecond", static_cast<int>(kEntries / elapsed.count()));
  RecordProperty("batches", static_cast<int>(log.batches()));
  std::cout << "[ measured ] " << kEntries << " entries in " << elapsed.count() << " s ("
            << static_cast<int>(kEntries / elapsed.count()) << " entries/s) in " << log.batches()
            << " transactions\n";
}

// A database restart closes the writer's idle connection: the next batch notices before it sends
// anything and goes through on a fresh one instead of failing its callers.
TEST_F(AuditLog, AnAppendAfterTheServerClosedTheIdleConnectionGoesThroughOnAFreshOne) {
  store::AuditLog log(target(), "XA-POLICE");
  ASSERT_TRUE(log.append(sampleEntry()).ok());
  auto admin = connectAs(DbRole::admin);
  ASSERT_EQ(testing::terminateSessions(*admin, "usename = 'liaison_audit_writer'"), 1);
  for (uint64_t expected = 1; expected <= 3; ++expected) {
    auto receipt = log.append(sampleEntry());
    ASSERT_TRUE(receipt.ok()) << receipt.error().message;
    EXPECT_EQ(receipt->leafIndex, expected);
  }
  EXPECT_EQ(seqs(), (std::vector<uint64_t>{0, 1, 2, 3}));
  EXPECT_EQ(log.batches(), 4u) << "every batch is committed once";
}

TEST_F(AuditLog, UnreachableDatabaseFailsPromptlyInsteadOfHanging) {
  store::DatabaseTarget unreachable{"host='/nonexistent/liaison-socket-dir' dbname='liaison'"};
  store::AuditLog log(unreachable, "XA-NODE-1");
  const auto start = std::chrono::steady_clock::now();
  auto first = log.append(sampleEntry());
  auto second = log.append(sampleEntry());
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  ASSERT_FALSE(first.ok());
  EXPECT_EQ(first.error().kind, ErrorKind::unavailable) << first.error().message;
  ASSERT_FALSE(second.ok()) << "a failed connection must not be reused as if it worked";
  EXPECT_EQ(log.appended(), 0u);
}

TEST_F(AuditLog, AnnouncedAppendsShareOneTransaction) {
  constexpr int kRequests = 6;
  store::AuditLog log(target(), "XA-NODE-1", {.maxBatch = 1000, .maxWait = 1h});
  // Requests announce their appends as they arrive; the first to append waits for the rest.
  std::vector<store::AuditLog::Announcement> announced;
  for (int i = 0; i < kRequests; ++i) announced.push_back(log.announce());
  std::vector<Result<AuditReceipt>> results(kRequests,
                                            Result<AuditReceipt>(fail(ErrorKind::internal, "not run")));
  std::vector<std::jthread> callers;
  for (int i = 0; i < kRequests; ++i) {
    callers.emplace_back([&, i, a = std::move(announced[i])]() mutable {
      results[i] = log.append(sampleEntry("request-" + std::to_string(i)), std::move(a));
    });
    // Each request appends only once the one before it is queued: a writer that did not wait for
    // the announced appends would already have committed the first on its own.
    EXPECT_TRUE(waitUntil([&] { return log.queued() == static_cast<size_t>(i + 1) || log.appended() > 0; }))
        << "request " << i << " was neither queued nor committed";
  }
  callers.clear();  // joins: every append returned although the writer may wait an hour
  for (const auto& result : results) ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(log.appended(), static_cast<uint64_t>(kRequests));
  EXPECT_EQ(log.batches(), 1u) << "the writer did not wait for the announced appends";
  EXPECT_EQ(seqs().size(), static_cast<size_t>(kRequests));
}

TEST_F(AuditLog, ALoneAppendOrAWithdrawnAnnouncementDoesNotHoldTheWriter) {
  store::AuditLog log(target(), "XA-NODE-1", {.maxBatch = 1000, .maxWait = 1h});
  // Nothing announced: an idle node commits at once instead of waiting to fill a batch.
  auto lone = log.append(sampleEntry("lone"));
  ASSERT_TRUE(lone.ok()) << lone.error().message;
  // A request that announced itself and ended without appending (a dropped connection, say)
  // releases the wait of one that did append.
  auto dropped = std::make_unique<store::AuditLog::Announcement>(log.announce());
  auto arriving = log.announce();
  std::jthread caller([&] { EXPECT_TRUE(log.append(sampleEntry("arriving"), std::move(arriving)).ok()); });
  EXPECT_TRUE(waitUntil([&] { return log.queued() == 1; })) << "the append was not queued";
  dropped.reset();
  caller.join();
  EXPECT_EQ(log.appended(), 2u);
  EXPECT_EQ(log.batches(), 2u);
}

TEST_F(AuditLog, FlushAndStopCommitsEverythingQueuedFirst) {
  constexpr int kWaiting = 10;
  // One more append is announced and never comes, and the writer would wait an hour for it: only
  // flushAndStop can make it commit.
  store::AuditLog log(target(), "XA-NODE-1", {.maxBatch = 1000, .maxWait = 1h});
  auto neverArrives = log.announce();
  std::vector<Result<AuditReceipt>> results(kWaiting,
                                            Result<AuditReceipt>(fail(ErrorKind::internal, "not run")));
  std::vector<std::jthread> callers;
  for (int i = 0; i < kWaiting; ++i) {
    callers.emplace_back([&, i] { results[i] = log.append(sampleEntry("queued-" + std::to_string(i))); });
  }
  waitUntil([&] { return log.queued() == static_cast<size_t>(kWaiting); });
  ASSERT_EQ(log.queued(), static_cast<size_t>(kWaiting));

  log.flushAndStop();
  EXPECT_EQ(log.appended(), static_cast<uint64_t>(kWaiting)) << "flushAndStop returned before committing";
  EXPECT_EQ(log.batches(), 1u);
  EXPECT_EQ(seqs().size(), static_cast<size_t>(kWaiting));
  callers.clear();  // joins
  for (const auto& result : results) EXPECT_TRUE(result.ok()) << result.error().message;

  auto late = log.append(sampleEntry());
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().kind, ErrorKind::unavailable);
  log.flushAndStop();  // idempotent
}

TEST_F(AuditLog, RolledBackAppendLeavesNoGap) {
  store::AuditLog log(target(), "XA-NODE-1");
  auto first = log.append(sampleEntry("first"));
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(first->leafIndex, 0u);
  {
    auto conn = connectAs(DbRole::auditWriter);
    pqxx::work tx(*conn);
    EXPECT_EQ(tx.exec1(appendSql("00"))[0].as<uint64_t>(), 1u);
    tx.abort();  // the request failed: its entry and its number both vanish
  }
  auto second = log.append(sampleEntry("second"));
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_EQ(second->leafIndex, 1u);
  EXPECT_EQ(seqs(), (std::vector<uint64_t>{0, 1}));
}

TEST_F(AuditLog, NumberingContinuesAcrossRestartsAndDirectAppends) {
  {
    store::AuditLog log(target(), "XA-NODE-1");
    ASSERT_TRUE(log.append(sampleEntry()).ok());
  }
  EXPECT_EQ(sqlstateOf(DbRole::auditWriter, appendSql("01")), "");
  store::AuditLog restarted(target(), "XA-NODE-1");
  auto receipt = restarted.append(sampleEntry());
  ASSERT_TRUE(receipt.ok()) << receipt.error().message;
  EXPECT_EQ(receipt->leafIndex, 2u);
  EXPECT_EQ(seqs(), (std::vector<uint64_t>{0, 1, 2}));
}

TEST_F(AuditLog, InsertThatWouldLeaveAGapIsRefusedEvenForTheOwner) {
  // Only the owner can still insert directly (the writer goes through the append functions); the
  // statement triggers hold for it too.
  const std::string insertAt =
      "INSERT INTO audit.entries (seq, recorded_at, query_digest, decision, response_digest, entry) "
      "SELECT s, now(), decode(repeat('00', 32), 'hex'), 'refused', decode(repeat('00', 32), 'hex'), '\\x00' "
      "FROM unnest('%'::bigint[]) AS s";
  auto at = [&](const std::string& seqs) {
    std::string sql = insertAt;
    return sql.replace(sql.find('%'), 1, seqs);
  };
  EXPECT_EQ(sqlstateOf(DbRole::admin, at("{5}")), "23514") << "a gap before the first entry";
  EXPECT_EQ(sqlstateOf(DbRole::admin, at("{0,2}")), "23514") << "a gap inside one statement";
  EXPECT_EQ(sqlstateOf(DbRole::admin, at("{1,2}")), "23514") << "no entry 0";
  EXPECT_EQ(sqlstateOf(DbRole::admin, at("{0,1}")), "");
  EXPECT_EQ(sqlstateOf(DbRole::admin, at("{1}")), "23505") << "a repeated seq";
  EXPECT_EQ(sqlstateOf(DbRole::admin, at("{3}")), "23514") << "a gap after the last entry";
  EXPECT_EQ(sqlstateOf(DbRole::admin, at("{3,2}")), "") << "one run, in any order";
  EXPECT_EQ(seqs(), (std::vector<uint64_t>{0, 1, 2, 3}));
  EXPECT_EQ(sqlstateOf(DbRole::admin, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ; " + at("{4}")),
            "25000")
      << "appends must run at READ COMMITTED";
}

TEST_F(AuditLog, NoServingRoleCanHoldTheLogsLockOrInsertDirectly) {
  // Appends serialise on a table lock; a role that could take it could stall every request.
  for (DbRole role : {DbRole::enforcement, DbRole::health, DbRole::justice, DbRole::auditWriter,
                      DbRole::auditor, DbRole::gateway}) {
    EXPECT_EQ(sqlstateOf(role, "LOCK TABLE audit.entries IN SHARE ROW EXCLUSIVE MODE"), "42501")
        << store::roleName(role);
    EXPECT_EQ(sqlstateOf(role,
                         "INSERT INTO audit.entries (seq, recorded_at, query_digest, decision, "
                         "response_digest, entry) VALUES (0, now(), decode(repeat('00', 32), 'hex'), "
                         "'refused', decode(repeat('00', 32), 'hex'), '\\x00')"),
              "42501")
        << store::roleName(role);
  }
  EXPECT_TRUE(seqs().empty());
}

TEST_F(AuditLog, EntryTheDatabaseCannotStoreIsRefusedBeforeItCanFailABatch) {
  store::AuditLog log(target(), "XA-NODE-1");
  auto notUtf8 = log.append(sampleEntry("\xff\xfe"));
  ASSERT_FALSE(notUtf8.ok());
  EXPECT_EQ(notUtf8.error().kind, ErrorKind::invalidInput) << notUtf8.error().message;
  AuditEntry yearZero = sampleEntry();
  yearZero.recordedAt = std::chrono::sys_days{std::chrono::year{0} / 6 / 1};
  auto tooEarly = log.append(yearZero);
  ASSERT_FALSE(tooEarly.ok());
  EXPECT_EQ(tooEarly.error().kind, ErrorKind::invalidInput) << tooEarly.error().message;
  auto fine = log.append(sampleEntry());
  ASSERT_TRUE(fine.ok()) << fine.error().message;
  EXPECT_EQ(fine->leafIndex, 0u);
}

TEST_F(AuditLog, OnlyTheWriterMayAppendAndItStillCannotReadOrRewrite) {
  EXPECT_EQ(sqlstateOf(DbRole::auditWriter, "SELECT count(*) FROM audit.entries"), "42501");
  EXPECT_EQ(sqlstateOf(DbRole::auditWriter, "UPDATE audit.entries SET reason = 'x'"), "42501");
  EXPECT_EQ(sqlstateOf(DbRole::auditWriter, "DELETE FROM audit.entries"), "42501");
  EXPECT_EQ(sqlstateOf(DbRole::auditWriter, "SELECT count(*) FROM node.nonces"), "42501");
  EXPECT_EQ(sqlstateOf(DbRole::auditWriter, appendSql("00")), "");
  for (DbRole role :
       {DbRole::enforcement, DbRole::health, DbRole::justice, DbRole::auditor, DbRole::gateway}) {
    EXPECT_EQ(sqlstateOf(role, appendSql("00")), "42501") << store::roleName(role);
  }
}

TEST_F(AuditLog, AppendFunctionsRunAsTheirOwnerWithAPinnedSearchPath) {
  auto conn = connectAs(DbRole::admin);
  pqxx::read_transaction tx(*conn);
  auto result = tx.exec(
      "SELECT p.proname, p.prosecdef, array_to_string(p.proconfig, ',') FROM pg_proc p "
      "JOIN pg_namespace n ON n.oid = p.pronamespace "
      "WHERE n.nspname = 'audit' AND p.proname IN ('append', 'append_batch', 'lock_for_append', "
      "'check_contiguous') ORDER BY 1");
  ASSERT_EQ(result.size(), 5u);  // append_batch in two versions: 0006's, and 0007's with the source fields
  for (const auto& row : result) {
    EXPECT_TRUE(row[1].as<bool>()) << row[0].c_str();
    EXPECT_EQ(row[2].as<std::string>(), "search_path=pg_catalog, audit") << row[0].c_str();
  }
}

}  // namespace
}  // namespace liaison
