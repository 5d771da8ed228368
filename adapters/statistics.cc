#include "adapters/statistics.h"

#include <algorithm>
#include <optional>

#include "adapters/pg_session.h"
#include "policy/statistics.h"
#include "schema/limits.h"

namespace liaison::store {
namespace {

// Where the records of a counted kind are, and the date of the event they record.
struct CountedTable {
  const char* table;
  const char* date;  // an SQL expression of type date
};

std::optional<CountedTable> countedTable(RecordKind kind) {
  switch (kind) {
    case RecordKind::travelDocument:
      return CountedTable{"documents.travel_documents", "report_date"};
    case RecordKind::movement:
      return CountedTable{"immigration.movements", "(occurred_at AT TIME ZONE 'UTC')::date"};
    case RecordKind::refusal:
      return CountedTable{"immigration.refusals", "refused_on"};
    case RecordKind::overstay:
      return CountedTable{"immigration.overstays", "detected_on"};
    case RecordKind::visaDecision:
      return CountedTable{"immigration.visa_decisions", "decided_on"};
    case RecordKind::healthRecord:
      return CountedTable{"health.records", "recorded_on"};
    case RecordKind::justiceRecord:
      return CountedTable{"justice.records", "filed_on"};
    case RecordKind::notice:
    case RecordKind::watchlistPerson:
    case RecordKind::watchlistDocument:
      return std::nullopt;
  }
  return std::nullopt;
}

// The SQL expression of a dimension's value, text. A refusal counts once under each of its grounds.
const char* dimensionExpression(StatisticsDimension dimension) {
  switch (dimension) {
    case StatisticsDimension::none:
      return "''";
    case StatisticsDimension::port:
      return "port";
    case StatisticsDimension::direction:
      return "direction";
    case StatisticsDimension::nationality:
      return "nationality";
    case StatisticsDimension::sex:
      return "sex";
    case StatisticsDimension::ground:
      return "unnest(CASE WHEN cardinality(grounds) = 0 THEN ARRAY[''] ELSE grounds END)";
    case StatisticsDimension::outcome:
      return "outcome";
    case StatisticsDimension::fraudType:
      return "fraud_type";
    case StatisticsDimension::documentType:
      return "document_type";
    case StatisticsDimension::issuingState:
      return "issuing_state";
    case StatisticsDimension::recordType:
      return "record_kind";
    case StatisticsDimension::queryKind:
      return "query_kind";
    case StatisticsDimension::decision:
      return "decision";
    case StatisticsDimension::role:
      return "role";
    case StatisticsDimension::requester:
      return "requester";
  }
  return "''";
}

bool offers(StatisticsSubject subject, RecordKind kind, StatisticsDimension dimension) {
  const auto offered = policy::dimensionsOf(subject, kind);
  return std::find(offered.begin(), offered.end(), dimension) != offered.end();
}

// $1 and $2 the range's first and first-after days, $3 the period's name, $4 the row limit.
std::string rowsStatement(const std::string& date, const std::string& value, const std::string& reference,
                          const std::string& from) {
  return "SELECT date_trunc($3, d::timestamp)::date::text, value, reference FROM (SELECT " + date +
         " AS d, coalesce(" + value + ", '')::text AS value, " + reference + " AS reference FROM " + from +
         ") AS counted WHERE d >= $1::date AND d < $2::date LIMIT $4";
}

Result<std::vector<StatisticsRow>> readRows(pqxx::transaction_base& tx, const std::string& sql,
                                            const AggregateStatisticsQuery& query) {
  auto result = tx.exec_params(sql, formatDate(query.from), formatDate(query.until),
                               std::string(name(query.period)), kMaxStatisticsRows + 1);
  if (result.size() > kMaxStatisticsRows) {
    return fail(ErrorKind::invalidInput, "the range holds more than " + std::to_string(kMaxStatisticsRows) +
                                             " rows to count; ask for a shorter range");
  }
  std::vector<StatisticsRow> rows;
  rows.reserve(result.size());
  for (const auto& row : result) {
    auto period = parseDate(row[0].c_str());
    if (!period)
      return fail(ErrorKind::internal,
                  "statistics: the database gave period '" + std::string(row[0].c_str()) + "'");
    rows.push_back(StatisticsRow{*period, limits::cutToLimit(row[1].c_str(), limits::kStatisticsValueBytes),
                                 row[2].c_str()});
  }
  return rows;
}

}  // namespace

Result<std::vector<StatisticsRow>> readRecordStatisticsRows(pqxx::transaction_base& tx,
                                                            const AggregateStatisticsQuery& query) {
  auto table = countedTable(query.kind);
  if (query.subject != StatisticsSubject::records || !table ||
      !offers(query.subject, query.kind, query.dimension)) {
    return fail(ErrorKind::invalidInput, "statistics: no table counts " + std::string(name(query.kind)) +
                                             " by " + std::string(name(query.dimension)));
  }
  return readRows(
      tx, rowsStatement(table->date, dimensionExpression(query.dimension), "ref::text", table->table), query);
}

RequestStatisticsReader::RequestStatisticsReader(DatabaseTarget target)
    : connections_(std::make_unique<RoleConnections>(std::move(target))) {}
RequestStatisticsReader::~RequestStatisticsReader() = default;

Result<std::vector<StatisticsRow>> RequestStatisticsReader::rows(const AggregateStatisticsQuery& query) {
  if (query.subject != StatisticsSubject::requests || !offers(query.subject, query.kind, query.dimension)) {
    return fail(ErrorKind::invalidInput,
                "statistics: no table counts requests by " + std::string(name(query.dimension)));
  }
  static const std::string kDate = "(recorded_at AT TIME ZONE 'UTC')::date";
  const std::string sql =
      rowsStatement(kDate, dimensionExpression(query.dimension), "seq::text", "audit.entries");
  std::lock_guard lock(mutex_);
  for (int round = 1;; ++round) {
    try {
      pqxx::read_transaction tx(connections_->forRole(DbRole::auditor, Database::main));
      return readRows(tx, sql, query);
    } catch (const pqxx::broken_connection& e) {
      connections_->reset(DbRole::auditor, Database::main);
      if (round == 2) return databaseError("counting requests", e);  // reading twice is harmless
    } catch (const std::exception& e) {
      return databaseError("counting requests", e);
    }
  }
}

}  // namespace liaison::store
