#include <gtest/gtest.h>

#include <atomic>
#include <optional>
#include <thread>

#include "adapters/pg_session.h"
#include "adapters/store.h"
#include "tests/pg_fixture.h"
#include "tests/sample_records.h"
#include "tests/wait.h"

namespace liaison {
namespace {

using testing::allRecordKinds;
using testing::sampleRecord;

class RecordStoreTest : public testing::PgTest {
 protected:
  void SetUp() override {
    PgTest::SetUp();
    store_.emplace(target());
  }
  store::RecordStore& store() { return *store_; }

  std::optional<store::RecordStore> store_;

  void addGroupMember(const std::string& group, const std::string& member) {
    auto conn = connectAs(store::DbRole::admin);
    pqxx::work tx(*conn);
    tx.exec_params("INSERT INTO federation.group_members (group_id, member_id) VALUES ($1, $2)", group, member);
    tx.commit();
  }
};

TEST_F(RecordStoreTest, EveryRecordKindRoundTripsThroughItsTable) {
  for (RecordKind kind : allRecordKinds()) {
    Record record = sampleRecord(kind, "XA-POLICE");
    auto ref = store().insert("XA-POLICE", record);
    ASSERT_TRUE(ref.ok()) << name(kind) << ": " << ref.error().message;
    EXPECT_EQ(ref->size(), 36u) << name(kind);

    auto read = store().get("XA-POLICE", kind, *ref);
    ASSERT_TRUE(read.ok()) << name(kind) << ": " << read.error().message;
    ASSERT_TRUE(read->has_value()) << name(kind);
    metaOf(record).ref = *ref;
    EXPECT_TRUE(**read == record) << name(kind) << " differs after the round trip";
  }
}

TEST_F(RecordStoreTest, OptionalFieldsRoundTripWhenAbsent) {
  auto doc = std::get<TravelDocument>(sampleRecord(RecordKind::travelDocument, "XA-POLICE"));
  doc.issueDate.reset();
  doc.expiryDate.reset();
  doc.reviewDate.reset();
  doc.meta.visibleTo.clear();
  auto ref = store().insert("XA-POLICE", doc);
  ASSERT_TRUE(ref.ok()) << ref.error().message;
  auto read = store().get("XA-POLICE", RecordKind::travelDocument, *ref);
  ASSERT_TRUE(read.ok() && read->has_value());
  doc.meta.ref = *ref;
  EXPECT_TRUE(std::get<TravelDocument>(**read) == doc);
}

TEST_F(RecordStoreTest, RecordVisibleToOneMemberIsInvisibleToAnotherThroughEveryCall) {
  for (RecordKind kind : allRecordKinds()) {
    Record record = sampleRecord(kind, "XA-POLICE");
    metaOf(record).visibleTo = {"XB-BORDER"};
    auto ref = store().insert("XA-POLICE", record);
    ASSERT_TRUE(ref.ok()) << name(kind) << ": " << ref.error().message;

    for (const char* member : {"XA-POLICE", "XB-BORDER"}) {
      EXPECT_TRUE(store().get(member, kind, *ref)->has_value()) << member << " " << name(kind);
      EXPECT_EQ(store().list(member, kind, 100)->size(), 1u) << member << " " << name(kind);
      EXPECT_EQ(*store().count(member, kind), 1u) << member << " " << name(kind);
    }
    EXPECT_FALSE(store().get("XC-IMMIGRATION", kind, *ref)->has_value()) << name(kind);
    EXPECT_TRUE(store().list("XC-IMMIGRATION", kind, 100)->empty()) << name(kind);
    EXPECT_EQ(*store().count("XC-IMMIGRATION", kind), 0u) << name(kind);
  }
  const auto doc = std::get<TravelDocument>(sampleRecord(RecordKind::travelDocument, "XA-POLICE"));
  EXPECT_EQ(store().findTravelDocuments("XB-BORDER", doc.number, doc.issuingState)->size(), 1u);
  EXPECT_TRUE(store().findTravelDocuments("XC-IMMIGRATION", doc.number, doc.issuingState)->empty());
}

TEST_F(RecordStoreTest, GroupVisibilityReachesMembersOfTheGroupOnly) {
  addGroupMember("EU-PARTNERS", "XD-CUSTOMS");
  Record record = sampleRecord(RecordKind::travelDocument, "XA-POLICE");
  metaOf(record).visibleTo = {"EU-PARTNERS"};
  auto ref = store().insert("XA-POLICE", record);
  ASSERT_TRUE(ref.ok()) << ref.error().message;
  EXPECT_TRUE(store().get("XD-CUSTOMS", RecordKind::travelDocument, *ref)->has_value());
  EXPECT_FALSE(store().get("XE-OTHER", RecordKind::travelDocument, *ref)->has_value());
}

TEST_F(RecordStoreTest, DocumentChecksSeeGroupsAndWatchlistsAsTheRequestingMemberOnly) {
  addGroupMember("EU-PARTNERS", "XD-CUSTOMS");
  Record listed = sampleRecord(RecordKind::travelDocument, "XA-POLICE");
  metaOf(listed).visibleTo = {"EU-PARTNERS"};
  ASSERT_TRUE(store().insert("XA-POLICE", listed).ok());
  Record watched = sampleRecord(RecordKind::watchlistDocument, "XA-POLICE");
  metaOf(watched).visibleTo = {"XB-BORDER"};
  ASSERT_TRUE(store().insert("XA-POLICE", watched).ok());
  const auto doc = std::get<TravelDocument>(listed);
  const auto entry = std::get<WatchlistDocument>(watched);
  EXPECT_EQ(store().findTravelDocuments("XD-CUSTOMS", doc.number, doc.issuingState)->size(), 1u);
  EXPECT_TRUE(store().findTravelDocuments("XB-BORDER", doc.number, doc.issuingState)->empty());
  EXPECT_EQ(store().findWatchlistDocuments("XB-BORDER", entry.number, entry.issuingState)->size(), 1u);
  EXPECT_TRUE(store().findWatchlistDocuments("XD-CUSTOMS", entry.number, entry.issuingState)->empty());
  // One statement sets the member for itself only: the next one on the same connection sees nothing.
  auto conn = connectAs(store::DbRole::enforcement);
  pqxx::nontransaction tx(*conn);
  EXPECT_EQ(tx.exec_params("SELECT count(*) FROM documents.find_travel_documents('XD-CUSTOMS', $1, $2)",
                           doc.number.str(), doc.issuingState)[0][0]
                .as<int>(),
            1);
  EXPECT_EQ(tx.exec("SELECT count(*) FROM documents.travel_documents")[0][0].as<int>(), 0);
}

TEST_F(RecordStoreTest, DocumentCheckFunctionsAreForTheEnforcementRoleOnly) {
  for (store::DbRole role : {store::DbRole::health, store::DbRole::justice, store::DbRole::gateway,
                             store::DbRole::auditWriter, store::DbRole::auditor}) {
    for (const char* sql : {"SELECT * FROM documents.find_travel_documents('XA-POLICE', 'X1', 'UTO')",
                            "SELECT * FROM watchlist.find_documents('XA-POLICE', 'X1', 'UTO')"}) {
      // Health and justice may not even connect to the main database; the others may not call them.
      EXPECT_EQ(sqlstateAs(role, Database::main, sql), "42501") << store::roleName(role) << ": " << sql;
    }
  }
}

TEST_F(RecordStoreTest, APoolNeverOpensMoreStoresThanItsBoundAndLaterCallersWaitForOne) {
  store::RecordStorePool pool(target(), store::DbRole::enforcement, 2);
  auto ref = store().insert("XA-POLICE", sampleRecord(RecordKind::travelDocument, "XA-POLICE"));
  ASSERT_TRUE(ref.ok()) << ref.error().message;
  std::optional<store::RecordStorePool::Lease> first(pool.acquire());
  auto second = pool.acquire();
  std::atomic<bool> thirdServed{false};
  std::jthread third([&] {
    auto lease = pool.acquire();
    // The store handed back works for its new holder.
    auto read = lease->get("XA-POLICE", RecordKind::travelDocument, *ref);
    EXPECT_TRUE(read.ok() && read->has_value());
    thirdServed = true;
  });
  // The third caller either waits for a store or, were the bound broken, is served at once.
  ASSERT_TRUE(testing::waitUntil([&] { return pool.waiting() == 1 || thirdServed; }));
  EXPECT_FALSE(thirdServed.load()) << "a third store was opened while two were leased";
  EXPECT_EQ(pool.created(), 2u);
  first.reset();
  third.join();
  EXPECT_TRUE(thirdServed.load());
  EXPECT_EQ(pool.created(), 2u);
  EXPECT_EQ(pool.waiting(), 0u);
}

TEST_F(RecordStoreTest, AMemberCannotStoreARecordOwnedByAnother) {
  Record record = sampleRecord(RecordKind::notice, "XA-POLICE");
  auto ref = store().insert("XB-BORDER", record);
  ASSERT_FALSE(ref.ok());
  EXPECT_EQ(ref.error().kind, ErrorKind::notPermitted);

  // The database refuses it too, whatever the caller claims.
  auto conn = connectAs(store::DbRole::enforcement);
  pqxx::work tx(*conn);
  tx.exec("SELECT set_config('liaison.member', 'XB-BORDER', true)");
  try {
    tx.exec("INSERT INTO notices.notices (owner_member, handling_code, retention_until, colour, notice_id, "
            "family_name) VALUES ('XA-POLICE', 'h0', '2030-01-01', 'red', '2099/7', 'x')");
    ADD_FAILURE() << "insert for another owner succeeded";
  } catch (const pqxx::sql_error& e) {
    EXPECT_EQ(testing::sqlstateOf(e), "42501");
  }
}

TEST_F(RecordStoreTest, WithoutARequestingMemberNothingIsVisible) {
  ASSERT_TRUE(store().insert("XA-POLICE", sampleRecord(RecordKind::travelDocument, "XA-POLICE")).ok());
  auto conn = connectAs(store::DbRole::enforcement);
  pqxx::read_transaction tx(*conn);
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM documents.travel_documents")[0].as<int>(), 0);
}

TEST_F(RecordStoreTest, MalformedReferencesAndMembersAreHandledWithoutLeaking) {
  auto absent = store().get("XA-POLICE", RecordKind::notice, "not-a-uuid");
  ASSERT_TRUE(absent.ok());
  EXPECT_FALSE(absent->has_value());
  auto bad = store().count("XA POLICE'; --", RecordKind::notice);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().kind, ErrorKind::invalidInput);
}

}  // namespace
}  // namespace liaison

namespace liaison::testing {
namespace {

class DatabaseSessionTest : public PgTest {};

// A hung statement must not hold a node's worker forever; imports lift the limit for themselves.
TEST_F(DatabaseSessionTest, ServingConnectionsCancelLongStatementsAndImportsMayLiftTheLimit) {
  auto conn = store::openConnection(target(), store::DbRole::enforcement);
  auto limit = [&] {
    pqxx::nontransaction tx(*conn);
    return tx.exec1("SHOW statement_timeout")[0].as<std::string>();
  };
  EXPECT_EQ(limit(), "30s");
  {
    pqxx::nontransaction tx(*conn);
    tx.exec("SET statement_timeout = 50");  // the same mechanism, shortened so the test is quick
    EXPECT_THROW(tx.exec("SELECT pg_sleep(2)"), pqxx::sql_error);
  }
  store::allowLongStatements(*conn);
  EXPECT_EQ(limit(), "0");
}

}  // namespace
}  // namespace liaison::testing
