#include "node/statistics_answer.h"

#include <algorithm>
#include <map>

#include "schema/limits.h"

namespace liaison::node {

Result<StatisticsTable> tabulateStatistics(const std::vector<store::StatisticsRow>& rows,
                                           const AggregateStatisticsQuery& query,
                                           const crypto::RecordKeySecret& secret,
                                           const policy::StatisticsSettings& settings) {
  const std::string scope(query.subject == StatisticsSubject::requests ? "request" : name(query.kind));
  std::map<std::pair<std::chrono::sys_days, std::string>, policy::CountedCell> cells;
  for (const store::StatisticsRow& row : rows) {
    policy::CountedCell& cell = cells[{std::chrono::sys_days{row.period}, row.value}];
    cell.period = row.period;
    cell.value = row.value;
    cell.count += 1;
    cell.keySum += secret.recordKey(scope, row.reference);
  }
  std::vector<policy::CountedCell> counted;
  counted.reserve(cells.size());
  for (auto& [key, cell] : cells) counted.push_back(std::move(cell));
  auto table = policy::releaseCells(counted, query.from, query.until, query.period, settings);
  if (!table) {
    return fail(ErrorKind::invalidInput, "the table would hold more than " +
                                             std::to_string(limits::kMaxStatisticsCells) +
                                             " cells; ask for fewer periods");
  }
  return std::move(*table);
}

std::string describeStatistics(const AggregateStatisticsQuery& query, const StatisticsTable& table) {
  const auto suppressed = std::count_if(table.cells.begin(), table.cells.end(),
                                        [](const StatisticsCell& cell) { return cell.suppressed; });
  const std::string what =
      query.subject == StatisticsSubject::requests ? "requests" : std::string(name(query.kind));
  return "statistics " + what + " by " + std::string(name(query.dimension)) + " per " +
         std::string(name(query.period)) + " " + formatDate(query.from) + ".." + formatDate(query.until) +
         ": " + std::to_string(table.cells.size()) + " cells, " + std::to_string(suppressed) +
         " suppressed (min cell size " + std::to_string(table.minCellSize) + ", noise bound " +
         std::to_string(table.noiseBound) + ")";
}

}  // namespace liaison::node
