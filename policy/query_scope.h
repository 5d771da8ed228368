// Which compartments a query reads. The decision is taken per compartment before any lookup, so a
// firewalled compartment is refused without the store ever being asked (no existence leak).
#pragma once

#include <vector>

#include "schema/model.h"

namespace liaison::policy {

/// The compartments this query reads: for get-record the compartment of the record kind the hit named,
/// for aggregate-statistics the compartment it counts.
std::vector<Compartment> compartmentsTouched(const Query& query);

/// Every compartment a query of `kind` could read, whatever its parameters (get-record and
/// aggregate-statistics: all six). The loader uses it to find rules that can never match.
std::vector<Compartment> compartmentsTouched(QueryKind kind);

/// The compartments every query of `kind` reads whatever its parameters: compartmentsTouched(kind), except
/// for get-record and aggregate-statistics, whose parameters choose the compartment (none is certain).
std::vector<Compartment> compartmentsAlwaysTouched(QueryKind kind);

/// True for the query kinds whose answer is record contents or counts (get-record, health-record,
/// justice-record, aggregate-statistics): there is no hit/no-hit form, so only a details rule permits them.
bool answersOnlyWithDetails(QueryKind kind);

}  // namespace liaison::policy
