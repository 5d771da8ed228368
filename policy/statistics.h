// Aggregate statistics that cannot name a person: which tables exist (subjects and their fixed
// dimensions), who may ask for which, and how counted cells are released: small cells suppressed,
// a second cell suppressed where one suppressed cell could be worked out from the rest, and counts
// perturbed by the cell-key method (README "Statistics"). Pure: the counting is the adapters', the
// record keys crypto's (crypto/record_key.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "schema/model.h"

namespace liaison::policy {

/// The `[statistics]` table of a policy file.
struct StatisticsSettings {
  /// Cells with fewer records are released as suppressed (zero included).
  uint32_t minCellSize = 10;
  /// Released counts carry noise in [-noiseBound, noiseBound]; 0: exact counts. Always below minCellSize.
  uint32_t noiseBound = 0;
  /// Roles that may see protected dimensions (nationality, sex) and request counts: oversight.
  /// Never an enforcement-facing role (the loader refuses one).
  std::vector<Role> oversightRoles = {Role::auditor};
  /// The period lengths offered. One alone closes differencing across period lengths (a month minus
  /// the released days inside it); all three by default.
  std::vector<StatisticsPeriod> periods = {StatisticsPeriod::day, StatisticsPeriod::week,
                                           StatisticsPeriod::month};
};

/// Bounds the loader accepts for StatisticsSettings.
inline constexpr uint32_t kMinOfMinCellSize = 3;
inline constexpr uint32_t kMaxMinCellSize = 1000;
inline constexpr uint32_t kMaxNoiseBound = 100;

/// The cell-key modulus: record keys are reduced modulo this, and a cell's key is the sum of its
/// records' keys modulo this (the ABS TableBuilder's N, larger here so keys rarely collide).
inline constexpr uint32_t kCellKeyModulus = 1u << 16;

/// The dimensions a table of `subject` (and record `kind`, for records) may group by; empty when
/// the kind is not counted (notices and watchlist entries carry no date of an event).
std::vector<StatisticsDimension> dimensionsOf(StatisticsSubject subject, RecordKind kind);

/// The first day of the period `date` falls in (ISO weeks start on Monday).
Date periodStart(Date date, StatisticsPeriod period);
/// The first day of the period after the one starting on `start`.
Date nextPeriod(Date start, StatisticsPeriod period);

/// What is wrong with a statistics query's shape, or nullopt: a kind not in the compartment or
/// not counted, a dimension the table does not offer, a range that is not whole periods, empty,
/// longer than limits::kMaxStatisticsPeriods, or reaching into the period `today` falls in (only
/// completed periods are counted, so a count never changes while the period runs).
std::optional<std::string> statisticsQueryProblem(const AggregateStatisticsQuery& query, Date today);

/// What is wrong with the query's period under `settings`, or nullopt: a period length not offered.
std::optional<std::string> statisticsPeriodProblem(const AggregateStatisticsQuery& query,
                                                   const StatisticsSettings& settings);

/// Why an officer in `role` may not have this table although a rule permits the compartment, or
/// nullopt: a protected dimension or request counts for anyone but an officer of this node
/// (`ownOfficer`) in an oversight role. A partner's officers are never this node's oversight.
std::optional<std::string> statisticsRoleProblem(Role role, bool ownOfficer,
                                                 const AggregateStatisticsQuery& query,
                                                 const StatisticsSettings& settings);

/// One cell as counted: its period and value, how many records (or requests) it holds, and the
/// sum of their record keys (any width; reduced modulo kCellKeyModulus here).
struct CountedCell {
  Date period;
  std::string value;
  uint64_t count = 0;
  uint64_t keySum = 0;
};

/// The noise the cell-key method adds to a cell with this cell key (0..kCellKeyModulus-1): a fixed
/// function onto -bound..bound, triangular (0 most likely, mean 0), so the same cell always gets
/// the same noise and cells whose keys differ get unrelated noise.
int32_t cellKeyNoise(uint32_t cellKey, uint32_t bound);

/// The released table of the cells counted over the periods [from, until): every period for each
/// value that reaches settings.minCellSize in at least one of them (values that never do are left
/// out); cells below minCellSize, zero included, suppressed; then, in each period, while the
/// records held back (suppressed and left-out cells) number more than none and fewer than
/// minCellSize, the smallest released cell suppressed too; the rest released with cellKeyNoise.
/// Cells come ordered by period, then value. nullopt when the table would hold more than
/// limits::kMaxStatisticsCells cells.
std::optional<StatisticsTable> releaseCells(const std::vector<CountedCell>& counted, Date from, Date until,
                                            StatisticsPeriod period, const StatisticsSettings& settings);

}  // namespace liaison::policy
