#include <gtest/gtest.h>

#include <sstream>

#include "adapters/csv_import.h"
#include "adapters/purge.h"
#include "adapters/store.h"
#include "schema/record_fields.h"
#include "tests/pg_fixture.h"
#include "tests/sample_records.h"

namespace liaison {
namespace {

using testing::allRecordKinds;
using testing::sampleRecord;

// Writes a record's fields as one CSV row under a header of the same columns, the way an agency's
// export would look (lists joined with ';').
struct CsvWriter {
  std::string header, row;
  void put(const char* column, const std::string& value) {
    if (std::string_view(column) == "owner_member") return;
    header += (header.empty() ? "" : ",") + std::string(column);
    std::string quoted = "\"";
    for (char c : value) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    row += (row.empty() ? "" : ",") + quoted + "\"";
  }
  void ref(std::string&) {}
  void field(const char* c, std::string& v) { put(c, v); }
  void field(const char* c, Date& v) { put(c, formatDate(v)); }
  void field(const char* c, std::optional<Date>& v) { put(c, v ? formatDate(*v) : ""); }
  void field(const char* c, Timestamp& v) { put(c, formatTimestamp(v)); }
  void field(const char* c, PartialDate& v) { put(c, formatPartialDate(v)); }
  void field(const char* c, DocumentNumber& v) { put(c, v.str()); }
  void field(const char* c, std::vector<std::string>& v) {
    std::string joined;
    for (const auto& item : v) joined += (joined.empty() ? "" : ";") + item;
    put(c, joined);
  }
  template <typename E>
    requires std::is_enum_v<E>
  void field(const char* c, E& v) { put(c, std::string(name(v))); }
};

std::string csvOf(Record record) {
  CsvWriter writer;
  visitFields(writer, record);
  return writer.header + "\n" + writer.row + "\n";
}

class CsvImport : public testing::PgTest {
 protected:
  importers::ImportOptions options() const {
    importers::ImportOptions o;
    o.owner = "XA-POLICE";
    o.visibleTo = {"XB-BORDER"};
    o.handling = HandlingCode::h1;
    o.retentionUntil = parseDate("2036-06-30").value();
    return o;
  }
  Result<importers::ImportReport> import(RecordKind kind, const std::string& csv, std::ostream* rejects = nullptr) {
    std::istringstream in(csv);
    importers::ImportControl control;
    control.rejects = rejects;
    return importers::importCsv(target(), kind, in, "input.csv", options(), control);
  }
  std::vector<Record> stored(RecordKind kind, const std::string& member = "XA-POLICE") {
    store::RecordStore store(target());
    return store.list(member, kind, 1000).value();
  }
};

TEST_F(CsvImport, EveryKindImportsFromItsDocumentedLayoutAndReadsBackTheSame) {
  for (RecordKind kind : allRecordKinds()) {
    Record sample = sampleRecord(kind, "XA-POLICE");
    auto report = import(kind, csvOf(sample));
    ASSERT_TRUE(report.ok()) << name(kind) << ": " << report.error().message;
    EXPECT_EQ(report->rowsInserted, 1u) << name(kind);
    auto records = stored(kind);
    ASSERT_EQ(records.size(), 1u) << name(kind);
    metaOf(sample).ref = metaOf(records[0]).ref;
    EXPECT_TRUE(records[0] == sample) << name(kind) << " differs after the import";
  }
}

TEST_F(CsvImport, ImportingTheSameFileAgainChangesNothingForEveryKind) {
  for (RecordKind kind : allRecordKinds()) {
    const std::string csv = csvOf(sampleRecord(kind, "XA-POLICE", 1));
    ASSERT_TRUE(import(kind, csv).ok()) << name(kind);
    auto again = import(kind, csv);
    ASSERT_TRUE(again.ok()) << name(kind) << ": " << again.error().message;
    EXPECT_EQ(again->rowsInserted, 0u) << name(kind);
    EXPECT_EQ(stored(kind).size(), 1u) << name(kind);
  }
}

TEST_F(CsvImport, WithRejectsTheGoodRowsLandAndTheBadOnesAreWrittenWithLineAndReason) {
  const std::string csv =
      "family_name,given_names,date_of_birth,direction,port,occurred_at,document_number\n"
      "Nowak,Zofia,1984-07,entry,NLAMS,2026-03-01T08:00:00Z,AB 12-34\n"
      "Nowak,Adam,1984-13,entry,NLAMS,2026-03-01T08:00:00Z,\n"
      "Smith,John,1990,sideways,NLAMS,2026-03-01T09:00:00Z,\n"
      "Okafor,Ada,1979-02-28,exit,DEFRA,2026-03-02T10:30:00Z,X1\n";
  std::ostringstream rejects;
  auto report = import(RecordKind::movement, csv, &rejects);
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(report->rowsRead, 4u);
  EXPECT_EQ(report->rowsInserted, 2u);
  EXPECT_EQ(report->rowsRejected, 2u);
  EXPECT_EQ(stored(RecordKind::movement).size(), 2u);
  const std::string written = rejects.str();
  EXPECT_EQ(written.rfind("line,reason,family_name,", 0), 0u) << written;
  EXPECT_NE(written.find("3,\"line 3, column date_of_birth:"), std::string::npos) << written;
  EXPECT_NE(written.find("4,\"line 4, column direction: unknown value 'sideways'\",Smith,John"), std::string::npos)
      << written;
}

TEST_F(CsvImport, WithoutRejectsOneBadRowLandsNothing) {
  const std::string csv =
      "family_name,facility,record_kind,recorded_on\n"
      "Doe,Clinic A,consultation,2026-01-01\n"
      "Doe,Clinic A,consultation,2026-02-30\n";
  auto report = import(RecordKind::healthRecord, csv);
  ASSERT_FALSE(report.ok());
  EXPECT_NE(report.error().message.find("input.csv: line 3, column recorded_on"), std::string::npos)
      << report.error().message;
  EXPECT_TRUE(stored(RecordKind::healthRecord).empty());
}

TEST_F(CsvImport, TheFileMaySetVisibilityHandlingAndRetentionPerRow) {
  const std::string csv =
      "number,issuing_state,reason_code,visible_to,handling_code,retention_until\n"
      "X1,UTO,FRAUD,XC-IMMIGRATION;EU-PARTNERS,h3,2030-01-01\n"
      "X2,UTO,FRAUD,,,\n";
  ASSERT_TRUE(import(RecordKind::watchlistDocument, csv).ok());
  for (const Record& r : stored(RecordKind::watchlistDocument)) {
    const auto& doc = std::get<WatchlistDocument>(r);
    if (doc.number.str() == "X1") {
      EXPECT_EQ(doc.meta.visibleTo, (std::vector<std::string>{"XC-IMMIGRATION", "EU-PARTNERS"}));
      EXPECT_EQ(doc.meta.handling, HandlingCode::h3);
      EXPECT_EQ(formatDate(doc.meta.retentionUntil), "2030-01-01");
    } else {
      EXPECT_EQ(doc.meta.visibleTo, options().visibleTo);
      EXPECT_EQ(doc.meta.handling, HandlingCode::h1);
      EXPECT_EQ(formatDate(doc.meta.retentionUntil), "2036-06-30");
    }
  }
}

TEST_F(CsvImport, UnknownAndMissingColumnsAreNamed) {
  auto unknown = import(RecordKind::overstay, "family_name,authorised_until,detected_on,shoe_size\n");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find("line 1: unknown column 'shoe_size' for overstay records"), std::string::npos)
      << unknown.error().message;
  auto missing = import(RecordKind::justiceRecord, "family_name,court,record_kind,filed_on\n");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("required column 'case_number' is missing"), std::string::npos);
}

TEST_F(CsvImport, PurgeRemovesOnlyExpiredRecordsOfTheMemberAndAuditsIt) {
  const std::string csv =
      "family_name,reason_code,retention_until\n"
      "Old,R1,2020-01-01\n"
      "Current,R2,2040-01-01\n";
  ASSERT_TRUE(import(RecordKind::watchlistPerson, csv).ok());
  auto otherOptions = options();
  otherOptions.owner = "XB-BORDER";
  std::istringstream other("family_name,reason_code,retention_until\nForeign,R3,2020-01-01\n");
  ASSERT_TRUE(importers::importCsv(target(), RecordKind::watchlistPerson, other, "other.csv", otherOptions).ok());

  auto report = store::purgeExpired(target(), "XA-POLICE", parseDate("2026-11-25").value());
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(report->total(), 1u);
  EXPECT_EQ(report->auditEntries, 1u);
  auto left = stored(RecordKind::watchlistPerson);
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(std::get<WatchlistPerson>(left[0]).person.familyName, "Current");
  size_t foreign = 0;
  for (const Record& r : stored(RecordKind::watchlistPerson, "XB-BORDER")) foreign += metaOf(r).owner == "XB-BORDER";
  EXPECT_EQ(foreign, 1u) << "another member's records are not ours to purge";

  auto conn = connectAs(store::DbRole::auditor);
  pqxx::read_transaction tx(*conn);
  auto row = tx.exec1("SELECT requester, decision, reason, cardinality(record_refs) FROM audit.entries");
  EXPECT_EQ(std::string(row[0].c_str()), "XA-POLICE");
  EXPECT_EQ(std::string(row[1].c_str()), "permitted");
  EXPECT_NE(std::string(row[2].c_str()).find("purge: 1 watchlist-person records"), std::string::npos);
  EXPECT_EQ(row[3].as<int>(), 1);
}

}  // namespace
}  // namespace liaison
