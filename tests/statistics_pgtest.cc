// Aggregate statistics end to end (README "Statistics"): a real node over TLS on a real database,
// asked by officers, a health worker and an auditor.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "adapters/audit_log.h"
#include "adapters/csv_import.h"
#include "adapters/statistics.h"
#include "adapters/store.h"
#include "schema/codec.h"
#include "tests/node_harness.h"
#include "tests/sample_records.h"

namespace liaison {
namespace {

using namespace liaison::testing;
using ::testing::HasSubstr;

Date day(const char* text) { return parseDate(text).value(); }

AggregateStatisticsQuery monthly(RecordKind kind, const char* from, const char* until,
                                 StatisticsDimension dimension = StatisticsDimension::none) {
  AggregateStatisticsQuery query;
  query.compartment = compartmentOf(kind);
  query.kind = kind;
  query.period = StatisticsPeriod::month;
  query.from = day(from);
  query.until = day(until);
  query.dimension = dimension;
  return query;
}

class Statistics : public NodeTest {
 protected:
  // Stores `records` of `kind` in one transaction (one commit, so tests stay fast).
  void store(RecordKind kind, const std::vector<Record>& records) {
    importers::ImportOptions options;
    options.owner = "XA-POLICE";
    options.retentionUntil = day("2099-12-31");
    auto report = importers::importRecords(target(), kind, records, options);
    ASSERT_TRUE(report.ok()) << report.error().message;
    ASSERT_EQ(report->rowsInserted, records.size());
  }

  // `count` movements (entries) at `port` on `date`, of travellers of `nationality`.
  void addMovements(int count, const std::string& port, const char* date,
                    const std::string& nationality = "UTO") {
    std::vector<Record> records;
    for (int i = 0; i < count; ++i) {
      auto movement = std::get<Movement>(sampleRecord(RecordKind::movement, "XA-POLICE", i));
      movement.meta.ref.clear();
      movement.port = port;
      movement.direction = MovementDirection::entry;
      movement.person.nationality = nationality;
      movement.occurredAt = Timestamp{std::chrono::sys_days{day(date)}} + std::chrono::hours(12);
      records.push_back(std::move(movement));
    }
    store(RecordKind::movement, records);
  }

  void addHealthRecords(int count, const char* date) {
    std::vector<Record> records;
    for (int i = 0; i < count; ++i) {
      auto record = std::get<HealthRecord>(sampleRecord(RecordKind::healthRecord, "XA-POLICE", i));
      record.meta.ref.clear();
      record.recordedOn = day(date);
      records.push_back(std::move(record));
    }
    store(RecordKind::healthRecord, records);
  }

  client::QueryAnswer ask(const char* identity, const AggregateStatisticsQuery& query) {
    auto answer = client(identity)->send(query, {});
    if (!answer) throw std::runtime_error(answer.error().message);
    return std::move(answer).value();
  }

  // The statistics of an answer that must be ok.
  StatisticsTable table(const char* identity, const AggregateStatisticsQuery& query) {
    client::QueryAnswer answer = ask(identity, query);
    EXPECT_EQ(answer.response.status, ResponseStatus::ok) << answer.response.reason;
    EXPECT_TRUE(answer.response.statistics.has_value());
    return answer.response.statistics.value_or(StatisticsTable{});
  }
};

StatisticsCell cellOf(const StatisticsTable& table, const char* period, const std::string& value) {
  for (const StatisticsCell& cell : table.cells) {
    if (cell.period == day(period) && cell.value == value) return cell;
  }
  ADD_FAILURE() << "no cell " << period << " " << value;
  return {};
}

TEST_F(Statistics, NineMovementsAtAPortAreSuppressedAndTenReleased) {
  addMovements(10, "FRPAR", "2024-01-15");
  addMovements(9, "FRPAR", "2024-02-15");
  addMovements(1, "DEHAM", "2024-02-16");  // held back with the nine, so nothing else need be
  const StatisticsTable counts = table(
      kBorderOfficer, monthly(RecordKind::movement, "2024-01-01", "2024-04-01", StatisticsDimension::port));
  EXPECT_EQ(counts.minCellSize, 10u);
  EXPECT_EQ(counts.noiseBound, 0u);
  ASSERT_EQ(counts.cells.size(), 3u)
      << "January to March for FRPAR; DEHAM never reaches 10 and is not listed";
  EXPECT_FALSE(cellOf(counts, "2024-01-01", "FRPAR").suppressed);
  EXPECT_EQ(cellOf(counts, "2024-01-01", "FRPAR").count, 10u);
  EXPECT_TRUE(cellOf(counts, "2024-02-01", "FRPAR").suppressed);
  EXPECT_EQ(cellOf(counts, "2024-02-01", "FRPAR").count, 0u);
  EXPECT_TRUE(cellOf(counts, "2024-03-01", "FRPAR").suppressed) << "zero looks like a small count";
  const AuditEntry entry = lastAuditEntry();
  EXPECT_EQ(entry.queryKind, QueryKind::aggregateStatistics);
  EXPECT_EQ(entry.decision, Decision::permitted);
  EXPECT_THAT(
      entry.reason,
      HasSubstr("statistics movement by port per month 2024-01-01..2024-04-01: 3 cells, 2 suppressed"));
}

TEST_F(Statistics, FirewallRefusalIsTheSameWhetherHealthCountsAreZeroOrNot) {
  const auto query = monthly(RecordKind::healthRecord, "2024-01-01", "2024-03-01");
  const std::vector<const char*> enforcementFacing = {kBorderOfficer,      kImmigrationOfficer,
                                                      kEnforcementOfficer, kLiaisonOfficer,
                                                      kPartnerBorder,      kPartnerImmigration};
  std::vector<std::pair<unsigned, Response>> before;
  for (const char* officer : enforcementFacing) {
    client::QueryAnswer answer = ask(officer, query);
    EXPECT_EQ(answer.response.status, ResponseStatus::refused) << officer;
    EXPECT_EQ(answer.response.reason, "not permitted") << officer;
    EXPECT_FALSE(answer.response.statistics) << officer;
    before.emplace_back(answer.httpStatus, comparable(answer.response));
  }
  EXPECT_TRUE(table(kHealthWorker, query).cells.empty()) << "no health record in 2024 yet";

  addHealthRecords(15, "2024-01-20");
  const StatisticsTable counted = table(kHealthWorker, query);
  ASSERT_EQ(counted.cells.size(), 2u) << "the counts now differ";
  EXPECT_EQ(cellOf(counted, "2024-01-01", "").count, 15u);
  for (size_t i = 0; i < enforcementFacing.size(); ++i) {
    client::QueryAnswer answer = ask(enforcementFacing[i], query);
    EXPECT_EQ(answer.httpStatus, before[i].first) << enforcementFacing[i];
    EXPECT_EQ(encodeResponse(comparable(answer.response)), encodeResponse(before[i].second))
        << enforcementFacing[i] << ": the refusal must not change with the counts";
  }
}

TEST_F(Statistics, HealthCountsAreReadOnlyThroughTheHealthConnection) {
  addHealthRecords(12, "2024-01-20");
  const auto query = monthly(RecordKind::healthRecord, "2024-01-01", "2024-02-01");
  store::RecordStore enforcement(target(), store::DbRole::enforcement);
  auto refused = enforcement.statisticsRows("XA-POLICE", query);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().kind, ErrorKind::notPermitted);
  store::RecordStore health(target(), store::DbRole::health);
  auto rows = health.statisticsRows("XA-POLICE", query);
  ASSERT_TRUE(rows.ok()) << rows.error().message;
  EXPECT_EQ(rows->size(), 12u);
  // The auditor counts them too, through the node's health connection.
  EXPECT_EQ(cellOf(table(kAuditorOfficer, query), "2024-01-01", "").count, 12u);
}

TEST_F(Statistics, DifferencingTwoOverlappingRangesRevealsNoOnePerson) {
  addMovements(12, "FRPAR", "2024-01-10");
  addMovements(1, "FRPAR", "2024-02-10");  // the one person
  const StatisticsTable january = table(
      kBorderOfficer, monthly(RecordKind::movement, "2024-01-01", "2024-02-01", StatisticsDimension::port));
  const StatisticsTable withFebruary = table(
      kBorderOfficer, monthly(RecordKind::movement, "2024-01-01", "2024-03-01", StatisticsDimension::port));
  auto released = [](const StatisticsTable& t) {
    uint64_t sum = 0;
    for (const StatisticsCell& cell : t.cells) sum += cell.count;
    return sum;
  };
  EXPECT_EQ(released(january), 12u);
  EXPECT_EQ(released(withFebruary) - released(january), 0u) << "the difference is a suppressed cell, not 1";
  EXPECT_TRUE(cellOf(withFebruary, "2024-02-01", "FRPAR").suppressed);
  // A range that is not whole periods, to make the difference one day, is refused.
  client::QueryAnswer ragged = ask(
      kBorderOfficer, monthly(RecordKind::movement, "2024-01-01", "2024-02-11", StatisticsDimension::port));
  EXPECT_EQ(ragged.response.status, ResponseStatus::invalid);
  EXPECT_THAT(ragged.response.reason, HasSubstr("until 2024-02-11 is not the first day of a month"));
}

TEST_F(Statistics, ACoarserTableMinusAFinerOneRevealsNoOnePerson) {
  addMovements(12, "FRPAR", "2024-01-10");
  addMovements(1, "FRPAR", "2024-02-10");  // the one person
  addMovements(20, "ITROM", "2024-02-11");
  // February by direction: 21 entries, released.
  const StatisticsTable byDirection =
      table(kBorderOfficer,
            monthly(RecordKind::movement, "2024-02-01", "2024-03-01", StatisticsDimension::direction));
  EXPECT_EQ(cellOf(byDirection, "2024-02-01", "entry").count, 21u);
  // February by port: ITROM's 20 would leave FRPAR's 1 as 21 - 20, so it is held back with it.
  const StatisticsTable byPort = table(
      kBorderOfficer, monthly(RecordKind::movement, "2024-01-01", "2024-03-01", StatisticsDimension::port));
  EXPECT_TRUE(cellOf(byPort, "2024-02-01", "FRPAR").suppressed);
  EXPECT_TRUE(cellOf(byPort, "2024-02-01", "ITROM").suppressed);
  EXPECT_EQ(cellOf(byPort, "2024-01-01", "FRPAR").count, 12u);
}

TEST_F(Statistics, NationalityIsCountedInAggregateForOversightOnly) {
  addMovements(11, "FRPAR", "2024-01-10", "SYR");
  addMovements(14, "FRPAR", "2024-01-11", "UKR");
  const auto query =
      monthly(RecordKind::movement, "2024-01-01", "2024-02-01", StatisticsDimension::nationality);
  for (const char* officer : {kBorderOfficer, kEnforcementOfficer, kImmigrationOfficer, kPartnerBorder}) {
    client::QueryAnswer refused = ask(officer, query);
    EXPECT_EQ(refused.httpStatus, 403u) << officer;
    EXPECT_EQ(refused.response.reason, "not permitted") << officer;
    EXPECT_FALSE(refused.response.statistics) << officer;
    EXPECT_TRUE(refused.response.hits.empty());
    EXPECT_THAT(lastAuditEntry().reason, HasSubstr("dimension nationality is a protected attribute"))
        << officer;
  }
  const StatisticsTable counts = table(kAuditorOfficer, query);
  EXPECT_EQ(cellOf(counts, "2024-01-01", "SYR").count, 11u);
  EXPECT_EQ(cellOf(counts, "2024-01-01", "UKR").count, 14u);
  client::QueryAnswer answer = ask(kAuditorOfficer, query);
  EXPECT_TRUE(answer.response.hits.empty()) << "counts only, never a list of persons";
}

TEST_F(Statistics, RequestCountsAreForOversightOnly) {
  AggregateStatisticsQuery requests;
  requests.subject = StatisticsSubject::requests;
  requests.period = StatisticsPeriod::month;
  requests.from = day("2024-01-01");
  requests.until = day("2024-03-01");
  requests.dimension = StatisticsDimension::decision;
  client::QueryAnswer refused = ask(kBorderOfficer, requests);
  EXPECT_EQ(refused.response.status, ResponseStatus::refused);
  EXPECT_THAT(lastAuditEntry().reason, HasSubstr("request counts come from the audit log"));
  EXPECT_TRUE(table(kAuditorOfficer, requests).cells.empty()) << "no request in 2024";
}

class RequestStatistics : public PgTest {};

TEST_F(RequestStatistics, EntriesAreCountedPerPeriodAndDecisionAsTheAuditor) {
  store::AuditLog log(target(), "XA-POLICE");
  auto append = [&](int count, const char* at, Decision decision) {
    for (int i = 0; i < count; ++i) {
      AuditEntry entry;
      entry.recordedAt = parseTimestamp(at).value();
      entry.requester = "XA-POLICE";
      entry.queryKind = QueryKind::checkDocument;
      entry.decision = decision;
      ASSERT_TRUE(log.append(entry).ok());
    }
  };
  append(3, "2024-01-31T23:59:59Z", Decision::permitted);
  append(2, "2024-02-01T00:00:00Z", Decision::refused);
  append(1, "2024-03-01T00:00:00Z", Decision::refused);  // after the range
  AggregateStatisticsQuery query;
  query.subject = StatisticsSubject::requests;
  query.period = StatisticsPeriod::month;
  query.from = day("2024-01-01");
  query.until = day("2024-03-01");
  query.dimension = StatisticsDimension::decision;
  store::RequestStatisticsReader reader(target());
  auto rows = reader.rows(query);
  ASSERT_TRUE(rows.ok()) << rows.error().message;
  std::multiset<std::pair<std::string, std::string>> seen;
  for (const auto& row : *rows) seen.emplace(formatDate(row.period), row.value);
  EXPECT_EQ(seen, (std::multiset<std::pair<std::string, std::string>>{{"2024-01-01", "permitted"},
                                                                      {"2024-01-01", "permitted"},
                                                                      {"2024-01-01", "permitted"},
                                                                      {"2024-02-01", "refused"},
                                                                      {"2024-02-01", "refused"}}));
}

}  // namespace
}  // namespace liaison
