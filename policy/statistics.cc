#include "policy/statistics.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>

#include "schema/limits.h"

namespace liaison::policy {
namespace {

using std::chrono::sys_days;

std::string joinedNames(const std::vector<StatisticsDimension>& dimensions) {
  std::string out;
  for (StatisticsDimension d : dimensions) out += (out.empty() ? "" : ", ") + std::string(name(d));
  return out;
}

bool contains(const std::vector<Role>& roles, Role role) {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

std::string oversightNames(const StatisticsSettings& settings) {
  std::string out;
  for (Role role : settings.oversightRoles) out += (out.empty() ? "" : ", ") + std::string(name(role));
  return out;
}

}  // namespace

std::vector<StatisticsDimension> dimensionsOf(StatisticsSubject subject, RecordKind kind) {
  using enum StatisticsDimension;
  if (subject == StatisticsSubject::requests) return {none, queryKind, decision, role, requester};
  switch (kind) {
    case RecordKind::travelDocument:
      return {none, fraudType, documentType, issuingState};
    case RecordKind::movement:
      return {none, port, direction, nationality, sex};
    case RecordKind::refusal:
      return {none, port, ground, nationality, sex};
    case RecordKind::overstay:
      return {none, nationality, sex};
    case RecordKind::visaDecision:
      return {none, outcome, nationality, sex};
    case RecordKind::healthRecord:
    case RecordKind::justiceRecord:
      return {none, recordType, nationality, sex};
    case RecordKind::notice:
    case RecordKind::watchlistPerson:
    case RecordKind::watchlistDocument:
      return {};  // no date of an event to count by
  }
  return {};
}

Date periodStart(Date date, StatisticsPeriod period) {
  switch (period) {
    case StatisticsPeriod::day:
      return date;
    case StatisticsPeriod::week: {
      const sys_days day{date};
      return Date{day - std::chrono::days{std::chrono::weekday{day}.iso_encoding() - 1}};
    }
    case StatisticsPeriod::month:
      return Date{date.year(), date.month(), std::chrono::day{1}};
  }
  return date;
}

Date nextPeriod(Date start, StatisticsPeriod period) {
  switch (period) {
    case StatisticsPeriod::day:
      return Date{sys_days{start} + std::chrono::days{1}};
    case StatisticsPeriod::week:
      return Date{sys_days{start} + std::chrono::days{7}};
    case StatisticsPeriod::month:
      return start + std::chrono::months{1};
  }
  return start;
}

std::optional<std::string> statisticsQueryProblem(const AggregateStatisticsQuery& query, Date today) {
  const bool records = query.subject == StatisticsSubject::records;
  if (records && compartmentOf(query.kind) != query.compartment) {
    return "record kind " + std::string(name(query.kind)) + " is not in compartment " +
           std::string(name(query.compartment));
  }
  const std::vector<StatisticsDimension> offered = dimensionsOf(query.subject, query.kind);
  if (offered.empty()) {
    return "records of kind " + std::string(name(query.kind)) +
           " carry no date of an event and are not counted";
  }
  if (std::find(offered.begin(), offered.end(), query.dimension) == offered.end()) {
    return "dimension " + std::string(name(query.dimension)) + " is not offered for " +
           (records ? std::string(name(query.kind)) + " records" : std::string("requests")) +
           "; those offered are " + joinedNames(offered);
  }
  const std::string period(name(query.period));
  for (const auto& [what, date] : {std::pair{"from", query.from}, std::pair{"until", query.until}}) {
    if (periodStart(date, query.period) != date) {
      return std::string(what) + " " + formatDate(date) + " is not the first day of a " + period +
             ": a range is whole periods";
    }
  }
  if (query.until <= query.from) {
    return "the range " + formatDate(query.from) + " to " + formatDate(query.until) + " is empty";
  }
  size_t periods = 0;
  for (Date d = query.from; d < query.until && periods <= limits::kMaxStatisticsPeriods;
       d = nextPeriod(d, query.period)) {
    ++periods;
  }
  if (periods > limits::kMaxStatisticsPeriods) {
    return "the range spans more than " + std::to_string(limits::kMaxStatisticsPeriods) + " periods of a " +
           period;
  }
  const Date current = periodStart(today, query.period);
  if (query.until > current) {
    return "until " + formatDate(query.until) + " reaches into the " + period + " that began " +
           formatDate(current) + ": only completed periods are counted";
  }
  return std::nullopt;
}

std::optional<std::string> statisticsPeriodProblem(const AggregateStatisticsQuery& query,
                                                   const StatisticsSettings& settings) {
  if (std::find(settings.periods.begin(), settings.periods.end(), query.period) != settings.periods.end()) {
    return std::nullopt;
  }
  std::string offered;
  for (StatisticsPeriod p : settings.periods) offered += (offered.empty() ? "" : ", ") + std::string(name(p));
  return "period " + std::string(name(query.period)) + " is not offered by this node; it counts per " +
         offered;
}

std::optional<std::string> statisticsRoleProblem(Role role, bool ownOfficer,
                                                 const AggregateStatisticsQuery& query,
                                                 const StatisticsSettings& settings) {
  if (ownOfficer && contains(settings.oversightRoles, role)) return std::nullopt;
  const std::string oversight = "oversight roles (" + oversightNames(settings) + ") of this node only";
  if (query.subject == StatisticsSubject::requests) {
    return "request counts come from the audit log and are for " + oversight;
  }
  if (isProtected(query.dimension)) {
    return "dimension " + std::string(name(query.dimension)) +
           " is a protected attribute, counted in aggregate for " + oversight;
  }
  return std::nullopt;
}

int32_t cellKeyNoise(uint32_t cellKey, uint32_t bound) {
  if (bound == 0) return 0;
  // Weights bound+1-|j| for j in -bound..bound sum to (bound+1)^2; the cell key picks a point of
  // that sum, so noise j is drawn with probability (bound+1-|j|)/(bound+1)^2.
  const uint64_t width = uint64_t{bound + 1} * (bound + 1);
  const uint64_t point = uint64_t{cellKey % kCellKeyModulus} * width / kCellKeyModulus;
  uint64_t cumulative = 0;
  const auto b = static_cast<int32_t>(bound);
  for (int32_t j = -b; j <= b; ++j) {
    cumulative += static_cast<uint64_t>(b + 1 - std::abs(j));
    if (point < cumulative) return j;
  }
  return b;
}

std::optional<StatisticsTable> releaseCells(const std::vector<CountedCell>& counted, Date from, Date until,
                                            StatisticsPeriod period, const StatisticsSettings& settings) {
  const uint64_t minimum = settings.minCellSize;
  std::set<std::string> listed;
  std::map<std::pair<sys_days, std::string>, const CountedCell*> byCell;
  for (const CountedCell& cell : counted) {
    if (cell.count >= minimum) listed.insert(cell.value);
    byCell.emplace(std::pair{sys_days{cell.period}, cell.value}, &cell);
  }
  std::vector<Date> periods;
  for (Date d = from; d < until; d = nextPeriod(d, period)) periods.push_back(d);
  if (periods.size() * listed.size() > limits::kMaxStatisticsCells) return std::nullopt;

  StatisticsTable table;
  table.minCellSize = settings.minCellSize;
  table.noiseBound = settings.noiseBound;
  for (Date p : periods) {
    // Records of this period that no released cell shows: cells below the minimum and values left out.
    uint64_t heldBack = 0;
    for (auto it = byCell.lower_bound({sys_days{p}, std::string()});
         it != byCell.end() && it->first.first == sys_days{p}; ++it) {
      if (listed.count(it->second->value) == 0) heldBack += it->second->count;
    }
    struct Draft {
      StatisticsCell cell;
      uint64_t count = 0;
      uint64_t keySum = 0;
    };
    std::vector<Draft> row;
    for (const std::string& value : listed) {
      auto it = byCell.find({sys_days{p}, value});
      Draft draft{StatisticsCell{p, value, false, 0}, 0, 0};
      if (it != byCell.end()) {
        draft.count = it->second->count;
        draft.keySum = it->second->keySum;
      }
      draft.cell.suppressed = draft.count < minimum;
      if (draft.cell.suppressed) heldBack += draft.count;
      row.push_back(std::move(draft));
    }
    // One small cell held back alone could be worked out as a period's total minus what was
    // released; hold back the smallest released cell too until what is held back is no count of
    // a few people.
    while (heldBack > 0 && heldBack < minimum) {
      auto smallest = std::min_element(row.begin(), row.end(), [](const Draft& a, const Draft& b) {
        if (a.cell.suppressed != b.cell.suppressed) return !a.cell.suppressed;
        return a.count < b.count;
      });
      if (smallest == row.end() || smallest->cell.suppressed) break;
      smallest->cell.suppressed = true;
      heldBack += smallest->count;
    }
    for (Draft& draft : row) {
      if (!draft.cell.suppressed) {
        const int64_t noisy =
            static_cast<int64_t>(draft.count) +
            cellKeyNoise(static_cast<uint32_t>(draft.keySum % kCellKeyModulus), settings.noiseBound);
        draft.cell.count = static_cast<uint64_t>(std::max<int64_t>(noisy, 0));
      }
      table.cells.push_back(std::move(draft.cell));
    }
  }
  return table;
}

}  // namespace liaison::policy
