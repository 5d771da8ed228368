#include "policy/query_scope.h"

#include <variant>

namespace liaison::policy {

std::vector<Compartment> compartmentsTouched(const Query& query) {
  if (const auto* get = std::get_if<GetRecordQuery>(&query)) return {compartmentOf(get->kind)};
  if (const auto* stats = std::get_if<AggregateStatisticsQuery>(&query)) return {stats->compartment};
  return compartmentsTouched(kindOf(query));
}

std::vector<Compartment> compartmentsTouched(QueryKind kind) {
  using enum Compartment;
  switch (kind) {
    case QueryKind::checkDocument:
      return {documents, watchlist};
    case QueryKind::screenPerson:
      return {notices, watchlist};
    case QueryKind::screenManifest:
      return {notices, watchlist, documents};
    case QueryKind::listMovements:
      return {immigration};
    case QueryKind::healthRecord:
      return {health};
    case QueryKind::justiceRecord:
      return {justice};
    case QueryKind::getRecord:
    case QueryKind::aggregateStatistics:
      return {notices, documents, immigration, watchlist, health, justice};
    case QueryKind::auditRead:
      return {};  // reads the audit log, no record compartment; the node reserves it to auditors
  }
  return {};  // an out-of-range kind touches nothing, so no rule can permit it
}

std::vector<Compartment> compartmentsAlwaysTouched(QueryKind kind) {
  if (kind == QueryKind::getRecord || kind == QueryKind::aggregateStatistics) return {};
  return compartmentsTouched(kind);
}

bool answersOnlyWithDetails(QueryKind kind) {
  switch (kind) {
    case QueryKind::getRecord:
    case QueryKind::healthRecord:
    case QueryKind::justiceRecord:
    case QueryKind::aggregateStatistics:
    case QueryKind::auditRead:
      return true;
    case QueryKind::checkDocument:
    case QueryKind::screenPerson:
    case QueryKind::screenManifest:
    case QueryKind::listMovements:
      return false;
  }
  return true;
}

}  // namespace liaison::policy
