// Reading what aggregate statistics count (policy/statistics.h): for records, one row per record
// of a kind in a date range with its period and its value of the table's dimension, read through
// a RecordStore (so as the serving database role of the requester, under row-level security); for
// requests, one row per audit entry, read as liaison_auditor. Fixed statements only: the kind and
// the dimension pick column names from closed tables, everything else is a parameter.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "adapters/database.h"
#include "schema/model.h"
#include "schema/status.h"

namespace pqxx {
class transaction_base;
}

namespace liaison::store {

class RoleConnections;  // adapters/pg_session.h

/// One counted row: the first day of its period, its value of the table's dimension (empty when
/// unknown), and the reference that names it for its record key (a record's ref, an entry's seq).
struct StatisticsRow {
  Date period;
  std::string value;
  std::string reference;
};

/// Most rows one statistics query reads; a range holding more is refused (ask a shorter one).
inline constexpr size_t kMaxStatisticsRows = 2'000'000;

/// The rows of the records `query` counts (subject records), in `tx`, whose requesting member is
/// set already. Fails (invalidInput) for a kind or dimension no table offers, and for a range
/// holding more than kMaxStatisticsRows rows. Internal to adapters/: RecordStore::statisticsRows.
Result<std::vector<StatisticsRow>> readRecordStatisticsRows(pqxx::transaction_base& tx,
                                                            const AggregateStatisticsQuery& query);

/// Reads the audit log's requests for request statistics, as liaison_auditor. Thread-safe: one
/// connection, one query at a time (statistics are rare).
class RequestStatisticsReader {
 public:
  /// Connects lazily, on the first call.
  explicit RequestStatisticsReader(DatabaseTarget target);
  ~RequestStatisticsReader();
  RequestStatisticsReader(const RequestStatisticsReader&) = delete;
  RequestStatisticsReader& operator=(const RequestStatisticsReader&) = delete;

  /// One row per audit entry recorded in [query.from, query.until) (UTC days), with its period and
  /// its value of query.dimension (query kind, decision, role or requester).
  Result<std::vector<StatisticsRow>> rows(const AggregateStatisticsQuery& query);

 private:
  std::mutex mutex_;
  std::unique_ptr<RoleConnections> connections_;
};

}  // namespace liaison::store
