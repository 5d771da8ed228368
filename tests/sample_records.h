// Fully populated records of every kind, for round-trip and visibility tests.
#pragma once

#include <string>
#include <vector>

#include "schema/model.h"

namespace liaison::testing {

/// A record of `kind` owned by `owner` with every field set to a non-default value (optional
/// dates present), names in several scripts. `variant` changes the values so two samples differ.
Record sampleRecord(RecordKind kind, const std::string& owner, int variant = 0);

/// Every record kind, in enum order.
std::vector<RecordKind> allRecordKinds();

}  // namespace liaison::testing
