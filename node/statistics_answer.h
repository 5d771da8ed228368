// Answers aggregate-statistics once the node has decided the requester may have the table: the
// rows the adapters read become cells, each with its count and the sum of its records' keys, and
// policy::releaseCells suppresses and perturbs them (README "Statistics").
#pragma once

#include <string>
#include <vector>

#include "adapters/statistics.h"
#include "crypto/record_key.h"
#include "policy/statistics.h"
#include "schema/model.h"
#include "schema/status.h"

namespace liaison::node {

/// The released table of `rows` counted for `query`: each row's record key is `secret`'s keyed
/// hash of its reference within what is counted (the record kind, or `request`). Fails
/// (invalidInput) when the table would hold more than limits::kMaxStatisticsCells cells.
Result<StatisticsTable> tabulateStatistics(const std::vector<store::StatisticsRow>& rows,
                                           const AggregateStatisticsQuery& query,
                                           const crypto::RecordKeySecret& secret,
                                           const policy::StatisticsSettings& settings);

/// One line for the audit entry: what was counted and how much was released, e.g.
/// `statistics movement by port per month 2026-01-01..2026-04-01: 12 cells, 3 suppressed`.
std::string describeStatistics(const AggregateStatisticsQuery& query, const StatisticsTable& table);

}  // namespace liaison::node
