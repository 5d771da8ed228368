// What an auditor would rather look at than read: the audit log summed up over a time range (requests
// and refusals per day by query kind and decision, per requesting member, per officer) and the
// alerts an oversight body follows up (an officer or partner whose requests hit a firewall, whose
// refusals exceed a threshold within a window, or who screened one person many times over).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "schema/model.h"
#include "schema/status.h"

namespace pqxx {
class transaction_base;
}

namespace liaison::store {

/// Longest time range one overview sums up.
inline constexpr std::chrono::days kMaxAuditOverviewRange{400};
/// Rows of each per-member and per-officer table, and alerts of each kind, at most (largest first).
inline constexpr size_t kMaxAuditOverviewRows = 200;
/// Entries named behind one alert, at most (the first ones, in seq order).
inline constexpr size_t kMaxAuditAlertEntries = 50;

/// One overview: the entries recorded in [from, to), and the alert thresholds.
struct AuditOverviewRequest {
  Timestamp from{};
  Timestamp to{};
  /// Refusals alert: an officer (or partner, or unauthenticated source) with at least `refusals`
  /// refused or invalid requests within any `window`.
  std::chrono::seconds window{3600};
  uint64_t refusals = 20;
  /// Probing alert: an officer whose permitted screen-person requests hit one record at least
  /// `screenings` times in the range (many spellings of one person tried until one sticks).
  uint64_t screenings = 5;
};

/// Parses `from=..&to=..[&window=SECONDS][&refusals=N][&screenings=N]` (from and to required, UTC
/// `YYYY-MM-DDTHH:MM:SSZ`, to after from, at most kMaxAuditOverviewRange apart; window 60 s to 7
/// days; refusals 1..1000000; screenings 2..1000000). Errors are ErrorKind::invalidInput naming
/// the parameter and its value.
Result<AuditOverviewRequest> parseAuditOverviewQuery(std::string_view queryString);

/// Whether an entry's refusal was a firewall's: its reason cites a firewall of the policy or the
/// built-in one, or the database refused what the policy let through (the firewall held there).
/// The SQL condition, over audit.entries' columns.
inline constexpr std::string_view kFirewallRefusalSql =
    "(decision = 'refused' AND (reason LIKE '%firewall%' OR reason LIKE 'database refused%'))";

/// The overview as one JSON object, read within `tx` (a read-only transaction as liaison_auditor):
/// `{"from","to","window","refusals","screenings","total":{requests,refused,invalid,firewall},
/// "per_day":[{day,kind,decision,requests,firewall}], "per_member":[{member,requests,refused,
/// firewall}], "per_officer":[{member,officer,role,requests,refused,firewall}], "alerts":[{kind
/// (firewall|refusals|probing), member, officer, source, count, first, last, record, detail,
/// seqs:[..]}]}`. Requests count folded refusals (repeat_count) as the requests they stand for.
std::string auditOverviewJson(pqxx::transaction_base& tx, const AuditOverviewRequest& request);

}  // namespace liaison::store
