#include "adapters/purge.h"

#include "adapters/audit_log.h"
#include "adapters/pg_session.h"
#include "adapters/record_rows.h"
#include "schema/limits.h"

namespace liaison::store {

uint64_t PurgeReport::total() const {
  uint64_t sum = 0;
  for (const auto& [kind, count] : purged) sum += count;
  return sum;
}

Result<PurgeReport> purgeExpired(const DatabaseTarget& target, std::string_view member, Date today,
                                 const CommandLineOrigin& origin) {
  if (!isValidMemberId(member)) return fail(ErrorKind::invalidInput, "member id '" + std::string(member).substr(0, 64) + "' is not valid");
  PurgeReport report;
  AuditLog audit(target, std::string(member));
  for (size_t i = 0; i < std::variant_size_v<Record>; ++i) {
    const auto kind = static_cast<RecordKind>(i);
    try {
      auto conn = openConnection(target, DbRole::importer, databaseOf(compartmentOf(kind)));
      allowLongStatements(*conn);
      pqxx::work tx(*conn);
      setRequestingMember(tx, member);
      auto removed = tx.exec_params("DELETE FROM " + std::string(tableName(kind)) +
                                        " WHERE owner_member = $1 AND retention_until < $2::date RETURNING ref::text",
                                    std::string(member), formatDate(today));
      if (removed.empty()) continue;
      // One entry per limits::kMaxAuditRecordRefs records, so every entry stays within what the
      // auditor API serves; all of them are committed before the deletion is.
      std::vector<std::string> refs;
      refs.reserve(removed.size());
      for (const auto& row : removed) refs.emplace_back(row[0].c_str());
      const size_t parts = (refs.size() + limits::kMaxAuditRecordRefs - 1) / limits::kMaxAuditRecordRefs;
      for (size_t part = 0; part < parts; ++part) {
        AuditEntry entry;
        entry.recordedAt = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
        entry.requester = std::string(member);
        entry.officerPseudonym = "liaison purge";
        entry.purpose = "retention";
        entry.decision = Decision::permitted;
        entry.reason = "purge: " + std::to_string(refs.size()) + " " + std::string(name(kind)) +
                       " records retained until before " + formatDate(today);
        if (parts > 1) {
          entry.reason += " (part " + std::to_string(part + 1) + " of " + std::to_string(parts) + ")";
        }
        const auto first = refs.begin() + static_cast<std::ptrdiff_t>(part * limits::kMaxAuditRecordRefs);
        const auto last = refs.begin() + static_cast<std::ptrdiff_t>(
                                             std::min(refs.size(), (part + 1) * limits::kMaxAuditRecordRefs));
        entry.recordRefs.assign(first, last);
        origin.stamp(entry);
        auto receipt = audit.append(entry);
        if (!receipt) {
          return fail(ErrorKind::unavailable, "purge of " + std::string(name(kind)) +
                                                  " records not done: the audit log refused the entry: " +
                                                  receipt.error().message);
        }
        ++report.auditEntries;
      }
      tx.commit();
      report.purged.emplace_back(kind, removed.size());
    } catch (const std::exception& e) {
      return databaseError("purging " + std::string(name(kind)) + " records", e);
    }
  }
  audit.flushAndStop();
  return report;
}

}  // namespace liaison::store
