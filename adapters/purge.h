// Retention: removing records whose retention date has passed, every removal audited.
#pragma once

#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "adapters/audit_log.h"
#include "adapters/database.h"
#include "schema/model.h"
#include "schema/status.h"

namespace liaison::store {

/// What a purge removed.
struct PurgeReport {
  std::vector<std::pair<RecordKind, uint64_t>> purged;  ///< kinds with at least one record removed
  uint64_t auditEntries = 0;
  uint64_t total() const;
};

/// Deletes `member`'s records whose retention date is before `today`, kind by kind, each kind in a
/// transaction as its compartment's role. The audit entry naming the removed references is
/// committed before the deletion is: if it cannot be written, nothing of that kind is removed.
/// `origin` names who ran the purge in each entry.
Result<PurgeReport> purgeExpired(const DatabaseTarget& target, std::string_view member, Date today,
                                 const CommandLineOrigin& origin = {});

}  // namespace liaison::store
